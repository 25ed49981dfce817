/**
 * The Teams `ChatNotifier`: delivers a run's effects as Adaptive Cards through
 * `CloudAdapter.continueConversationAsync` with the run's stored `ConversationReference`
 * (platform-notes.md: the turn's context is revoked when the turn ends; a reference survives a
 * JSON round trip and a restart). Where things go (`chat-contract.md`, "Microsoft Teams"):
 * the progress card is one activity edited with `updateActivity`; in a channel, step cards,
 * reports and notices are replies in the progress card's thread (conversation id
 * `<channel>;messageid=<card id>`), in a personal chat plain posts; the support request goes
 * to the registered support channel, else to the run's thread. Reminders (issue 5): the operator
 * one and "support has not answered" in the run's thread with a real mention of who started the
 * run (`msteams.entities`); the support one as a reply to the support request.
 */
import type { Activity, CloudAdapter, ConversationParameters, ConversationReference, TurnContext } from 'botbuilder';
import { errorSummary } from '../../src/app/run-service';
import type { MessageBuilder } from '../../src/messages/builder';
import type { ChatNotifier } from '../../src/ports/chat-notifier.port';
import type { RunStore } from '../../src/ports/run-store.port';
import type { Logger } from '../../src/ports/logger.port';
import type { Actor, Effect, Run, VerificationProgress } from '../../src/workflow/types';
import { baseConversationId, isChannelReference, isPersonalReference, threadConversationId } from './activity';
import { type AdaptiveCard, cardActivity, renderMessage } from './cards';
import {
  type Posted,
  readPosted,
  readPostedList,
  readReference,
  readStepPostedList,
  SUPPORT_CHANNEL_REF,
  supportPostedSchema,
  TEAMS_GLOBAL_REF_OWNER,
  TEAMS_REF,
} from './refs';
import { RunCards } from './run-cards';
import { deliverForeignSupport, originSchema } from './foreign-support';
import { abandonedText, isTeamsUnavailable, notPostedCode } from './not-posted';
import { tenantOriginOf } from './tenant-origin';
import { cleanDisplayName } from '../../src/domain/display-text';

/**
 * Conversation references seen recently, by base conversation id (bounded, in memory). Only a
 * bridge for the first delivery of a new run (the run id does not exist yet when its turn
 * starts); the durable copy is `teams.conversation` in the run store.
 */
export class RecentReferences {
  private readonly map = new Map<string, Partial<ConversationReference>>();
  constructor(private readonly max = 1000) {}

  set(ref: Partial<ConversationReference>): void {
    const id = ref.conversation?.id;
    if (!id) return;
    this.map.delete(id);
    this.map.set(id, ref);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  get(conversationId: string): Partial<ConversationReference> | undefined {
    return this.map.get(baseConversationId(conversationId));
  }
}

/** Default of `TeamsOutbound`'s per-call timeout (Slack's Web API calls have 10 s). */
export const TEAMS_CALL_TIMEOUT_MS = 15_000;

/** Proactive posting and editing of cards in a referenced conversation. */
export class TeamsOutbound {
  constructor(
    private readonly adapter: CloudAdapter,
    /** `MICROSOFT_APP_ID`, or any non-empty string with authentication off. */
    private readonly appId: string,
    /**
     * How long one proactive call may take (the connector's client has no timeout of its own: a
     * connector that accepts and never answers would hold the run's outbox, and the start's drain,
     * for good). Past it the call fails as `ETIMEDOUT` (Teams unavailable: retried, not counted).
     */
    private readonly timeoutMs = TEAMS_CALL_TIMEOUT_MS,
  ) {}

  private async within<T>(ref: Partial<ConversationReference>, fn: (ctx: TurnContext) => Promise<T>): Promise<T> {
    let out: { v: T } | { err: unknown } | undefined;
    // The connector's error is kept and thrown here: thrown inside, the adapter's onTurnError would
    // swallow it and the outbox would only record that the logic did not run, not why.
    const call = this.adapter.continueConversationAsync(this.appId, ref, async (ctx) => {
      try {
        out = { v: await fn(ctx) };
      } catch (err) {
        out = { err };
      }
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error(`the Teams connector did not answer within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })),
        this.timeoutMs,
      );
    });
    call.catch(() => undefined); // a call that fails after the timeout is not an unhandled rejection
    try {
      await Promise.race([call, late]);
    } finally {
      clearTimeout(timer);
    }
    if (!out) throw new Error('continueConversationAsync ended without running the logic');
    if ('err' in out) throw out.err;
    return out.v;
  }

  private activity(ref: Partial<ConversationReference>, conversationId: string, card: AdaptiveCard): Partial<Activity> {
    return {
      ...cardActivity(card),
      channelId: ref.channelId,
      serviceUrl: ref.serviceUrl,
      conversation: { ...(ref.conversation as NonNullable<ConversationReference['conversation']>), id: conversationId },
      ...(ref.bot ? { from: ref.bot } : {}),
      ...(ref.user ? { recipient: ref.user } : {}),
    };
  }

  /**
   * Posts `card` to `conversationId` (a reply to `replyToId` when given: `POST .../activities/{replyToId}`,
   * else `POST .../activities`). @returns the connector's activity id. @throws on a connector error or an empty id.
   */
  async post(ref: Partial<ConversationReference>, conversationId: string, card: AdaptiveCard, replyToId?: string): Promise<Posted> {
    const id = await this.within(ref, async (ctx) => {
      const a = this.activity(ref, conversationId, card);
      if (replyToId) a.replyToId = replyToId;
      const [res] = await ctx.adapter.sendActivities(ctx, [a]);
      return res?.id;
    });
    if (!id) throw new Error('the connector returned no activity id');
    return { activityId: id, conversationId };
  }

  /**
   * Posts `card` in a personal chat between the bot and `userId` (its AAD object id), created on
   * the run's tenant and service URL (`POST /v3/conversations`, then a post in it). @throws on a
   * connector error.
   */
  async postToUser(ref: Partial<ConversationReference>, userId: string, card: AdaptiveCard): Promise<void> {
    const tenantId = ref.conversation?.tenantId;
    const params = {
      isGroup: false,
      members: [{ id: userId, name: '' }],
      ...(ref.bot ? { bot: ref.bot } : {}),
      ...(tenantId ? { tenantId, channelData: { tenant: { id: tenantId } } } : {}),
    } as unknown as ConversationParameters;
    let failure: { err: unknown } | undefined;
    await this.adapter.createConversationAsync(this.appId, ref.channelId ?? 'msteams', ref.serviceUrl ?? '', '', params, async (ctx) => {
      try {
        await ctx.sendActivity(cardActivity(card));
      } catch (err) {
        failure = { err };
      }
    });
    if (failure) throw failure.err;
  }

  /** Replaces the card of a posted activity (`PUT .../activities/{id}`). @throws on a connector error. */
  async update(ref: Partial<ConversationReference>, posted: Posted, card: AdaptiveCard): Promise<void> {
    await this.within(ref, async (ctx) => {
      await ctx.adapter.updateActivity(ctx, { ...this.activity(ref, posted.conversationId, card), id: posted.activityId });
    });
  }
}

/**
 * Who `a` is in a mention: the display name without the characters Markdown acts on (the `<at>`
 * text must equal the entity's, so it cannot carry escapes), or "Teams user" when Teams sent none
 * or nothing else is left (never an AAD id).
 */
const nameOf = (a: Actor, unnamed: string): string =>
  cleanDisplayName(a.name, [a.id])
    ?.replace(/[\\`*_~[\]<>#&]/g, '')
    .replace(/\s+/g, ' ')
    .trim() || unnamed;

/**
 * Adds the `msteams.entities` mention of `who` to a card whose text holds `<at>name</at>`
 * (Teams, "Mention support within Adaptive Cards": `mentioned.id` may be the AAD object id).
 */
export function withMention(card: AdaptiveCard, who: Actor, unnamed: string): AdaptiveCard & { msteams: unknown } {
  const name = nameOf(who, unnamed);
  return { ...card, msteams: { entities: [{ type: 'mention', text: `<at>${name}</at>`, mentioned: { id: who.id, name } }] } };
}

/** Most verifications under way whose progress card is remembered (one per run). */
const MAX_PROGRESS_POSTS = 1000;

/** Dependencies of `TeamsNotifier`. */
export interface TeamsNotifierDeps {
  outbound: TeamsOutbound;
  store: RunStore;
  builder: MessageBuilder;
  recent: RecentReferences;
  /** Where a progress update that could not be shown is logged (it never fails the verification). */
  logger?: Logger;
}

export class TeamsNotifier implements ChatNotifier {
  private readonly cards: RunCards;
  /** The progress message of each verification under way (run id -> posted activity); in memory, transient. */
  private readonly progressPosts = new Map<string, Posted>();
  constructor(private readonly deps: TeamsNotifierDeps) {
    this.cards = new RunCards(deps.builder);
  }

  /** True when `deliver` failed because Teams is unreachable or overloaded (`isTeamsUnavailable`): not counted toward giving up. */
  isUnavailable(err: unknown): boolean {
    return isTeamsUnavailable(err);
  }

  /**
   * The outbox gave `effect` up: remembers when and why on the run (`teams.blocked`), so that a
   * `resume` whose post was the one given up says it was not posted instead of "posted again";
   * then tells the run's starter, in the run's language, what is blocked, why and how to try
   * again (as Slack's notifier does): a card in the run's conversation mentioning them, else (Teams
   * refuses that conversation too) in a personal chat with them. Never throws for a notice that
   * cannot go out (logged).
   */
  async deliveryAbandoned(run: Run, effect: Effect, info: { error: string; attempts: number }): Promise<void> {
    const code = notPostedCode(info.error);
    await this.deps.store.putRef(run.id, TEAMS_REF.blocked, { code, at: Date.now() });
    const { store, outbound, builder } = this.deps;
    const L = run.details.language;
    const unnamed = builder.t(L, 'teams.user.unnamed');
    const text = abandonedText(builder, run, effect, { code, attempts: info.attempts }, `<at>${nameOf(run.startedBy, unnamed)}</at>`);
    const card = withMention(
      renderMessage({ kind: 'notice', locale: L, text, blocks: [{ type: 'text', text }], actions: [] }),
      run.startedBy,
      unnamed,
    );
    let ref: Partial<ConversationReference> | undefined;
    try {
      const refs = await store.getRefs(run.id);
      ref = await this.reference(run, refs);
      const t = this.threadTarget(ref, refs);
      await outbound.post(ref, t.conversationId, card, t.replyToId);
      return;
    } catch (err) {
      this.deps.logger?.warn({ runId: run.id, err: errorSummary(err) }, 'teams: the give-up notice could not go to the run conversation');
    }
    if (!ref || isPersonalReference(ref)) return; // no conversation known, or the starter's own chat was the one refused
    try {
      await outbound.postToUser(ref, run.startedBy.id, card);
    } catch (err) {
      this.deps.logger?.warn({ runId: run.id, err: errorSummary(err) }, 'teams: the give-up notice could not go to the starter either');
    }
  }

  /**
   * Shows a verification's progress in the run's thread (`ChatNotifier.progress`): the first call
   * posts the card proactively, later calls replace it (`updateActivity`, same activity id), the
   * `done` one turns it into the pointer to the report and forgets it. Never throws: an update that
   * fails is logged and the verification goes on (the next call tries again on the same activity).
   */
  async progress(run: Run, p: VerificationProgress): Promise<void> {
    try {
      const { store, outbound, builder } = this.deps;
      const refs = await store.getRefs(run.id);
      const ref = await this.reference(run, refs);
      const card = renderMessage(builder.progress(run, p), { runLabel: this.cards.runLabel(run) });
      // In memory, else posted by a process that died (kept in the run store until `done`).
      const existing = this.progressPosts.get(run.id) ?? readPosted(refs[TEAMS_REF.progress]);
      if (existing) {
        await outbound.update(ref, existing, card);
      } else if (!p.interrupted) {
        const t = this.threadTarget(ref, refs);
        const posted = await outbound.post(ref, t.conversationId, card, t.replyToId);
        if (!p.done) {
          this.progressPosts.set(run.id, posted);
          await store.putRef(run.id, TEAMS_REF.progress, posted);
          // Bounded: a verification cut short (no `done`) leaves its entry; the oldest go first.
          if (this.progressPosts.size > MAX_PROGRESS_POSTS) this.progressPosts.delete(this.progressPosts.keys().next().value as string);
        }
      }
      if (p.done) {
        this.progressPosts.delete(run.id);
        if (refs[TEAMS_REF.progress]) await store.putRef(run.id, TEAMS_REF.progress, null);
      }
    } catch (err) {
      if (p.done) this.progressPosts.delete(run.id);
      this.deps.logger?.warn({ runId: run.id, done: p.done, err: errorSummary(err) }, 'teams verification progress not shown');
    }
  }

  /** The run's conversation reference: stored, else the recent one of its conversation (then stored). */
  private async reference(run: Run, refs: Record<string, unknown>): Promise<Partial<ConversationReference>> {
    const stored = readReference(refs[TEAMS_REF.conversation]);
    if (stored) return stored;
    const recent = this.deps.recent.get(run.channelId);
    if (!recent) throw new Error(`no Teams conversation reference for run ${run.id}`);
    await this.deps.store.putRef(run.id, TEAMS_REF.conversation, recent);
    return recent;
  }

  /** Where thread posts of the run go: the progress card's thread in a channel, the chat otherwise. */
  private threadTarget(ref: Partial<ConversationReference>, refs: Record<string, unknown>): { conversationId: string; replyToId?: string } {
    const base = baseConversationId(ref.conversation!.id);
    const card = readPosted(refs[TEAMS_REF.card]);
    if (isChannelReference(ref) && card) return { conversationId: threadConversationId(base, card.activityId), replyToId: card.activityId };
    return { conversationId: base };
  }

  /**
   * Delivers one effect (see the module doc). Safe to call again: the progress card is edited when
   * it exists. @throws when the run has no conversation reference or the connector fails (the
   * outbox keeps the effect and retries).
   */
  async deliver(run: Run, effect: Effect): Promise<void> {
    // A run of another surface whose support desk is on Teams (`SECUTIX_SUPPORT_DESK=teams`).
    if (run.surface !== 'teams') return deliverForeignSupport(this.deps, run, effect, this.cards.runLabel(run));
    const { store, outbound, builder } = this.deps;
    const refs = await store.getRefs(run.id);
    const ref = await this.reference(run, refs);
    const base = baseConversationId(ref.conversation!.id);
    const label = this.cards.runLabel(run);
    const mention = this.cards.mention(run);
    const unnamed = builder.t(run.details.language, 'teams.user.unnamed');
    const postInThread = async (card: AdaptiveCard): Promise<Posted> => {
      const t = this.threadTarget(ref, refs);
      return outbound.post(ref, t.conversationId, card, t.replyToId);
    };
    const remember = async (key: string, posted: Posted): Promise<void> => {
      const list = readPostedList((await store.getRefs(run.id))[key]);
      await store.putRef(run.id, key, [...list, posted]);
    };
    switch (effect.type) {
      case 'card': {
        const card = this.cards.progress(run);
        const existing = readPosted(refs[TEAMS_REF.card]);
        if (existing) return outbound.update(ref, existing, card);
        const posted = await outbound.post(ref, base, card);
        await store.putRef(run.id, TEAMS_REF.card, posted);
        return;
      }
      case 'step_prompt': {
        const msg = builder.stepPrompt(run, effect.step);
        const card = renderMessage(msg, { runLabel: label });
        const posted = await postInThread(card);
        if (msg.actions.length === 0) return remember(TEAMS_REF.step(effect.step), posted);
        // One live set of actions per run (as in Slack): a step posted again (resume, answers
        // changed) is the live copy; every older card of that step (an earlier copy, a failed
        // report) keeps its text, and its buttons become a pointer to it.
        const key = TEAMS_REF.step(effect.step);
        const older = readStepPostedList((await store.getRefs(run.id))[key]).filter((p) => p.activityId !== posted.activityId);
        const pointer = renderMessage(builder.superseded(run, 'step', effect.step), { runLabel: label });
        for (const p of older) await outbound.update(ref, p, this.cards.keptWithPointer(run, p.body, pointer));
        await store.putRef(run.id, key, [{ ...posted, body: card.body }]);
        return;
      }
      case 'step_closed': {
        const card = this.cards.stepClosed(run, effect);
        for (const posted of readPostedList(refs[TEAMS_REF.step(effect.step)])) await outbound.update(ref, posted, card);
        return;
      }
      case 'support_request': {
        const support = readReference((await store.getRefs(TEAMS_GLOBAL_REF_OWNER))[SUPPORT_CHANNEL_REF]);
        const origin = support ? await tenantOriginOf(store, run, support) : null;
        const card = renderMessage(builder.supportRequest(run, { mention, ...(origin ? { origin } : {}) }), { runLabel: label });
        if (support) {
          const posted = await outbound.post(support, baseConversationId(support.conversation!.id), card);
          await store.putRef(run.id, TEAMS_REF.support, { ...posted, reference: support, ...(origin ? { origin } : {}) });
        } else {
          const posted = await postInThread(card);
          await store.putRef(run.id, TEAMS_REF.support, { ...posted, reference: ref });
        }
        return;
      }
      case 'support_closed': {
        const parsed = supportPostedSchema.safeParse(refs[TEAMS_REF.support]);
        if (!parsed.success) return;
        const origin = originSchema.safeParse((refs[TEAMS_REF.support] as { origin?: unknown }).origin).data;
        const card = renderMessage(builder.supportClosed(run, effect, { mention, ...(origin ? { origin } : {}) }), { runLabel: label });
        const { reference, ...posted } = parsed.data;
        return outbound.update(reference as unknown as Partial<ConversationReference>, posted, card);
      }
      case 'verification_report': {
        const msg = builder.report(run);
        const card = renderMessage(msg, { runLabel: label });
        const posted = await postInThread(card);
        if (msg.actions.length === 0) return;
        // Only the newest report keeps live buttons: older verification cards keep their text
        // (each check result and fix) and their buttons become a pointer to it.
        const key = TEAMS_REF.step('verification');
        const older = readStepPostedList((await store.getRefs(run.id))[key]).filter((p) => p.activityId !== posted.activityId);
        const pointer = renderMessage(builder.superseded(run), { runLabel: label });
        for (const p of older) await outbound.update(ref, p, this.cards.keptWithPointer(run, p.body, pointer));
        await store.putRef(run.id, key, [{ ...posted, body: card.body }]);
        return;
      }
      case 'answers_changed': {
        await postInThread(renderMessage(builder.answersChanged(run, effect, mention), { runLabel: label }));
        return;
      }
      case 'answers_erased': {
        // With its answers_edit action: remembered with the verification step's cards, closed with them.
        const msg = builder.answersErased(run, effect);
        const card = renderMessage(msg, { runLabel: label, card: 'notice' });
        const posted = await postInThread(card);
        if (msg.actions.length === 0) return;
        // The earlier verification cards (a report may show the erased value, escaped for
        // Markdown where the store's erasure may not find it) are replaced by a pointer to this
        // one: no live button, no value left on them.
        const key = TEAMS_REF.step('verification');
        const older = readPostedList((await store.getRefs(run.id))[key]).filter((p) => p.activityId !== posted.activityId);
        const pointer = renderMessage(builder.superseded(run, 'step', 'verification'), { runLabel: label });
        for (const p of older) await outbound.update(ref, p, pointer);
        await store.putRef(run.id, key, [{ ...posted, body: card.body }]);
        return;
      }
      case 'notice': {
        await postInThread(renderMessage(builder.notice(run, effect.code, effect.params ?? {}), { runLabel: label }));
        return;
      }
      case 'reminder_snoozed': {
        await postInThread(renderMessage(builder.forEffect(run, effect, { mention }), { runLabel: label }));
        return;
      }
      case 'reminder': {
        if (effect.kind === 'support') {
          const card = renderMessage(builder.forEffect(run, effect, { mention }), { runLabel: label });
          const request = supportPostedSchema.safeParse(refs[TEAMS_REF.support]);
          if (!request.success) {
            await postInThread(card);
            return;
          }
          const { reference, ...posted } = request.data;
          const where = reference as unknown as Partial<ConversationReference>;
          const whereBase = baseConversationId(where.conversation!.id);
          if (whereBase === base) {
            await postInThread(card); // the request is in the run's own thread (no support channel)
            return;
          }
          // A reply to the request in the support channel (or next to it in a chat).
          if (isChannelReference(where))
            await outbound.post(where, threadConversationId(whereBase, posted.activityId), card, posted.activityId);
          else await outbound.post(where, whereBase, card);
          return;
        }
        // Operator reminder and "support has not answered": a real mention, so Teams notifies the starter.
        const card = renderMessage(builder.forEffect(run, effect, { mention: (a) => `<at>${nameOf(a, unnamed)}</at>` }), {
          runLabel: label,
        });
        await postInThread(withMention(card, run.startedBy, unnamed));
        return;
      }
    }
  }
}
