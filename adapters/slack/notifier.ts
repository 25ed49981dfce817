/**
 * The Slack side of `ChatNotifier`: delivers a run's effects as Block Kit messages with the bot
 * token (never `response_url`, which expires after 30 minutes; `chat-contract.md`).
 *
 * Where each effect goes (`chat-contract.md`, "Messages"):
 * - `card`: first `chat.postMessage` in the run's channel (ref `slack.card`), later `chat.update`.
 * - `step_prompt`, `verification_report`, `notice`, `answers_changed`, `answers_erased`: in the
 *   card's thread (`thread_ts`); a report with buttons and the `answers_erased` notice (its
 *   `answers_edit` button) are remembered with the verification step's messages.
 * - verification progress (`progress`, not an effect): one message in the thread, posted once and
 *   edited in place, ending as a pointer to the report (`./progress.ts`; in memory only).
 * - `step_closed`: `chat.update` of every remembered message of the step (refs
 *   `slack.step.<step>`), same content, buttons replaced by the who-did-what line.
 * - `support_request`: one message in the support channel (or, when unset, in the run's thread
 *   addressed to SecuTix support) with a `chat.getPermalink` link (ref `slack.support`);
 *   `support_closed` edits it. With `TEAM_ID/CHANNEL_ID`, in the support desk's own workspace
 *   (`delivery/support.ts`).
 * - `reminder` (issue 5): `operator` and `support_unanswered` in the thread (mentioning who
 *   started the run; the operator one with the `reminder_snooze` button); `support` as a reply to
 *   the support request, broadcast to the support channel (or in the run's thread without one);
 *   `reminder_snoozed` in the thread.
 * Every message carries `metadata` `{event_type: 'digitick_run', event_payload: {run_id, step, state}}`;
 * a message posted for an outbox item also carries `event_payload.delivery_id` (the item id).
 *
 * Exactly-once posting (`platform-notes.md`: a `chat.postMessage` that may have landed must not be
 * blindly repeated). `chat.postMessage` goes through `postClient`, which never retries by itself;
 * the notifier waits out a 429's `Retry-After` (Slack did not post) and tries again. Before an
 * outbox item's post it writes the ref `slack.delivery.<id>` = `posting`; after Slack's answer,
 * `posted` with the `ts` (or nothing after a clean `ok: false`). An item whose ref still says
 * `posting` (a timeout, a 5xx, a reset connection, a crash) is first looked for with
 * `conversations.history` / `conversations.replies` (`include_all_metadata`, recent messages) by
 * `delivery_id`; when found, its `ts` is used as if just posted. Deliveries are serialised per
 * run channel (Slack's rate limit is per channel, and two runs' messages keep their order).
 */
import { showErased } from '../../src/domain/erased';
import { z } from 'zod';
import type { StepId } from '../../src/domain/ids';
import type { MessageBuilder } from '../../src/messages/builder';
import type { Message } from '../../src/messages/model';
import type { ChatNotifier, Delivery } from '../../src/ports/chat-notifier.port';
import type { Actor, Effect, Run, VerificationProgress } from '../../src/workflow/types';
import { tellAbandoned } from './blocked';
import { renderMessage, slackRef, type SlackBlock, type SlackMessagePayload, withoutActions } from './block-kit';
import { SlackProgressMessages } from './progress';
import {
  type MessageRef,
  messageRefSchema,
  permalinkSchema,
  progressRefSchema,
  SLACK_PROGRESS_REF,
  SLACK_REF,
  stepRefSchema,
} from './delivery/refs';
import { SlackPoster, type SlackPosterDeps } from './delivery/post-once';
import { SupportMessages, type SupportDeskWorkspace } from './delivery/support';
import { recordRunOrigin } from './delivery/run-origin';
import { errCode, isAmbiguousFailure, isSlackUnavailable, slackErrorCode } from './web-errors';

export { SLACK_PROGRESS_REF, SLACK_REF, type DeliveryMarker, type MessageRef, type StepMessageRef } from './delivery/refs';
export type { SlackWeb } from './delivery/slack-web';

/**
 * How this surface names a person: a Slack mention (a reference the Block Kit renderer turns into
 * `<@U…>`; plain_text shows the name).
 */
export const slackMention = (a: Actor): string =>
  /^[UW][A-Z0-9]{2,}$/.test(a.id) ? slackRef(`@${a.id}`, a.name ?? a.id) : (a.name ?? a.id);

/**
 * `slackMention` for a message read in organisation `viewerOrg`: someone who acted from another
 * organisation (multi-organisation mode: support in an institution's thread, an operator on the
 * support desk) is named in plain text, since a mention of another workspace's user means nothing.
 */
export const slackMentionFor =
  (viewerOrg: string | undefined) =>
  (a: Actor): string =>
    a.org && viewerOrg && a.org !== viewerOrg ? (a.name ?? a.id) : slackMention(a);
export interface SlackNotifierDeps extends SlackPosterDeps {
  builder: MessageBuilder;
  /** `SECUTIX_SUPPORT_SLACK_CHANNEL`'s channel; unset: the request goes in the run's thread. */
  supportChannel?: string;
  /** The support desk in its own workspace (`TEAM_ID/CHANNEL_ID`, OAuth mode): `delivery/support.ts`. */
  supportDesk?: SupportDeskWorkspace;
  /**
   * The support desk is on another platform (`SECUTIX_SUPPORT_DESK=teams`): store who asks (the
   * run's workspace, requester, email: `delivery/run-origin.ts`) at the run's first delivery.
   */
  recordOrigin?: boolean;
}

/** Delivers run effects to Slack. Safe to call again after a failure (edits rather than posts twice when it can). */
export class SlackNotifier implements ChatNotifier {
  /** Last Slack error code of a failed card post per run (e.g. `not_in_channel`), for the surface to explain. */
  readonly lastCardFailure = new Map<string, string>();
  /** Publishes a user's App Home tab again (set by the surface), so a given-up delivery shows there. */
  republishHome?: (userId: string) => Promise<void>;

  /** The progress message of each run's verification, in memory only (`progress`). */
  private readonly progressMessages = new SlackProgressMessages();
  /** Tail of each run channel's delivery queue (FIFO per channel id). */
  private readonly queues = new Map<string, Promise<void>>();
  /** Exactly-once `chat.postMessage` (`delivery/post-once.ts`). */
  private readonly poster: SlackPoster;

  /** The messages to SecuTix support (`delivery/support.ts`). */
  private readonly support: SupportMessages;

  constructor(private readonly deps: SlackNotifierDeps) {
    this.poster = new SlackPoster(deps);
    this.support = new SupportMessages({
      client: deps.client,
      store: deps.store,
      builder: deps.builder,
      logger: deps.logger,
      poster: this.poster,
      ...(deps.supportChannel ? { supportChannel: deps.supportChannel } : {}),
      ...(deps.supportDesk ? { desk: deps.supportDesk } : {}),
      requireCard: (run) => this.requireCard(run),
      mention: slackMention,
      render: (msg) => this.render(msg),
    });
  }

  /**
   * Delivers `effect` of `run`, after every delivery already queued for the same run channel
   * (across runs). With `delivery` (an outbox item), its post is tagged and never made twice.
   * @throws the Web API error (the outbox keeps the effect and retries), or Error when the card is
   *   not posted yet for an effect that belongs in its thread.
   */
  async deliver(run: Run, effect: Effect, delivery?: Delivery): Promise<void> {
    const key = run.channelId;
    const mine = (this.queues.get(key) ?? Promise.resolve()).then(() => this.deliverNow(run, effect, delivery));
    const tail = mine.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, tail);
    try {
      await mine;
    } finally {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    }
  }

  /**
   * A verification's progress (`ChatNotifier.progress`): the first call posts it in the run's
   * thread, later calls `chat.update` that message, the `done` one turns it into the pointer to
   * the report. Where it is stays in memory only. Never throws: a failure is logged and the
   * verification goes on (the next call tries again).
   */
  async progress(run: Run, p: VerificationProgress): Promise<void> {
    try {
      const payload = this.render(this.deps.builder.progress(run, p));
      const { store } = this.deps;
      await this.progressMessages.show(
        run.id,
        payload,
        p.done,
        {
          thread: () => this.requireCard(run),
          post: (args) => this.poster.postNow(args),
          update: (args) => this.deps.client.apiCall('chat.update', { ...args }),
          replies: (args) => this.deps.client.apiCall('conversations.replies', { ...args }),
          ambiguous: isAmbiguousFailure,
          durable: {
            save: (runId, at) => store.putRef(runId, SLACK_PROGRESS_REF, at),
            load: async (runId) => progressRefSchema.safeParse((await store.getRefs(runId))[SLACK_PROGRESS_REF]).data,
          },
        },
        // Closing an interrupted verification edits its message only: nothing new is posted.
        p.interrupted === true,
      );
    } catch (err) {
      this.deps.logger.warn(
        { runId: run.id, done: p.done, slackError: slackErrorCode(err) ?? errCode(err) },
        'verification progress not shown in Slack',
      );
    }
  }

  private async deliverNow(run: Run, effect: Effect, d: Delivery | undefined): Promise<void> {
    const safe = run;
    if (this.deps.recordOrigin) await recordRunOrigin(this.deps, run);
    switch (effect.type) {
      case 'card':
        return this.card(run, safe, d);
      case 'step_prompt': {
        // One live set of buttons per run: a step posted again (resume, answers changed) becomes
        // the live copy, and every older message of that step (an earlier copy, a failed
        // report's buttons) points to it instead.
        const msg = this.build(safe, effect);
        const key = SLACK_REF.step(effect.step);
        const older = msg.actions.length > 0 ? await this.stepRefs(run.id, key) : [];
        const posted = await this.postInThread(run, msg, d, key);
        if (msg.actions.length > 0) await this.pointToNewest(run, key, older, posted, 'step', effect.step);
        return;
      }
      case 'step_closed':
        return this.closeStep(run, safe, effect);
      case 'support_request':
        return this.support.request(safe, d);
      case 'support_closed':
        return this.support.closed(safe, effect);
      case 'verification_report': {
        const msg = this.build(safe, effect);
        const key = SLACK_REF.step('verification');
        if (msg.actions.length === 0) {
          // A report without buttons (passed): an older failed report only points to it, instead
          // of keeping its failed lines under the "passed (verified by)" line the step close adds.
          const reports = (await this.stepRefs(run.id, key)).filter((r) => r.report);
          const posted = await this.postInThread(run, msg, d);
          if (reports.length > 0) await this.pointToNewest(run, key, reports, posted, 'final_report');
          return;
        }
        const older = await this.stepRefs(run.id, key);
        const posted = await this.postInThread(run, msg, d, key);
        await this.pointToNewest(run, key, older, posted);
        return;
      }
      case 'notice':
      case 'reminder_snoozed':
        await this.postInThread(run, this.build(safe, effect), d);
        return;
      case 'answers_changed':
        // The old and new values are typed text (names, email): the renderer escapes them like all mrkdwn.
        await this.postInThread(run, this.build(safe, effect), d);
        return;
      case 'answers_erased': {
        // Its `answers_edit` button is closed with the verification step, like the step message's.
        // The earlier verification messages (a report may show the erased value) lose their
        // buttons and point to this one; their stored snapshots were erased before.
        const msg = this.build(safe, effect);
        const key = SLACK_REF.step('verification');
        const older = await this.stepRefs(run.id, key);
        const posted = await this.postInThread(run, msg, d, msg.actions.length ? key : undefined);
        await this.pointToNewest(run, key, older, posted, 'step');
        return;
      }
      case 'reminder':
        if (effect.kind === 'support') return this.support.reminder(safe, effect, d);
        // Operator reminders and "support has not answered": in the thread, mentioning who started the run.
        await this.postInThread(run, this.build(safe, effect), d);
        return;
    }
  }

  /**
   * The outbox gave `effect` up: remembers it on the run (App Home shows it until a later post
   * succeeds), tells the run's starter ephemerally in the run's channel when Slack lets it, and
   * publishes their App Home tab again. Never throws for a failed notice (logged).
   */
  async deliveryAbandoned(run: Run, effect: Effect, info: { error: string; attempts: number }): Promise<void> {
    await tellAbandoned({ ...this.deps, ...(this.republishHome ? { republishHome: this.republishHome } : {}) }, run, effect, info);
  }

  /** True when `deliver` failed because Slack is unreachable or overloaded (`isSlackUnavailable`): not counted toward giving up. */
  isUnavailable(err: unknown): boolean {
    return isSlackUnavailable(err);
  }

  private build(run: Run, effect: Effect, runLink?: string | null): Message {
    return this.deps.builder.forEffect(run, effect, { mention: slackMentionFor(run.org), ...(runLink !== undefined ? { runLink } : {}) });
  }

  private render(msg: Message, extraBlocks?: SlackBlock[]): SlackMessagePayload {
    const L = msg.locale;
    return renderMessage(msg, {
      outcomeLabel: (o) => this.deps.builder.t(L, `report.outcome.${o}`),
      stateLabel: (s) => this.deps.builder.t(L, `state.${s}`),
      ...(extraBlocks ? { extraBlocks } : {}),
    });
  }

  private async refs(runId: string): Promise<Record<string, unknown>> {
    return this.deps.store.getRefs(runId);
  }

  private async cardRef(runId: string): Promise<MessageRef | null> {
    const r = messageRefSchema.safeParse((await this.refs(runId))[SLACK_REF.card]);
    return r.success ? r.data : null;
  }

  private async card(run: Run, safe: Run, d: Delivery | undefined): Promise<void> {
    const payload = this.render(this.build(safe, { type: 'card' }));
    const ref = await this.cardRef(run.id);
    if (ref) {
      await this.deps.client.apiCall('chat.update', { channel: ref.channel, ts: ref.ts, ...payload });
      return;
    }
    let posted: MessageRef;
    try {
      posted = await this.poster.post(run, { channel: run.channelId, ...payload }, d);
    } catch (err) {
      const code = slackErrorCode(err);
      if (code) this.lastCardFailure.set(run.id, code);
      throw err;
    }
    this.lastCardFailure.delete(run.id);
    await this.deps.store.putRef(run.id, SLACK_REF.card, posted);
  }

  /**
   * The run's card, posted now when it is missing: the outbox delivers in order, so a thread
   * message with no card means the card's delivery was given up (e.g. the bot was not in the
   * channel); once that is fixed, the next message brings the card back first.
   * @throws the Web API error when the card cannot be posted either.
   */
  private async requireCard(run: Run): Promise<MessageRef> {
    const ref = await this.cardRef(run.id);
    if (ref) return ref;
    await this.card(run, run, undefined);
    const posted = await this.cardRef(run.id);
    if (!posted) throw new Error(`run ${run.id}: the progress card is not posted yet`);
    return posted;
  }

  /** Posts in the card's thread; with `rememberAs`, appends the message to that step ref list (once). */
  private async postInThread(
    run: Run,
    msg: Message,
    d: Delivery | undefined,
    rememberAs?: string,
    extraBlocks?: SlackBlock[],
  ): Promise<MessageRef> {
    const card = await this.requireCard(run);
    const payload = this.render(msg, extraBlocks);
    const ref = await this.poster.post(run, { channel: card.channel, thread_ts: card.ts, ...payload }, d);
    if (rememberAs) {
      const list = z
        .array(stepRefSchema)
        .catch([])
        .parse((await this.refs(run.id))[rememberAs] ?? []);
      if (!list.some((r) => r.ts === ref.ts && r.channel === ref.channel)) {
        const report = msg.kind === 'report' ? { report: true as const } : {};
        list.push({ ...ref, text: payload.text, blocks: withoutActions(payload.blocks).map((b) => ({ ...b })), ...report });
        await this.deps.store.putRef(run.id, rememberAs, list);
      }
    }
    return ref;
  }

  private async stepRefs(runId: string, key: string): Promise<z.infer<typeof stepRefSchema>[]> {
    return z
      .array(stepRefSchema)
      .catch([])
      .parse((await this.refs(runId))[key] ?? []);
  }

  /**
   * Only the newest verification message keeps live buttons: each older one (the step message,
   * earlier reports, resumed copies) keeps its content and gets a pointer to the newest report
   * instead of its buttons, and leaves the step's list (later closes edit only the live one).
   */
  private async pointToNewest(
    run: Run,
    key: string,
    older: z.infer<typeof stepRefSchema>[],
    newest: MessageRef,
    newer: 'report' | 'final_report' | 'step' = 'report',
    step: StepId = 'verification',
  ): Promise<void> {
    const stale = older.filter((r) => r.ts !== newest.ts);
    if (stale.length === 0) return;
    let link: string | null = null;
    try {
      const res = permalinkSchema.safeParse(
        await this.deps.client.apiCall('chat.getPermalink', { channel: newest.channel, message_ts: newest.ts }),
      );
      link = res.success ? res.data.permalink : null;
    } catch (err) {
      this.deps.logger.warn({ runId: run.id, slackError: slackErrorCode(err) }, 'no permalink for the newest report');
    }
    const msg = this.deps.builder.superseded(run, newer, step);
    const label = this.deps.builder.t(msg.locale, newer === 'step' ? 'slack.newest_step' : 'slack.newest_report');
    const pointer = link ? `${msg.text} ${slackRef(link, label)}` : msg.text;
    const closed = this.render({ ...msg, text: pointer, blocks: [{ type: 'context', text: pointer }] });
    // A snapshot the password guard erased holds the data marker: shown as the run language's placeholder.
    const erasedText = this.deps.builder.t(msg.locale, 'value.erased');
    const shown = <T>(v: T): T => JSON.parse(showErased(JSON.stringify(v), JSON.stringify(erasedText).slice(1, -1))) as T;
    for (const ref of stale) {
      await this.deps.client.apiCall('chat.update', {
        channel: ref.channel,
        ts: ref.ts,
        text: `${shown(ref.text)}\n${closed.text}`,
        blocks: [...shown(ref.blocks), ...closed.blocks],
        ...(closed.metadata ? { metadata: closed.metadata } : {}),
      });
    }
    const keep = (await this.stepRefs(run.id, key)).filter((r) => !stale.some((s) => s.ts === r.ts));
    await this.deps.store.putRef(run.id, key, keep);
  }

  private async closeStep(run: Run, safe: Run, effect: Extract<Effect, { type: 'step_closed' }>): Promise<void> {
    const list = z
      .array(stepRefSchema)
      .catch([])
      .parse((await this.refs(run.id))[SLACK_REF.step(effect.step)] ?? []);
    const closed = this.render(this.build(safe, effect));
    for (const ref of list) {
      await this.deps.client.apiCall('chat.update', {
        channel: ref.channel,
        ts: ref.ts,
        text: `${ref.text}\n${closed.text}`,
        // the remembered blocks lost their actions block, so one more block stays within 50
        blocks: [...ref.blocks, ...closed.blocks],
        ...(closed.metadata ? { metadata: closed.metadata } : {}),
      });
    }
  }
}
