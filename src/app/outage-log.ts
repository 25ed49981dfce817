/**
 * A poller's view of a database outage in the logs: one warning when it starts, one info line when
 * it ends, nothing in between (a poll every 2 s would otherwise log an error every 2 s). Failures
 * other than "the store does not answer" are not its business (the caller logs them as errors).
 */
import type { Logger } from '../ports/logger.port';
import { StoreUnavailableError } from '../ports/run-store.port';
import { errorSummary } from './error-summary';

export class OutageLog {
  private since: number | undefined;

  constructor(
    private readonly logger: Logger,
    /** What polls, for the log lines (`outbox poll`, `reminder poll`). */
    private readonly what: string,
  ) {}

  /** True when `err` is a database outage (logged once, when it starts); false for any other failure. */
  failed(err: unknown): boolean {
    if (!(err instanceof StoreUnavailableError)) return false;
    if (this.since === undefined) {
      this.since = Date.now();
      this.logger.warn({ err: errorSummary(err) }, `${this.what}: the database does not answer; trying again quietly until it does`);
    }
    return true;
  }

  /** A poll that went through: ends the outage, if any (one info line with its length). */
  succeeded(): void {
    if (this.since === undefined) return;
    const seconds = Math.round((Date.now() - this.since) / 1000);
    this.since = undefined;
    this.logger.info({ outageSeconds: seconds }, `${this.what}: the database answers again`);
  }
}
