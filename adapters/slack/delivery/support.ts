/**
 * The messages to SecuTix support (`support_request`, `support_closed`, the `support` reminder).
 *
 * - Without a support channel: in the run's thread, addressed to SecuTix support.
 * - `SECUTIX_SUPPORT_SLACK_CHANNEL=CHANNEL_ID`: in that channel of the run's workspace.
 * - `SECUTIX_SUPPORT_SLACK_CHANNEL=TEAM_ID/CHANNEL_ID` (OAuth distribution, `desk`): in that
 *   channel of the support desk's own workspace, with that workspace's token (`desk.inWorkspace`);
 *   the rest of the run stays in its own workspace. The request names who asks (`origin`). The
 *   ref `slack.support` remembers the desk's team, so the close and the reminders go to the same
 *   workspace. When the desk's workspace has no installation, the delivery is blocked (kept in the
 *   outbox, `DeliveryBlockedError`) and the run's thread is told once.
 */
import { z } from 'zod';
import type { SectionBlock } from '@slack/types';
import { isFirstSupportRequest } from '../../../src/app/first-request';
import type { MessageBuilder, SupportOrigin } from '../../../src/messages/builder';
import { DeliveryBlockedError, isDeliveryBlocked, type Delivery } from '../../../src/ports/chat-notifier.port';
import type { Logger } from '../../../src/ports/logger.port';
import type { RunStore } from '../../../src/ports/run-store.port';
import type { Actor, Effect, Run } from '../../../src/workflow/types';
import { toMrkdwn, type SlackMessagePayload } from '../block-kit';
import { slackErrorCode } from '../web-errors';
import type { SlackPoster } from './post-once';
import { type MessageRef, permalinkSchema, SLACK_REF, supportRefSchema } from './refs';
import type { SlackWeb } from './slack-web';

/** Ref telling that the run's thread was told its password request waits for the desk's install. */
export const SUPPORT_BLOCKED_TOLD_REF = 'slack.support.blocked_told';

/** The support desk in its own workspace (OAuth mode, `TEAM_ID/CHANNEL_ID`). */
export interface SupportDeskWorkspace {
  teamId: string;
  /**
   * Runs `work` with `teamId`'s bot token.
   * @throws DeliveryBlockedError when that workspace has no installation.
   */
  inWorkspace<T>(teamId: string, work: () => Promise<T>): Promise<T>;
  /** Who asks (in the run's workspace scope): organisation, requester, email, first request. */
  origin?(run: Run): Promise<SupportOrigin | undefined>;
}

export interface SupportMessagesDeps {
  client: SlackWeb;
  store: RunStore;
  builder: MessageBuilder;
  logger: Logger;
  poster: SlackPoster;
  supportChannel?: string;
  desk?: SupportDeskWorkspace;
  /** The run's card (posted now when missing). */
  requireCard(run: Run): Promise<MessageRef>;
  /** How the run's workspace names a person (a Slack mention). */
  mention(a: Actor): string;
  render(msg: ReturnType<MessageBuilder['forEffect']>): SlackMessagePayload;
}

/** The support request, its close and the support reminders. */
export class SupportMessages {
  constructor(private readonly deps: SupportMessagesDeps) {}

  private async ref(runId: string): Promise<z.infer<typeof supportRefSchema> | null> {
    const r = supportRefSchema.safeParse((await this.deps.store.getRefs(runId))[SLACK_REF.support]);
    return r.success ? r.data : null;
  }

  /** `work` in the desk's workspace when `team` is set, else in the current (run's) workspace. */
  private inDesk<T>(team: string | undefined, work: () => Promise<T>): Promise<T> {
    return team && this.deps.desk ? this.deps.desk.inWorkspace(team, work) : work();
  }

  /**
   * Mentions of the run's people shown in another workspace are plain names (a `<@U…>` of the
   * run's workspace means nothing there); people of the desk (who clicked) stay mentions.
   */
  private mentionFor(run: Run, remote: boolean): (a: Actor) => string {
    if (!remote && run.surface === 'slack') return this.deps.mention;
    // The run's people (its organisation's) in plain text; the desk's people stay mentions.
    return (a) => (a.id === run.startedBy.id || (a.org !== undefined && a.org === run.org) ? (a.name ?? a.id) : this.deps.mention(a));
  }

  async request(run: Run, d: Delivery | undefined): Promise<void> {
    if (run.surface !== 'slack') return this.foreignRequest(run, d);
    const existing = await this.ref(run.id);
    const card = await this.deps.requireCard(run);
    const support = this.deps.supportChannel;
    const team = existing ? existing.team : support ? this.deps.desk?.teamId : undefined;
    // A link to the run's thread opens only in the run's workspace: the desk's own workspace gets
    // none (the request names the workspace and the run id instead).
    let permalink: string | null = existing && team === undefined ? existing.permalink : null;
    if (!existing && team === undefined) {
      try {
        const res = permalinkSchema.safeParse(
          await this.deps.client.apiCall('chat.getPermalink', { channel: card.channel, message_ts: card.ts }),
        );
        permalink = res.success ? res.data.permalink : null;
      } catch (err) {
        this.deps.logger.warn({ runId: run.id, slackError: slackErrorCode(err) }, 'no permalink for the run thread');
      }
    }
    // Who asks: looked up once in the run's workspace, then kept with the request.
    const origin = existing ? existing.origin : team && this.deps.desk?.origin ? await this.deps.desk.origin(run) : undefined;
    const msg = this.deps.builder.forEffect(
      run,
      { type: 'support_request' },
      { mention: this.mentionFor(run, team !== undefined), runLink: permalink, ...(origin ? { origin } : {}) },
    );
    const addressed: SectionBlock[] | undefined = support
      ? undefined
      : [{ type: 'section', text: { type: 'mrkdwn', text: toMrkdwn(this.deps.builder.t(msg.locale, 'slack.support.in_thread')) } }];
    const payload = this.deps.render(msg);
    if (addressed) payload.blocks = [...addressed, ...payload.blocks];
    if (existing) {
      await this.inDesk(existing.team, () =>
        this.deps.client.apiCall('chat.update', { channel: existing.channel, ts: existing.ts, ...payload }),
      );
      return;
    }
    let posted: MessageRef;
    try {
      posted = await this.inDesk(team, () =>
        this.deps.poster.post(run, { channel: support ?? card.channel, ...(support ? {} : { thread_ts: card.ts }), ...payload }, d),
      );
    } catch (err) {
      if (isDeliveryBlocked(err)) await this.tellBlocked(run, card);
      throw err;
    }
    await this.deps.store.putRef(run.id, SLACK_REF.support, {
      ...posted,
      permalink,
      ...(team ? { team } : {}),
      ...(origin ? { origin } : {}),
    });
  }

  /**
   * The request of a run of another surface (`SECUTIX_SUPPORT_DESK=slack`, a Teams run): in the
   * support channel only (the run has no Slack thread), naming its tenant and requester.
   * @throws DeliveryBlockedError when no support channel is set.
   */
  private async foreignRequest(run: Run, d: Delivery | undefined): Promise<void> {
    const support = this.deps.supportChannel;
    if (!support)
      throw new DeliveryBlockedError(
        `run ${run.id} (${run.surface}) waits for SecuTix support on Slack, but SECUTIX_SUPPORT_SLACK_CHANNEL is not set`,
        'no_support_channel',
      );
    const existing = await this.ref(run.id);
    const team = existing ? existing.team : this.deps.desk?.teamId;
    const origin = existing ? existing.origin : await foreignOrigin(this.deps.store, run);
    const msg = this.deps.builder.forEffect(
      run,
      { type: 'support_request' },
      { mention: this.mentionFor(run, true), runLink: null, origin },
    );
    const payload = this.deps.render(msg);
    if (existing) {
      await this.inDesk(existing.team, () =>
        this.deps.client.apiCall('chat.update', { channel: existing.channel, ts: existing.ts, ...payload }),
      );
      return;
    }
    const posted = await this.inDesk(team, () => this.deps.poster.post(run, { channel: support, ...payload }, d));
    await this.deps.store.putRef(run.id, SLACK_REF.support, { ...posted, permalink: null, ...(team ? { team } : {}), origin });
  }

  /** Once per run: the run's thread hears that its password request waits for the desk's workspace. */
  private async tellBlocked(run: Run, card: MessageRef): Promise<void> {
    try {
      if ((await this.deps.store.getRefs(run.id))[SUPPORT_BLOCKED_TOLD_REF]) return;
      const L = run.details.language;
      const text = this.deps.builder.t(L, 'slack.support.desk_not_installed', { runId: run.id });
      await this.deps.poster.postNow({
        channel: card.channel,
        thread_ts: card.ts,
        text: toMrkdwn(text),
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: toMrkdwn(text) } }],
      });
      await this.deps.store.putRef(run.id, SUPPORT_BLOCKED_TOLD_REF, true);
    } catch (err) {
      this.deps.logger.warn(
        { runId: run.id, slackError: slackErrorCode(err) },
        'could not tell the run thread that support is not reachable',
      );
    }
  }

  /**
   * A reminder to SecuTix support: a reply to the support request, also shown in the support
   * channel (`reply_broadcast`); when the request went in the run's thread (no support channel),
   * a reply in that thread.
   */
  async reminder(run: Run, effect: Extract<Effect, { type: 'reminder' }>, d: Delivery | undefined): Promise<void> {
    const request = await this.ref(run.id);
    if (run.surface !== 'slack') {
      if (!request) throw new Error(`run ${run.id}: support reminder before its request was posted`);
      const payload = this.deps.render(
        this.deps.builder.forEffect(run, effect, {
          mention: this.mentionFor(run, true),
          ...(request.origin ? { origin: request.origin } : {}),
        }),
      );
      await this.inDesk(request.team, () =>
        this.deps.poster.post(run, { channel: request.channel, thread_ts: request.ts, reply_broadcast: true, ...payload }, d),
      );
      return;
    }
    const card = await this.deps.requireCard(run);
    const remote = request?.team !== undefined;
    const origin = remote && request?.origin ? { origin: request.origin } : {};
    const payload = this.deps.render(this.deps.builder.forEffect(run, effect, { mention: this.mentionFor(run, remote), ...origin }));
    if (request && (remote || request.channel !== card.channel)) {
      await this.inDesk(request.team, () =>
        this.deps.poster.post(run, { channel: request.channel, thread_ts: request.ts, reply_broadcast: true, ...payload }, d),
      );
      return;
    }
    await this.deps.poster.post(run, { channel: card.channel, thread_ts: card.ts, ...payload }, d);
  }

  async closed(run: Run, effect: Extract<Effect, { type: 'support_closed' }>): Promise<void> {
    const ref = await this.ref(run.id);
    if (!ref) {
      this.deps.logger.warn({ runId: run.id }, 'support request to close was never posted');
      return;
    }
    const remote = ref.team !== undefined || run.surface !== 'slack';
    const msg = this.deps.builder.forEffect(run, effect, {
      mention: this.mentionFor(run, remote),
      // No link into another organisation (a request stored with one before keeps none now).
      runLink: remote ? null : ref.permalink,
      ...(ref.origin ? { origin: ref.origin } : {}),
    });
    const payload = this.deps.render(msg);
    await this.inDesk(ref.team, () => this.deps.client.apiCall('chat.update', { channel: ref.channel, ts: ref.ts, ...payload }));
  }
}

const teamsConversationSchema = z.object({ conversation: z.object({ tenantId: z.string().optional() }).optional() });

/**
 * Who asks, for a run of another surface (a Teams run): its tenant (from the run's Teams
 * conversation reference), the requester's name, and whether an earlier run of the same
 * institution from that tenant already asked support on Slack.
 */
async function foreignOrigin(store: RunStore, run: Run): Promise<SupportOrigin> {
  const tenantOf = async (id: string) =>
    teamsConversationSchema.safeParse((await store.getRefs(id))['teams.conversation']).data?.conversation?.tenantId;
  const tenant = await tenantOf(run.id);
  const first = await isFirstSupportRequest(store, run);
  return {
    kind: 'tenant',
    organisation: tenant ?? run.surface,
    requester: run.startedBy.name ?? run.startedBy.id,
    firstForInstitution: first,
  };
}
