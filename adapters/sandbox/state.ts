/**
 * The sandbox's in-memory state (institutions, faults, catalog extractions, call counts and log),
 * shared by the HTTP server and tests in the same process.
 */
import { sandboxFixtureSchema, type SandboxFixture, type SandboxInstitution } from './fixture';
import { FaultBook, faultsBodySchema, type FaultRule, type SandboxMethod } from './faults';

/** One request as seen by the sandbox. Times are monotonic ms (`performance.now()`). */
export interface SandboxCall {
  seq: number;
  method: SandboxMethod;
  /** Institution from the token's `sub` (or the exchange's operator), when readable. */
  institution?: string;
  startMs: number;
  /** When the answer was sent (absent while pending or for a hang). */
  endMs?: number;
  httpStatus?: number;
  statusCode?: string;
  /** `requestId` carried by the request body (a poll of an `in_progress` answer). */
  requestId?: string | number;
  /** Size in bytes of the JSON answer sent (absent for faults). */
  bytes?: number;
}

/**
 * The sandbox's in-memory state: institutions, faults, call counts and the call log. Tests may
 * use it directly in-process; the admin API exposes the same operations over HTTP.
 */
export class SandboxState {
  institutions = new Map<string, SandboxInstitution>();
  readonly faults = new FaultBook();
  /** Calls per method, counting every request routed to it (401 included). */
  calls: Record<string, number> = {};
  /** Calls per `INSTITUTION:method`. */
  callsByInstitution: Record<string, number> = {};
  log: SandboxCall[] = [];
  /** `requestId`s answered `in_progress` and not yet polled. */
  readonly pendingRequests = new Set<string>();
  /** Extraction times set through the admin API, per institution (`*`: every institution). */
  private readonly extractionOverrides = new Map<string, number>();
  /** When (monotonic ms) the extraction of `INSTITUTION:body` started, while it runs. */
  private readonly extractions = new Map<string, number>();
  private seq = 0;

  /** `extractionMs` (server option) replaces every institution's fixture `extractionMs`. */
  constructor(
    private fixture: SandboxFixture,
    private readonly extractionMsOption?: number,
  ) {
    this.reset();
  }

  /** Back to the loaded fixture; faults, counts, log and admin extraction times cleared. */
  reset(): void {
    this.institutions = new Map(structuredClone(this.fixture).institutions.map((i) => [i.code, i]));
    this.extractionOverrides.clear();
    this.extractions.clear();
    this.faults.clear();
    this.calls = {};
    this.callsByInstitution = {};
    this.log = [];
    this.pendingRequests.clear();
  }

  /** Replaces the fixture (validated) and resets. @throws ZodError on an invalid fixture. */
  loadFixture(json: unknown): void {
    this.fixture = sandboxFixtureSchema.parse(json);
    this.reset();
  }

  /** Sets the fault rules (validated). @throws ZodError on invalid rules. */
  setFaults(rules: unknown[], append = false): FaultRule[] {
    const parsed = faultsBodySchema.parse({ faults: rules, append });
    this.faults.set(parsed.faults, append);
    return this.faults.list();
  }

  /** Sets how long catalog extractions take (ms), for one institution or every one. */
  setExtractionMs(ms: number, institution?: string): void {
    this.extractionOverrides.set(institution?.toUpperCase() ?? '*', ms);
  }

  /** Extraction time of an institution: admin API, else server option, else fixture `extractionMs`. */
  extractionMs(inst: SandboxInstitution): number {
    return this.extractionOverrides.get(inst.code) ?? this.extractionOverrides.get('*') ?? this.extractionMsOption ?? inst.extractionMs;
  }

  /**
   * Whether a catalog request of `inst` with `body` (its `requestId` ignored) is still being
   * extracted at `nowMs`: the first request starts the clock; once done, the next one starts anew.
   */
  extracting(inst: SandboxInstitution, body: Record<string, unknown>, nowMs: number): boolean {
    const ms = this.extractionMs(inst);
    if (ms <= 0) return false;
    const { requestId: _ignored, ...rest } = body;
    const key = `${inst.code}:${JSON.stringify(rest, Object.keys(rest).sort())}`;
    const started = this.extractions.get(key);
    if (started === undefined) {
      this.extractions.set(key, nowMs);
      return true;
    }
    if (nowMs - started < ms) return true;
    this.extractions.delete(key);
    return false;
  }

  /** Number of calls to `method` (optionally for one institution). */
  callCount(method: SandboxMethod, institution?: string): number {
    return institution ? (this.callsByInstitution[`${institution.toUpperCase()}:${method}`] ?? 0) : (this.calls[method] ?? 0);
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  /** A JSON-safe snapshot (no passwords). */
  snapshot(): object {
    return {
      institutions: [...this.institutions.keys()],
      faults: this.faults.list(),
      extractionMs: Object.fromEntries([...this.institutions.values()].map((i) => [i.code, this.extractionMs(i)])),
      calls: { ...this.calls },
      callsByInstitution: { ...this.callsByInstitution },
      log: this.log.map((c) => ({ ...c })),
    };
  }
}
