/**
 * Commands typed to the Teams bot (personal chat, or a channel with an @mention): start, help,
 * product, check, status, resume, cancel, support_channel, audit. Translates to `RunService` calls.
 */
import { type ConversationReference, TurnContext } from 'botbuilder';
import { buildAuditExport } from '../../../src/app/audit-export';
import { ACTION_IDS, type Locale, LOCALES } from '../../../src/domain/ids';
import { notPostedReason, notPostedYet } from '../not-posted';
import { actorOf, baseConversationId, isChannelReference, localeOf } from '../activity';
import { auditCards } from '../audit-cards';
import type { TeamsBotDeps } from '../bot';
import { type AdaptiveCard, renderMessage } from '../cards';
import { mentionsBot, parseTeamsCommand, stripBotMention } from '../mention';
import { teamsMentionIn } from '../run-cards';
import { isAttachmentOnly } from '../welcome';
import { deskOrgOf, isDeskConversation, organisationOf } from '../desk-queue';
import { SUPPORT_CHANNEL_REF, TEAMS_GLOBAL_REF_OWNER, TEAMS_REF } from '../refs';
import { currentOrg, orgOfRequest } from '../../org-scope';

/** What the command handlers borrow from the bot. */
export interface TeamsCommandContext {
  deps: TeamsBotDeps;
  /** The turn's reference without activity id and thread suffix; remembered for new runs. */
  remember: (ctx: TurnContext) => Partial<ConversationReference>;
  reply: (ctx: TurnContext, card: AdaptiveCard) => Promise<void>;
  text: (locale: Locale, text: string, header?: string) => AdaptiveCard;
}

export async function handleCommand(bot: TeamsCommandContext, ctx: TurnContext): Promise<void> {
  const { builder, service, store, actions } = bot.deps;
  const a = ctx.activity;
  if (a.conversation.conversationType === 'channel' && !mentionsBot(a.text ?? '', a.recipient, a.entities ?? [])) {
    // In a channel only messages that mention the bot are for us (another bot's command is not).
    bot.deps.logger.debug({ conversation: baseConversationId(a.conversation.id) }, 'teams channel message without our mention ignored');
    return;
  }
  const ref = bot.remember(ctx);
  const L = localeOf(a.locale, bot.deps.defaultLocale);
  const actor = actorOf(a.from);
  const words = stripBotMention(a.text ?? '', a.recipient, a.entities ?? []);
  // A file or an image without text is not an empty command (which would mean `start`).
  if (isAttachmentOnly(words, a.attachments)) return bot.reply(ctx, bot.text(L, builder.t(L, 'teams.attachments_only')));
  const cmd = parseTeamsCommand(words);
  const baseId = baseConversationId(a.conversation.id);
  /** Loads a Teams run named in a command and refreshes its reference when typed in its conversation. */
  const loadRun = async (runId: string) => {
    const loaded = await service.load(runId, 'teams', { ...orgOfRequest(), actor, action: cmd.name });
    if (loaded.ok && loaded.value.channelId === baseId) await store.putRef(runId, TEAMS_REF.conversation, ref);
    return loaded;
  };
  switch (cmd.name) {
    case 'start': {
      const mayStart = service.authorize({ surface: 'teams', actor }, { op: 'start' });
      if (!mayStart.ok) return bot.reply(ctx, bot.text(L, builder.describeError(mayStart.error, L, undefined, 'teams')));
      return bot.reply(ctx, actions.startCard(L, cmd.institutionCode ? { institutionCode: cmd.institutionCode } : {}));
    }
    case 'help': {
      const text = [
        builder.t(L, 'help.text'),
        // Teams users type the words alone (`status`), not the Slack command.
        builder.commandList(L, '', service.access.commands({ surface: 'teams', actor })),
        builder.t(L, 'teams.help.notes'),
      ].join('\n\n');
      return bot.reply(ctx, bot.text(L, text, builder.t(L, 'help.header')));
    }
    case 'product':
      if (cmd.productCode && bot.deps.checks) return bot.reply(ctx, bot.deps.checks.productCard(cmd.productCode, L));
      return bot.reply(ctx, renderMessage(builder.productGuide(L)));
    case 'check':
      if (!bot.deps.checks) return bot.reply(ctx, bot.text(L, builder.t(L, 'error.check.unavailable')));
      return bot.reply(ctx, bot.deps.checks.commandCard(cmd, actor, L, a.conversation.conversationType === 'channel'));
    case 'status': {
      const mayRead = service.authorize({ surface: 'teams', actor }, { op: 'status' });
      if (!mayRead.ok) return bot.reply(ctx, bot.text(L, builder.describeError(mayRead.error, L, undefined, 'teams')));
      // In the support desk's channel, support sees every organisation's runs waiting on it.
      if (
        !cmd.runId &&
        service.access.isSupport({ actor, surface: 'teams' }) &&
        (await isDeskConversation(store, a.conversation.id, service.multiOrg ? (currentOrg() ?? '') : undefined))
      ) {
        const queue = await service.waitingOnSupport();
        const items = await Promise.all(queue.runs.map(async (run) => ({ run, organisation: await organisationOf(store, run) })));
        return bot.reply(ctx, renderMessage(builder.supportQueue(L, items, queue.now)));
      }
      if (!cmd.runId && a.conversation.conversationType === 'personal') {
        // Personal chat: "My runs" (issue 5), as the Slack App Home: open runs with Resume, last 10 completed.
        const lang = a.locale?.toLowerCase().split(/[-_]/)[0] ?? '';
        const own = (LOCALES as readonly string[]).includes(lang) ? L : undefined;
        const mine = await service.myRuns('teams', actor.id, currentOrg());
        return bot.reply(ctx, renderMessage(builder.myRuns('teams', own, mine, teamsMentionIn(builder, L))));
      }
      if (!cmd.runId) {
        const runs = await service.openRuns('teams', actor.id, currentOrg());
        return bot.reply(
          ctx,
          runs.length === 0 ? bot.text(L, builder.t(L, 'teams.status.none')) : renderMessage(builder.statusList(L, runs)),
        );
      }
      const loaded = await loadRun(cmd.runId);
      if (!loaded.ok) return bot.reply(ctx, bot.text(L, builder.describeError(loaded.error, L, undefined, 'teams')));
      return bot.reply(ctx, actions.cards.progress(loaded.value));
    }
    case 'resume':
    case 'cancel': {
      if (!cmd.runId) return bot.reply(ctx, bot.text(L, builder.t(L, 'teams.error.run_id_required', { command: cmd.name })));
      const loaded = await loadRun(cmd.runId);
      if (!loaded.ok) return bot.reply(ctx, bot.text(L, builder.describeError(loaded.error, L, undefined, 'teams')));
      const run = loaded.value;
      if (cmd.name === 'cancel') {
        if (run.status !== 'open' || !run.currentStep) {
          return bot.reply(
            ctx,
            bot.text(
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
          ...orgOfRequest(),
        });
        if (!mayCancel.ok) return bot.reply(ctx, bot.text(L, builder.describeError(mayCancel.error, L, undefined, 'teams')));
        return bot.reply(ctx, actions.cards.cancelConfirm(run, 'step', run.currentStep));
      }
      const since = Date.now();
      const r = await service.resume({ runId: run.id, actor, surface: 'teams', ...orgOfRequest() });
      if (!r.ok) return bot.reply(ctx, bot.text(L, builder.describeError(r.error, L, undefined, 'teams')));
      // Nothing to say when the step was posted (it is there); say so when it could not be (or was given up).
      const problem = await notPostedYet(store, run.id, since);
      const RL = run.details.language; // about a run: in the run's language
      if (problem) {
        const reason = notPostedReason(builder, RL, problem.code);
        const key = problem.gaveUp ? 'teams.resume.not_posted' : 'teams.resume.pending';
        return bot.reply(ctx, bot.text(RL, builder.t(RL, key, { runId: run.id, reason })));
      }
      return;
    }
    case 'support_channel': {
      // Only SecuTix support may choose where password requests go (SUPPORT_USERS; empty = everyone).
      // With several organisations the desk receives every organisation's requests: only people
      // named in SUPPORT_USERS may move it (an empty list lets no one, not everyone).
      const who = { actor, surface: 'teams' as const };
      if (!(service.multiOrg ? service.access.isListedSupport(who) : service.access.isSupport(who))) {
        bot.deps.logger.warn({ actor: actor.id }, 'teams support channel registration refused: not in SUPPORT_USERS');
        return bot.reply(ctx, bot.text(L, builder.t(L, 'teams.support_channel.not_support')));
      }
      if (!isChannelReference(ref)) return bot.reply(ctx, bot.text(L, builder.t(L, 'teams.support_channel.not_channel')));
      // Several tenants: a desk registered in one tenant is moved only from that tenant (ids are not tied to one).
      const deskOrg = service.multiOrg ? await deskOrgOf(store) : undefined;
      if (deskOrg !== undefined && deskOrg !== currentOrg()) {
        bot.deps.logger.warn(
          { actor: actor.id, org: currentOrg() ?? null },
          'teams support channel registration refused: the desk is in another tenant',
        );
        return bot.reply(ctx, bot.text(L, builder.t(L, 'teams.support_channel.other_tenant')));
      }
      await store.putRef(TEAMS_GLOBAL_REF_OWNER, SUPPORT_CHANNEL_REF, ref);
      bot.deps.logger.info({ conversation: baseId }, 'teams support channel registered');
      await bot.reply(ctx, bot.text(L, builder.t(L, 'teams.support_channel.saved')));
      // Requests of other surfaces' runs that waited for a Teams desk (`SECUTIX_SUPPORT_DESK=teams`) go out now.
      await service.releaseBlocked();
      return;
    }
    case 'audit': {
      // Issue 5: the run's whole trail as table cards (a CSV file would need Graph file permissions).
      if (!cmd.runId) return bot.reply(ctx, bot.text(L, builder.t(L, 'teams.error.run_id_required', { command: 'audit' })));
      const mayAudit = service.authorize({ surface: 'teams', actor }, { op: 'audit' });
      if (!mayAudit.ok) return bot.reply(ctx, bot.text(L, builder.describeError(mayAudit.error, L, undefined, 'teams')));
      const loaded = await loadRun(cmd.runId);
      if (!loaded.ok) return bot.reply(ctx, bot.text(L, builder.describeError(loaded.error, L, undefined, 'teams')));
      const exp = buildAuditExport(loaded.value, await store.audit(loaded.value.id), {
        ...(bot.deps.defaultTimeZone ? { defaultTimeZone: bot.deps.defaultTimeZone } : {}),
        erasedText: builder.t(loaded.value.details.language, 'value.erased'),
      });
      bot.deps.logger.info({ runId: exp.runId, actor: actor.id, entries: exp.rows.length }, 'audit trail exported');
      // About a run: in the run's language (as `status RUN` shows its card).
      for (const card of auditCards(exp, builder, loaded.value.details.language)) await bot.reply(ctx, card);
      return;
    }
    case 'unknown':
      return bot.reply(ctx, bot.text(L, builder.t(L, 'teams.error.unknown_command', { command: cmd.word.slice(0, 60) })));
  }
}
