/**
 * The commands of a run: start, precheck, act (buttons and forms), resume, answers edited or
 * erased; each loads the run, applies the pure transition and saves it with its audit entry and
 * outbox (compare-and-set, retried on conflict). Part of `RunService`.
 */
import { checkOutcomeText, reasonsOf } from '../workflow/check-reasons';
import { type ActionId, ACTION_IDS, type StepId, type Surface } from '../domain/ids';
import type { AccessOperation, Principal } from './access';
import type { RunDetails } from '../domain/schemas';
import { type AuditEntry, DuplicateOpenRunError, VersionConflictError } from '../ports/run-store.port';
import { stepDefinition } from '../workflow/steps';
import { createRun, erasableForms, transition } from '../workflow/transition';
import type { Actor, AnswerField, Effect, Refusal, Run, RunEvent } from '../workflow/types';
import type { Outcome } from '../workflow/service-error';
import { type ActionInput, type AnswersInput, ok, fail, operationOf } from './run-service-base';
import { OutboxDelivery } from './outbox-delivery';

/** How many times a compare-and-set conflict is retried against the fresh run before giving up. */
export const CAS_ATTEMPTS = 3;

/** What the audit trail keeps of an event (never a password). */
export function auditDetails(event: RunEvent, before: Run, effects: Effect[]): Record<string, unknown> | undefined {
  if (event.type === 'verify_confirm') {
    // Who confirmed which values: each check to confirm, with the values SecuTix showed.
    const confirmed = (before.verification?.checks ?? [])
      .filter((c) => c.outcome === 'to_confirm')
      .flatMap((c) => {
        const reasons = reasonsOf(c);
        return reasons.length > 0 ? reasons.map((r) => ({ check: c.id, code: r.code, ...(r.params ?? {}) })) : [{ check: c.id }];
      });
    return { confirmed, reportAt: before.verification?.at ?? null };
  }
  if (event.type === 'answers_edit') {
    const changed = effects.find((e) => e.type === 'answers_changed');
    return { changes: changed?.type === 'answers_changed' ? changed.changes : [] };
  }
  return auditDetailsOf(event);
}

export function auditDetailsOf(event: RunEvent): Record<string, unknown> | undefined {
  switch (event.type) {
    case 'step_done':
      return event.contingentIds
        ? { contingentIds: event.contingentIds }
        : event.contactNumber
          ? { contactNumber: event.contactNumber }
          : undefined;
    case 'verification_result':
      return {
        passed: event.report.passed,
        posId: event.report.posId ?? null,
        ...(event.report.timeZone ? { timeZone: event.report.timeZone } : {}),
        checks: Object.fromEntries(event.report.checks.map((c) => [c.id, checkOutcomeText(c)])),
      };
    case 'verify_skip':
      return { reason: event.reason };
    case 'verify_confirm':
      // Which values were confirmed is added by `apply` from the run's last report.
      return undefined;
    case 'answers_edit':
      return { changed: Object.keys(event.answers) };
    case 'answers_erase':
      return { erased: event.fields };
    default:
      return undefined;
  }
}

export { answerForms, erasableForms } from '../workflow/transition';

export class RunCommands extends OutboxDelivery {
  /**
   * Starts a run from the start form's details. A second run for the same institution and
   * channel code while one is open is refused with `duplicate_run` (pointing at the open run).
   */
  async start(input: {
    surface: Surface;
    channelId: string;
    actor: Actor;
    principals?: string[];
    /** The caller's organisation, recorded on the run (`Run.org`). */
    org?: string;
    details: RunDetails;
  }): Promise<Outcome<Run>> {
    const allowed = this.authorize(input, { op: 'start' });
    if (!allowed.ok) return allowed;
    const at = this.now();
    const { run, effects } = createRun({
      id: this.deps.ids.runId(),
      surface: input.surface,
      channelId: input.channelId,
      details: input.details,
      actor: input.actor,
      at,
      reminders: this.remindersFor(input.surface),
      ...(input.org ? { org: input.org } : {}),
    });
    const audit: AuditEntry = {
      runId: run.id,
      at,
      actor: input.actor,
      surface: input.surface,
      action: 'start',
      step: null,
      outcome: 'ok',
      details: { institutionCode: run.details.institutionCode, channelCode: run.details.channelCode, language: run.details.language },
    };
    try {
      // Multi-organisation mode: one open run per institution and channel code in each
      // organisation, so an organisation never learns that another has a run for a code.
      await this.deps.store.create(run, [audit], effects, { perOrg: this.multiOrg });
    } catch (err) {
      if (err instanceof DuplicateOpenRunError) {
        const [open] = await this.deps.store.list({
          status: 'open',
          institutionCode: err.institutionCode,
          channelCode: err.channelCode,
          ...this.orgFilter(input.org),
          limit: 1,
        });
        if (open) return fail({ code: 'duplicate_run', run: open });
      }
      return this.internal(err, { op: 'start' });
    }
    this.deps.logger.info({ runId: run.id, surface: run.surface, institution: run.details.institutionCode }, 'run started');
    await this.drain(run.id);
    return ok(run);
  }

  /**
   * Checks that `action` on `step` may be taken now, without changing anything: used before a
   * surface opens a form (contingents, contact, password, skip reason). With `actor`, also checks
   * the access policy (refusal `not_permitted`, audited), so a refused user never sees the form;
   * the change itself is checked again by `act` / `verify`.
   */
  async precheck(input: {
    runId: string;
    step: StepId;
    action: ActionId;
    surface: Surface;
    actor?: Actor;
    principals?: string[];
    org?: string;
  }): Promise<Outcome<Run>> {
    const loaded = await this.load(input.runId, input.surface, { ...input, action: input.action });
    if (!loaded.ok) return loaded;
    const run = loaded.value;
    if (input.actor) {
      const who = {
        surface: input.surface,
        actor: input.actor,
        ...(input.principals ? { principals: input.principals } : {}),
        ...(input.org ? { org: input.org } : {}),
      };
      const denied = await this.deny(run, who, operationOf(input.action, run), input.action);
      if (denied) return denied;
    }
    if (run.status !== 'open' || run.currentStep !== input.step) {
      const probe = transition(run, { type: 'resume', actor: { id: '-' }, at: this.now() });
      const refusal: Refusal =
        run.status !== 'open'
          ? probe.ok
            ? { code: 'run_not_open' }
            : probe.refusal
          : {
              code: 'stale_step',
              last: { by: run.steps[input.step].by, at: run.steps[input.step].at, state: run.steps[input.step].state, step: input.step },
            };
      return fail({ code: 'refused', refusal, run });
    }
    if (!stepDefinition(input.step).actions.includes(input.action)) {
      return fail({ code: 'refused', refusal: { code: 'not_allowed_here' }, run });
    }
    // The skip form would be refused on submit: the erased answers come first (the email needs them).
    if (input.action === ACTION_IDS.verifySkip && run.erasedAnswers?.length) {
      return fail({ code: 'refused', refusal: { code: 'answers_erased' }, run });
    }
    return ok(run);
  }

  /** Applies a button or form action (`step_done`, `step_skip`, `password_assigned`, `verify_skip`, `email_sent`, `run_cancel`). */
  async act(input: ActionInput): Promise<Outcome<Run>> {
    const at = this.now();
    const event = this.eventOf(input, at);
    if (!event) {
      const loaded = await this.load(input.runId, input.surface, input);
      if (!loaded.ok) return loaded;
      return this.refuse(loaded.value, { code: 'not_allowed_here' }, input.actor, input.surface, input.action);
    }
    return this.apply(input.runId, input.surface, event, input.actor, input.action, {
      who: input,
      operation: (run) => operationOf(input.action, run),
    });
  }

  /** Posts the current step again (`resume`). */
  async resume(input: { runId: string; actor: Actor; surface: Surface; principals?: string[]; org?: string }): Promise<Outcome<Run>> {
    // When the current step's message was never posted (it waits in the outbox, e.g. the bot was
    // not in the channel), delivering it is the resume: posting a second copy would double it.
    const loaded = await this.load(input.runId, input.surface, { ...input, action: 'resume' });
    if (loaded.ok && loaded.value.currentStep) {
      const step = loaded.value.currentStep;
      const pending = await this.deps.store.pendingOutbox(100, input.runId);
      if (pending.some((p) => p.effect.type === 'step_prompt' && p.effect.step === step)) {
        const allowed = this.access.decide(
          { surface: input.surface, actor: input.actor, principals: input.principals ?? [] },
          { op: 'resume' },
        );
        if (allowed.allowed) {
          await this.drain(input.runId);
          return ok((await this.deps.store.get(input.runId)) ?? loaded.value);
        }
      }
    }
    return this.apply(input.runId, input.surface, { type: 'resume', actor: input.actor, at: this.now() }, input.actor, 'resume', {
      who: input,
      operation: () => ({ op: 'resume' }),
    });
  }

  /**
   * The password guard: `fields` hold the typed password. They are erased from the run's audit
   * trail and outbox (`RunStore.eraseValues`) and from the run, and the operator is asked to enter
   * them again. Nothing says or logs the value.
   */
  protected async eraseAnswers(
    run: Run,
    fields: AnswerField[],
    input: { actor: Actor; surface: Surface; principals?: string[]; org?: string; password: string },
  ): Promise<Outcome<Run>> {
    const forms = erasableForms(run, fields);
    // Every audit, outbox and ref row that held them first: the run's delivery below edits the
    // earlier verification messages from their stored snapshots. Then the run (its answers and
    // its last report's values emptied), then again: the store's erase also drops old copies it
    // keeps (SQLite's write-ahead log).
    try {
      await this.deps.store.eraseValues(run.id, forms);
    } catch (err) {
      return this.internal(err, { op: 'erase_answers', runId: run.id });
    }
    const erased = await this.apply(
      run.id,
      input.surface,
      { type: 'answers_erase', fields, actor: input.actor, at: this.now() },
      input.actor,
      'answers_erase',
      { who: input, operation: () => ({ op: 'verify' }) },
    );
    try {
      await this.deps.store.eraseValues(run.id, forms);
    } catch (err) {
      return this.internal(err, { op: 'erase_answers', runId: run.id });
    }
    this.deps.logger.info({ runId: run.id, fields }, 'a recorded answer equalled the operator password: erased, to be entered again');
    return erased;
  }

  /** Runs whose verification is under way in this process (a stop leaves them to be reported interrupted at the next start). */
  verificationsRunning(): string[] {
    return [...this.verifying];
  }

  /** Whether a verification of `runId` is under way in this process (a form that changes answers says so on its fields). */
  verificationRunning(runId: string): boolean {
    return this.verifying.has(runId);
  }

  /** `onboard_answers`: changes the recorded contingents and contact (audited with old and new values); the verification step is offered again. */
  async editAnswers(input: AnswersInput): Promise<Outcome<Run>> {
    // A verification under way checks the answers it started with: changing them now would let
    // its result carry answers it never checked. Refused until it ends.
    if (this.verifying.has(input.runId)) {
      const loaded = await this.load(input.runId, input.surface, { ...input, action: ACTION_IDS.answersEdit });
      if (!loaded.ok) return loaded;
      return fail({ code: 'verification_running', run: loaded.value });
    }
    return this.apply(
      input.runId,
      input.surface,
      { type: 'answers_edit', answers: input.answers, actor: input.actor, at: this.now() },
      input.actor,
      ACTION_IDS.answersEdit,
      { who: input, operation: () => ({ op: 'step' }) },
    );
  }

  protected eventOf(input: ActionInput, at: string): RunEvent | null {
    const base = { actor: input.actor, at };
    switch (input.action) {
      case ACTION_IDS.stepDone:
        return {
          type: 'step_done',
          step: input.step,
          ...base,
          ...(input.contingentIds ? { contingentIds: input.contingentIds } : {}),
          ...(input.contactNumber ? { contactNumber: input.contactNumber } : {}),
        };
      case ACTION_IDS.stepSkip:
        return { type: 'step_skip', step: input.step, ...base };
      case ACTION_IDS.passwordAssigned:
        return input.step === 'password_request' ? { type: 'password_assigned', ...base } : null;
      case ACTION_IDS.verifySkip:
        return input.step === 'verification' ? { type: 'verify_skip', reason: input.reason ?? '', ...base } : null;
      case ACTION_IDS.verifyConfirm:
        return input.step === 'verification' ? { type: 'verify_confirm', ...base } : null;
      case ACTION_IDS.emailSent:
        return input.step === 'email_draft' ? { type: 'email_sent', ...base } : null;
      case ACTION_IDS.runCancel:
        return { type: 'cancel', step: input.step, ...base };
      case ACTION_IDS.reminderSnooze:
        return { type: 'reminder_snooze', step: input.step, ...base };
      default:
        return null;
    }
  }

  /** load -> transition -> compare-and-set save (retried on conflict against the fresh run) -> drain. */
  protected async apply(
    runId: string,
    surface: Surface,
    event: RunEvent,
    actor: Actor,
    action: string,
    guard: { who: Principal; operation: (run: Run) => AccessOperation },
  ): Promise<Outcome<Run>> {
    // Support's `password_assigned` from the support desk's surface reaches a run of another surface.
    const from = this.surfaceFor(action, surface);
    for (let attempt = 1; attempt <= CAS_ATTEMPTS; attempt++) {
      const loaded = await this.load(runId, from, { ...guard.who, action });
      if (!loaded.ok) return loaded;
      const current = loaded.value;
      const denied = await this.deny(current, guard.who, guard.operation(current), action);
      if (denied) return denied;
      const result = transition(current, event, this.remindersFor(current.surface));
      if (!result.ok) return this.refuse(current, result.refusal, actor, surface, action);
      const audit: AuditEntry = {
        runId,
        at: event.at,
        actor,
        surface,
        action,
        step: current.currentStep,
        outcome: 'ok',
        details: auditDetails(event, current, result.effects),
      };
      try {
        await this.deps.store.save(result.run, current.version, [audit], result.effects);
      } catch (err) {
        if (err instanceof VersionConflictError && attempt < CAS_ATTEMPTS) continue;
        if (err instanceof VersionConflictError) return fail({ code: 'conflict', run: current });
        return this.internal(err, { op: action, runId });
      }
      this.deps.logger.info(
        { runId, action, step: current.currentStep, next: result.run.currentStep, version: result.run.version },
        'run advanced',
      );
      await this.drain(runId);
      return ok(result.run);
    }
    return this.internal(new Error('unreachable'), { op: action, runId });
  }
}
