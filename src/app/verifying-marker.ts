/**
 * The durable marker of a verification under way (ref `core.verifying` of the run: `{ at, by }`,
 * null when none). If the process dies mid-verification, `RunService.recoverInterruptedVerifications`
 * finds it and tells the operator to verify again.
 *
 * When the run store does not answer as a verification ends (issue 11: its result is retried,
 * then the operator is told "not saved, verify again"), the marker cannot be cleared either. It is
 * remembered here and cleared as soon as the store answers again (`retry`, called by the poll and
 * by the recovery), so the operator, already told, is not told a second time that the
 * verification was interrupted. Limit: a process that stops before the store answers again
 * forgets it (the next start then says "interrupted" once more).
 */
import type { Logger } from '../ports/logger.port';
import type { RunStore } from '../ports/run-store.port';
import { errorSummary } from './error-summary';

/** Ref key of the marker. */
export const VERIFYING_REF = 'core.verifying';

export class VerifyingMarkers {
  /** Runs whose verification ended here but whose marker the store did not let us clear yet. */
  private readonly toClear = new Set<string>();

  constructor(
    private readonly store: Pick<RunStore, 'putRef'>,
    private readonly logger: Logger,
  ) {}

  /** Marks `runId`'s verification as under way (throws when the store does not answer). */
  async set(runId: string, marker: { at: string; by: unknown }): Promise<void> {
    this.toClear.delete(runId); // a new verification's marker is never cleared by an old one's retry
    await this.store.putRef(runId, VERIFYING_REF, marker);
  }

  /** Clears the marker once the verification ended (saved or given up); remembered when the store does not answer. */
  async clear(runId: string): Promise<void> {
    try {
      await this.store.putRef(runId, VERIFYING_REF, null);
      this.toClear.delete(runId);
    } catch (err) {
      if (!this.toClear.has(runId))
        this.logger.warn({ runId, err: errorSummary(err) }, 'the verification marker could not be cleared: retried when the store answers');
      this.toClear.add(runId);
    }
  }

  /** True when `runId`'s marker belongs to a verification that ended here (its operator was told): never "interrupted". */
  ended(runId: string): boolean {
    return this.toClear.has(runId);
  }

  /** Clears the remembered markers the store did not let us clear (never throws). */
  async retry(): Promise<void> {
    for (const runId of [...this.toClear]) await this.clear(runId);
  }
}
