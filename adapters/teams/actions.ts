/**
 * Card actions (`adaptiveCard/action` invokes, and their `Action.Submit` fallbacks arriving as
 * message activities with `value`): action data in, the card to show out. Every path answers a
 * card (platform-notes.md: a throw inside `onAdaptiveCardInvoke` becomes a 500 with no card).
 * The workflow stays in `RunService`: this module parses the action data, loads the run and routes
 * the verb to its handler (`handlers/`: start form, run forms, run buttons; the checks: `checks.ts`).
 */
import { z } from 'zod';
import type { ConversationReference } from 'botbuilder';
import { type FieldErrorKeys, type RawValues } from '../../src/app/forms';
import { errorSummary, type Outcome, type RunService, type ServiceError } from '../../src/app/run-service';
import { FORM_IDS, type Locale, LOCALES, type RunFormId, STEP_IDS, type StepId } from '../../src/domain/ids';
import type { MessageBuilder } from '../../src/messages/builder';
import type { FieldErrors } from '../../src/messages/model';
import type { Logger } from '../../src/ports/logger.port';
import { type RunStore, StoreUnavailableError } from '../../src/ports/run-store.port';
import type { Actor, Run } from '../../src/workflow/types';
import { baseConversationId } from './activity';
import { type CheckTurn, TEAMS_CHECK_VERBS, type TeamsChecks } from './checks';
import { type ActionData, type AdaptiveCard, adaptiveCard, renderForm } from './cards';
import { keepsClickedCard, keptCardNote, noteCard } from './note-card';
import type { TeamsOutbound } from './notifier';
import { TEAMS_REF } from './refs';
import { RunCards, teamsMentionIn } from './run-cards';
import { submitStartForm } from './handlers/start-form';
import { verifyLater } from './handlers/verify-later';
import { type RunFormTurn, submitRunForm } from './handlers/run-forms';
import { pressRunButton } from './handlers/run-buttons';
import { orgOfRequest } from '../org-scope';

/** Action data as received (inputs merged in by Teams): parsed, never cast. */
const actionDataSchema = z.looseObject({
  verb: z.string().min(1).max(64).optional(),
  runId: z
    .string()
    .regex(/^[A-Z0-9]{4,16}$/)
    .optional(),
  step: z.enum(STEP_IDS).optional(),
  version: z.number().int().nonnegative().optional(),
  card: z.enum(['step', 'support', 'report', 'card', 'form', 'notice']).optional(),
  confirmed: z.boolean().optional(),
  locale: z.enum(LOCALES).optional(),
});

/** One action as the bot received it. */
export interface ActionTurn {
  /** `action.verb` of the invoke, or `value.verb` of an `Action.Submit` fallback. */
  verb: string | undefined;
  /** `action.data` / `value`: the card's data merged with the inputs' values. */
  data: unknown;
  actor: Actor;
  /** The turn's conversation reference (base: no activity id). */
  reference: Partial<ConversationReference>;
  /** The conversation id of the turn as sent (a channel thread keeps its `;messageid=` suffix). */
  conversationId: string;
  /** The activity holding the clicked card (`replyToId`), to update it when slow work ends. */
  cardActivityId?: string;
  /** The user's language (start form before a run exists). */
  locale: Locale;
}

/** Dependencies of `TeamsActions`. */
export interface TeamsActionsDeps {
  service: RunService;
  builder: MessageBuilder;
  store: RunStore;
  outbound: TeamsOutbound;
  logger: Logger;
  /** The checks without a run (`check`, the `product CODE` check); absent: their verbs answer "not one of mine". */
  checks?: TeamsChecks;
  /** Longest wait for the core before answering with a "working" card (ms; default 3500, under Teams' few seconds). */
  answerDeadlineMs?: number;
}

const TIMEOUT = Symbol('timeout');

/** Refusals of a click that simply came late (a double click, a second person): nothing is wrong. */
const LATE_REFUSALS = ['run_not_open', 'stale_step', 'already_snoozed'] as const;

export class TeamsActions {
  readonly cards: RunCards;
  /** Background work started by actions (verification, late answers); tests await it. */
  private readonly background = new Set<Promise<unknown>>();

  constructor(private readonly deps: TeamsActionsDeps) {
    this.cards = new RunCards(deps.builder);
  }

  /** Resolves when every background task started so far has ended (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((err: unknown) => this.deps.logger.error({ err: errorSummary(err) }, 'teams background task failed'));
    this.background.add(q);
    void q.finally(() => this.background.delete(q));
  }

  /**
   * The card answering an action. Never throws: an unexpected error answers a card with the
   * correlation id. When the core takes longer than the deadline, answers a "working" card and
   * updates the clicked card when the work ends.
   */
  async execute(turn: ActionTurn): Promise<AdaptiveCard> {
    const work = this.dispatch(turn).catch((err: unknown) => this.internalCard(turn.locale, err));
    const deadline = this.deps.answerDeadlineMs ?? 3500;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<typeof TIMEOUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMEOUT), deadline);
    });
    const first = await Promise.race([work, late]);
    clearTimeout(timer);
    if (first !== TIMEOUT) return first;
    this.deps.logger.warn(
      { verb: turn.verb, deadlineMs: deadline },
      'teams action slower than the answer deadline; answering a working card',
    );
    this.track(work.then((card) => this.updateClicked(turn, card)));
    return adaptiveCard([{ type: 'TextBlock', text: this.deps.builder.t(turn.locale, 'teams.working'), wrap: true }]);
  }

  private async updateClicked(turn: ActionTurn, card: AdaptiveCard): Promise<void> {
    if (!turn.cardActivityId || keepsClickedCard(card)) return;
    await this.deps.outbound.update(turn.reference, { activityId: turn.cardActivityId, conversationId: turn.conversationId }, card);
  }

  private internalCard(locale: Locale, err: unknown): AdaptiveCard {
    const correlationId = `T${Date.now().toString(36).toUpperCase()}`;
    this.deps.logger.error({ correlationId, err: errorSummary(err) }, 'teams action failed');
    const unavailable = err instanceof StoreUnavailableError;
    const text = this.deps.builder.describeError(
      { code: 'internal', correlationId, ...(unavailable ? { unavailable: true as const } : {}) },
      locale,
    );
    // The store does not answer: nothing changed, the clicked card stays (buttons to try again).
    return unavailable ? keptCardNote(text) : noteCard(text);
  }

  private noteCard(text: string): AdaptiveCard {
    return noteCard(text);
  }

  /** A service error in words for Teams (the run's language when it names a run, else `locale`). */
  private describe(error: ServiceError, locale: Locale): string {
    return this.deps.builder.describeError(error, 'run' in error ? undefined : locale, teamsMentionIn(this.deps.builder, locale), 'teams');
  }

  /** The card for a service error: the current card of the run with the explanation on top. */
  private errorCard(error: ServiceError, kind: ActionData['card'], step: StepId | undefined, locale: Locale): AdaptiveCard {
    const text = this.describe(error, locale);
    if (error.code === 'refused' && error.refusal.code === 'report_superseded') {
      // The clicked report is no longer the live one: answered with the note and without its buttons.
      const card = this.cards.current(error.run, kind, step, text);
      return adaptiveCard(card.body, [], card.fallbackText);
    }
    // A click that came too late (the step is already done, the run ended) changes nothing and is
    // not an error: its note is shown in the information colour, not in red.
    const late = error.code === 'refused' && (LATE_REFUSALS as readonly string[]).includes(error.refusal.code);
    if ('run' in error && error.code !== 'other_surface') return this.cards.current(error.run, kind, step, text, late ? 'info' : undefined);
    if (error.code === 'internal' && error.unavailable) return keptCardNote(text);
    return this.noteCard(text);
  }

  /** Keeps the run's conversation reference fresh when the turn happens in the run's conversation. */
  private async refresh(run: Run, turn: ActionTurn): Promise<void> {
    if (baseConversationId(turn.conversationId) !== run.channelId) return;
    await this.deps.store.putRef(run.id, TEAMS_REF.conversation, turn.reference);
  }

  private async dispatch(turn: ActionTurn): Promise<AdaptiveCard> {
    const parsed = actionDataSchema.safeParse(turn.data ?? {});
    const verb = turn.verb ?? (parsed.success ? parsed.data.verb : undefined);
    if (!parsed.success || !verb) return this.noteCard(this.deps.builder.t(turn.locale, 'teams.error.bad_action'));
    const data = parsed.data as ActionData & Record<string, unknown>;
    if (verb === FORM_IDS.start)
      return submitStartForm(
        {
          deps: this.deps,
          cards: this.cards,
          startCard: (...args) => this.startCard(...args),
          translate: (locale, errors) => this.translate(locale, errors),
          refresh: (run, t) => this.refresh(run, t),
        },
        turn,
        data,
      );
    if (this.deps.checks && TEAMS_CHECK_VERBS.includes(verb)) {
      const check: CheckTurn = {
        verb,
        data: turn.data,
        actor: turn.actor,
        locale: turn.locale,
        inChannel: turn.reference.conversation?.conversationType === 'channel',
      };
      return this.deps.checks.execute(check);
    }

    const { service, builder } = this.deps;
    if (!data.runId || !data.step) return this.noteCard(builder.t(turn.locale, 'teams.error.bad_action'));
    const { runId, step, card: kind } = data;
    // Support's password_assigned from a Teams desk may be about a run of another surface (`SECUTIX_SUPPORT_DESK`).
    const loaded = await service.load(runId, service.surfaceFor(verb, 'teams'), {
      ...orgOfRequest(),
      surface: 'teams',
      actor: turn.actor,
      action: verb,
    });
    if (!loaded.ok) return this.errorCard(loaded.error, kind, step, turn.locale);
    const run = loaded.value;
    await this.refresh(run, turn);
    const L = run.details.language;
    const formData = { runId, step, version: run.version, ...(kind ? { card: kind } : {}) };
    const back = builder.t(L, 'teams.form.back');
    const label = this.cards.runLabel(run);
    const act = async (
      action: Parameters<RunService['act']>[0]['action'],
      extra: { contingentIds?: number[]; contactNumber?: string; reason?: string } = {},
    ): Promise<AdaptiveCard> => {
      const r = await service.act({ runId, step, action, actor: turn.actor, surface: 'teams', ...orgOfRequest(), ...extra });
      if (!r.ok) return this.errorCard(r.error, kind === 'form' ? 'step' : kind, step, L);
      return this.cards.closed(r.value, kind === 'form' ? 'step' : kind, step, turn.actor);
    };
    const precheck = async (action: Parameters<RunService['precheck']>[0]['action']): Promise<Outcome<Run>> =>
      service.precheck({ runId, step, action, surface: 'teams', actor: turn.actor, ...orgOfRequest() });
    const form = (id: RunFormId, current: Run, errors?: FieldErrorKeys, values?: RawValues, note?: string): AdaptiveCard =>
      renderForm(builder.runForm(current, id, ''), {
        data: formData,
        runLabel: label,
        backLabel: back,
        ...(note ? { note } : {}),
        requiredMessage: this.requiredMessage(L),
        ...(errors ? { errors: this.translate(L, errors) } : {}),
        ...(values ? { values: values as Record<string, string> } : {}),
        ...(id === FORM_IDS.password && turn.reference.conversation?.conversationType === 'channel'
          ? { hint: builder.t(L, 'teams.password.channel_hint') }
          : {}),
      });

    const runTurn: RunFormTurn = {
      turn,
      data,
      run,
      runId,
      step,
      L,
      builder,
      service,
      cards: this.cards,
      form,
      act,
      precheck,
      errorCard: (...args) => this.errorCard(...args),
      describe: (error) => this.describe(error, L),
      verifyInBackground: (password) =>
        this.track(
          verifyLater(
            {
              deps: this.deps,
              cards: this.cards,
              errorCard: (...args) => this.errorCard(...args),
              updateClicked: (t, card) => this.updateClicked(t, card),
            },
            turn,
            runId,
            password,
          ),
        ),
    };
    const submitted = await submitRunForm(verb, runTurn);
    if (submitted) return submitted;

    return pressRunButton(verb, { ...runTurn, store: this.deps.store });
  }

  private translate(locale: Locale, errors: FieldErrorKeys): FieldErrors {
    const out: FieldErrors = {};
    for (const [id, key] of Object.entries(errors)) if (key) out[id as keyof FieldErrors] = this.deps.builder.t(locale, key);
    return out;
  }

  /** The `errorMessage` of an empty required input, in `locale`. */
  requiredMessage(locale: Locale): (label: string) => string {
    return (label) => this.deps.builder.t(locale, 'teams.form.required', { label });
  }

  /** The start form's card (sent as a reply to `start`). */
  startCard(
    locale: Locale,
    prefill: { institutionCode?: string } = {},
    errors?: FieldErrors,
    values?: RawValues,
    note?: string,
  ): AdaptiveCard {
    return renderForm(this.deps.builder.startForm(locale, '', prefill), {
      data: { locale },
      requiredMessage: this.requiredMessage(locale),
      ...(errors ? { errors } : {}),
      ...(values ? { values: values as Record<string, string> } : {}),
      ...(note ? { note } : {}),
    });
  }
}
