/**
 * The outbox and its delivery: every effect saved with a run is delivered after the write, in
 * order per run and destination (the run's thread, the support desk: `destinationOf`), retried with a growing pause (2 s ... 5 min) by a poller. A failure the platform
 * answered about this message counts; after `DEFAULT_MAX_DELIVERY_ATTEMPTS` of them the item is
 * given up (the surface tells the operator). A failure meaning the platform is unreachable or
 * overloaded (`ChatNotifier.isUnavailable`) does not count: the item waits, in order, however long
 * the outage lasts. Part of `RunService`.
 */
import { isDeliveryBlocked } from '../ports/chat-notifier.port';
import { StoreUnavailableError } from '../ports/run-store.port';
import { OutageLog } from './outage-log';
import type { Effect } from '../workflow/types';
import { errorSummary, isSupportEffect, RunServiceBase } from './run-service-base';

/** Default attempts of one delivery: with the growing pause (2 s ... 5 min), about 10 minutes of trying. */
export const DEFAULT_MAX_DELIVERY_ATTEMPTS = 10;

/** Longest pause between two attempts of one outbox item (ms): 5 minutes. */
export const MAX_RETRY_PAUSE_MS = 300_000;

/** Pause (ms) before retrying an item that failed `failures` times: 2 s, 4 s, 8 s ... at most 5 minutes. */
export function retryPauseMs(failures: number): number {
  return Math.min(2 ** Math.min(Math.max(failures, 1), 20) * 1000, MAX_RETRY_PAUSE_MS);
}

/**
 * The destination of an effect, inside which the outbox keeps the order: the support desk (the
 * support effects, possibly in another organisation or on another platform) or the run's thread.
 * A blocked or failing item holds only the later items of its own destination.
 */
export function destinationOf(effect: Effect): 'support' | 'thread' {
  return isSupportEffect(effect) ? 'support' : 'thread';
}

export class OutboxDelivery extends RunServiceBase {
  /** Delivers the pending outbox items of a run (or of every run), in order, one drain per run at a time. */
  async drain(runId?: string, opts: { dueOnly?: boolean } = {}): Promise<void> {
    if (!runId) {
      const pending = await this.deps.store.pendingOutbox(1000);
      const ids = [...new Set(pending.map((p) => p.runId))];
      for (const id of ids) await this.drain(id);
      return;
    }
    const previous = this.draining.get(runId) ?? Promise.resolve();
    const next = previous
      .then(() => this.drainRun(runId, opts.dueOnly === true))
      .catch((err: unknown) => {
        // A database outage is said once by the poller (OutageLog); anything else is an error.
        if (err instanceof StoreUnavailableError)
          this.deps.logger.debug({ runId, err: errorSummary(err) }, 'outbox drain: the database does not answer');
        else this.deps.logger.error({ runId, err: errorSummary(err) }, 'outbox drain failed');
      });
    this.draining.set(runId, next);
    await next;
    if (this.draining.get(runId) === next) this.draining.delete(runId);
  }

  protected async drainRun(runId: string, dueOnly = false): Promise<void> {
    // One process at a time delivers a run's outbox: with several replicas on one database, the
    // others skip it (the holder, or the next poll, delivers what is left).
    const outcome = await this.deps.store.tryExclusive(`outbox:${runId}`, () => this.deliverPending(runId, dueOnly));
    if (!outcome.ran) this.deps.logger.debug({ runId }, 'outbox of this run is being delivered by another process');
  }

  /** @param dueOnly a poll's drain: an item still in its retry pause (or blocked) holds its destination without an attempt. */
  protected async deliverPending(runId: string, dueOnly = false): Promise<void> {
    const items = await this.deps.store.pendingOutbox(100, runId);
    if (items.length === 0) return;
    const run = await this.deps.store.get(runId);
    if (!run) return;
    // A destination whose item is blocked or waits for a retry holds its later items (in order);
    // the other destination goes on (e.g. the desk's close while the run's workspace is uninstalled).
    const held = new Set<string>();
    for (const item of items) {
      const destination = destinationOf(item.effect);
      if (held.has(destination)) continue;
      if (dueOnly && (this.retryAt.get(item.id) ?? 0) > this.deps.clock.nowMs()) {
        held.add(destination);
        continue;
      }
      try {
        await this.notify(run, item.effect, true, { id: item.id, attempt: item.attempts + 1 });
        await this.deps.store.markDelivered(item.id);
        this.retryAt.delete(item.id);
        this.unavailableFailures.delete(item.id);
      } catch (err) {
        if (isDeliveryBlocked(err)) {
          // Not retried in a loop, not counted as a failed attempt: kept in the outbox until
          // releaseBlocked() (e.g. a reinstall).
          const already = this.retryAt.get(item.id) === Number.POSITIVE_INFINITY;
          this.retryAt.set(item.id, Number.POSITIVE_INFINITY);
          if (!already) {
            this.deps.logger.warn(
              { runId, effect: item.effect.type, reason: err.reason, err: errorSummary(err) },
              'delivery blocked: kept in the outbox, not retried until the surface is available again',
            );
            await this.deps.notifiers[run.surface]
              ?.deliveryBlocked?.(run, item.effect, { reason: err.reason })
              .catch((e: unknown) =>
                this.deps.logger.warn({ runId, err: errorSummary(e) }, 'could not tell anyone about a blocked delivery'),
              );
          }
          held.add(destination);
          continue;
        }
        const error = errorSummary(err);
        if (this.notifierOf(run, item.effect)?.isUnavailable?.(err) === true) {
          // The platform did not answer about this message (down, overloaded): not counted toward
          // the give-up; retried after the capped pause, the run's later messages waiting behind it.
          const failures = (this.unavailableFailures.get(item.id) ?? 0) + 1;
          this.unavailableFailures.set(item.id, failures);
          await this.deps.store.markFailed(item.id, error, { counted: false });
          this.retryAt.set(item.id, this.deps.clock.nowMs() + retryPauseMs(item.attempts + failures));
          this.deps.logger.warn(
            { runId, effect: item.effect.type, failures, err: error },
            'delivery failed: the chat platform is unreachable; kept in the outbox, retried until it answers',
          );
          held.add(destination);
          continue;
        }
        const attempts = item.attempts + 1;
        if (attempts >= (this.deps.maxDeliveryAttempts ?? DEFAULT_MAX_DELIVERY_ATTEMPTS)) {
          // Given up: the operator is told, and the run's later messages are not held behind it.
          await this.deps.store.markAbandoned(item.id, error);
          this.retryAt.delete(item.id);
          this.unavailableFailures.delete(item.id);
          this.deps.logger.error({ runId, effect: item.effect.type, attempts, err: error }, 'delivery given up after repeated failures');
          await this.deps.notifiers[run.surface]
            ?.deliveryAbandoned?.(run, item.effect, { error, attempts })
            .catch((e: unknown) =>
              this.deps.logger.warn({ runId, err: errorSummary(e) }, 'could not tell the operator about a delivery given up'),
            );
          continue;
        }
        await this.deps.store.markFailed(item.id, error);
        // Polls retry it after a growing pause (2 s, 4 s ... at most 5 minutes).
        this.retryAt.set(item.id, this.deps.clock.nowMs() + retryPauseMs(attempts + (this.unavailableFailures.get(item.id) ?? 0)));
        this.deps.logger.warn({ runId, effect: item.effect.type, err: errorSummary(err) }, 'delivery failed; kept in the outbox');
        held.add(destination); // keep the order: the destination's later items wait for this one
        continue;
      }
    }
  }

  /**
   * Delivers what is pending, periodically (every `intervalMs` ms): messages whose delivery failed
   * (retried after a growing pause), and those another replica left. Returns a function that stops it.
   */
  startPolling(intervalMs: number): () => void {
    let busy = false;
    const outage = new OutageLog(this.deps.logger, 'outbox poll');
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void this.pollOnce()
        .then(() => outage.succeeded())
        .catch((err: unknown) => {
          if (!outage.failed(err)) this.deps.logger.error({ err: errorSummary(err) }, 'outbox poll failed');
        })
        .finally(() => {
          busy = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Makes the deliveries that were blocked (`DeliveryBlockedError`) due again and delivers what is
   * pending (after a reinstall). @returns how many blocked items were released.
   */
  async releaseBlocked(): Promise<number> {
    let n = 0;
    for (const [id, at] of this.retryAt)
      if (at === Number.POSITIVE_INFINITY) {
        this.retryAt.delete(id);
        n += 1;
      }
    await this.drain();
    return n;
  }

  /** One poll: drains each run with a pending item that is due (not waiting for its retry pause). */
  async pollOnce(): Promise<void> {
    await this.markers.retry(); // a verification marker the store could not clear when it ended
    const now = this.deps.clock.nowMs();
    const pending = await this.deps.store.pendingOutbox(1000);
    // Items come oldest first; the first pending item of each destination of a run decides (later
    // ones wait behind it): the run is drained when one of them is due.
    const first = new Map<string, { runId: string; itemId: number }>();
    for (const item of pending) {
      const key = `${item.runId}\u0000${destinationOf(item.effect)}`;
      if (!first.has(key)) first.set(key, { runId: item.runId, itemId: item.id });
    }
    const due = new Set<string>();
    for (const { runId, itemId } of first.values()) if ((this.retryAt.get(itemId) ?? 0) <= now) due.add(runId);
    for (const runId of due) await this.drain(runId, { dueOnly: true });
  }
}
