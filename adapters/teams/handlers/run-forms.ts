/**
 * The run forms' submissions on Teams (answers edit, contingents, technical contact, verification
 * skip, SecuTix password): values parsed (errors shown on the fields, values kept), then the
 * service call; the password form starts the verification in the background.
 */
import {
  parseAnswersForm,
  parseContactForm,
  parseContingentsForm,
  parsePasswordForm,
  parseVerifySkipForm,
  type FieldErrorKeys,
  type RawValues,
} from '../../../src/app/forms';
import type { Outcome, RunService, ServiceError } from '../../../src/app/run-service';
import { ACTION_IDS, FORM_IDS, INPUT_IDS, type Locale, type RunFormId, type StepId } from '../../../src/domain/ids';
import type { MessageBuilder } from '../../../src/messages/builder';
import type { Run } from '../../../src/workflow/types';
import type { ActionTurn } from '../actions';
import { answersChangedCard, changesAnswers } from '../answers';
import type { ActionData, AdaptiveCard } from '../cards';
import { raw } from '../form-values';
import type { RunCards } from '../run-cards';
import { orgOfRequest } from '../../org-scope';

/** One run form's submission, as the dispatch of `TeamsActions` sees it. */
export interface RunFormTurn {
  turn: ActionTurn;
  data: ActionData & Record<string, unknown>;
  run: Run;
  runId: string;
  step: StepId;
  L: Locale;
  builder: MessageBuilder;
  service: RunService;
  cards: RunCards;
  /** A service error in words, as the error cards say it (the run's language when it names a run). */
  describe: (error: ServiceError) => string;
  /** The form card again (field errors, kept values, a note). */
  form: (id: RunFormId, current: Run, errors?: FieldErrorKeys, values?: RawValues, note?: string) => AdaptiveCard;
  /** `RunService.act` on the run's step, answered with the closed (or error) card. */
  act: (
    action: Parameters<RunService['act']>[0]['action'],
    extra?: { contingentIds?: number[]; contactNumber?: string; reason?: string },
  ) => Promise<AdaptiveCard>;
  precheck: (action: Parameters<RunService['precheck']>[0]['action']) => Promise<Outcome<Run>>;
  errorCard: (error: ServiceError, kind: ActionData['card'], step: StepId | undefined, locale: Locale) => AdaptiveCard;
  /** Starts the verification with this password after the turn's answer (`verify-later.ts`). */
  verifyInBackground: (password: string) => void;
}

/** The card answering a run form's submission, or undefined when `verb` is not one of the run forms. */
export async function submitRunForm(verb: string, c: RunFormTurn): Promise<AdaptiveCard | undefined> {
  const { turn, data, run, runId, step, L, builder, service, cards, form, act, precheck, errorCard, describe, verifyInBackground } = c;
  switch (verb) {
    case FORM_IDS.answers: {
      const values = raw(data);
      const r = parseAnswersForm(values, run.erasedAnswers);
      if (!r.ok) return form(FORM_IDS.answers, run, r.errors, values);
      if (!changesAnswers(run, r.value)) return form(FORM_IDS.answers, run, undefined, values, builder.t(L, 'teams.answers.unchanged'));
      const edited = await service.editAnswers({ runId, actor: turn.actor, surface: 'teams', ...orgOfRequest(), answers: r.value });
      // A verification under way: the form comes back with what was typed and the reason on its field.
      if (!edited.ok && edited.error.code === 'verification_running')
        return form(FORM_IDS.answers, run, { [INPUT_IDS.contingentIds]: 'form.answers.verification_running' }, values);
      // Refused to this person (access lists): the form card stays as it was, the refusal on it (`chat-contract.md`).
      if (!edited.ok && isNotPermitted(edited.error)) return form(FORM_IDS.answers, run, undefined, values, describe(edited.error));
      if (!edited.ok) return errorCard(edited.error, 'step', step, L);
      return answersChangedCard(builder, run, edited.value, turn.actor, cards.runLabel(edited.value));
    }
    case FORM_IDS.contingents: {
      const values = raw(data);
      const r = parseContingentsForm(values);
      if (!r.ok) return form(FORM_IDS.contingents, run, r.errors, values);
      return act(ACTION_IDS.stepDone, { contingentIds: r.value });
    }
    case FORM_IDS.contact: {
      const values = raw(data);
      const r = parseContactForm(values);
      if (!r.ok) return form(FORM_IDS.contact, run, r.errors, values);
      return act(ACTION_IDS.stepDone, { contactNumber: r.value });
    }
    case FORM_IDS.verifySkip: {
      const values = raw(data);
      const r = parseVerifySkipForm(values);
      if (!r.ok) return form(FORM_IDS.verifySkip, run, r.errors, values);
      return act(ACTION_IDS.verifySkip, { reason: r.value });
    }
    case FORM_IDS.password: {
      const r = parsePasswordForm(raw(data));
      if (!r.ok) return form(FORM_IDS.password, run, r.errors);
      const pre = await precheck(ACTION_IDS.verifyStart);
      if (!pre.ok) return errorCard(pre.error, 'step', step, L);
      // Never awaited inside the turn: the verification calls SecuTix (seconds); the card is
      // updated when it ends. The password lives only in this closure until then.
      verifyInBackground(r.value);
      return cards.current(pre.value, 'step', 'verification', builder.t(L, 'teams.verifying'), 'info');
    }
    default:
      return undefined;
  }
}

/** Refused because of who acts (`ALLOWED_OPERATORS`, `SUPPORT_USERS`), with or without a run. */
function isNotPermitted(error: ServiceError): boolean {
  return error.code === 'not_permitted' || (error.code === 'refused' && error.refusal.code === 'not_permitted');
}
