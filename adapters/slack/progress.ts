/**
 * Where each run's verification progress message is in Slack (`SlackNotifier.progress`): kept in
 * memory, and (with `ProgressCalls.durable`) in the run store once posted, so that after a crash
 * the restarted process can close it as interrupted instead of leaving "Verifying..." behind.
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
  /** Where a posted progress message is kept across restarts (null: none under way). */
  durable?: {
    save(runId: string, at: { channel: string; ts: string; tag: string } | null): Promise<void>;
    load(runId: string): Promise<{ channel: string; ts: string; tag: string } | undefined>;
  };
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
  async show(runId: string, payload: SlackMessagePayload, done: boolean, calls: ProgressCalls, onlyExisting = false): Promise<void> {
    let entry = this.entries.get(runId);
    if (!entry && calls.durable) {
      // Posted by a process that died: edit that same message.
      const saved = await calls.durable.load(runId);
      if (saved) entry = { channel: saved.channel, threadTs: '', tag: saved.tag, ts: saved.ts };
    }
    if (onlyExisting && !entry?.ts) return;
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
        if (!done) await calls.durable?.save(runId, { channel: entry.channel, ts: posted.ts, tag: entry.tag });
      } catch (err) {
        // A clean refusal posted nothing: the next update posts afresh. An ambiguous one is looked for first.
        if (!calls.ambiguous(err)) this.entries.delete(runId);
        throw err;
      }
    }
    if (done) {
      this.entries.delete(runId);
      await calls.durable?.save(runId, null);
    }
  }

  /** The `ts` of a progress message whose post answer was lost, when it is in the thread. */
  private async find(entry: ProgressEntry, calls: ProgressCalls): Promise<string | undefined> {
    const answer = repliesSchema.safeParse(
      await calls.replies({ channel: entry.channel, ts: entry.threadTs, include_all_metadata: true, limit: 200 }),
    );
    return answer.success ? answer.data.messages.find((m) => m.metadata?.event_payload.progress_id === entry.tag)?.ts : undefined;
  }
}
