/**
 * The `onboard_answers` form of Teams (`answers_edit`, issue 8): whether a submit changes
 * anything, and the card answering a good submit (who changed which answer, old and new values).
 * Pure: no I/O; the workflow stays in `RunService`.
 */
import type { MessageBuilder } from '../../src/messages/builder';
import { ANSWER_FIELDS, type Actor, type AnswerChanges, type AnswerField, type Run } from '../../src/workflow/types';
import { type AdaptiveCard, renderMessage } from './cards';
import { teamsMentionIn } from './run-cards';

/** A recorded answer as text (as the core's `answers_changed` effect shows it). */
function answerText(run: Run, field: AnswerField): string {
  if (field === 'contingentIds') return run.contingentIds.join(', ');
  if (field === 'contactNumber') return run.contactNumber ?? '';
  return run.details[field];
}

/** The answers that differ between `before` and `after` (an erased one shows as entered again). */
export function answerChanges(before: Run, after: Run): { field: AnswerField; from: string; to: string }[] {
  const erased = new Set(before.erasedAnswers ?? []);
  const out: { field: AnswerField; from: string; to: string }[] = [];
  for (const field of ANSWER_FIELDS) {
    const from = answerText(before, field);
    const to = answerText(after, field);
    if (from !== to || (erased.has(field) && !(after.erasedAnswers ?? []).includes(field)))
      out.push({ field, from: erased.has(field) ? '' : from, to });
  }
  return out;
}

/** Whether `answers` would change anything recorded (a value differs, or an erased answer is entered again). */
export function changesAnswers(run: Run, answers: AnswerChanges): boolean {
  const erased = new Set(run.erasedAnswers ?? []);
  return ANSWER_FIELDS.some((field) => {
    const value = answers[field];
    if (value === undefined) return false;
    const text = Array.isArray(value) ? value.join(', ') : value;
    return erased.has(field) || text !== answerText(run, field);
  });
}

/**
 * The card replacing the form once the answers changed: who changed what (no buttons; the
 * verification step is posted again in the thread by the core).
 */
export function answersChangedCard(builder: MessageBuilder, before: Run, after: Run, actor: Actor, runLabel: string): AdaptiveCard {
  const msg = builder.answersChanged(
    after,
    { type: 'answers_changed', by: actor, at: after.updatedAt, changes: answerChanges(before, after) },
    teamsMentionIn(builder, after.details.language),
  );
  return renderMessage(msg, { runLabel, withoutActions: true });
}
