/**
 * The run's buttons on Teams (refresh, step done or skipped, password assigned, email sent,
 * reminder snooze, resume, cancel with its confirmation, verify, skip the verification, confirm
 * the values, edit the answers): a service call answered with the closed card, or the form the
 * button opens. Forms' submissions are `run-forms.ts`.
 */
import { ACTION_IDS, FORM_IDS } from '../../../src/domain/ids';
import type { RunStore } from '../../../src/ports/run-store.port';
import { type AdaptiveCard, adaptiveCard, REFRESH_VERB } from '../cards';
import { toTeamsMarkdown } from '../markdown';
import { notPostedReason, notPostedYet } from '../not-posted';
import type { RunFormTurn } from './run-forms';
import { orgOfRequest } from '../../org-scope';

/** A button's turn: what a form's submission has, and the run store (to tell a delivery still failing). */
export interface RunButtonTurn extends RunFormTurn {
  store: RunStore;
}

/** The card answering a run button `verb` (the run's current card with a note when the verb is unknown). */
export async function pressRunButton(verb: string, c: RunButtonTurn): Promise<AdaptiveCard> {
  const { turn, data, run, runId, step, L, builder, service, cards, form, act, precheck, errorCard, store } = c;
  const kind = data.card;
  const label = cards.runLabel(run);
  switch (verb) {
    case REFRESH_VERB:
      return cards.current(run, kind === 'form' ? 'step' : kind, step);
    case ACTION_IDS.stepDone: {
      const input = step === 'contingents' ? FORM_IDS.contingents : step === 'technical_contact' ? FORM_IDS.contact : null;
      if (!input) return act(ACTION_IDS.stepDone);
      const pre = await precheck(ACTION_IDS.stepDone);
      if (!pre.ok) return errorCard(pre.error, kind, step, L);
      return form(input, pre.value);
    }
    case ACTION_IDS.stepSkip:
      return act(ACTION_IDS.stepSkip);
    case ACTION_IDS.passwordAssigned:
      return act(ACTION_IDS.passwordAssigned);
    case ACTION_IDS.emailSent:
      return act(ACTION_IDS.emailSent);
    case ACTION_IDS.reminderSnooze: {
      // The reminder card keeps its place: it becomes the snooze line (the thread gets it too).
      const r = await service.act({
        runId,
        step,
        action: ACTION_IDS.reminderSnooze,
        actor: turn.actor,
        surface: 'teams',
        ...orgOfRequest(),
      });
      if (!r.ok) return errorCard(r.error, 'step', step, L);
      const until = r.value.reminder?.dueAt;
      const text = builder.forEffect(r.value, {
        type: 'reminder_snoozed',
        by: turn.actor,
        at: r.value.updatedAt,
        until: until ?? r.value.updatedAt,
      }).text;
      return adaptiveCard(
        [
          { type: 'TextBlock', text: label, wrap: true, isSubtle: true, size: 'Small', weight: 'Bolder' },
          { type: 'TextBlock', text: toTeamsMarkdown(text), wrap: true },
        ],
        [],
        text,
      );
    }
    case ACTION_IDS.runResume: {
      const since = Date.now();
      const r = await service.resume({ runId, actor: turn.actor, surface: 'teams', ...orgOfRequest() });
      if (!r.ok) return errorCard(r.error, kind, step, L);
      // "posted again" only when it was: a delivery still failing, or given up, is said as such.
      const problem = await notPostedYet(store, runId, since);
      const text = problem
        ? builder.t(L, problem.gaveUp ? 'teams.resume.not_posted' : 'teams.resume.pending', {
            runId,
            reason: notPostedReason(builder, L, problem.code),
          })
        : builder.t(L, 'teams.resumed', { runId });
      return adaptiveCard(
        [
          { type: 'TextBlock', text: cards.runLabel(r.value), wrap: true, isSubtle: true, size: 'Small', weight: 'Bolder' },
          { type: 'TextBlock', text: toTeamsMarkdown(text), wrap: true },
        ],
        [],
        text,
      );
    }
    case ACTION_IDS.runCancel: {
      if (data.confirmed === true) return act(ACTION_IDS.runCancel);
      const pre = await precheck(ACTION_IDS.runCancel);
      if (!pre.ok) return errorCard(pre.error, kind, step, L);
      return cards.cancelConfirm(pre.value, kind, step);
    }
    case ACTION_IDS.verifyStart:
    case ACTION_IDS.verifySkip: {
      const pre = await precheck(verb);
      if (!pre.ok) return errorCard(pre.error, kind, step, L);
      return form(verb === ACTION_IDS.verifyStart ? FORM_IDS.password : FORM_IDS.verifySkip, pre.value);
    }
    case ACTION_IDS.verifyConfirm:
      return act(ACTION_IDS.verifyConfirm);
    case ACTION_IDS.answersEdit: {
      const pre = await precheck(ACTION_IDS.answersEdit);
      if (!pre.ok) return errorCard(pre.error, kind, step, L);
      return form(FORM_IDS.answers, pre.value);
    }
    default:
      return cards.current(run, kind === 'form' ? 'step' : kind, step, builder.t(L, 'teams.error.bad_action'));
  }
}
