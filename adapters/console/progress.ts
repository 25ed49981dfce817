/**
 * A verification's progress on the terminal (`ChatNotifier.progress`, issue 8). A terminal cannot
 * edit a line in place as Slack and Teams edit their message, so it prints lines instead: a
 * header when the verification starts, one line each time a check's state changes, a line with
 * the time SecuTix has spent extracting the catalog (at most one per `WAIT_LINE_EVERY_S`, however
 * often the run service refreshes), and a final line saying the report follows, printed just
 * before the report itself. Updates of a verification already ended are ignored.
 */
import type { MessageBuilder } from '../../src/messages/builder';
import { overallOutcome } from '../../src/workflow/outcome';
import type { CheckId, CheckProgressState, CheckResult, Run, VerificationProgress } from '../../src/workflow/types';
import { OUTCOME_MARKERS, stripMarkup } from './text';

/** Least number of waited seconds between two "still extracting the catalog" lines. */
export const WAIT_LINE_EVERY_S = 5;

/** What was printed for one run's current verification. */
interface Printed {
  /** `run.verification.at` when it started (the report before it): a later verification starts afresh. */
  key: string;
  states: Map<CheckId, CheckProgressState>;
  /** Waited seconds shown on the last "still extracting" line; absent when not waiting. */
  waitShownS?: number;
  /** Waited ms in the last update while SecuTix was extracting; absent when not waiting. */
  waitedMs?: number;
  /** The final line is out: later updates of this verification print nothing. */
  ended: boolean;
}

export class ConsoleProgress {
  private readonly runs = new Map<string, Printed>();

  constructor(
    private readonly line: (text: string) => void,
    private readonly builder: MessageBuilder,
  ) {}

  /** A verification of `runId` is about to start: forget what the previous one printed. */
  begin(runId: string): void {
    this.runs.delete(runId);
  }

  /** One update from the run service (paced: at most one a second). */
  update(run: Run, p: VerificationProgress): void {
    // A verification cut by a crash: the notice that follows says so (nothing else to print).
    if (p.interrupted) return;
    const key = run.verification?.at ?? '';
    let st = this.runs.get(run.id);
    if (st && st.key !== key) st = undefined;
    if (st?.ended) return;
    if (!st) {
      st = { key, states: new Map(), ended: false };
      this.runs.set(run.id, st);
      this.line('');
      this.line(this.t(run, 'console.verify.start', { institutionCode: run.details.institutionCode, count: p.checks.length }));
    }
    // Not saved: the checks' marks would read as a result; only say that nothing was recorded.
    if (p.done && p.outcome === 'not_saved') return this.end(run, st, 'not_saved', p.checks);
    if (p.catalogWaitedMs === undefined) this.waitOver(run, st);
    this.printChanges(run, st, p.checks);
    if (p.done) {
      this.end(run, st, p.outcome ?? 'failed', p.checks);
      return;
    }
    if (p.catalogWaitedMs === undefined) return;
    st.waitedMs = p.catalogWaitedMs;
    const seconds = Math.floor(p.catalogWaitedMs / 1000);
    if (st.waitShownS === undefined) {
      // The first line says the wait started (never "0 s waited"); then one line per 5 s waited.
      st.waitShownS = 0;
      this.line(this.t(run, 'console.verify.catalog_waiting_start', { every: WAIT_LINE_EVERY_S }));
    } else if (seconds >= st.waitShownS + WAIT_LINE_EVERY_S) {
      st.waitShownS = seconds;
      this.line(this.t(run, 'console.verify.catalog_waiting', { seconds }));
    }
  }

  /**
   * A message of `run` is about to be printed: when it comes after a verification whose progress
   * is still open and `run` carries that verification's report, the checks not shown yet and the
   * final line ("the report follows") come first. Nothing otherwise.
   */
  ended(run: Run): void {
    const st = this.runs.get(run.id);
    const rep = run.verification;
    if (!st || st.ended || !rep || rep.at === st.key) return;
    const checks = rep.checks.map((c) => ({ id: c.id, state: c.outcome }));
    this.waitOver(run, st);
    this.printChanges(run, st, checks);
    this.end(run, st, overallOutcome(rep.checks), checks);
  }

  /** After a wait for the catalog: says it is over, with how long it took, before the checks it settles. */
  private waitOver(run: Run, st: Printed): void {
    if (st.waitedMs === undefined) return;
    this.line(this.t(run, 'console.verify.catalog_ready', { seconds: Math.max(1, Math.round(st.waitedMs / 1000)) }));
    delete st.waitShownS;
    delete st.waitedMs;
  }

  private printChanges(run: Run, st: Printed, checks: VerificationProgress['checks']): void {
    for (const c of checks) {
      const before = st.states.get(c.id) ?? 'waiting';
      st.states.set(c.id, c.state);
      if (c.state === before || c.state === 'waiting') continue;
      this.line(
        this.t(run, 'console.verify.check', {
          marker: OUTCOME_MARKERS[c.state],
          name: this.t(run, `check.name.${c.id}`),
          outcome: this.t(run, `report.outcome.${c.state}`),
        }),
      );
    }
  }

  private end(run: Run, st: Printed, outcome: NonNullable<VerificationProgress['outcome']>, checks: VerificationProgress['checks']): void {
    st.ended = true;
    const n = (s: CheckResult['outcome']): number => checks.filter((c) => c.state === s).length;
    const count = outcome === 'not_saved' ? 0 : n(outcome);
    this.line(this.t(run, `console.verify.done.${outcome}`, { count }));
  }

  private t(run: Run, key: string, view: Record<string, unknown> = {}): string {
    return stripMarkup(this.builder.t(run.details.language, key, view));
  }
}
