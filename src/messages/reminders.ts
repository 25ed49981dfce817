/**
 * Reminders and escalation of stalled runs (issue 5): the messages of the `reminder` and
 * `reminder_snoozed` effects. Scheduling is part of the pure transition (`Run.reminder`, see
 * `src/workflow/transition.ts`); firing is `RunService.fireDueReminders`, called by a timer of
 * the composition root. Pure: no I/O.
 *
 * - `operator`: in the run's thread, mentioning the person who started the run, with a
 *   "Snooze 1 day" button (`reminder_snooze`; staleness stays by step, so it never makes a step
 *   button stale).
 * - `support`: to SecuTix support about the password request (reply to the request in the
 *   support channel, or in the run's thread when there is none), at most `SUPPORT_REMINDER_LIMIT`.
 * - `support_unanswered`: tells the operator, in the thread, that support did not answer.
 */
import { ACTION_IDS } from '../domain/ids';
import { type MentionFormatter, operatorLogin, plainMention } from './builder-core';
import type { MessageBuilder, SupportOrigin } from './builder';
import type { Message } from './model';
import { labelled } from './typography';
import { literal } from './literal';
import { stepDefinition } from '../workflow/steps';
import { type Effect, type Run, SUPPORT_REMINDER_LIMIT } from '../workflow/types';

/** Message keys used here: `reminder.*` in `templates/messages/reminders.<locale>.json`. */
type ReminderEffect = Extract<Effect, { type: 'reminder' }>;
type SnoozedEffect = Extract<Effect, { type: 'reminder_snoozed' }>;

/**
 * The message of a `reminder` effect, in the run's language. `mention` names the person who
 * started the run (Slack `<@U…>`, Teams `<at>name</at>`, console name).
 */
export function reminderMessage(
  builder: MessageBuilder,
  run: Run,
  effect: ReminderEffect,
  mention: MentionFormatter = plainMention,
  origin?: SupportOrigin | null,
): Message {
  const L = run.details.language;
  const def = stepDefinition(effect.step);
  const view = {
    runId: run.id,
    institutionCode: run.details.institutionCode,
    institutionName: literal(run.details.institutionName),
    operatorLogin: operatorLogin(run),
    starter: mention(run.startedBy),
    number: def.number,
    title: builder.t(L, `step.${effect.step}.title`),
    since: timeOf(builder, L, run.steps[effect.step].at),
    count: effect.count,
    limit: SUPPORT_REMINDER_LIMIT,
  };
  // A support reminder shown in another organisation than the run's (`origin`): where the run
  // is, by name and id; no link, which would not open there.
  const where =
    effect.kind === 'support' && origin
      ? `\n${builder.t(L, `reminder.support.where_${origin.kind}`, { runId: run.id, organisation: literal(origin.organisation) })}`
      : '';
  const text = `${builder.t(L, `reminder.${effect.kind}.text`, view)}${where}`;
  const header = builder.t(L, `reminder.${effect.kind}.header`, view);
  return {
    kind: 'notice',
    locale: L,
    text: labelled(L, header, text),
    blocks: [
      { type: 'header', text: header },
      { type: 'text', text },
    ],
    actions: effect.kind === 'operator' ? [builder.button(run, effect.step, ACTION_IDS.reminderSnooze, false)] : [],
    run: { runId: run.id, step: effect.step, state: run.status, version: run.version },
  };
}

/** The line posted in the thread when someone snoozed the reminders. */
export function snoozedMessage(
  builder: MessageBuilder,
  run: Run,
  effect: SnoozedEffect,
  mention: MentionFormatter = plainMention,
): Message {
  const L = run.details.language;
  const text = builder.t(L, 'reminder.snoozed', {
    runId: run.id,
    by: mention(effect.by),
    until: timeOf(builder, L, effect.until),
  });
  return {
    kind: 'notice',
    locale: L,
    text,
    blocks: [{ type: 'context', text }],
    actions: [],
    run: { runId: run.id, step: run.currentStep, state: run.status, version: run.version },
  };
}

/** `2026-11-29 at 15:42 UTC` (catalog `time.format`), like every other time of a run. */
function timeOf(builder: MessageBuilder, locale: Run['details']['language'], iso: string | undefined): string {
  const ms = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(ms)) return '?';
  const s = new Date(ms).toISOString();
  return builder.t(locale, 'time.format', { date: s.slice(0, 10), time: s.slice(11, 16) });
}
