/**
 * The cards of a run, built from `MessageBuilder` output and rendered by `cards.ts`: what the
 * notifier posts, and what an action answers (the card as it stands now, or closed). No workflow
 * logic: the run's state decides, as recorded by the core.
 */
import type { Locale, StepId } from '../../src/domain/ids';
import { type MentionFormatter, type MessageBuilder } from '../../src/messages/builder';
import type { Actor, Effect, Run, StepOutcome } from '../../src/workflow/types';
import { type AdaptiveCard, type CardKind, executeAction, REFRESH_VERB, renderMessage } from './cards';
import { cleanDisplayName } from '../../src/domain/display-text';
import { showErased } from '../../src/domain/erased';
import { literal } from '../../src/messages/literal';

/**
 * How Teams names people in card text: their display name (cards cannot mention), marked as typed
 * by a person (`literal`), so Markdown in it (`**Boss**`, `[x](url)`) is shown as typed, never
 * read. Teams sends some accounts without a name: they are "Teams user" in `locale`, never their
 * AAD object id.
 */
export function teamsMentionIn(builder: Pick<MessageBuilder, 't'>, locale: Locale): MentionFormatter {
  return (a) => {
    const name = cleanDisplayName(a.name, [a.id]);
    return name === undefined ? builder.t(locale, 'teams.user.unnamed') : literal(name);
  };
}

export class RunCards {
  constructor(readonly builder: MessageBuilder) {}

  /** How people are named on the cards of `run`. */
  mention(run: Run): MentionFormatter {
    return teamsMentionIn(this.builder, run.details.language);
  }

  /** "Run ABCD1234": the first TextBlock of every card of a run. */
  runLabel(run: Run): string {
    return this.builder.t(run.details.language, 'card.run_id', { runId: run.id });
  }

  /** An older verification card once a newer report is posted: a pointer to it, no buttons. */
  superseded(run: Run): AdaptiveCard {
    return renderMessage(this.builder.superseded(run), { runLabel: this.runLabel(run) });
  }

  /**
   * The verification card clicked when the password guard erased answers instead of verifying: as
   * on Slack, no button that would be refused (verify, skip), why, and a pointer to the notice
   * posted below, whose "Edit answers" enters them again.
   */
  erasedPointer(run: Run): AdaptiveCard {
    const notice = this.builder.answersErased(run, { type: 'answers_erased', fields: run.erasedAnswers ?? [] });
    return renderMessage(this.builder.superseded(run, 'step', 'verification'), {
      runLabel: this.runLabel(run),
      note: notice.text,
      noteTone: 'info',
    });
  }

  /**
   * An older step card once a newer copy or report is posted: its remembered `body` (the erased
   * marker shown in the run's language) with the `pointer` card's line under it, and no actions;
   * the pointer alone when no body was remembered (as on Slack, only the buttons change).
   */
  keptWithPointer(
    run: Run,
    body: readonly Record<string, unknown>[] | undefined,
    pointer: AdaptiveCard = this.superseded(run),
  ): AdaptiveCard {
    if (!body || body.length === 0) return pointer;
    const words = JSON.stringify(this.builder.t(run.details.language, 'value.erased')).slice(1, -1);
    const kept = JSON.parse(showErased(JSON.stringify(body), words)) as AdaptiveCard['body'];
    // The pointer's first block is the run label, already at the top of the kept body.
    return { ...pointer, body: [...kept, ...pointer.body.slice(1)], actions: [] };
  }

  /**
   * The progress card. Its summary line (run id, who started it, channel and operator) is the
   * card's first TextBlock, so the run id shows once.
   */
  progress(run: Run, note?: string): AdaptiveCard {
    const msg = this.builder.card(run, this.mention(run));
    const summary = msg.blocks.find((b) => b.type === 'context');
    return renderMessage(
      { ...msg, blocks: msg.blocks.filter((b) => b !== summary) },
      { runLabel: summary?.text ?? this.runLabel(run), ...(note ? { note } : {}) },
    );
  }

  /**
   * The card of `kind` for `step` as it stands now: with its buttons while the step is the run's
   * current one, without them otherwise; `note` on top (a stale or refused action, a working notice).
   */
  current(run: Run, kind: CardKind | undefined, step: StepId | undefined, note?: string, noteTone?: 'info'): AdaptiveCard {
    const live = run.status === 'open' && step !== undefined && run.currentStep === step;
    const opts = { runLabel: this.runLabel(run), ...(note ? { note } : {}), ...(noteTone ? { noteTone } : {}), withoutActions: !live };
    if (kind === 'card' || step === undefined) return this.progress(run, note);
    if (kind === 'support') return renderMessage(this.builder.supportRequest(run, { mention: this.mention(run) }), opts);
    if (kind === 'report' && run.verification) return renderMessage(this.builder.report(run), opts);
    if (kind === 'notice' && run.erasedAnswers?.length)
      return renderMessage(this.builder.answersErased(run, { type: 'answers_erased', fields: run.erasedAnswers }), {
        ...opts,
        card: 'notice',
      });
    return renderMessage(this.builder.stepPrompt(run, step), opts);
  }

  /** The card of a step once acted on: the line saying who did what (or the current card when the step was not closed). */
  closed(run: Run, kind: CardKind | undefined, step: StepId, actor: Actor): AdaptiveCard {
    const rec = run.steps[step];
    const at = rec.at ?? run.updatedAt;
    if (kind === 'support') {
      const outcome = run.status === 'cancelled' ? 'cancelled' : 'assigned';
      return renderMessage(
        this.builder.supportClosed(run, { type: 'support_closed', outcome, by: rec.by ?? actor, at }, { mention: this.mention(run) }),
        {
          runLabel: this.runLabel(run),
        },
      );
    }
    const outcome = outcomeOf(run, step);
    if (!outcome) return this.current(run, kind, step);
    const by = outcome === 'cancelled' || outcome === 'completed' ? (run.endedBy ?? actor) : (rec.by ?? actor);
    const when = outcome === 'cancelled' ? (run.endedAt ?? at) : at;
    return this.stepClosed(run, { type: 'step_closed', step, outcome, by, at: when });
  }

  /**
   * A used step card: the line saying who did what. The email draft keeps the draft (as on Slack)
   * with that line under it, so the sent text stays readable after "Email sent".
   */
  stepClosed(run: Run, effect: Extract<Effect, { type: 'step_closed' }>): AdaptiveCard {
    const line = this.builder.stepClosed(run, effect, this.mention(run));
    if (effect.step !== 'email_draft') return renderMessage(line, { runLabel: this.runLabel(run) });
    const prompt = this.builder.stepPrompt(run, 'email_draft');
    return renderMessage(
      { ...prompt, text: line.text, blocks: [...prompt.blocks, ...line.blocks], actions: [] },
      { runLabel: this.runLabel(run) },
    );
  }

  /** The confirmation asked before cancelling (Teams has no confirm dialog on `Action.Execute`). */
  cancelConfirm(run: Run, kind: CardKind | undefined, step: StepId): AdaptiveCard {
    const L: Locale = run.details.language;
    const view = { runId: run.id, institutionCode: run.details.institutionCode };
    const base = this.current(run, kind, step, this.builder.t(L, 'teams.cancel.question', view));
    const data = { runId: run.id, step, version: run.version, ...(kind ? { card: kind } : {}) };
    return {
      ...base,
      actions: [
        executeAction(this.builder.t(L, 'confirm.cancel.confirm', view), { ...data, verb: 'run_cancel', confirmed: true }, 'destructive'),
        executeAction(this.builder.t(L, 'confirm.cancel.deny', view), { ...data, verb: REFRESH_VERB }),
      ],
    };
  }
}

/** How a step ended, for its closed line; null while it is still open. */
function outcomeOf(run: Run, step: StepId): StepOutcome | null {
  if (run.status === 'completed' && step === 'email_draft') return 'completed';
  const state = run.steps[step].state;
  if (state === 'done') return step === 'verification' ? (run.steps[step].reason === 'confirmed' ? 'confirmed' : 'verified') : 'done';
  if (state === 'skipped') return 'skipped';
  if (run.status === 'cancelled') return 'cancelled';
  return null;
}
