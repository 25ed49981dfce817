/**
 * The pure transition of a run: `transition(run, event)` returns the next run and the effects
 * to deliver, or a refusal. No I/O, no clock (times come in the events), no randomness.
 * Every (status, step) x event pair is either handled or refused with a code on purpose.
 */
import { eraseInJson } from '../domain/erased';
import { STEP_IDS, type StepId, type Surface } from '../domain/ids';
import type { RunDetails } from '../domain/schemas';
import { nextStep, stepDefinition } from './steps';
import {
  type Actor,
  type AnswerField,
  type Effect,
  type Refusal,
  type ReminderSettings,
  type ReminderState,
  type Run,
  type RunEvent,
  SNOOZE_HOURS,
  type StepRecord,
  SUPPORT_REMINDER_LIMIT,
  type TransitionResult,
} from './types';

/** The forms in which an answer may have been typed (the password guard compares and erases all of them). */
export function answerForms(run: Run, field: AnswerField): string[] {
  switch (field) {
    case 'contingentIds':
      return run.contingentIds.length ? [run.contingentIds.join(', '), run.contingentIds.join(','), run.contingentIds.join(' ')] : [];
    case 'contactNumber':
      return run.contactNumber ? [run.contactNumber] : [];
    default:
      return run.details[field] ? [run.details[field]] : [];
  }
}

/** Every stored form of the erased answers (a contingents list in each separator style). */
export function erasableForms(run: Run, fields: AnswerField[]): string[] {
  return [...new Set(fields.flatMap((f) => answerForms(run, f)))];
}

/** `iso` plus `hours` (fractions allowed), as an ISO string. */
export function addHours(iso: string, hours: number): string {
  return new Date(Date.parse(iso) + Math.round(hours * 3_600_000)).toISOString();
}

/**
 * The first reminder of a step the run has just landed on at `at`: SecuTix support on
 * `password_request` (`supportRemindAfterHours`), otherwise the operator (`remindAfterHours`).
 * Undefined when reminders are off (no settings, or a delay of 0).
 */
export function firstReminder(step: StepId, at: string, settings: ReminderSettings | undefined): ReminderState | undefined {
  if (!settings) return undefined;
  const support = step === 'password_request';
  const hours = support ? settings.supportRemindAfterHours : settings.remindAfterHours;
  if (!(hours > 0)) return undefined;
  return { dueAt: addHours(at, hours), kind: support ? 'support' : 'operator', count: 0 };
}

/** Sets (or, with `undefined`, removes) the run's reminder. */
function setReminder(run: Run, reminder: ReminderState | undefined): void {
  if (reminder) run.reminder = reminder;
  else delete run.reminder;
}

/** Creates a new open run at step 1 (version 1), and the effects that announce it. */
export function createRun(input: {
  id: string;
  surface: Surface;
  channelId: string;
  details: RunDetails;
  actor: Actor;
  at: string;
  /** Reminder delays; without them no reminder is scheduled. */
  reminders?: ReminderSettings;
  /** The organisation the run belongs to (`src/domain/org.ts`), when the surface knows it. */
  org?: string;
}): {
  run: Run;
  effects: Effect[];
} {
  const steps = Object.fromEntries(STEP_IDS.map((id, i) => [id, { state: i === 0 ? 'current' : 'todo' } satisfies StepRecord])) as Record<
    StepId,
    StepRecord
  >;
  steps[STEP_IDS[0]].at = input.at;
  const run: Run = {
    id: input.id,
    version: 1,
    surface: input.surface,
    channelId: input.channelId,
    details: input.details,
    status: 'open',
    currentStep: STEP_IDS[0],
    steps,
    contingentIds: [],
    startedBy: input.actor,
    ...(input.org ? { org: input.org } : {}),
    createdAt: input.at,
    updatedAt: input.at,
  };
  setReminder(run, firstReminder(STEP_IDS[0], input.at, input.reminders));
  return { run, effects: [{ type: 'card' }, { type: 'step_prompt', step: STEP_IDS[0] }] };
}

const refuse = (refusal: Refusal): TransitionResult => ({ ok: false, refusal });

/** Who did what on a step (or on the run, once ended): told to someone whose click is stale. */
function lastOf(run: Run, step?: StepId): Refusal['last'] {
  if (run.status !== 'open') return { by: run.endedBy, at: run.endedAt, state: run.status, step };
  if (step) {
    const rec = run.steps[step];
    return { by: rec.by, at: rec.at, state: rec.state, step };
  }
  return undefined;
}

/** Advances to the step after `from` (scheduling its first reminder), returning the effects that announce the new step. */
function advance(run: Run, from: StepId, at: string, reminders: ReminderSettings | undefined): Effect[] {
  const next = nextStep(from);
  run.currentStep = next;
  if (!next) {
    delete run.reminder;
    return [];
  }
  run.steps[next] = { state: 'current', at };
  setReminder(run, firstReminder(next, at, reminders));
  const effects: Effect[] = [{ type: 'step_prompt', step: next }];
  if (next === 'password_request') effects.push({ type: 'support_request' });
  return effects;
}

/** A copy deep enough that the input run is never mutated. */
function copy(run: Run): Run {
  return JSON.parse(JSON.stringify(run)) as Run;
}

/**
 * Applies one event. The returned run has `version + 1` and `updatedAt = event.at`.
 * Refusals: `run_not_open` (completed/cancelled), `stale_step` (the button's step is not the
 * current one), `not_allowed_here` (the event does not apply to the current step, or a
 * `reminder_due` with nothing due), `not_skippable`, `input_required` (contingents / contact
 * number missing or empty).
 *
 * Reminders (`Run.reminder`, with `reminders` settings; none are scheduled without them): landing
 * on a step schedules its first one, a failed verification starts the operator's delay again,
 * completion and cancel clear it. `reminder_due` sends the due one and schedules the next (support
 * at most `SUPPORT_REMINDER_LIMIT` times, then the operator is told and nothing more is
 * scheduled); `reminder_snooze` pushes it `SNOOZE_HOURS` later. Neither changes the step, so no
 * step button becomes stale.
 */
export function transition(current: Run, event: RunEvent, reminders?: ReminderSettings): TransitionResult {
  if (current.status !== 'open' || current.currentStep === null) {
    const step = 'step' in event ? event.step : undefined;
    return refuse({ code: 'run_not_open', last: lastOf(current, step) });
  }
  const step: StepId = current.currentStep;
  const def = stepDefinition(step);
  const run = copy(current);
  run.version = current.version + 1;
  run.updatedAt = event.at;
  const effects: Effect[] = [];

  switch (event.type) {
    case 'step_done': {
      if (event.step !== step) return refuse({ code: 'stale_step', last: lastOf(current, event.step) });
      if (def.kind !== 'back_office') return refuse({ code: 'not_allowed_here', last: lastOf(current, step) });
      if (def.input === 'contingents') {
        if (!event.contingentIds || event.contingentIds.length === 0) return refuse({ code: 'input_required' });
        run.contingentIds = [...event.contingentIds];
      }
      if (def.input === 'contact') {
        if (!event.contactNumber) return refuse({ code: 'input_required' });
        run.contactNumber = event.contactNumber;
      }
      run.steps[step] = { state: 'done', by: event.actor, at: event.at };
      effects.push({ type: 'step_closed', step, outcome: 'done', by: event.actor, at: event.at });
      effects.push(...advance(run, step, event.at, reminders));
      break;
    }
    case 'step_skip': {
      if (event.step !== step) return refuse({ code: 'stale_step', last: lastOf(current, event.step) });
      if (!def.skippable) return refuse({ code: 'not_skippable', last: lastOf(current, step) });
      run.steps[step] = { state: 'skipped', by: event.actor, at: event.at };
      effects.push({ type: 'step_closed', step, outcome: 'skipped', by: event.actor, at: event.at });
      effects.push(...advance(run, step, event.at, reminders));
      break;
    }
    case 'password_assigned': {
      if (step !== 'password_request') return refuse({ code: 'stale_step', last: lastOf(current, 'password_request') });
      run.steps[step] = { state: 'done', by: event.actor, at: event.at };
      effects.push({ type: 'support_closed', outcome: 'assigned', by: event.actor, at: event.at });
      effects.push({ type: 'step_closed', step, outcome: 'done', by: event.actor, at: event.at });
      effects.push(...advance(run, step, event.at, reminders));
      break;
    }
    case 'verification_result': {
      if (step !== 'verification') return refuse({ code: 'stale_step', last: lastOf(current, 'verification') });
      run.verification = event.report;
      if (event.report.passed) {
        run.steps[step] = { state: 'done', by: event.actor, at: event.at };
        effects.push({ type: 'step_closed', step, outcome: 'verified', by: event.actor, at: event.at });
        effects.push({ type: 'verification_report' });
        effects.push(...advance(run, step, event.at, reminders));
      } else if (event.report.notChecked && !event.report.checks.some((c) => c.outcome === 'failed')) {
        // SecuTix could not answer in time (e.g. the catalog extraction outlasted its limit): nothing
        // is known broken, nothing is confirmed either. The step stays current; the report offers
        // to verify again.
        run.steps[step] = { state: 'current', by: event.actor, at: event.at, reason: 'checks_not_checked' };
        setReminder(run, firstReminder(step, event.at, reminders));
        effects.push({ type: 'verification_report' });
      } else if (event.report.toConfirm) {
        // Nothing failed, but SecuTix answered values the assistant does not know: the operator
        // looks in the back office and confirms them (`verify_confirm`), or corrects and retries.
        run.steps[step] = { state: 'to_confirm', by: event.actor, at: event.at, reason: 'checks_to_confirm' };
        setReminder(run, firstReminder(step, event.at, reminders));
        effects.push({ type: 'verification_report' });
      } else {
        run.steps[step] = { state: 'failed', by: event.actor, at: event.at, reason: 'checks_failed' };
        // Someone acted on the step: its reminder waits a full delay again.
        setReminder(run, firstReminder(step, event.at, reminders));
        effects.push({ type: 'verification_report' });
      }
      break;
    }
    case 'verify_skip': {
      if (step !== 'verification') return refuse({ code: 'stale_step', last: lastOf(current, 'verification') });
      // The email draft is built from the answers: never with an erased one.
      if (current.erasedAnswers?.length) return refuse({ code: 'answers_erased' });
      if (event.reason.trim().length === 0) return refuse({ code: 'input_required' });
      run.steps[step] = { state: 'skipped', by: event.actor, at: event.at, reason: event.reason };
      effects.push({ type: 'step_closed', step, outcome: 'skipped', by: event.actor, at: event.at });
      effects.push(...advance(run, step, event.at, reminders));
      break;
    }
    case 'verify_confirm': {
      if (step !== 'verification') return refuse({ code: 'stale_step', last: lastOf(current, 'verification') });
      if (current.erasedAnswers?.length) return refuse({ code: 'answers_erased' });
      const rep = current.verification;
      // Only a report with checks to confirm and none failed can be confirmed.
      const open = rep?.checks.some((c) => c.outcome === 'failed' || c.outcome === 'not_checked');
      if (!rep) return refuse({ code: 'not_allowed_here', last: lastOf(current, step) });
      // A report with a check failed (or not done) is never confirmable: say so, not "superseded".
      if (open) return refuse({ code: 'report_not_confirmable', last: lastOf(current, step) });
      // Only reports with checks to confirm carry the button: the clicked one was replaced since
      // (a newer verification, changed answers).
      if (!rep.toConfirm || open || current.steps[step].state !== 'to_confirm') {
        return refuse({ code: 'report_superseded', last: lastOf(current, step) });
      }
      run.steps[step] = { state: 'done', by: event.actor, at: event.at, reason: 'confirmed' };
      effects.push({ type: 'step_closed', step, outcome: 'confirmed', by: event.actor, at: event.at });
      effects.push(...advance(run, step, event.at, reminders));
      break;
    }
    case 'answers_edit': {
      if (step !== 'verification') return refuse({ code: 'stale_step', last: lastOf(current, 'verification') });
      const a = event.answers;
      if (a.contingentIds !== undefined && a.contingentIds.length === 0) return refuse({ code: 'input_required' });
      if (a.contactNumber !== undefined && a.contactNumber.length === 0) return refuse({ code: 'input_required' });
      const changes: { field: AnswerField; from: string; to: string }[] = [];
      const erased = new Set(current.erasedAnswers ?? []);
      const note = (field: AnswerField, from: string, to: string): void => {
        if (from !== to || erased.has(field)) changes.push({ field, from: erased.has(field) ? '' : from, to });
        erased.delete(field);
      };
      if (a.contingentIds !== undefined) {
        note('contingentIds', current.contingentIds.join(', '), a.contingentIds.join(', '));
        run.contingentIds = [...a.contingentIds];
      }
      if (a.contactNumber !== undefined) {
        note('contactNumber', current.contactNumber ?? '', a.contactNumber);
        run.contactNumber = a.contactNumber;
      }
      for (const field of ['institutionName', 'digitickContactName', 'digitickContactEmail'] as const) {
        const value = a[field];
        // The form shows these inputs only once the password guard erased them: any other value
        // (a submit carrying fields the form never showed) is ignored, never recorded.
        if (value === undefined || !erased.has(field)) continue;
        if (value.length === 0) return refuse({ code: 'input_required' });
        note(field, current.details[field], value);
        run.details[field] = value;
      }
      if (erased.size > 0) run.erasedAnswers = [...erased];
      else delete run.erasedAnswers;
      if (changes.length === 0) return refuse({ code: 'nothing_changed' });
      run.steps[step] = { ...current.steps[step], state: 'current', at: event.at };
      delete run.steps[step].reason;
      effects.push({ type: 'answers_changed', by: event.actor, at: event.at, changes });
      effects.push({ type: 'step_prompt', step });
      break;
    }
    case 'answers_erase': {
      if (step !== 'verification') return refuse({ code: 'stale_step', last: lastOf(current, 'verification') });
      if (event.fields.length === 0) return refuse({ code: 'not_allowed_here' });
      const fields = [...new Set(event.fields)];
      // The last report's values (reason params) may hold the erased answers: erased there too.
      if (current.verification) {
        const checks = eraseInJson(current.verification.checks, erasableForms(current, fields));
        if (checks.changed) run.verification = { ...current.verification, checks: checks.value as typeof current.verification.checks };
      }
      // The step is no longer "to confirm" (nor failed): the answers must be entered again first.
      run.steps[step] = { ...current.steps[step], state: 'current', at: event.at };
      delete run.steps[step].reason;
      for (const field of fields) {
        if (field === 'contingentIds') run.contingentIds = [];
        else if (field === 'contactNumber') delete run.contactNumber;
        else run.details[field] = '';
      }
      run.erasedAnswers = [...new Set([...(current.erasedAnswers ?? []), ...fields])];
      effects.push({ type: 'answers_erased', fields });
      break;
    }
    case 'email_sent': {
      if (step !== 'email_draft') return refuse({ code: 'stale_step', last: lastOf(current, 'email_draft') });
      run.steps[step] = { state: 'done', by: event.actor, at: event.at };
      run.status = 'completed';
      run.currentStep = null;
      delete run.reminder;
      run.endedBy = event.actor;
      run.endedAt = event.at;
      effects.push({ type: 'step_closed', step, outcome: 'completed', by: event.actor, at: event.at });
      effects.push({ type: 'notice', code: 'completed' });
      break;
    }
    case 'cancel': {
      if (event.step !== undefined && event.step !== step) return refuse({ code: 'stale_step', last: lastOf(current, event.step) });
      run.status = 'cancelled';
      run.currentStep = null;
      delete run.reminder;
      run.endedBy = event.actor;
      run.endedAt = event.at;
      effects.push({ type: 'step_closed', step, outcome: 'cancelled', by: event.actor, at: event.at });
      if (step === 'password_request') {
        effects.push({ type: 'support_closed', outcome: 'cancelled', by: event.actor, at: event.at });
      }
      effects.push({ type: 'notice', code: 'cancelled' });
      break;
    }
    case 'resume': {
      // Not a change of step: the current step message is posted again (both copies work).
      return { ok: true, run, effects: [{ type: 'step_prompt', step }, { type: 'card' }] };
    }
    case 'reminder_due': {
      const due = current.reminder;
      if (!due || due.dueAt > event.at) return refuse({ code: 'not_allowed_here' });
      const count = due.count + 1;
      if (due.kind === 'support' && due.count >= SUPPORT_REMINDER_LIMIT) {
        // Support did not answer: the operator is told once, and nobody is chased any more.
        delete run.reminder;
        return { ok: true, run, effects: [{ type: 'reminder', kind: 'support_unanswered', step, count: due.count }] };
      }
      // The next one of the same kind (none when that kind was turned off since).
      const hours = reminders ? (due.kind === 'support' ? reminders.supportRemindAfterHours : reminders.remindAfterHours) : 0;
      setReminder(run, hours > 0 ? { dueAt: addHours(event.at, hours), kind: due.kind, count } : undefined);
      return { ok: true, run, effects: [{ type: 'reminder', kind: due.kind, step, count }] };
    }
    case 'reminder_snooze': {
      if (event.step !== step) return refuse({ code: 'stale_step', last: lastOf(current, event.step) });
      if (!current.reminder) return refuse({ code: 'not_allowed_here', last: lastOf(current, step) });
      // Once per pending reminder: a second click (or twenty at once) changes nothing.
      if (current.reminder.snoozed) {
        return refuse({
          code: 'already_snoozed',
          last: { by: current.reminder.snoozed.by, at: current.reminder.snoozed.at, state: 'current', step },
        });
      }
      const until = addHours(event.at, SNOOZE_HOURS);
      run.reminder = { ...current.reminder, dueAt: until, snoozed: { by: event.actor, at: event.at } };
      return { ok: true, run, effects: [{ type: 'reminder_snoozed', by: event.actor, at: event.at, until }] };
    }
    default: {
      const never: never = event;
      throw new Error(`unhandled event ${JSON.stringify(never)}`);
    }
  }
  // The progress card follows every transition.
  effects.splice(effects.findIndex((e) => e.type === 'step_closed') + 1, 0, { type: 'card' });
  return { ok: true, run, effects };
}
