/**
 * Where each run's verification progress message is in Slack (`SlackNotifier.progress`): kept in
 * memory only (nothing durable; a restart loses it and the next verification posts a new one).
 *
 * The first update posts the message in the run's thread, tagged with a `progress_id` in its
 * metadata; later updates `chat.update` it; the `done` one edits it a last time and forgets it.
 * A post whose answer was not seen (timeout, 5xx, reset: it may have landed) is looked for by
 * that tag in the thread (`conversations.replies`) before posting again, so a lost answer never
 * leaves a second "Verifying" message behind. A run whose verification stopped without a `done`
 * update keeps its entry: the next verification edits that same message, and its `done` update
 * turns it into the pointer to the new report.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { SlackMessagePayload } from './block-kit';

/** One run's progress message: where it is (no `ts` while a post's answer is unknown). */
interface ProgressEntry {
  channel: string;
  threadTs: string;
  tag: string;
  ts?: string;
}

/** The Web API calls `show` makes (the notifier's clients). */
export interface ProgressCalls {
  /** The run's card (the thread's root). @throws when the card is not posted. */
  thread(): Promise<{ channel: string; ts: string }>;
  /** `chat.postMessage` (waiting out 429s). */
  post(args: SlackMessagePayload & { channel: string; thread_ts: string }): Promise<{ channel: string; ts: string }>;
  update(args: SlackMessagePayload & { channel: string; ts: string }): Promise<unknown>;
  replies(args: { channel: string; ts: string; include_all_metadata: true; limit: number }): Promise<unknown>;
  /** True when a failed post may still have landed (`isAmbiguousFailure`). */
  ambiguous(err: unknown): boolean;
}

const repliesSchema = z.object({
  messages: z.array(z.object({ ts: z.string(), metadata: z.object({ event_payload: z.record(z.string(), z.unknown()) }).optional() })),
});

export class SlackProgressMessages {
  private readonly entries = new Map<string, ProgressEntry>();

  /** How many runs have a progress message remembered (tests, leak checks). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Posts or edits run `runId`'s progress message with `payload`; `done` forgets it afterwards.
   * @throws the Web API error (the caller logs it; the next update tries again).
   */
  async show(runId: string, payload: SlackMessagePayload, done: boolean, calls: ProgressCalls): Promise<void> {
    let entry = this.entries.get(runId);
    if (entry && !entry.ts) {
      const found = await this.find(entry, calls);
      if (found) entry.ts = found;
    }
    const tagged = (e: ProgressEntry): SlackMessagePayload =>
      payload.metadata
        ? { ...payload, metadata: { ...payload.metadata, event_payload: { ...payload.metadata.event_payload, progress_id: e.tag } } }
        : payload;
    if (entry?.ts) {
      await calls.update({ channel: entry.channel, ts: entry.ts, ...tagged(entry) });
    } else {
      if (!entry) {
        const card = await calls.thread();
        entry = { channel: card.channel, threadTs: card.ts, tag: randomUUID() };
        this.entries.set(runId, entry);
      }
      try {
        const posted = await calls.post({ channel: entry.channel, thread_ts: entry.threadTs, ...tagged(entry) });
        entry.ts = posted.ts;
      } catch (err) {
        // A clean refusal posted nothing: the next update posts afresh. An ambiguous one is looked for first.
        if (!calls.ambiguous(err)) this.entries.delete(runId);
        throw err;
      }
    }
    if (done) this.entries.delete(runId);
  }

  /** The `ts` of a progress message whose post answer was lost, when it is in the thread. */
  private async find(entry: ProgressEntry, calls: ProgressCalls): Promise<string | undefined> {
    const answer = repliesSchema.safeParse(
      await calls.replies({ channel: entry.channel, ts: entry.threadTs, include_all_metadata: true, limit: 200 }),
    );
    return answer.success ? answer.data.messages.find((m) => m.metadata?.event_payload.progress_id === entry.tag)?.ts : undefined;
  }
}
