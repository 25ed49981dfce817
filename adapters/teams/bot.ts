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
import { buildAuditExport } from '../../src/app/audit-export';
import { errorSummary, type RunService } from '../../src/app/run-service';
import { ACTION_IDS, type Locale, LOCALES } from '../../src/domain/ids';
import { loadMyRuns } from '../../src/app/my-runs';
import type { MessageBuilder } from '../../src/messages/builder';
import type { Logger } from '../../src/ports/logger.port';
import { type RunStore, StoreUnavailableError } from '../../src/ports/run-store.port';
import { notPostedYet } from './not-posted';
import { actorOf, baseConversationId, baseReference, isChannelReference, localeOf } from './activity';
import { type ActionTurn, TeamsActions } from './actions';
import { auditCards } from './audit-cards';
import type { TeamsChecks } from './checks';
import { type AdaptiveCard, adaptiveCard, cardActivity, cardInvokeResponse, renderMessage } from './cards';
import { mentionsBot, parseTeamsCommand, stripBotMention } from './mention';
import type { RecentReferences } from './notifier';
import { teamsMentionIn } from './run-cards';
import { isAttachmentOnly, isSupportedConversation, WelcomedConversations } from './welcome';
import { SUPPORT_CHANNEL_REF, TEAMS_GLOBAL_REF_OWNER, TEAMS_REF } from './refs';

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
    return cardInvokeResponse(card) as unknown as AdaptiveCardInvokeResponse;
  }

  private internal(ctx: TurnContext, err: unknown): AdaptiveCard {
    const correlationId = `T${Date.now().toString(36).toUpperCase()}`;
    this.deps.logger.error({ correlationId, err: errorSummary(err) }, 'teams turn failed');
    const text = this.deps.builder.describeError(
      { code: 'internal', correlationId, ...(err instanceof StoreUnavailableError ? { unavailable: true as const } : {}) },
      localeOf(ctx.activity.locale, this.deps.defaultLocale),
    );
    return adaptiveCard([{ type: 'TextBlock', text, wrap: true, color: 'attention' }]);
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
        if (ctx.activity.replyToId) {
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

  private async command(ctx: TurnContext): Promise<void> {
    const { builder, service, store, actions } = this.deps;
    const a = ctx.activity;
    if (a.conversation.conversationType === 'channel' && !mentionsBot(a.text ?? '', a.recipient, a.entities ?? [])) {
      // In a channel only messages that mention the bot are for us (another bot's command is not).
      this.deps.logger.debug({ conversation: baseConversationId(a.conversation.id) }, 'teams channel message without our mention ignored');
      return;
    }
    const ref = this.remember(ctx);
    const L = localeOf(a.locale, this.deps.defaultLocale);
    const actor = actorOf(a.from);
    const words = stripBotMention(a.text ?? '', a.recipient, a.entities ?? []);
    // A file or an image without text is not an empty command (which would mean `start`).
    if (isAttachmentOnly(words, a.attachments)) return this.reply(ctx, this.text(L, builder.t(L, 'teams.attachments_only')));
    const cmd = parseTeamsCommand(words);
    const baseId = baseConversationId(a.conversation.id);
    /** Loads a Teams run named in a command and refreshes its reference when typed in its conversation. */
    const loadRun = async (runId: string) => {
      const loaded = await service.load(runId, 'teams');
      if (loaded.ok && loaded.value.channelId === baseId) await store.putRef(runId, TEAMS_REF.conversation, ref);
      return loaded;
    };
    switch (cmd.name) {
      case 'start': {
        const mayStart = service.authorize({ surface: 'teams', actor }, { op: 'start' });
        if (!mayStart.ok) return this.reply(ctx, this.text(L, builder.describeError(mayStart.error, L, undefined, 'teams')));
        return this.reply(ctx, actions.startCard(L, cmd.institutionCode ? { institutionCode: cmd.institutionCode } : {}));
      }
      case 'help': {
        const text = [
          builder.t(L, 'help.text'),
          builder.commandList(L, 'digitick-onboard', service.access.commands({ surface: 'teams', actor })),
          builder.t(L, 'teams.help.notes'),
        ].join('\n\n');
        return this.reply(ctx, this.text(L, text, builder.t(L, 'help.header')));
      }
      case 'product':
        if (cmd.productCode && this.deps.checks) return this.reply(ctx, this.deps.checks.productCard(cmd.productCode, L));
        return this.reply(ctx, renderMessage(builder.productGuide(L)));
      case 'check':
        if (!this.deps.checks) return this.reply(ctx, this.text(L, builder.t(L, 'error.check.unavailable')));
        return this.reply(ctx, this.deps.checks.commandCard(cmd, actor, L, a.conversation.conversationType === 'channel'));
      case 'status': {
        const mayRead = service.authorize({ surface: 'teams', actor }, { op: 'status' });
        if (!mayRead.ok) return this.reply(ctx, this.text(L, builder.describeError(mayRead.error, L, undefined, 'teams')));
        if (!cmd.runId && a.conversation.conversationType === 'personal') {
          // Personal chat: "My runs" (issue 5), as the Slack App Home: open runs with Resume, last 10 completed.
          const lang = a.locale?.toLowerCase().split(/[-_]/)[0] ?? '';
          const own = (LOCALES as readonly string[]).includes(lang) ? L : undefined;
          const mine = await loadMyRuns(store, 'teams', actor.id);
          return this.reply(ctx, renderMessage(builder.myRuns('teams', own, mine, teamsMentionIn(builder, L))));
        }
        if (!cmd.runId) {
          const runs = await service.openRuns('teams', actor.id);
          return this.reply(
            ctx,
            runs.length === 0 ? this.text(L, builder.t(L, 'teams.status.none')) : renderMessage(builder.statusList(L, runs)),
          );
        }
        const loaded = await loadRun(cmd.runId);
        if (!loaded.ok) return this.reply(ctx, this.text(L, builder.describeError(loaded.error, L, undefined, 'teams')));
        return this.reply(ctx, actions.cards.progress(loaded.value));
      }
      case 'resume':
      case 'cancel': {
        if (!cmd.runId) return this.reply(ctx, this.text(L, builder.t(L, 'teams.error.run_id_required', { command: cmd.name })));
        const loaded = await loadRun(cmd.runId);
        if (!loaded.ok) return this.reply(ctx, this.text(L, builder.describeError(loaded.error, L, undefined, 'teams')));
        const run = loaded.value;
        if (cmd.name === 'cancel') {
          if (run.status !== 'open' || !run.currentStep) {
            return this.reply(
              ctx,
              this.text(
                L,
                builder.refusal(
                  run,
                  { code: 'run_not_open', last: { by: run.endedBy, at: run.endedAt, state: run.status } },
                  run.details.language,
                ),
              ),
            );
          }
          const mayCancel = await service.precheck({
            runId: run.id,
            step: run.currentStep,
            action: ACTION_IDS.runCancel,
            surface: 'teams',
            actor,
          });
          if (!mayCancel.ok) return this.reply(ctx, this.text(L, builder.describeError(mayCancel.error, L, undefined, 'teams')));
          return this.reply(ctx, actions.cards.cancelConfirm(run, 'step', run.currentStep));
        }
        const r = await service.resume({ runId: run.id, actor, surface: 'teams' });
        if (!r.ok) return this.reply(ctx, this.text(L, builder.describeError(r.error, L, undefined, 'teams')));
        // Nothing to say when the step was posted (it is there); say so when it could not be.
        const problem = await notPostedYet(store, run.id);
        const RL = run.details.language; // about a run: in the run's language
        if (problem) return this.reply(ctx, this.text(RL, builder.t(RL, 'teams.resume.pending', { runId: run.id, code: problem })));
        return;
      }
      case 'support_channel': {
        // Only SecuTix support may choose where password requests go (SUPPORT_USERS; empty = everyone).
        if (!service.access.isSupport({ actor, surface: 'teams' })) {
          this.deps.logger.warn({ actor: actor.id }, 'teams support channel registration refused: not in SUPPORT_USERS');
          return this.reply(ctx, this.text(L, builder.t(L, 'teams.support_channel.not_support')));
        }
        if (!isChannelReference(ref)) return this.reply(ctx, this.text(L, builder.t(L, 'teams.support_channel.not_channel')));
        await store.putRef(TEAMS_GLOBAL_REF_OWNER, SUPPORT_CHANNEL_REF, ref);
        this.deps.logger.info({ conversation: baseId }, 'teams support channel registered');
        return this.reply(ctx, this.text(L, builder.t(L, 'teams.support_channel.saved')));
      }
      case 'audit': {
        // Issue 5: the run's whole trail as table cards (a CSV file would need Graph file permissions).
        if (!cmd.runId) return this.reply(ctx, this.text(L, builder.t(L, 'teams.error.run_id_required', { command: 'audit' })));
        const mayAudit = service.authorize({ surface: 'teams', actor }, { op: 'audit' });
        if (!mayAudit.ok) return this.reply(ctx, this.text(L, builder.describeError(mayAudit.error, L, undefined, 'teams')));
        const loaded = await loadRun(cmd.runId);
        if (!loaded.ok) return this.reply(ctx, this.text(L, builder.describeError(loaded.error, L, undefined, 'teams')));
        const exp = buildAuditExport(loaded.value, await store.audit(loaded.value.id), {
          ...(this.deps.defaultTimeZone ? { defaultTimeZone: this.deps.defaultTimeZone } : {}),
        });
        this.deps.logger.info({ runId: exp.runId, actor: actor.id, entries: exp.rows.length }, 'audit trail exported');
        // About a run: in the run's language (as `status RUN` shows its card).
        for (const card of auditCards(exp, builder, loaded.value.details.language)) await this.reply(ctx, card);
        return;
      }
      case 'unknown':
        return this.reply(ctx, this.text(L, builder.t(L, 'teams.error.unknown_command', { command: cmd.word.slice(0, 60) })));
    }
  }
}
