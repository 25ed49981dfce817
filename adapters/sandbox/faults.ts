/**
 * Configurable faults of the sandbox (source: `secutix-api.md`, "The sandbox"): latency, the next
 * N answers with an HTTP error (5xx, 509 with `Retry-After`), `in_progress` once, malformed JSON,
 * wrong field types, hang (no answer: the client times out).
 */
import { z } from 'zod';

/** Methods the sandbox serves (`auth` = the token exchange). */
export const SANDBOX_METHODS = [
  'getPOSConfig',
  'getCatalogDetailed',
  'getEventAvailability',
  'getProductAvailability',
  'getContactData',
  'auth',
] as const;
export type SandboxMethod = (typeof SANDBOX_METHODS)[number];

const count = z.number().int().min(1).max(1000);

/**
 * One fault rule. `institution` / `method` narrow it (absent = all). Counted faults apply to the
 * next N matching answers (after authentication), then stop; `latencyMs` applies to every
 * matching request (before authentication) until faults are reset.
 */
export const faultRuleSchema = z
  .object({
    institution: z
      .string()
      .regex(/^[A-Za-z0-9]{2,15}$/)
      .transform((s) => s.toUpperCase())
      .optional(),
    method: z.enum(SANDBOX_METHODS).optional(),
    /** Delay in ms before answering. */
    latencyMs: z.number().int().min(0).max(120_000).optional(),
    /** Answer HTTP `code` (e.g. 503, or 509 with `retryAfterSeconds`) `count` times. */
    status: z
      .object({
        code: z.number().int().min(400).max(599),
        count: count.default(1),
        /** `Retry-After` header in seconds. */
        retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
      })
      .strict()
      .optional(),
    /** Answer `in_progress` (with a fresh `requestId`) N times; a call carrying that id then succeeds. */
    inProgress: count.optional(),
    /** Answer a body that is not JSON N times. */
    malformedJson: count.optional(),
    /** Answer a field with the wrong type N times (e.g. `posConfigData.posId` as a string). */
    wrongTypes: count.optional(),
    /** Never answer N times (the client's timeout fires). */
    hang: count.optional(),
  })
  .strict();
export type FaultRule = z.output<typeof faultRuleSchema>;
export type FaultRuleInput = z.input<typeof faultRuleSchema>;

/** Body of `POST /__sandbox/faults`: the new rules; `append: true` keeps the current ones. */
export const faultsBodySchema = z.object({ faults: z.array(faultRuleSchema).max(100), append: z.boolean().optional() }).strict();

/** Counted fault kinds, in the order they are tried. */
export type CountedFault = 'hang' | 'status' | 'malformedJson' | 'wrongTypes' | 'inProgress';

/** Live fault rules with their remaining counts. */
export class FaultBook {
  private rules: FaultRule[] = [];

  set(rules: FaultRule[], append = false): void {
    const copy = structuredClone(rules);
    this.rules = append ? [...this.rules, ...copy] : copy;
  }

  clear(): void {
    this.rules = [];
  }

  list(): FaultRule[] {
    return structuredClone(this.rules);
  }

  private matching(institution: string | undefined, method: SandboxMethod): FaultRule[] {
    return this.rules.filter((r) => (!r.method || r.method === method) && (!r.institution || r.institution === institution));
  }

  /** Largest latency in ms of the matching rules (0 when none). */
  latencyMs(institution: string | undefined, method: SandboxMethod): number {
    return Math.max(0, ...this.matching(institution, method).map((r) => r.latencyMs ?? 0));
  }

  /** Takes one occurrence of the first counted fault that applies, if any. */
  take(
    institution: string | undefined,
    method: SandboxMethod,
  ): { kind: CountedFault; status?: { code: number; retryAfterSeconds?: number } } | undefined {
    const kinds: CountedFault[] = ['hang', 'status', 'malformedJson', 'wrongTypes', 'inProgress'];
    for (const kind of kinds) {
      for (const r of this.matching(institution, method)) {
        if (kind === 'status') {
          if (r.status && r.status.count > 0) {
            r.status.count -= 1;
            return { kind, status: { code: r.status.code, retryAfterSeconds: r.status.retryAfterSeconds } };
          }
          continue;
        }
        const left = r[kind];
        if (typeof left === 'number' && left > 0) {
          r[kind] = left - 1;
          return { kind };
        }
      }
    }
    return undefined;
  }
}
