/**
 * The bench's view of the fake Slack Web API (`test/fakes/fake-slack-api.ts`, the same fake
 * the tests use): every recorded call is indexed as it arrives (run id and step from the
 * message `metadata`, `trigger_id` of `views.open`) so the run driver can wait for "the step
 * message of run R is posted" without scanning every message, and so duplicates can be
 * counted. The fake's own call list is emptied as calls are indexed (a full bench records
 * ~100 000 calls; only the index is kept).
 */
import { FakeSlackApi, type FakeSlackCall } from '../../test/fakes/fake-slack-api';

/** One `chat.postMessage` of a run, as the bench keeps it. */
export interface BenchPost {
  runId: string;
  /** `metadata.event_payload.step` (null for the card of a finished run). */
  step: string | null;
  channel: string;
  /** Root message (the progress card) rather than a thread reply. */
  root: boolean;
  /** The message carries at least one button (a step prompt, a report with retries, a support request). */
  buttons: boolean;
  /** `performance.now()` when the fake received it. */
  at: number;
}

type Waiter = { test: () => boolean; resolve: () => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

interface Metadata {
  event_payload?: { run_id?: unknown; step?: unknown; state?: unknown };
}

function hasButtons(blocks: unknown): boolean {
  return Array.isArray(blocks) && blocks.some((b) => (b as { type?: unknown }).type === 'actions');
}

/** The fake Slack API plus indexes and waiters. Start with `start()`. */
export class SlackWorld {
  readonly api = new FakeSlackApi();
  /** Posts per run id, in arrival order. */
  readonly posts = new Map<string, BenchPost[]>();
  /** Run id of the card posted in each channel, newest last. */
  readonly cardsByChannel = new Map<string, string[]>();
  /** Runs whose card was edited to `completed`. */
  readonly completed = new Set<string>();
  /** `views.open` by `trigger_id`: the modal's `private_metadata`. */
  readonly views = new Map<string, string>();
  /** Calls per method. */
  readonly counts = new Map<string, number>();
  /** `chat.postEphemeral` texts (refusals and errors shown to a user), first 20 kept. */
  readonly ephemerals: string[] = [];
  ephemeralCount = 0;
  /** `performance.now()` of the last recorded call. */
  lastCallAt = 0;
  private waiters = new Set<Waiter>();

  async start(): Promise<this> {
    await this.api.start();
    const calls = this.api.calls;
    // The fake pushes each call before answering it; index it and drop it from the list.
    calls.push = (...items: FakeSlackCall[]): number => {
      for (const c of items) this.index(c);
      return 0;
    };
    return this;
  }

  stop(): Promise<void> {
    return this.api.stop();
  }

  /** Total calls recorded so far. */
  get total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }

  count(method: string): number {
    return this.counts.get(method) ?? 0;
  }

  private index(c: FakeSlackCall): void {
    this.lastCallAt = performance.now();
    this.counts.set(c.method, (this.counts.get(c.method) ?? 0) + 1);
    const a = c.args;
    const meta = (a.metadata ?? undefined) as Metadata | undefined;
    const runId = typeof meta?.event_payload?.run_id === 'string' ? meta.event_payload.run_id : undefined;
    const step = typeof meta?.event_payload?.step === 'string' ? meta.event_payload.step : null;
    if (c.method === 'chat.postMessage' && runId) {
      const post: BenchPost = {
        runId,
        step,
        channel: String(a.channel ?? ''),
        root: a.thread_ts === undefined,
        buttons: hasButtons(a.blocks),
        at: performance.now(),
      };
      const list = this.posts.get(runId) ?? [];
      list.push(post);
      this.posts.set(runId, list);
      if (post.root) {
        const cards = this.cardsByChannel.get(post.channel) ?? [];
        cards.push(runId);
        this.cardsByChannel.set(post.channel, cards);
      }
    } else if (c.method === 'chat.update' && runId && meta?.event_payload?.state === 'completed') {
      this.completed.add(runId);
    } else if (c.method === 'views.open' && typeof a.trigger_id === 'string') {
      const view = a.view as { private_metadata?: unknown } | undefined;
      this.views.set(a.trigger_id, typeof view?.private_metadata === 'string' ? view.private_metadata : '');
    } else if (c.method === 'chat.postEphemeral') {
      this.ephemeralCount += 1;
      if (this.ephemerals.length < 20) this.ephemerals.push(String(a.text ?? '').slice(0, 200));
    }
    // Waiters are checked after the fake has answered (its `messages` map is then up to date).
    setImmediate(() => this.wake());
  }

  private wake(): void {
    for (const w of this.waiters) {
      if (w.test()) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }

  /**
   * Resolves when `test()` holds (checked now and after every recorded call).
   * @throws Error naming `what` after `timeoutMs`.
   */
  until(test: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const w: Waiter = {
        test,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(w);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs),
      };
      this.waiters.add(w);
    });
  }

  /** The newest post of `runId` for `step` with buttons, if any. */
  stepPost(runId: string, step: string): BenchPost | undefined {
    const list = this.posts.get(runId);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.step === step && list[i]!.buttons) return list[i];
    return undefined;
  }

  /** Resolves when no call has arrived for `quietMs` (the product's work after the acks is done). */
  async quiet(quietMs = 300, timeoutMs = 120_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let last = this.total;
    for (;;) {
      await new Promise((r) => setTimeout(r, quietMs));
      const now = this.total;
      if (now === last) return;
      last = now;
      if (performance.now() > deadline) throw new Error(`Slack calls still arriving after ${timeoutMs} ms`);
    }
  }
}
