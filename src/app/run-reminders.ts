/**
 * Firing the reminders of stalled runs (the schedule is part of the pure transition; the
 * messages are `src/messages/reminders.ts`): a timer of the composition root calls
 * `fireDueReminders`. Part of `RunService`.
 */
import { type AuditEntry, VersionConflictError } from '../ports/run-store.port';
import { transition } from '../workflow/transition';
import type { Actor } from '../workflow/types';
import { errorSummary } from './run-service-base';
import { OutageLog } from './outage-log';
import { RunVerification } from './run-verification';

/** The actor of what the reminder poller does (audit trail). */
export const REMINDER_ACTOR: Actor = { id: 'system:reminders', name: 'Reminders' };

export class RunReminders extends RunVerification {
  /**
   * Sends every reminder that is due now (`RunStore.listDue`, oldest due first, at most `limit`):
   * per run, the `reminder_due` transition saved with compare-and-set, then its outbox drained. A
   * run another replica reminded first (version conflict) or that moved on since it was listed
   * (nothing due any more) is skipped silently. Never throws for one run's failure (logged).
   * @returns the ids of the runs reminded by this call.
   */
  async fireDueReminders(limit = 100): Promise<string[]> {
    const at = this.now();
    const due = await this.deps.store.listDue(at, limit);
    const fired: string[] = [];
    for (const run of due) {
      const settings = this.remindersFor(run.surface);
      const result = transition(run, { type: 'reminder_due', at }, settings);
      if (!result.ok) continue;
      const effect = result.effects.find((e) => e.type === 'reminder');
      const audit: AuditEntry = {
        runId: run.id,
        at,
        actor: REMINDER_ACTOR,
        surface: run.surface,
        action: 'reminder_due',
        step: run.currentStep,
        outcome: 'ok',
        ...(effect?.type === 'reminder' ? { details: { kind: effect.kind, count: effect.count } } : {}),
      };
      try {
        await this.deps.store.save(result.run, run.version, [audit], result.effects);
      } catch (err) {
        if (err instanceof VersionConflictError) {
          this.deps.logger.debug({ runId: run.id }, 'reminder already handled elsewhere (version conflict): dropped');
        } else {
          this.deps.logger.error({ runId: run.id, err: errorSummary(err) }, 'reminder not saved');
        }
        continue;
      }
      this.deps.logger.info(
        { runId: run.id, kind: effect?.type === 'reminder' ? effect.kind : undefined, step: run.currentStep, dueAt: run.reminder?.dueAt },
        'reminder sent',
      );
      fired.push(run.id);
      await this.drain(run.id);
    }
    return fired;
  }

  /**
   * Calls `fireDueReminders` every `intervalMs` ms (one call at a time). Returns a function that
   * stops it. The composition root starts it in server mode.
   */
  startReminders(intervalMs: number): () => void {
    let busy = false;
    const outage = new OutageLog(this.deps.logger, 'reminder poll');
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void this.fireDueReminders()
        .then(() => outage.succeeded())
        .catch((err: unknown) => {
          if (!outage.failed(err)) this.deps.logger.error({ err: errorSummary(err) }, 'reminder poll failed');
        })
        .finally(() => {
          busy = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
