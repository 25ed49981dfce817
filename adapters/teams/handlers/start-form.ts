/**
 * The start form's submission on Teams (verb `onboard_start`): fields checked (errors shown on the
 * fields, values kept), then `RunService.start`; a duplicate run points to the open one with a
 * button that posts its current step again.
 */
import { parseStartForm, type FieldErrorKeys, type RawValues } from '../../../src/app/forms';
import type { Locale } from '../../../src/domain/ids';
import type { FieldErrors } from '../../../src/messages/model';
import type { Run } from '../../../src/workflow/types';
import { baseConversationId } from '../activity';
import type { ActionTurn, TeamsActionsDeps } from '../actions';
import { raw } from '../form-values';
import { type ActionData, type AdaptiveCard, adaptiveCard, executeAction } from '../cards';
import { type RunCards, teamsMentionIn } from '../run-cards';
import { orgOfRequest } from '../../org-scope';

/** What the start form's handler borrows from `TeamsActions`. */
export interface StartFormContext {
  deps: TeamsActionsDeps;
  cards: RunCards;
  startCard: (
    locale: Locale,
    prefill?: { institutionCode?: string },
    errors?: FieldErrors,
    values?: RawValues,
    note?: string,
  ) => AdaptiveCard;
  translate: (locale: Locale, errors: FieldErrorKeys) => FieldErrors;
  refresh: (run: Run, turn: ActionTurn) => Promise<void>;
}

export async function submitStartForm(
  actions: StartFormContext,
  turn: ActionTurn,
  data: ActionData & Record<string, unknown>,
): Promise<AdaptiveCard> {
  const locale = data.locale ?? turn.locale;
  const values = raw(data);
  const r = parseStartForm(values, actions.deps.builder.defaultLocale);
  if (!r.ok) return actions.startCard(locale, {}, actions.translate(locale, r.errors), values);
  const channelId = baseConversationId(turn.conversationId);
  const started = await actions.deps.service.start({ surface: 'teams', channelId, actor: turn.actor, ...orgOfRequest(), details: r.value });
  if (!started.ok && started.error.code === 'duplicate_run') {
    // Point to the open run, with a button that posts its current step again (product.md); an
    // answer about the open run: in its language (text and button), not the form's.
    const open = started.error.run;
    const RL = open.details.language;
    const text = actions.deps.builder.describeError(started.error, RL, teamsMentionIn(actions.deps.builder, RL), 'teams');
    const resume = actions.deps.builder.resumeButton(open, RL);
    return adaptiveCard(
      [
        { type: 'TextBlock', text: actions.cards.runLabel(open), wrap: true, isSubtle: true, size: 'Small', weight: 'Bolder' },
        { type: 'TextBlock', text, wrap: true, color: 'attention' },
      ],
      [
        executeAction(
          resume.label,
          { verb: resume.actionId, runId: open.id, step: open.currentStep ?? 'email_draft', version: open.version, card: 'card' },
          'positive',
        ),
      ],
      text,
    );
  }
  if (!started.ok)
    return actions.startCard(
      locale,
      {},
      undefined,
      values,
      actions.deps.builder.describeError(started.error, locale, teamsMentionIn(actions.deps.builder, locale), 'teams'),
    );
  const run = started.value;
  await actions.refresh(run, turn);
  const text = actions.deps.builder.t(run.details.language, 'teams.started', {
    runId: run.id,
    institutionCode: run.details.institutionCode,
  });
  return adaptiveCard(
    [
      { type: 'TextBlock', text: actions.cards.runLabel(run), wrap: true, isSubtle: true, size: 'Small', weight: 'Bolder' },
      { type: 'TextBlock', text, wrap: true },
    ],
    [],
    text,
  );
}
