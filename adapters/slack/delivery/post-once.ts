/**
 * Exactly-once posting (`platform-notes.md`: a `chat.postMessage` that may have landed must not be
 * blindly repeated): `chat.postMessage` through `postClient`, which never retries by itself; 429s
 * waited out (`Retry-After`: Slack did not post); before an outbox item's post the ref
 * `slack.delivery.<id>` says `posting`, after Slack's answer `posted` with the `ts`; an item still
 * `posting` is first looked for (`find-posted.ts`).
 */
import { z } from 'zod';
import type { Delivery } from '../../../src/ports/chat-notifier.port';
import type { Logger } from '../../../src/ports/logger.port';
import type { RunStore } from '../../../src/ports/run-store.port';
import type { Run } from '../../../src/workflow/types';
import { SLACK_BLOCKED_REF } from '../blocked';
import type { SlackMessagePayload } from '../block-kit';
import { errCode, isAmbiguousFailure, rateLimitedRetryAfter } from '../web-errors';
import { findPosted } from './find-posted';
import { type DeliveryMarker, deliveryMarkerSchema, type MessageRef, SLACK_REF } from './refs';
import type { SlackWeb } from './slack-web';

const postedSchema = z.object({ ts: z.string(), channel: z.string().optional() });

/** What the poster needs (the notifier passes its own deps). */
export interface SlackPosterDeps {
  /** The Web API (Bolt's `app.client`, which holds the bot token; bounded retries). */
  client: SlackWeb;
  /**
   * The Web API for `chat.postMessage` only: must not retry by itself (a retried post that had
   * landed is a duplicate) and should reject 429s (`rejectRateLimitedCalls: true`) so the notifier
   * waits `Retry-After` itself. Default: `client`.
   */
  postClient?: SlackWeb;
  /** Waits `ms` milliseconds (a 429's `Retry-After`). Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** How many 429 answers one post waits out before the attempt fails (default 3). */
  maxRateLimitWaits?: number;
  store: RunStore;
  logger: Logger;
}

/** Posts messages for the notifier, at most once per outbox item. */
export class SlackPoster {
  private readonly postClient: SlackWeb;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: SlackPosterDeps) {
    this.postClient = deps.postClient ?? deps.client;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * `chat.postMessage` of one message, at most once per outbox item (see the file comment):
   * returns the `ts` remembered or found for `d` without posting, else posts (waiting out 429s).
   * @throws the Web API error; the `posting` ref stays when the failure is ambiguous.
   */
  async post(
    run: Run,
    args: SlackMessagePayload & { channel: string; thread_ts?: string; reply_broadcast?: boolean },
    d: Delivery | undefined,
  ): Promise<MessageRef> {
    if (!d) return this.postNow(args);
    const key = SLACK_REF.delivery(d.id);
    const refs = await this.refs(run.id);
    const parsed = deliveryMarkerSchema.safeParse(refs[key]);
    const marker = parsed.success ? parsed.data : null;
    if (marker?.state === 'posted') return { channel: marker.channel, ts: marker.ts };
    if (marker?.state === 'posting') {
      const found = await findPosted(this.deps, run.id, marker, d);
      if (found) {
        this.deps.logger.info({ runId: run.id, deliveryId: d.id, attempt: d.attempt }, 'found the message of an earlier ambiguous post');
        await this.deps.store.putRef(run.id, key, { state: 'posted', ...found } satisfies DeliveryMarker);
        return found;
      }
    }
    const tagged = args.metadata
      ? { ...args, metadata: { ...args.metadata, event_payload: { ...args.metadata.event_payload, delivery_id: d.id } } }
      : args;
    await this.deps.store.putRef(run.id, key, {
      state: 'posting',
      channel: args.channel,
      ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}),
    } satisfies DeliveryMarker);
    let ref: MessageRef;
    try {
      ref = await this.postNow(tagged);
    } catch (err) {
      if (isAmbiguousFailure(err)) {
        this.deps.logger.warn(
          { runId: run.id, deliveryId: d.id, attempt: d.attempt, err: errCode(err) },
          'chat.postMessage failed ambiguously: it is looked for before posting again',
        );
      } else {
        await this.deps.store.putRef(run.id, key, null);
      }
      throw err;
    }
    await this.deps.store.putRef(run.id, key, { state: 'posted', ...ref } satisfies DeliveryMarker);
    // Posting works again: a given-up delivery no longer needs the operator's attention.
    if (refs[SLACK_BLOCKED_REF]) await this.deps.store.putRef(run.id, SLACK_BLOCKED_REF, null);
    return ref;
  }

  /** One `chat.postMessage` through `postClient`, waiting out up to `maxRateLimitWaits` 429s. */
  async postNow(args: SlackMessagePayload & { channel: string; thread_ts?: string; reply_broadcast?: boolean }): Promise<MessageRef> {
    const maxWaits = this.deps.maxRateLimitWaits ?? 3;
    for (let waits = 0; ; waits++) {
      try {
        const res = postedSchema.parse(await this.postClient.apiCall('chat.postMessage', { ...args, unfurl_links: false }));
        return { channel: typeof res.channel === 'string' ? res.channel : args.channel, ts: res.ts };
      } catch (err) {
        const retryAfter = rateLimitedRetryAfter(err);
        if (retryAfter === undefined || waits >= maxWaits) throw err;
        this.deps.logger.info({ channel: args.channel, retryAfterSec: retryAfter }, 'chat.postMessage rate limited: waiting Retry-After');
        await this.sleep(retryAfter * 1000);
      }
    }
  }

  private async refs(runId: string): Promise<Record<string, unknown>> {
    return this.deps.store.getRefs(runId);
  }
}
