/**
 * Issue 11, "Robust when things go away": the real product (a child process) on a PRIVATE
 * PostgreSQL server that this test creates, stops and starts (`test/helpers/private-postgres.ts`;
 * never the machine's shared cluster), with the Slack fake behind a gate and the SecuTix sandbox.
 * - PostgreSQL restarted in the middle of a run: a click and a command during the outage get a
 *   plain "try again in a moment" and change nothing; the product reconnects by itself; the same
 *   click afterwards advances the run once; the outbox and reminders resume; nothing is posted twice.
 * - Slack down mid-run: the messages wait in the outbox and go out in order when it returns.
 * Skipped with a printed message when the PostgreSQL server binaries are absent.
 */
import pg from 'pg';
import { createSandbox, demoHints, type Sandbox } from '../../../adapters/sandbox';
import { FakeSlackApi, type FakeSlackMessage } from '../../fakes/fake-slack-api';
import { PrivatePostgres, unavailableReason } from '../../helpers/private-postgres';
import {
  buttonsOf,
  OPERATOR,
  PROCESS_SECRETS,
  type ProductProcess,
  RUN_CHANNEL,
  SlackDriver,
  SlackGate,
  spawnProduct,
  SUPPORT_CHANNEL,
  waitFor,
} from './product-process';

const why = unavailableReason();
if (why) {
  console.warn(`PostgreSQL restart process test skipped: ${why}`);
  describe('PostgreSQL restarted under the running product', () => {
    it.skip(`skipped: ${why}`, () => undefined);
  });
} else {
  restartSuite();
}

function restartSuite(): void {
  const demo = demoHints();
  let db: PrivatePostgres;
  let sandbox: Sandbox;
  let api: FakeSlackApi;
  let gate: SlackGate;
  let p: ProductProcess;
  let slack: SlackDriver;

  beforeAll(async () => {
    db = await PrivatePostgres.create();
    sandbox = createSandbox({ admin: true });
    const { url } = await sandbox.listen(0, '127.0.0.1');
    api = await new FakeSlackApi().start();
    api.validTokens.add(PROCESS_SECRETS.botToken);
    gate = await new SlackGate(api).start();
    p = await spawnProduct({
      SLACK_SIGNING_SECRET: PROCESS_SECRETS.signingSecret,
      SLACK_BOT_TOKEN: PROCESS_SECRETS.botToken,
      SLACK_API_URL: gate.apiUrl,
      SECUTIX_SUPPORT_SLACK_CHANNEL: SUPPORT_CHANNEL,
      SECUTIX_SANDBOX: 'false',
      SECUTIX_BASE_URL: url,
      DATABASE_URL: db.url,
      LOG_LEVEL: 'info',
      // An operator reminder 7.2 s after each step: one falls due while PostgreSQL is stopped.
      REMIND_AFTER_HOURS: '0.002',
    });
    slack = new SlackDriver(api, `${p.baseUrl}/slack/events`);
  }, 60_000);

  afterAll(async () => {
    await p?.kill9();
    await gate?.stop();
    await api?.stop();
    await sandbox?.close();
    db?.destroy();
  });

  /** The outbox as stored (id order), read with a connection of the test's own. */
  async function outbox(): Promise<{ id: number; type: string; delivered: string | null }[]> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string; type: string; delivered_at: string | null }>(
        "SELECT id, effect->>'type' AS type, delivered_at FROM outbox ORDER BY id",
      );
      return rows.map((r) => ({ id: Number(r.id), type: r.type, delivered: r.delivered_at }));
    } finally {
      await client.end();
    }
  }

  /** Successful posts, as (channel, thread, text) keys: a key seen twice is a message posted twice. */
  const postedKeys = () =>
    api
      .callsOf('chat.postMessage')
      .filter((c) => c.status === 200 && !c.error)
      .map(
        (c) =>
          `${String(c.args.channel)}|${String(c.args.thread_ts ?? '')}|${String(c.args.text ?? '')}|${JSON.stringify(c.args.metadata ?? '')}`,
      );

  /** The run as stored: version, current step, next reminder's due time. */
  async function storedRun(runId: string): Promise<{ version: number; step: string | null; dueAt: string | null }> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: number; step: string | null; due_at: string | null }>(
        "SELECT version, state->>'currentStep' AS step, due_at FROM runs WHERE id = $1",
        [runId],
      );
      return { version: rows[0]!.version, step: rows[0]!.step, dueAt: rows[0]!.due_at };
    } finally {
      await client.end();
    }
  }

  /** Reminder posts (with the snooze button) of `step`. */
  const remindersOf = (step: string): FakeSlackMessage[] =>
    [...api.messages.values()].filter(
      (m) => m.metadata?.event_payload.step === step && buttonsOf(m.blocks).some((b) => b.action_id === 'reminder_snooze'),
    );
  const logsAfter = (ms: number, text: string) => p.logs.filter((l) => l.includes(text) && (JSON.parse(l) as { time: number }).time >= ms);
  let runId: string;

  it('PostgreSQL restarted mid-run: "try again in a moment" and nothing changes; it reconnects by itself; the reminder due during the outage goes out once; the same click then advances once', async () => {
    // Arrange: a run at point_of_sale, its reminder due in a few seconds.
    runId = await slack.runTo('point_of_sale', demo);
    const pos = await slack.waitOpen(runId, 'point_of_sale', 'step_done');
    const clickBody = slack.clickBody(pos, 'step_done');
    const before = await storedRun(runId);
    expect(before.dueAt).not.toBeNull();

    // Act 1: PostgreSQL stops; a click and a command arrive.
    db.stop();
    const stoppedAt = Date.now();
    const ephemeralsBefore = api.callsOf('chat.postEphemeral').length;
    const click = await slack.send(clickBody);
    const status = await slack.command(`status ${runId}`);
    // help and product CODE need no database: answered as usual.
    const help = await slack.command('help');
    const product = await slack.command('product DEMO');
    const ephemeral = await waitFor('the answer to the click', () => api.callsOf('chat.postEphemeral')[ephemeralsBefore]);
    // The reminder falls due while the database is away: the poller fails (and keeps polling).
    // (The outage is logged once, when it starts: then the due time passes with the database away.)
    await waitFor(
      'the reminder poller to see the outage',
      () => logsAfter(stoppedAt, 'reminder poll: the database does not answer').length > 0,
      30_000,
    );
    await waitFor('the reminder to fall due during the outage', () => Date.now() > Date.parse(before.dueAt!) + 2000, 30_000);

    // Assert 1: plain answers, nothing changed, no reminder could be sent.
    expect(click.status).toBe(200);
    expect(ephemeral.args).toMatchObject({ user: OPERATOR.id, channel: RUN_CHANNEL });
    expect(String(ephemeral.args.text)).toContain('Try again in a moment');
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ response_type: 'ephemeral' });
    expect(String((status.json as { text: string }).text)).toContain('Try again in a moment');
    for (const answer of [help, product]) {
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({ response_type: 'ephemeral' });
      expect(String((answer.json as { text: string }).text)).not.toContain('Try again in a moment');
    }
    expect(JSON.stringify(help.json)).toContain('status');
    expect(JSON.stringify(product.json)).toContain('DEMO');
    expect(remindersOf('point_of_sale')).toHaveLength(0);
    expect(p.alive()).toBe(true);
    expect(await p.healthz()).toBe(200);
    expect((await fetch(`${p.baseUrl}/readyz`)).status).toBe(503);

    // Act 2: PostgreSQL is back (same port); no restart of the product.
    db.start();
    await waitFor('/readyz to answer 200 again', async () => (await fetch(`${p.baseUrl}/readyz`)).status === 200, 20_000);
    const unchanged = await storedRun(runId);
    const reminder = await waitFor('the reminder due during the outage', () => remindersOf('point_of_sale')[0], 20_000);
    const again = await slack.send(clickBody);
    await slack.waitOpen(runId, 'contingents', 'step_done', 20_000);

    // Assert 2
    expect(unchanged.version).toBe(before.version);
    expect(unchanged.step).toBe('point_of_sale');
    expect(reminder.thread_ts).toBeDefined();
    expect(again.status).toBe(200);
    const after = await storedRun(runId);
    expect(after).toMatchObject({ version: before.version + 2, step: 'contingents' }); // the reminder, then the click
    await waitFor('the outbox to be empty', async () => (await outbox()).every((o) => o.delivered !== null), 20_000);
    const keys = postedKeys();
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]); // nothing posted twice
    const reminderItems = (await outbox()).filter((o) => o.type === 'reminder');
    expect(remindersOf('point_of_sale').length + remindersOf('contingents').length).toBe(reminderItems.length);
    expect(p.stderr.join('\n')).not.toMatch(/unhandled/i);
    // The pollers said the outage once when it started (warn) and once when it ended (info), never as errors.
    expect(logsAfter(stoppedAt, 'outbox poll: the database does not answer')).toHaveLength(1);
    // (The outbox may be emptied by the click's own delivery before the next poll says it.)
    await waitFor(
      'the outbox poll to say the database answers again',
      () => logsAfter(stoppedAt, 'outbox poll: the database answers again').length > 0,
      20_000,
    );
    expect(logsAfter(stoppedAt, 'outbox poll: the database answers again')).toHaveLength(1);
    expect(logsAfter(stoppedAt, 'poll failed')).toEqual([]);
  });

  it('Slack down mid-run: the messages wait in the outbox and go out once each, in order, when it returns', async () => {
    // Arrange: the contingents form, then Slack refuses every post and edit.
    const step = await slack.waitOpen(runId, 'contingents', 'step_done');
    const views = api.callsOf('views.open').length;
    await slack.click(step, 'step_done');
    const firstNew = Math.max(0, ...(await outbox()).map((o) => o.id)) + 1;
    api.fail('chat.postMessage', { kind: 'http', status: 503, times: 1000 });
    api.fail('chat.update', { kind: 'http', status: 503, times: 1000 });

    // Act: the form is submitted while Slack is down; it comes back once a delivery failed.
    await slack.submitView(views + 1, { contingent_ids: demo.contingentIds.join(',') });
    await waitFor('a failed delivery', async () => (await outboxAttempts(firstNew)) > 0, 20_000);
    expect(slack.open(runId, 'technical_contact', 'step_done')).toBeUndefined();
    api.clearFailures();
    const prompt = await slack.waitOpen(runId, 'technical_contact', 'step_done', 30_000);

    // Assert: delivered in id order, each once.
    await waitFor('the outbox to be empty', async () => (await outbox()).every((o) => o.delivered !== null), 30_000);
    const items = (await outbox()).filter((o) => o.id >= firstNew);
    expect(items.length).toBeGreaterThan(1);
    const times = items.map((o) => o.delivered!);
    expect([...times].sort()).toEqual(times);
    expect(
      api
        .messagesIn(prompt.channel, prompt.thread_ts)
        .filter((m) => m.metadata?.event_payload.step === 'technical_contact' && buttonsOf(m.blocks).length > 0),
    ).toHaveLength(1);
    const keys = postedKeys();
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  async function outboxAttempts(fromId: number): Promise<number> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>('SELECT COALESCE(SUM(attempts), 0)::text AS n FROM outbox WHERE id >= $1', [
        fromId,
      ]);
      return Number(rows[0]!.n);
    } finally {
      await client.end();
    }
  }
}
