/**
 * The Slack side of `ChatNotifier`: delivers a run's effects as Block Kit messages with the bot
 * token (never `response_url`, which expires after 30 minutes; `chat-contract.md`).
 *
 * Where each effect goes (`chat-contract.md`, "Messages"):
 * - `card`: first `chat.postMessage` in the run's channel (ref `slack.card`), later `chat.update`.
 * - `step_prompt`, `verification_report`, `notice`: in the card's thread (`thread_ts`).
 * - `step_closed`: `chat.update` of every remembered message of the step (refs
 *   `slack.step.<step>`), same content, buttons replaced by the who-did-what line.
 * - `support_request`: one message in the support channel (or, when unset, in the run's thread
 *   addressed to SecuTix support) with a `chat.getPermalink` link (ref `slack.support`);
 *   `support_closed` edits it.
 * Every message carries `metadata` `{event_type: 'digitick_run', event_payload: {run_id, step, state}}`.
 */
import { z } from 'zod';
import type { StepId } from '../../src/domain/ids';
import type { MessageBuilder } from '../../src/messages/builder';
import type { Message } from '../../src/messages/model';
import type { ChatNotifier } from '../../src/ports/chat-notifier.port';
import type { Logger } from '../../src/ports/logger.port';
import type { RunStore } from '../../src/ports/run-store.port';
import type { Actor, Effect, Run } from '../../src/workflow/types';
import { escapeRunForSlack, renderMessage, type SlackBlock, type SlackMessagePayload, withoutActions } from './block-kit';

/** Ref keys kept in the run store (`RunStore.putRef`). */
export const SLACK_REF = {
  card: 'slack.card',
  support: 'slack.support',
  step: (step: StepId) => `slack.step.${step}`,
} as const;

const messageRefSchema = z.object({ channel: z.string(), ts: z.string() });
/** Where a posted message is: channel id and `ts`. */
export type MessageRef = z.infer<typeof messageRefSchema>;
const stepRefSchema = messageRefSchema.extend({ text: z.string(), blocks: z.array(z.record(z.string(), z.unknown())) });
/** A step message (or a report with buttons): where it is and its content without buttons. */
export type StepMessageRef = z.infer<typeof stepRefSchema>;
const supportRefSchema = messageRefSchema.extend({ permalink: z.string().nullable() });

/** Slack `chat.postMessage` errors meaning the bot cannot post in that conversation. */
export const NOT_IN_CHANNEL_ERRORS = ['channel_not_found', 'not_in_channel', 'is_archived', 'restricted_action'] as const;

/** The Slack error code of a failed Web API call (`invalid_auth`, `channel_not_found`...), or undefined. */
export function slackErrorCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/** How this surface names a person: a Slack mention. */
export const slackMention = (a: Actor): string => (/^[UW][A-Z0-9]{2,}$/.test(a.id) ? `<@${a.id}>` : (a.name ?? a.id));

/** The Web API calls this surface makes (Bolt's `app.client.apiCall` fits). Answers are parsed with zod. */
export interface SlackWeb {
  /**
   * Calls a Web API method with the bot token; objects (blocks, metadata, view) are sent as JSON
   * strings in form fields.
   * @throws the Web API error (`data.error` holds Slack's code) when Slack answers `ok: false` or fails.
   */
  apiCall(method: string, args?: Record<string, unknown>): Promise<unknown>;
}

const postedSchema = z.object({ ts: z.string(), channel: z.string().optional() });
const permalinkSchema = z.object({ permalink: z.string() });

export interface SlackNotifierDeps {
  /** The Web API (Bolt's `app.client`, which holds the bot token). */
  client: SlackWeb;
  store: RunStore;
  builder: MessageBuilder;
  logger: Logger;
  /** `SECUTIX_SUPPORT_SLACK_CHANNEL`; unset: the request goes in the run's thread. */
  supportChannel?: string;
}

/** Delivers run effects to Slack. Safe to call again after a failure (edits rather than posts twice when it can). */
export class SlackNotifier implements ChatNotifier {
  /** Last Slack error code of a failed card post per run (e.g. `not_in_channel`), for the surface to explain. */
  readonly lastCardFailure = new Map<string, string>();

  constructor(private readonly deps: SlackNotifierDeps) {}

  /**
   * Delivers `effect` of `run`.
   * @throws the Web API error (the outbox keeps the effect and retries), or Error when the card is
   *   not posted yet for an effect that belongs in its thread.
   */
  async deliver(run: Run, effect: Effect): Promise<void> {
    const safe = escapeRunForSlack(run);
    switch (effect.type) {
      case 'card':
        return this.card(run, safe);
      case 'step_prompt':
        await this.postInThread(run, this.build(safe, effect), SLACK_REF.step(effect.step));
        return;
      case 'step_closed':
        return this.closeStep(run, safe, effect);
      case 'support_request':
        return this.supportRequest(run, safe);
      case 'support_closed':
        return this.supportClosed(run, safe, effect);
      case 'verification_report': {
        const msg = this.build(safe, effect);
        await this.postInThread(run, msg, msg.actions.length ? SLACK_REF.step('verification') : undefined);
        return;
      }
      case 'notice':
        await this.postInThread(run, this.build(safe, effect));
        return;
    }
  }

  private build(run: Run, effect: Effect, runLink?: string | null): Message {
    return this.deps.builder.forEffect(run, effect, { mention: slackMention, ...(runLink !== undefined ? { runLink } : {}) });
  }

  private render(msg: Message, extraBlocks?: SlackBlock[]): SlackMessagePayload {
    const L = msg.locale;
    return renderMessage(msg, {
      outcomeLabel: (o) => this.deps.builder.t(L, `report.outcome.${o}`),
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

  private async card(run: Run, safe: Run): Promise<void> {
    const payload = this.render(this.build(safe, { type: 'card' }));
    const ref = await this.cardRef(run.id);
    if (ref) {
      await this.deps.client.apiCall('chat.update', { channel: ref.channel, ts: ref.ts, ...payload });
      return;
    }
    let res: z.infer<typeof postedSchema>;
    try {
      res = postedSchema.parse(
        await this.deps.client.apiCall('chat.postMessage', { channel: run.channelId, ...payload, unfurl_links: false }),
      );
    } catch (err) {
      const code = slackErrorCode(err);
      if (code) this.lastCardFailure.set(run.id, code);
      throw err;
    }
    this.lastCardFailure.delete(run.id);
    const ts = res.ts;
    await this.deps.store.putRef(run.id, SLACK_REF.card, { channel: typeof res.channel === 'string' ? res.channel : run.channelId, ts });
  }

  private async requireCard(run: Run): Promise<MessageRef> {
    const ref = await this.cardRef(run.id);
    if (!ref) throw new Error(`run ${run.id}: the progress card is not posted yet`);
    return ref;
  }

  /** Posts in the card's thread; with `rememberAs`, appends the message to that step ref list. */
  private async postInThread(run: Run, msg: Message, rememberAs?: string, extraBlocks?: SlackBlock[]): Promise<MessageRef> {
    const card = await this.requireCard(run);
    const payload = this.render(msg, extraBlocks);
    const res = postedSchema.parse(
      await this.deps.client.apiCall('chat.postMessage', { channel: card.channel, thread_ts: card.ts, ...payload, unfurl_links: false }),
    );
    const ref = { channel: typeof res.channel === 'string' ? res.channel : card.channel, ts: res.ts };
    if (rememberAs) {
      const list = z
        .array(stepRefSchema)
        .catch([])
        .parse((await this.refs(run.id))[rememberAs] ?? []);
      list.push({ ...ref, text: payload.text, blocks: withoutActions(payload.blocks) });
      await this.deps.store.putRef(run.id, rememberAs, list);
    }
    return ref;
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

  private async supportRequest(run: Run, safe: Run): Promise<void> {
    const existing = supportRefSchema.safeParse((await this.refs(run.id))[SLACK_REF.support]);
    const card = await this.requireCard(run);
    let permalink: string | null = existing.success ? existing.data.permalink : null;
    if (!existing.success) {
      try {
        const res = permalinkSchema.safeParse(
          await this.deps.client.apiCall('chat.getPermalink', { channel: card.channel, message_ts: card.ts }),
        );
        permalink = res.success ? res.data.permalink : null;
      } catch (err) {
        this.deps.logger.warn({ runId: run.id, slackError: slackErrorCode(err) }, 'no permalink for the run thread');
      }
    }
    const msg = this.build(safe, { type: 'support_request' }, permalink);
    const support = this.deps.supportChannel;
    const addressed = support
      ? undefined
      : [{ type: 'section', text: { type: 'mrkdwn', text: this.deps.builder.t(msg.locale, 'slack.support.in_thread') } }];
    const payload = this.render(msg);
    if (addressed) payload.blocks = [...addressed, ...payload.blocks];
    if (existing.success) {
      await this.deps.client.apiCall('chat.update', { channel: existing.data.channel, ts: existing.data.ts, ...payload });
      return;
    }
    const res = postedSchema.parse(
      await this.deps.client.apiCall('chat.postMessage', {
        channel: support ?? card.channel,
        ...(support ? {} : { thread_ts: card.ts }),
        ...payload,
        unfurl_links: false,
      }),
    );
    await this.deps.store.putRef(run.id, SLACK_REF.support, {
      channel: typeof res.channel === 'string' ? res.channel : (support ?? card.channel),
      ts: res.ts,
      permalink,
    });
  }

  private async supportClosed(run: Run, safe: Run, effect: Extract<Effect, { type: 'support_closed' }>): Promise<void> {
    const ref = supportRefSchema.safeParse((await this.refs(run.id))[SLACK_REF.support]);
    if (!ref.success) {
      this.deps.logger.warn({ runId: run.id }, 'support request to close was never posted');
      return;
    }
    const payload = this.render(this.build(safe, effect, ref.data.permalink));
    await this.deps.client.apiCall('chat.update', { channel: ref.data.channel, ts: ref.data.ts, ...payload });
  }
}
