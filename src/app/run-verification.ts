/**
 * The verification of step 9 as a command: the password form, the progress while SecuTix
 * answers, saving the report (retried while the database does not answer), and recovering
 * verifications a restart interrupted. Part of `RunService`.
 */
import { ACTION_IDS, type Surface } from '../domain/ids';
import { overallOutcome } from '../workflow/outcome';
import type { Actor, AnswerField, Run, RunEvent, VerificationProgress, VerificationReport } from '../workflow/types';
import { ProgressPacer } from './verification-progress';
import type { Outcome } from '../workflow/service-error';
import { isUnavailable, fail, errorSummary } from './run-service-base';
import { RunCommands } from './run-commands';

/** Default `saveRetryDelaysMs`: 1, 2, 4, 8 s (five attempts over about 15 s). */
export const SAVE_RETRY_DELAYS_MS: readonly number[] = [1000, 2000, 4000, 8000];

import { VERIFYING_REF } from './verifying-marker';

/** The recorded answers equal to `password` (case-insensitive for names and email, ignoring the separators of a contingents list). */
export function answersEqualTo(run: Run, password: string): AnswerField[] {
  const typed = password.trim();
  if (typed.length === 0) return [];
  const asList = /^[0-9][0-9\s,;]*$/.test(typed)
    ? typed
        .split(/[\s,;]+/)
        .filter(Boolean)
        .map(Number)
        .join(',')
    : undefined;
  const out: AnswerField[] = [];
  if (run.contingentIds.length && asList !== undefined && asList === run.contingentIds.join(',')) out.push('contingentIds');
  if (run.contactNumber && run.contactNumber.toLowerCase() === typed.toLowerCase()) out.push('contactNumber');
  for (const f of ['institutionName', 'digitickContactName', 'digitickContactEmail'] as const) {
    const v = run.details[f];
    if (v && v.toLowerCase() === typed.toLowerCase()) out.push(f);
  }
  return out;
}

export class RunVerification extends RunCommands {
  /**
   * Runs the verification with the operator password (kept in memory for this call only), then
   * records the report: all passed moves the run to `email_draft`, any failure keeps it at
   * `verification` with the report and the retry buttons.
   */
  async verify(input: {
    runId: string;
    actor: Actor;
    surface: Surface;
    principals?: string[];
    org?: string;
    password: string;
  }): Promise<Outcome<Run>> {
    const pre = await this.precheck({
      runId: input.runId,
      step: 'verification',
      action: ACTION_IDS.verifyStart,
      surface: input.surface,
      actor: input.actor,
      ...(input.principals ? { principals: input.principals } : {}),
      ...(input.org ? { org: input.org } : {}),
    });
    if (!pre.ok) return pre;
    const run = pre.value;
    // The password is never kept as an answer: an answer equal to it is erased before anything else.
    const leaked = answersEqualTo(run, input.password);
    if (leaked.length > 0) return this.eraseAnswers(run, leaked, input);
    if (run.erasedAnswers?.length) return this.refuse(run, { code: 'input_required' }, input.actor, input.surface, 'verify');
    if (this.verifying.has(run.id)) return fail({ code: 'verification_running', run });
    this.verifying.add(run.id);
    let report: VerificationReport;
    const notifier = this.deps.notifiers[run.surface];
    const pacer = notifier?.progress
      ? new ProgressPacer({
          send: (p) => notifier.progress!(run, p),
          clock: this.deps.clock,
          ...this.deps.progress,
          onError: (err) => this.deps.logger.warn({ runId: run.id, err: errorSummary(err) }, 'verification progress not shown'),
        })
      : undefined;
    // A durable marker: if the process dies mid-verification, `recoverInterruptedVerifications`
    // tells the operator to verify again (nothing was recorded; the buttons still work).
    try {
      await this.markers.set(run.id, { at: this.now(), by: input.actor });
    } catch (err) {
      this.verifying.delete(run.id);
      return this.internal(err, { op: 'verify', runId: run.id });
    }
    let final: VerificationProgress | undefined;
    try {
      if (!pacer) await this.notify(run, { type: 'notice', code: 'verifying' });
      report = await this.deps.verifier({
        credentials: { institutionCode: run.details.institutionCode, channelCode: run.details.channelCode, password: input.password },
        contingentIds: run.contingentIds,
        ...(run.contactNumber ? { contactNumber: run.contactNumber } : {}),
        checkEvents: run.steps.event_products.state !== 'skipped',
        checkPasses: run.steps.pass_products.state !== 'skipped',
        locale: run.details.language,
        ...(pacer
          ? {
              onProgress: (p: VerificationProgress) => {
                if (p.done) final = p;
                else pacer.update(p);
              },
            }
          : {}),
      });
    } catch (err) {
      pacer?.stop();
      await this.endVerifying(run.id);
      return this.internal(err, { op: 'verify', runId: run.id });
    }
    this.deps.logger.info(
      {
        runId: run.id,
        passed: report.passed,
        toConfirm: report.toConfirm ?? false,
        durationMs: report.durationMs,
        checks: Object.fromEntries(report.checks.map((c) => [c.id, c.outcome])),
      },
      'verification finished',
    );
    const event: RunEvent = { type: 'verification_result', report, actor: input.actor, at: this.now() };
    const save = (): Promise<Outcome<Run>> =>
      this.apply(run.id, input.surface, event, input.actor, 'verify', { who: input, operation: () => ({ op: 'verify' }) }).catch(
        (err: unknown) => this.internal<Run>(err, { op: 'verify', runId: run.id }),
      );
    // The database did not answer: the report exists only in memory. Try again after growing
    // pauses; if it still cannot be saved, say so (never that it passed) and ask to verify again.
    // The run stays marked as verifying until then (no second verification, no answers_edit).
    const delays = this.deps.saveRetryDelaysMs ?? SAVE_RETRY_DELAYS_MS;
    let result: Outcome<Run>;
    try {
      result = await save();
      for (let i = 0; i < delays.length && isUnavailable(result); i++) {
        this.deps.logger.warn(
          { runId: run.id, attempt: i + 1, retryInMs: delays[i] },
          'the verification result could not be saved (run store unavailable): retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delays[i]));
        result = await save();
      }
    } finally {
      await this.endVerifying(run.id);
    }
    if (isUnavailable(result)) {
      this.deps.logger.error(
        { runId: run.id, attempts: delays.length + 1, passed: report.passed },
        'the verification result could not be saved: the operator is told to verify again',
      );
      if (pacer)
        await pacer.finish({ checks: report.checks.map((c) => ({ id: c.id, state: c.outcome })), done: true, outcome: 'not_saved' });
      return result;
    }
    // The report is out: the progress message now points to it (never left saying "Verifying").
    if (pacer) {
      const done: VerificationProgress = final ?? {
        checks: report.checks.map((c) => ({ id: c.id, state: c.outcome })),
        done: true,
        outcome: report.passed ? 'passed' : overallOutcome(report.checks),
      };
      await pacer.finish(done);
    }
    return result;
  }

  /** The verification of `runId` ended (saved, given up or failed): unmarked here and in the store. */
  protected async endVerifying(runId: string): Promise<void> {
    this.verifying.delete(runId);
    await this.markers.clear(runId);
  }

  /**
   * Tells the operator of each run whose verification was interrupted (the process died while it
   * ran, leaving its marker older than `olderThanMs` ms) that nothing was recorded and to verify
   * again; clears the marker. With one process (SQLite) any marker found at start is stale (0);
   * with replicas, use an age no verification can reach (a few minutes). `onlyRunId`: that run only
   * (the console, when it resumes a run). Each one's progress message is closed as interrupted.
   * @returns the ids of the runs told.
   */
  async recoverInterruptedVerifications(olderThanMs: number, onlyRunId?: string): Promise<string[]> {
    // Markers of verifications that ended here while the store was down: cleared, never "interrupted".
    await this.markers.retry();
    const now = this.deps.clock.nowMs();
    const told: string[] = [];
    for (const run of await this.deps.store.list({ status: 'open', limit: 500 })) {
      if (onlyRunId !== undefined && run.id !== onlyRunId) continue;
      if (run.currentStep !== 'verification' || this.verifying.has(run.id) || this.markers.ended(run.id)) continue;
      const marker = (await this.deps.store.getRefs(run.id))[VERIFYING_REF] as { at?: string } | null | undefined;
      if (!marker?.at || now - Date.parse(marker.at) < olderThanMs) continue;
      await this.markers.clear(run.id);
      // Its progress message (posted by the dead process) is closed plainly: never left "Verifying...".
      await this.deps.notifiers[run.surface]?.progress?.(run, { checks: [], done: true, interrupted: true });
      await this.notify(run, { type: 'notice', code: 'verification_interrupted' });
      this.deps.logger.warn(
        { runId: run.id, startedAt: marker.at },
        'an interrupted verification was found: the operator is asked to verify again',
      );
      told.push(run.id);
    }
    return told;
  }
}
