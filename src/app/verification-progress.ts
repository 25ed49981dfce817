/**
 * Paces a verification's progress updates for one run: at most one per `minIntervalMs` (Slack
 * and Teams edit limits), at least one every `tickMs` while SecuTix extracts the catalog (the
 * waited time is extrapolated between SecuTix's answers), the final one after the report. Never
 * throws: a failed update is logged and the verification goes on.
 */
import type { Clock } from '../ports/clock.port';
import type { VerificationProgress } from '../workflow/types';

export interface ProgressPacerOptions {
  /** Sends one update (posts the message the first time, edits it afterwards). */
  send: (p: VerificationProgress) => Promise<void>;
  clock: Clock;
  /** Least time between two updates (default 1000 ms). */
  minIntervalMs?: number;
  /** Refresh period while the catalog is being extracted (default 2000 ms, well under 5 s). */
  tickMs?: number;
  onError?: (err: unknown) => void;
}

export class ProgressPacer {
  private latest: VerificationProgress | undefined;
  /** When `latest.catalogWaitedMs` was reported (clock ms), to extrapolate the wait. */
  private latestAt = 0;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> = Promise.resolve();
  private pending: ReturnType<typeof setTimeout> | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  private readonly minIntervalMs: number;
  private readonly tickMs: number;

  constructor(private readonly opts: ProgressPacerOptions) {
    this.minIntervalMs = opts.minIntervalMs ?? 1000;
    this.tickMs = opts.tickMs ?? 2000;
  }

  /** A new state from the verification (not `done`: use `finish`). */
  update(p: VerificationProgress): void {
    if (this.closed || p.done) return;
    this.latest = p;
    this.latestAt = this.opts.clock.nowMs();
    if (p.catalogWaitedMs !== undefined && !this.ticker) {
      this.ticker = setInterval(() => this.schedule(), this.tickMs);
      this.ticker.unref?.();
    } else if (p.catalogWaitedMs === undefined && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
    this.schedule();
  }

  /** The final state: stops the pacing and sends `p` once the previous update has gone (respecting the interval). */
  async finish(p: VerificationProgress): Promise<void> {
    this.stop();
    await this.inFlight;
    const wait = this.lastSentAt + this.minIntervalMs - this.opts.clock.nowMs();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await this.sendNow(p);
  }

  /** Stops without a final update (the verification failed unexpectedly). */
  stop(): void {
    this.closed = true;
    if (this.pending) clearTimeout(this.pending);
    if (this.ticker) clearInterval(this.ticker);
    this.pending = undefined;
    this.ticker = undefined;
  }

  private schedule(): void {
    if (this.closed || this.pending) return;
    const wait = Math.max(0, this.lastSentAt + this.minIntervalMs - this.opts.clock.nowMs());
    this.pending = setTimeout(() => {
      this.pending = undefined;
      if (this.closed || !this.latest) return;
      const p = this.latest;
      const view =
        p.catalogWaitedMs !== undefined ? { ...p, catalogWaitedMs: p.catalogWaitedMs + (this.opts.clock.nowMs() - this.latestAt) } : p;
      this.inFlight = this.inFlight.then(() => this.sendNow(view));
    }, wait);
  }

  private async sendNow(p: VerificationProgress): Promise<void> {
    this.lastSentAt = this.opts.clock.nowMs();
    try {
      await this.opts.send(p);
    } catch (err) {
      this.opts.onError?.(err);
    }
  }
}
