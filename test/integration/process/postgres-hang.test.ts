/**
 * Issue 11 (QA): the real product (a child process) on a PRIVATE PostgreSQL server
 * (`test/helpers/private-postgres.ts`; never the machine's shared cluster):
 * - connections killed by the server (`pg_terminate_backend`): the pool's 'error' events are
 *   logged through pino and never crash the process; the next request works;
 * - the server paused (SIGSTOP of every server process: connections stay open, nothing answers):
 *   a slash command gets the plain "try again in a moment" within Slack's 3 s (pg connect and
 *   query timeouts, 2 s by default), `/readyz` answers 503, and all is well once it runs again.
 * - the database stopped while a verification runs: the result cannot be saved (retried for about
 *   15 s); the progress message then says so and to verify again; the run stays at verification.
 * Skipped with a printed message when the PostgreSQL server binaries are absent.
 */
import pg from 'pg';
import { createSandbox, demoHints, type Sandbox } from '../../../adapters/sandbox';
import { FakeSlackApi } from '../../fakes/fake-slack-api';
import { PrivatePostgres, unavailableReason } from '../../helpers/private-postgres';
import { DEMO_START, PROCESS_SECRETS, type ProductProcess, SlackDriver, spawnProduct, SUPPORT_CHANNEL, waitFor } from './product-process';

const why = unavailableReason();
if (why) {
  console.warn(`PostgreSQL hang process test skipped: ${why}`);
  describe('PostgreSQL paused or cutting connections under the running product', () => {
    it.skip(`skipped: ${why}`, () => undefined);
  });
} else {
  hangSuite();
}

function hangSuite(): void {
  let db: PrivatePostgres;
  let sandbox: Sandbox;
  let api: FakeSlackApi;
  let p: ProductProcess;
  let slack: SlackDriver;

  beforeAll(async () => {
    db = await PrivatePostgres.create();
    // Extraction takes 3 s: the database can be stopped while a verification runs.
    sandbox = createSandbox({ admin: true, extractionMs: 3000 });
    const { url } = await sandbox.listen(0, '127.0.0.1');
    api = await new FakeSlackApi().start();
    api.validTokens.add(PROCESS_SECRETS.botToken);
    p = await spawnProduct({
      SLACK_SIGNING_SECRET: PROCESS_SECRETS.signingSecret,
      SLACK_BOT_TOKEN: PROCESS_SECRETS.botToken,
      SLACK_API_URL: api.apiUrl,
      SECUTIX_SUPPORT_SLACK_CHANNEL: SUPPORT_CHANNEL,
      SECUTIX_SANDBOX: 'false',
      SECUTIX_BASE_URL: url,
      DATABASE_URL: db.url,
      SECUTIX_POLL_INTERVAL_MS: '200',
      LOG_LEVEL: 'info',
    });
    slack = new SlackDriver(api, `${p.baseUrl}/slack/events`);
  }, 60_000);

  afterAll(async () => {
    await p?.kill9();
    await api?.stop();
    await sandbox?.close();
    db?.destroy();
  });

  const answerText = (a: { json: unknown }): string => String((a.json as { text?: unknown } | undefined)?.text ?? '');
  const parsedLogs = () => p.logs.map((l) => JSON.parse(l) as { level: number; msg: string; time: number; err?: string });

  it('connections killed by the server: logged through pino (level error), the process keeps serving', async () => {
    // Arrange: the pool holds connections (the outbox poll runs every 2 s).
    expect(answerText(await slack.command('status'))).not.toContain('Try again');
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const since = Date.now();

    // Act
    let killed = 0;
    try {
      const r = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'digitick-onboarding'");
      killed = r.rowCount ?? 0;
    } finally {
      await admin.end();
    }

    // Assert
    expect(killed).toBeGreaterThan(0);
    const line = await waitFor('the pino line of the lost connection', () =>
      parsedLogs().find((l) => l.time >= since && l.msg.startsWith('PostgreSQL connection lost')),
    );
    expect(line.level).toBe(50);
    expect(line.err).toMatch(/terminat/i);
    expect(p.stderr.join('\n')).not.toMatch(/idle connection error|unhandled|uncaught/i);
    expect(p.alive()).toBe(true);
    const after = await slack.command('status');
    expect(after.status).toBe(200);
    expect(answerText(after)).not.toContain('Try again');
  });

  it('PostgreSQL paused (SIGSTOP): a command gets "try again in a moment" within 3 s, /readyz 503; all answers again after SIGCONT', async () => {
    // Arrange: connections in the pool, then every server process frozen.
    await slack.command('status');
    db.pause();
    try {
      // Act
      const command = await slack.command('status');
      const started = Date.now();
      const ready = await fetch(`${p.baseUrl}/readyz`);
      const readyMs = Date.now() - started;
      const health = await p.healthz();

      // Assert
      expect(command.status).toBe(200);
      expect(command.ms).toBeLessThan(3000);
      expect(answerText(command)).toContain('Try again in a moment');
      expect(ready.status).toBe(503);
      expect(readyMs).toBeLessThan(3000);
      expect(health).toBe(200);
      expect(p.alive()).toBe(true);
    } finally {
      db.resume();
    }
    await waitFor('/readyz to answer 200 again', async () => (await fetch(`${p.baseUrl}/readyz`)).status === 200, 20_000);
    const again = await slack.command('status');
    expect(again.status).toBe(200);
    expect(answerText(again)).not.toContain('Try again');
    expect(p.stderr.join('\n')).not.toMatch(/unhandled|uncaught/i);
  });

  it('forms submitted while PostgreSQL is paused or stopped: acked within 3 s with "try again in a moment" on the first input (the modal stays open)', async () => {
    // Arrange: a run at contingents, its form open, and a start form open.
    const demo = demoHints();
    const runId = await slack.runTo('contingents', demo);
    const step = await slack.waitOpen(runId, 'contingents', 'step_done');
    let views = api.callsOf('views.open').length;
    await slack.click(step, 'step_done');
    const contingentsView = ++views;
    await slack.viewId(contingentsView);
    await slack.command('start demo');
    const startView = ++views;
    await slack.viewId(startView);
    const errorsOf = (a: { json: unknown }) => (a.json as { response_action?: string; errors?: Record<string, string> } | undefined) ?? {};

    // Act 1: the database hangs.
    db.pause();
    let hungForm, hungStart;
    try {
      hungForm = await slack.submitView(contingentsView, { contingent_ids: demo.contingentIds.join(',') });
      hungStart = await slack.submitView(startView, DEMO_START, { selects: ['language'] });
    } finally {
      db.resume();
    }
    // Act 2: the database is stopped.
    db.stop();
    let stoppedForm;
    try {
      stoppedForm = await slack.submitView(contingentsView, { contingent_ids: demo.contingentIds.join(',') });
    } finally {
      db.start();
    }

    // Assert: each one kept open with the sentence on its first input, within Slack's 3 s.
    for (const [answer, input] of [
      [hungForm, 'contingent_ids'],
      [hungStart, 'institution_code'],
      [stoppedForm, 'contingent_ids'],
    ] as const) {
      expect(answer.status).toBe(200);
      expect(answer.ms).toBeLessThan(3000);
      expect(errorsOf(answer).response_action).toBe('errors');
      expect(errorsOf(answer).errors?.[input]).toContain('Try again in a moment');
    }
    expect(p.logs.filter((l) => l.includes('a Slack request was not acknowledged'))).toEqual([]);
    // Once the database is back, the same form goes through.
    await waitFor('/readyz to answer 200 again', async () => (await fetch(`${p.baseUrl}/readyz`)).status === 200, 20_000);
    const again = await slack.submitView(contingentsView, { contingent_ids: demo.contingentIds.join(',') });
    expect(errorsOf(again).response_action).toBeUndefined();
    await slack.waitOpen(runId, 'technical_contact', 'step_done', 20_000);
    // Closed, so the next test can start a DEMO run again (one open run per institution and channel).
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(`UPDATE runs SET status = 'cancelled', state = jsonb_set(state, '{status}', '"cancelled"') WHERE id = $1`, [
        runId,
      ]);
    } finally {
      await client.end();
    }
  }, 90_000);

  it('PostgreSQL stopped while a verification runs: after the retries the progress message says the result was not saved, verify again; nothing recorded', async () => {
    // Arrange: a run at verification; the password submitted; the progress message is up.
    const demo = demoHints();
    const runId = await slack.runTo('verification', demo);
    const start = await slack.waitOpen(runId, 'verification', 'verify_start');
    const views = api.callsOf('views.open').length;
    await slack.click(start, 'verify_start');
    await slack.submitView(views + 1, { operator_password: demo.password });
    const progressOf = () =>
      [...api.messages.values()].find(
        (m) => m.metadata?.event_payload.run_id === runId && m.metadata.event_payload.progress_id !== undefined,
      );
    await waitFor('the progress message', progressOf, 10_000);

    // Act: the database goes away while SecuTix extracts the catalog.
    db.stop();
    let notSaved: string | undefined;
    try {
      notSaved = await waitFor(
        'the progress message to say the result was not saved',
        () => {
          const m = progressOf();
          const text = m ? `${m.text}\n${JSON.stringify(m.blocks)}` : '';
          return /could not be saved/.test(text) ? text : undefined;
        },
        45_000,
      );
    } finally {
      db.start();
    }

    // Assert
    expect(notSaved).toMatch(/Verify again in a moment/);
    expect(notSaved).not.toMatch(/Every check passed|white_check_mark/);
    expect(p.logs.filter((l) => l.includes('could not be saved (run store unavailable): retrying'))).toHaveLength(4);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ step: string; verification: unknown }>(
        "SELECT state->>'currentStep' AS step, state->'verification' AS verification FROM runs WHERE id = $1",
        [runId],
      );
      expect(rows[0]).toEqual({ step: 'verification', verification: null });
    } finally {
      await client.end();
    }
    expect(p.alive()).toBe(true);
  }, 90_000);
}
