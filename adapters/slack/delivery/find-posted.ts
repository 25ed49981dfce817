/**
 * Lookup of an ambiguous post by delivery id: after a `chat.postMessage` whose outcome was not
 * seen (timeout, 5xx, reset, crash), the message is looked for by `metadata.event_payload.delivery_id`
 * before posting again (`platform-notes.md`: a post that may have landed must not be blindly repeated).
 */
import { z } from 'zod';
import type { Delivery } from '../../../src/ports/chat-notifier.port';
import type { Logger } from '../../../src/ports/logger.port';
import { isAmbiguousFailure, slackErrorCode } from '../web-errors';
import type { DeliveryMarker, MessageRef } from './refs';
import type { SlackWeb } from './slack-web';

const historySchema = z.object({
  messages: z.array(
    z.object({
      ts: z.string(),
      metadata: z.object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()) }).optional(),
    }),
  ),
});

/**
 * Looks for the message of outbox item `d` where a `posting` marker says it may be: the thread's
 * replies (`conversations.replies`, up to 200) or the channel's latest root messages
 * (`conversations.history`, 100), matching `metadata.event_payload.delivery_id` and `run_id`.
 * A clean Slack refusal (e.g. `missing_scope`) is logged and counts as not found, so the run is
 * not stuck; an ambiguous failure of the search is thrown (try again later).
 */
export async function findPosted(
  deps: { client: SlackWeb; logger: Logger },
  runId: string,
  where: Extract<DeliveryMarker, { state: 'posting' }>,
  d: Delivery,
): Promise<MessageRef | null> {
  let answer: unknown;
  try {
    answer = where.thread_ts
      ? await deps.client.apiCall('conversations.replies', {
          channel: where.channel,
          ts: where.thread_ts,
          include_all_metadata: true,
          limit: 200,
        })
      : await deps.client.apiCall('conversations.history', { channel: where.channel, include_all_metadata: true, limit: 100 });
  } catch (err) {
    if (isAmbiguousFailure(err)) throw err;
    deps.logger.warn(
      { runId, deliveryId: d.id, slackError: slackErrorCode(err) },
      'cannot look for an ambiguous post (channels:history / groups:history scope?): posting again',
    );
    return null;
  }
  const parsed = historySchema.safeParse(answer);
  const hit = parsed.success
    ? parsed.data.messages.find((m) => m.metadata?.event_payload.delivery_id === d.id && m.metadata.event_payload.run_id === runId)
    : undefined;
  return hit ? { channel: where.channel, ts: hit.ts } : null;
}
