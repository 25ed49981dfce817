/**
 * Exactly-once delivery on Slack, through Bolt's real HTTP receiver (signed requests), the real
 * Web API clients and the fake Slack Web API on loopback, over SQLite files:
 * - inbound: a Slack retry (`X-Slack-Retry-Num`), a replayed command, a replayed submission, the
 *   same request reaching two replicas sharing one store: handled once (durable `claimOnce` keys);
 * - outbound: a `chat.postMessage` that landed but answered 500 or lost its connection is not
 *   posted again (looked up by `metadata.event_payload.delivery_id`), a 429 is waited out
 *   (`Retry-After`), two runs' messages in one channel keep their order, and the outbox posts what
 *   a failed surface left pending after a restart, once each, in order.
 */
import path from 'node:path';
import { loadConfig } from '../../../adapters/config';
import { type Core, createCore } from '../../../adapters/core-wiring';
import { createLogger } from '../../../adapters/logger';
import { createSlackSurface, type SlackSurface } from '../../../adapters/slack';
import type { Run } from '../../../src/workflow/types';
import { FakeSlackApi, type FakeSlackMessage } from '../../fakes/fake-slack-api';
import {
  blockActionsPayload,
  commandBody,
  interactionBody,
  postSigned,
  type SignedAnswer,
  viewSubmissionPayload,
} from '../../helpers/slack-signing';
import { BOT_TOKEN, OPERATOR, RUN_CHANNEL, SIGNING_SECRET, SUPPORT_CHANNEL, SUPPORT_USER, tempDir } from '../../helpers/slack-wire';

type Button = { action_id: string; value: string };
const buttonsOf = (blocks: Record<string, unknown>[] | undefined): Button[] =>
  (blocks ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements as Button[]);

const START_VALUES = (code: string) => ({
  institution_code: code,
  institution_name: `${code} Theatre`,
  channel_code: '',
  digitick_contact_name: 'Camille Martin',
  digitick_contact_email: 'camille.martin@digitick.example',
  language: 'en',
});

/** One process: core (SQLite file) + Slack surface, talking to a (possibly shared) fake Slack API. */
interface Replica {
  core: Core;
  surface: SlackSurface;
  api: FakeSlackApi;
  logs: string[];
  /** Waits the notifier asked for (ms), from 429 answers. */
  waits: number[];
  /** Sends a signed body (with extra headers) and waits for the work after the ack. */
  send(body: string, headers?: Record<string, string>): Promise<SignedAnswer>;
  close(): Promise<void>;
}

async function replica(api: FakeSlackApi, dbPath: string): Promise<Replica> {
  const config = loadConfig({
    DATABASE_URL: `sqlite:${dbPath}`,
    SECUTIX_SANDBOX: 'true',
    LOG_LEVEL: 'debug',
    DEFAULT_LOCALE: 'en',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: api.apiUrl,
    SECUTIX_SUPPORT_SLACK_CHANNEL: SUPPORT_CHANNEL,
  });
  const logs: string[] = [];
  const logger = createLogger(config.logLevel, { write: (s: string) => void logs.push(s) });
  const core = await createCore(config, logger);
  const waits: number[] = [];
  const surface = await createSlackSurface({
    slack: config.slack!,
    port: 0,
    host: '127.0.0.1',
    service: core.service,
    builder: core.builder,
    store: core.store,
    logger,
    defaultLocale: config.defaultLocale,
    web: {
      retries: 2,
      maxRetryTimeoutMs: 200,
      sleep: (ms) => {
        waits.push(ms);
        return new Promise((resolve) => setTimeout(resolve, ms));
      },
    },
  });
  core.notifiers.slack = surface.notifier;
  const { port } = await surface.start();
  const events = `http://127.0.0.1:${port}/slack/events`;
  return {
    core,
    surface,
    api,
    logs,
    waits,
    async send(body, headers) {
      const answer = await postSigned(events, body, { secret: SIGNING_SECRET, ...(headers ? { headers } : {}) });
      await surface.idle();
      return answer;
    },
    async close() {
      await surface.stop();
      await core.close();
    },
  };
}

/** Starts a run for `code` through the command and the start modal; returns the run and its card. */
async function startRun(r: Replica, code: string): Promise<{ run: Run; card: FakeSlackMessage }> {
  const before = new Set(r.api.messages.keys());
  await r.send(commandBody({ text: `start ${code}`, user_id: OPERATOR.id, user_name: OPERATOR.name, channel_id: RUN_CHANNEL }));
  const views = r.api.callsOf('views.open');
  const view = views[views.length - 1]!.args.view as { private_metadata: string };
  await r.send(
    interactionBody(
      viewSubmissionPayload({
        user: OPERATOR.id,
        userName: OPERATOR.name,
        callbackId: 'onboard_start',
        privateMetadata: view.private_metadata,
        values: START_VALUES(code),
        selects: ['language'],
      }),
    ),
  );
  const runs = await r.core.store.list({ institutionCode: code });
  const run = runs[0];
  if (!run) throw new Error(`no run for ${code}`);
  const card = [...r.api.messages.values()].find((m) => !before.has(m.ts) && !m.thread_ts && m.metadata?.event_payload.run_id === run.id);
  return { run, card: card! };
}

/** The signed body of a click on `actionId` of the run's current step message. */
function clickBody(
  api: FakeSlackApi,
  card: FakeSlackMessage,
  step: string,
  opts: { user?: { id: string; name: string }; actionTs: string },
) {
  const message = api
    .messagesIn(card.channel, card.ts)
    .find((m) => m.metadata?.event_payload.step === step && buttonsOf(m.blocks).some((b) => b.action_id === 'step_done'));
  if (!message) throw new Error(`no ${step} message`);
  const user = opts.user ?? OPERATOR;
  return interactionBody(
    blockActionsPayload({
      user: user.id,
      userName: user.name,
      channel: card.channel,
      messageTs: message.ts,
      actionId: 'step_done',
      value: buttonsOf(message.blocks).find((b) => b.action_id === 'step_done')!.value,
      actionTs: opts.actionTs,
    }),
  );
}

/** Messages of one run (root and thread) in the fake, in posting order. */
const messagesOf = (api: FakeSlackApi, runId: string) =>
  [...api.messages.values()].filter((m) => m.metadata?.event_payload.run_id === runId);
/** Calls made after the first `n` recorded calls. */
const callsSince = (api: FakeSlackApi, n: number) => api.calls.slice(n).map((c) => c.method);
/** How many messages of the run carry each delivery id (exactly-once: every value is 1). */
const deliveryCounts = (api: FakeSlackApi, runId: string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const m of messagesOf(api, runId)) {
    const id = m.metadata?.event_payload.delivery_id;
    if (id !== undefined) out[String(id)] = (out[String(id)] ?? 0) + 1;
  }
  return out;
};

describe('Slack delivery: inbound duplicates (durable dedupe)', () => {
  let api: FakeSlackApi;
  let a: Replica;
  let b: Replica;
  beforeAll(async () => {
    api = await new FakeSlackApi().start();
    const dbPath = path.join(tempDir('slack-delivery-'), 'runs.db');
    a = await replica(api, dbPath);
    b = await replica(api, dbPath); // a second replica over the same SQLite file
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await api.stop();
  });

  it('a click retried by Slack (X-Slack-Retry-Num: 1) advances the run once and posts nothing more', async () => {
    const { run, card } = await startRun(a, 'RETRY');
    const body = clickBody(api, card, 'sales_channel', { actionTs: '1700000100.000001' });
    const first = await a.send(body);
    const afterFirst = api.calls.length;
    const retry = await a.send(body, { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' });
    expect([first.status, retry.status]).toEqual([200, 200]);
    const now = (await a.core.store.get(run.id))!;
    expect(now.currentStep).toBe('point_of_sale');
    expect(now.version).toBe(run.version + 1);
    expect(callsSince(api, afterFirst)).toEqual([]); // no post, no ephemeral, no edit
    expect(a.logs.some((l) => l.includes('duplicate Slack request') && l.includes('"retryNum":1'))).toBe(true);
  });

  it('the same click reaching two replicas sharing one store is handled by the first only', async () => {
    const { run, card } = await startRun(a, 'REPLICA');
    const body = clickBody(api, card, 'sales_channel', { actionTs: '1700000200.000001' });
    await a.send(body);
    const afterFirst = api.calls.length;
    await b.send(body, { 'X-Slack-Retry-Num': '1' });
    expect((await b.core.store.get(run.id))!.version).toBe(run.version + 1);
    expect(callsSince(api, afterFirst)).toEqual([]);
    expect(b.logs.some((l) => l.includes('duplicate Slack request'))).toBe(true);
  });

  it('two different clicks of the same button still get the "already done" answer (they are not duplicates)', async () => {
    const { run, card } = await startRun(a, 'TWOCLICK');
    const v1 = clickBody(api, card, 'sales_channel', { actionTs: '1700000300.000001' });
    const v2 = clickBody(api, card, 'sales_channel', { actionTs: '1700000300.000002', user: SUPPORT_USER });
    await a.send(v1);
    const before = api.callsOf('chat.postEphemeral').length;
    await b.send(v2);
    expect((await a.core.store.get(run.id))!.version).toBe(run.version + 1);
    const told = api.callsOf('chat.postEphemeral').slice(before);
    expect(told).toHaveLength(1);
    expect(String(told[0]!.args.text)).toContain('already done');
  });

  it('a replayed slash command (same trigger_id) opens one modal', async () => {
    const body = commandBody({ text: 'start REPLAY', user_id: OPERATOR.id, channel_id: RUN_CHANNEL, trigger_id: 'trigger.replay.1' });
    const before = api.callsOf('views.open').length;
    await a.send(body);
    await b.send(body, { 'X-Slack-Retry-Num': '1' });
    expect(api.callsOf('views.open').length - before).toBe(1);
  });

  it('a replayed view submission starts one run; a submission with field errors can be corrected in the same view', async () => {
    await a.send(commandBody({ text: 'start VIEWDUP', user_id: OPERATOR.id, channel_id: RUN_CHANNEL }));
    const calls = api.callsOf('views.open');
    const meta = (calls[calls.length - 1]!.args.view as { private_metadata: string }).private_metadata;
    const submit = (values: Record<string, string | null>) =>
      interactionBody(
        viewSubmissionPayload({
          user: OPERATOR.id,
          userName: OPERATOR.name,
          callbackId: 'onboard_start',
          privateMetadata: meta,
          values,
          selects: ['language'],
          viewId: 'V0DUPVIEW1',
          viewHash: '1700000400.hash',
        }),
      );
    const bad = await a.send(submit({ ...START_VALUES('VIEWDUP'), digitick_contact_email: 'not-an-email' }));
    expect((bad.json as { response_action?: string } | undefined)?.response_action).toBe('errors');
    const good = submit(START_VALUES('VIEWDUP'));
    await a.send(good);
    const before = api.calls.length;
    const replay = await b.send(good);
    expect(replay.status).toBe(200);
    expect(replay.body).toBe('');
    expect(await a.core.store.list({ institutionCode: 'VIEWDUP' })).toHaveLength(1);
    expect(callsSince(api, before)).toEqual([]); // not even the "a run is already open" answer
  });

  it('an Events API delivery is claimed under slack:event:<event_id>, and its retry is acked', async () => {
    const body = JSON.stringify({
      token: 'legacy',
      team_id: 'T0TEAM001',
      api_app_id: 'A0APP0001',
      type: 'event_callback',
      event_id: 'Ev0DELIVERY1',
      event_time: 1700000000,
      event: { type: 'app_home_opened', user: OPERATOR.id, channel: 'D0HOME0001', tab: 'home' },
    });
    // the Events API posts JSON to the same receiver
    const post = (r: Replica, headers: Record<string, string> = {}) => r.send(body, { 'Content-Type': 'application/json', ...headers });
    const first = await post(a);
    const retry = await post(b, { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' });
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(await a.core.store.claimOnce('slack:event:Ev0DELIVERY1', new Date().toISOString())).toBe(false);
    expect(b.logs.some((l) => l.includes('slack:event:Ev0DELIVERY1') && l.includes('duplicate Slack request'))).toBe(true);
  });
});

describe('Slack delivery: outbound exactly once', () => {
  let api: FakeSlackApi;
  let r: Replica;
  let dbPath: string;
  beforeAll(async () => {
    api = await new FakeSlackApi().start();
    dbPath = path.join(tempDir('slack-delivery-out-'), 'runs.db');
    r = await replica(api, dbPath);
  });
  afterAll(async () => {
    await r.close();
    await api.stop();
  });
  const posts = () => api.callsOf('chat.postMessage').length;

  it('a card post that landed but answered 500 is not retried by the client, then found in the history instead of posted again', async () => {
    api.fail('chat.postMessage', { kind: 'lands_then_http', status: 500 });
    const before = posts();
    const { run } = await startRun(r, 'LANDED500');
    // one call only: the post client does not retry a 5xx (the default client would have posted 3 cards)
    expect(posts() - before).toBe(1);
    const roots = () => messagesOf(api, run.id).filter((m) => !m.thread_ts);
    expect(roots()).toHaveLength(1);
    const pending = await r.core.store.pendingOutbox(10, run.id);
    // HTTP 500: Slack in trouble, not counted toward giving up (the error is kept)
    expect(pending.map((p) => [p.effect.type, p.attempts, p.lastError !== undefined])).toEqual([
      ['card', 0, true],
      ['step_prompt', 0, false],
    ]);
    const history = api.callsOf('conversations.history').length;
    await r.core.service.drain();
    const lookups = api.callsOf('conversations.history').slice(history);
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.args).toMatchObject({ channel: RUN_CHANNEL, include_all_metadata: 'true' });
    expect(roots()).toHaveLength(1);
    expect((await r.core.store.getRefs(run.id))['slack.card']).toEqual({ channel: RUN_CHANNEL, ts: roots()[0]!.ts });
    // the step prompt went in the found card's thread
    expect(
      messagesOf(api, run.id).filter((m) => m.thread_ts === roots()[0]!.ts && m.metadata?.event_payload.step === 'sales_channel'),
    ).toHaveLength(1);
    expect(await r.core.store.pendingOutbox(10, run.id)).toEqual([]);
    expect(Object.values(deliveryCounts(api, run.id)).every((n) => n === 1)).toBe(true);
  });

  it('a thread post whose connection was reset after it landed is found with conversations.replies', async () => {
    const { run, card } = await startRun(r, 'RESET');
    api.fail('chat.postMessage', { kind: 'lands_then_reset' });
    await r.send(clickBody(api, card, 'sales_channel', { actionTs: '1700000500.000001' }));
    const prompts = () =>
      messagesOf(api, run.id).filter((m) => m.thread_ts === card.ts && m.metadata?.event_payload.step === 'point_of_sale');
    expect(prompts()).toHaveLength(1); // it landed
    expect((await r.core.store.pendingOutbox(10, run.id)).map((p) => p.effect.type)).toContain('step_prompt');
    const replies = api.callsOf('conversations.replies').length;
    const before = posts();
    await r.core.service.drain();
    const lookups = api.callsOf('conversations.replies').slice(replies);
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.args).toMatchObject({ channel: RUN_CHANNEL, ts: card.ts, include_all_metadata: 'true' });
    expect(prompts()).toHaveLength(1);
    expect(
      api
        .callsOf('chat.postMessage')
        .slice(before)
        .filter((c) => c.args.thread_ts === card.ts),
    ).toHaveLength(0);
    expect(await r.core.store.pendingOutbox(10, run.id)).toEqual([]);
    // the found message is remembered as the step's message: the next click closes it
    await r.send(clickBody(api, card, 'point_of_sale', { actionTs: '1700000500.000002' }));
    expect(prompts()[0]!.updates).toBe(1);
    expect(buttonsOf(prompts()[0]!.blocks)).toEqual([]);
  });

  it('a 500 that did not land: looked for, not found, posted once', async () => {
    api.fail('chat.postMessage', { kind: 'http', status: 503 });
    const { run } = await startRun(r, 'NOTLANDED');
    expect(messagesOf(api, run.id)).toHaveLength(0);
    const history = api.callsOf('conversations.history').length;
    await r.core.service.drain();
    expect(api.callsOf('conversations.history').length - history).toBe(1);
    expect(messagesOf(api, run.id).filter((m) => !m.thread_ts)).toHaveLength(1);
    expect(Object.values(deliveryCounts(api, run.id)).every((n) => n === 1)).toBe(true);
  });

  it('a clean Slack refusal (ok: false) is posted again without a lookup', async () => {
    api.fail('chat.postMessage', { kind: 'slack_error', error: 'internal_error' });
    const { run } = await startRun(r, 'CLEAN');
    const lookups = api.callsOf('conversations.history').length + api.callsOf('conversations.replies').length;
    await r.core.service.drain();
    expect(api.callsOf('conversations.history').length + api.callsOf('conversations.replies').length).toBe(lookups);
    expect(messagesOf(api, run.id).filter((m) => !m.thread_ts)).toHaveLength(1);
  });

  it('a 429 with Retry-After: 1 is waited out and the message posted once; a second run in the channel waits its turn', async () => {
    const { run: one } = await startRun(r, 'ORDERONE');
    const { run: two } = await startRun(r, 'ORDERTWO');
    api.fail('chat.postMessage', { kind: 'rate_limited', retryAfterSeconds: 1 });
    const before = api.calls.length;
    const started = performance.now();
    // two runs' notices, delivered concurrently (two outbox drains); the first meets the 429
    const first = r.surface.notifier.deliver(one, { type: 'notice', code: 'cancelled' });
    const second = r.surface.notifier.deliver(two, { type: 'notice', code: 'cancelled' });
    await Promise.all([first, second]);
    const calls = api.calls.slice(before).filter((c) => c.method === 'chat.postMessage');
    const ran = (c: (typeof calls)[number]) => String((c.args.metadata as { event_payload: { run_id: string } }).event_payload.run_id);
    console.log(
      `429 Retry-After 1 s: waited ${r.waits.join(',')} ms; gap 429 -> repost ${calls[1]!.at - calls[0]!.at} ms; both delivered in ${Math.round(performance.now() - started)} ms`,
    );
    expect(r.waits).toEqual([1000]);
    expect(calls.map((c) => [ran(c), c.status])).toEqual([
      [one.id, 429],
      [one.id, 200],
      [two.id, 200],
    ]);
    const notices = [...api.messages.values()].filter(
      (m) => (m.metadata?.event_payload.run_id === one.id || m.metadata?.event_payload.run_id === two.id) && m.text?.includes('ancel'),
    );
    expect(notices.map((m) => m.metadata!.event_payload.run_id)).toEqual([one.id, two.id]);
  });
});

describe('Slack delivery: the outbox across a restart', () => {
  it('messages a failing Slack left pending are posted once each, in order, by the next process', async () => {
    const api = await new FakeSlackApi().start();
    const dbPath = path.join(tempDir('slack-delivery-restart-'), 'runs.db');
    try {
      const first = await replica(api, dbPath);
      let runId: string;
      let card: FakeSlackMessage;
      let left: string[];
      try {
        ({
          run: { id: runId },
          card,
        } = await startRun(first, 'RESTART'));
        // Slack now refuses every post and edit cleanly: the click's effects stay in the outbox
        api.fail('chat.postMessage', { kind: 'slack_error', error: 'internal_error', times: 1000 });
        api.fail('chat.update', { kind: 'slack_error', error: 'internal_error', times: 1000 });
        await first.send(clickBody(api, card, 'sales_channel', { actionTs: '1700000600.000001' }));
        left = (await first.core.store.pendingOutbox(20, runId)).map((p) => p.effect.type);
      } finally {
        await first.close();
      }
      expect(left).toEqual(['step_closed', 'card', 'step_prompt']);
      // Slack is back, but the first post after the restart lands without an answer (reset)
      api.clearFailures();
      api.fail('chat.postMessage', { kind: 'lands_then_reset' });
      const second = await replica(api, dbPath);
      try {
        const before = api.calls.length;
        await second.core.service.drain(); // what main.ts does at start; stops at the ambiguous post
        await second.core.service.drain(); // the next drain finds it instead of posting it again
        await second.core.service.drain(); // nothing left: posts nothing
        const calls = api.calls.slice(before);
        console.log(
          `restart: ${left.length} pending (${left.join(', ')}); calls after the restart: ${calls.map((c) => `${c.method}:${c.status}`).join(' ')}`,
        );
        expect(await second.core.store.pendingOutbox(20, runId)).toEqual([]);
        expect(calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
        const counts = deliveryCounts(api, runId);
        expect(Object.values(counts).every((n) => n === 1)).toBe(true);
        // in outbox order: the step closed, the card edited, then the next step posted once in the thread
        const updates = calls.filter((c) => c.method === 'chat.update').map((c) => c.args.ts);
        expect(updates).toEqual([expect.any(String), card.ts]);
        const prompts = api.messagesIn(card.channel, card.ts).filter((m) => m.metadata?.event_payload.step === 'point_of_sale');
        expect(prompts).toHaveLength(1);
        expect(calls.findIndex((c) => c.method === 'chat.postMessage')).toBeGreaterThan(calls.findIndex((c) => c.args.ts === card.ts));
      } finally {
        await second.close();
      }
    } finally {
      await api.stop();
    }
  });
});
