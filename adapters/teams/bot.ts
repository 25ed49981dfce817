/**
 * The Teams bot (botbuilder `ActivityHandler`): commands sent as messages (personal chat, or a
 * channel with an @mention), `adaptiveCard/action` invokes, and `Action.Submit` fallbacks
 * (message activities with `value`). Translates to `RunService` calls; never runs workflow logic.
 */
import {
  ActivityHandler,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type ConversationReference,
  type InvokeResponse,
  TurnContext,
} from 'botbuilder';
import { errorSummary, type RunService } from '../../src/app/run-service';
import { type Locale } from '../../src/domain/ids';
import type { MessageBuilder } from '../../src/messages/builder';
import type { Logger } from '../../src/ports/logger.port';
import { type RunStore, StoreUnavailableError } from '../../src/ports/run-store.port';
import { actorOf, baseConversationId, baseReference, localeOf } from './activity';
import { type ActionTurn, TeamsActions } from './actions';
import type { TeamsChecks } from './checks';
import { type AdaptiveCard, cardActivity, cardInvokeResponse, renderMessage } from './cards';
import { keepsClickedCard, keptCardNote, noteCard } from './note-card';

/** The `adaptiveCard/action` answer type that shows a message and leaves the clicked card as it is. */
const MESSAGE_INVOKE_TYPE = 'application/vnd.microsoft.activity.message';
import type { RecentReferences } from './notifier';
import { isSupportedConversation, WelcomedConversations } from './welcome';
import { handleCommand } from './handlers/commands';

/** Dependencies of `TeamsBot`. */
export interface TeamsBotDeps {
  actions: TeamsActions;
  service: RunService;
  builder: MessageBuilder;
  store: RunStore;
  recent: RecentReferences;
  logger: Logger;
  defaultLocale: Locale;
  /** Zone of the audit export's local times when SecuTix gave none (`DEFAULT_TIME_ZONE`; default Europe/Paris). */
  defaultTimeZone?: string;
  /** The checks without a run (`check INSTITUTION`, the `product CODE` check); absent: they answer "not available". */
  checks?: TeamsChecks;
}

export class TeamsBot extends ActivityHandler {
  private readonly welcomed = new WelcomedConversations();

  constructor(private readonly deps: TeamsBotDeps) {
    super();
    this.onMessage(async (ctx, next) => {
      await this.onMessageTurn(ctx);
      await next();
    });
    this.onMembersAdded(async (ctx, next) => {
      const a = ctx.activity;
      if ((a.membersAdded ?? []).some((m) => m.id === a.recipient.id)) await this.welcome(ctx);
      await next();
    });
    this.onInstallationUpdateAdd(async (ctx, next) => {
      await this.welcome(ctx);
      await next();
    });
    const forget = async (ctx: TurnContext, next: () => Promise<void>): Promise<void> => {
      this.welcomed.forget(baseConversationId(ctx.activity.conversation.id));
      await next();
    };
    this.onMembersRemoved(async (ctx, next) => {
      if ((ctx.activity.membersRemoved ?? []).some((m) => m.id === ctx.activity.recipient.id)) return forget(ctx, next);
      await next();
    });
    this.onInstallationUpdateRemove(forget);
  }

  /** Bot added or installed: a short welcome with `help` (a group or meeting chat: the refusal), once per conversation. */
  private async welcome(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    if (!this.welcomed.first(baseConversationId(a.conversation.id))) return;
    const L = localeOf(a.locale, this.deps.defaultLocale);
    const { builder } = this.deps;
    const text = isSupportedConversation(a.conversation.conversationType)
      ? builder.t(L, 'teams.welcome')
      : builder.t(L, 'teams.conversation.unsupported');
    this.remember(ctx);
    await this.reply(ctx, this.text(L, text, builder.t(L, 'help.header'))).catch((err: unknown) =>
      this.deps.logger.error({ err: errorSummary(err) }, 'teams welcome failed'),
    );
  }

  /** A group chat or meeting chat (not in the manifest's scopes): the polite refusal card. */
  private unsupported(ctx: TurnContext): AdaptiveCard | undefined {
    if (isSupportedConversation(ctx.activity.conversation.conversationType)) return undefined;
    const L = localeOf(ctx.activity.locale, this.deps.defaultLocale);
    return this.text(L, this.deps.builder.t(L, 'teams.conversation.unsupported'));
  }

  /** The turn's reference without activity id and thread suffix; remembered for new runs. */
  private remember(ctx: TurnContext): Partial<ConversationReference> {
    const ref = baseReference(TurnContext.getConversationReference(ctx.activity));
    this.deps.recent.set(ref);
    return ref;
  }

  private actionTurn(ctx: TurnContext, verb: string | undefined, data: unknown): ActionTurn {
    const a = ctx.activity;
    return {
      verb,
      data,
      actor: actorOf(a.from),
      reference: this.remember(ctx),
      conversationId: a.conversation.id,
      ...(a.replyToId ? { cardActivityId: a.replyToId } : {}),
      locale: localeOf(a.locale, this.deps.defaultLocale),
    };
  }

  /**
   * Invokes: `adaptiveCard/action` with a readable `value.action` goes on to botbuilder (then
   * `onAdaptiveCardInvoke`); one without it, or an invoke name this bot does not handle, answers
   * 400 with an `application/vnd.microsoft.error` body naming the problem (botbuilder would throw
   * a TypeError, a 500, or answer 501).
   */
  protected override async onInvokeActivity(ctx: TurnContext): Promise<InvokeResponse> {
    const { name, value } = ctx.activity;
    const action = typeof value === 'object' && value !== null ? (value as { action?: unknown }).action : undefined;
    const problem =
      name !== 'adaptiveCard/action'
        ? `invoke ${JSON.stringify(String(name ?? '').slice(0, 60))} is not handled by this bot`
        : typeof action !== 'object' || action === null
          ? 'adaptiveCard/action without value.action'
          : undefined;
    if (!problem) return super.onInvokeActivity(ctx);
    this.deps.logger.warn({ name: String(name ?? '').slice(0, 60) }, 'teams invoke refused: ' + problem);
    return {
      status: 400,
      body: { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: problem } },
    };
  }

  /** `adaptiveCard/action`: always answers 200 with a card (errors become a card with a note). */
  protected override async onAdaptiveCardInvoke(ctx: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    let card: AdaptiveCard;
    try {
      card = this.unsupported(ctx) ?? (await this.deps.actions.execute(this.actionTurn(ctx, value.action?.verb, value.action?.data)));
    } catch (err) {
      card = this.internal(ctx, err);
    }
    // A note that must not replace the clicked card (the store does not answer): a message answer.
    if (keepsClickedCard(card))
      return { statusCode: 200, type: MESSAGE_INVOKE_TYPE, value: card.fallbackText ?? '' } as unknown as AdaptiveCardInvokeResponse;
    return cardInvokeResponse(card) as unknown as AdaptiveCardInvokeResponse;
  }

  private internal(ctx: TurnContext, err: unknown): AdaptiveCard {
    const correlationId = `T${Date.now().toString(36).toUpperCase()}`;
    this.deps.logger.error({ correlationId, err: errorSummary(err) }, 'teams turn failed');
    const unavailable = err instanceof StoreUnavailableError;
    const text = this.deps.builder.describeError(
      { code: 'internal', correlationId, ...(unavailable ? { unavailable: true as const } : {}) },
      localeOf(ctx.activity.locale, this.deps.defaultLocale),
    );
    return unavailable ? keptCardNote(text) : noteCard(text);
  }

  private async reply(ctx: TurnContext, card: AdaptiveCard): Promise<void> {
    await ctx.sendActivity(cardActivity(card));
  }

  private text(locale: Locale, text: string, header?: string): AdaptiveCard {
    return renderMessage(this.deps.builder.textMessage('notice', locale, text, header));
  }

  private async onMessageTurn(ctx: TurnContext): Promise<void> {
    try {
      const refusal = this.unsupported(ctx);
      if (refusal) return await this.reply(ctx, refusal);
      const value = ctx.activity.value as Record<string, unknown> | undefined;
      if (value && typeof value === 'object' && typeof value.verb === 'string') {
        // Action.Submit fallback: same data and verb as the Action.Execute; answer by editing the card.
        const turn = this.actionTurn(ctx, value.verb, value);
        const card = await this.deps.actions.execute(turn);
        if (ctx.activity.replyToId && !keepsClickedCard(card)) {
          await ctx.updateActivity({ ...cardActivity(card), id: ctx.activity.replyToId });
        } else {
          await this.reply(ctx, card);
        }
        return;
      }
      await this.command(ctx);
    } catch (err) {
      await this.reply(ctx, this.internal(ctx, err)).catch((e: unknown) =>
        this.deps.logger.error({ err: errorSummary(e) }, 'teams reply failed'),
      );
    }
  }

  /** A command typed as a message: handled by `handlers/commands.ts`. */
  private async command(ctx: TurnContext): Promise<void> {
    return handleCommand(
      {
        deps: this.deps,
        remember: (c) => this.remember(c),
        reply: (c, card) => this.reply(c, card),
        text: (locale, text, header) => this.text(locale, text, header),
      },
      ctx,
    );
  }
}
