/**
 * The verification started from the Teams password form, run after the turn's answer (SecuTix
 * takes seconds): the clicked card is updated when it ends. The password lives only in this call.
 */
import type { ServiceError } from '../../../src/app/run-service';
import type { Locale, StepId } from '../../../src/domain/ids';
import type { ActionTurn, TeamsActionsDeps } from '../actions';
import type { ActionData, AdaptiveCard } from '../cards';
import type { RunCards } from '../run-cards';
import { orgOfRequest } from '../../org-scope';
import { readStepPostedList, TEAMS_REF } from '../refs';

/** What the background verification borrows from `TeamsActions`. */
export interface VerifyLaterContext {
  deps: TeamsActionsDeps;
  cards: RunCards;
  /** The card for a service error: the current card of the run with the explanation on top. */
  errorCard: (error: ServiceError, kind: ActionData['card'], step: StepId | undefined, locale: Locale) => AdaptiveCard;
  /** Replaces the clicked card (`turn.cardActivityId`). */
  updateClicked: (turn: ActionTurn, card: AdaptiveCard) => Promise<void>;
}

export async function verifyLater(actions: VerifyLaterContext, turn: ActionTurn, runId: string, password: string): Promise<void> {
  // What the clicked card showed before its password form (the step card or a failed report), read
  // before the new report makes the notifier forget it: it stays, with the pointer under it.
  const clicked = readStepPostedList((await actions.deps.store.getRefs(runId))[TEAMS_REF.step('verification')]).find(
    (p) => p.activityId === turn.cardActivityId,
  );
  const r = await actions.deps.service.verify({ runId, actor: turn.actor, surface: 'teams', ...orgOfRequest(), password });
  let card: AdaptiveCard;
  if (!r.ok) {
    card = actions.errorCard(r.error, 'step', 'verification', turn.locale);
  } else {
    const run = r.value;
    const erased = run.erasedAnswers ?? [];
    if (erased.length > 0 && run.currentStep === 'verification') {
      // An answer equal to the password was erased instead of verifying (RunService.verify): say so,
      // and point to the notice with "Edit answers" (verify and skip are refused until then).
      card = actions.cards.erasedPointer(run);
    } else {
      // Still at verification: a new report (with the live buttons) is posted; the clicked card
      // keeps its text and points to it, so only the newest report's buttons are live.
      card =
        run.currentStep === 'verification'
          ? actions.cards.keptWithPointer(run, clicked?.body)
          : actions.cards.closed(run, 'step', 'verification', turn.actor);
    }
  }
  await actions.updateClicked(turn, card);
}
