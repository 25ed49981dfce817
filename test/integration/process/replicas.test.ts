/**
 * Two product processes (replicas) on different ports against one PostgreSQL database (issue 4,
 * "replicas"): a click reaching both at once advances the run once.
 * - The same Slack request delivered to both (a load balancer retry, a replay): one advancement,
 *   and the other replica acknowledges it as a duplicate (durable dedupe, `adapters/slack/dedupe.ts`).
 * - The same button clicked twice (two requests), one to each replica at once: one advancement,
 *   and the other clicker is told ephemerally that the step is already done.
 *
 * Needs `TEST_DATABASE_URL` (`.ci/run` sets it); each run of the file uses a fresh schema, dropped
 * at the end. Without it the suite is skipped with a visible message, never silently.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createSandbox, demoHints, type Sandbox } from '../../../adapters/sandbox';
import { openPostgresRunStore } from '../../../adapters/store/postgres-run-store';
import { FakeSlackApi } from '../../fakes/fake-slack-api';
import {
  buttonsOf,
  OPERATOR,
  PROCESS_SECRETS,
  type ProductProcess,
  SlackDriver,
  spawnProduct,
  SUPPORT_CHANNEL,
  waitFor,
} from './product-process';

const url = process.env.TEST_DATABASE_URL?.trim();
const SKIP_MESSAGE = 'PostgreSQL process tests (two replicas) skipped: set TEST_DATABASE_URL=postgres://... (CI sets it)';

if (!url || !/^postgres(ql)?:\/\//i.test(url)) {
  console.warn(url ? `${SKIP_MESSAGE}; TEST_DATABASE_URL is set but is not a postgres:// URL` : SKIP_MESSAGE);
  describe('two replicas on one PostgreSQL database', () => {
    it.skip(SKIP_MESSAGE, () => undefined);
  });
} else {
  replicaSuite(url);
}

function replicaSuite(databaseUrl: string): void {
  const demo = demoHints();
  const schema = `t_${randomBytes(6).toString('hex')}`;
  // pg reads `options` from the URL: both replicas work in the test's own schema.
  const replicaUrl = `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const admin = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  let sandbox: Sandbox;
  let api: FakeSlackApi;
  let a: ProductProcess;
  let b: ProductProcess;
  let slack: SlackDriver;
  let runId: string;

  beforeAll(async () => {
    await admin.query(`CREATE SCHEMA ${schema}`);
    sandbox = createSandbox({ admin: true });
    const { url: sandboxUrl } = await sandbox.listen(0, '127.0.0.1');
    api = await new FakeSlackApi().start();
    api.validTokens.add(PROCESS_SECRETS.botToken);
    const env = {
      SLACK_SIGNING_SECRET: PROCESS_SECRETS.signingSecret,
      SLACK_BOT_TOKEN: PROCESS_SECRETS.botToken,
      SLACK_API_URL: api.apiUrl,
      SECUTIX_SUPPORT_SLACK_CHANNEL: SUPPORT_CHANNEL,
      SECUTIX_SANDBOX: 'false',
      SECUTIX_BASE_URL: sandboxUrl,
      DATABASE_URL: replicaUrl,
      LOG_LEVEL: 'info',
    };
    // Both start together: they migrate the empty schema at the same time.
    [a, b] = await Promise.all([spawnProduct(env), spawnProduct(env)]);
    expect(a.port).not.toBe(b.port);
    slack = new SlackDriver(api, `${a.baseUrl}/slack/events`);
    runId = await slack.runTo('sales_channel', demo);
  });

  afterAll(async () => {
    await Promise.all([a?.kill9(), b?.kill9()]);
    await api?.stop();
    await sandbox?.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  /** The run and its audit, read from PostgreSQL. */
  async function stored() {
    const store = await openPostgresRunStore(databaseUrl, { schema, maxConnections: 1 });
    try {
      return { run: (await store.get(runId))!, audit: await store.audit(runId) };
    } finally {
      await store.close();
    }
  }

  const ephemeralsTo = (user: string) => api.callsOf('chat.postEphemeral').filter((c) => c.args.user === user);
  const promptsOf = (step: string) =>
    api
      .callsOf('chat.postMessage')
      .filter(
        (c) =>
          (c.args.metadata as { event_payload?: { step?: string } } | undefined)?.event_payload?.step === step &&
          buttonsOf(c.args.blocks as Record<string, unknown>[]).some((x) => x.action_id === 'step_done'),
      );

  it('the same signed click sent to both replicas at once advances the run once; the other replica acknowledges a duplicate', async () => {
    // Arrange
    const step1 = await slack.waitOpen(runId, 'sales_channel', 'step_done');
    const body = slack.clickBody(step1, 'step_done');
    const ephemeralsBefore = ephemeralsTo(OPERATOR.id).length;

    // Act: one request, delivered twice at the same moment.
    const t0 = performance.now();
    const answers = await Promise.all([slack.send(body, a.baseUrl), slack.send(body, b.baseUrl)]);
    await slack.waitOpen(runId, 'point_of_sale', 'step_done');
    // An empty list is truthy: wait until the line is there (under load the log comes after the ack).
    const duplicate = await waitFor('one replica to report the duplicate', () => {
      const lines = [...a.logs, ...b.logs].filter((l) => l.includes('duplicate Slack request'));
      return lines.length > 0 && lines;
    });
    console.log(
      `two replicas, same request: acks ${answers.map((x) => Math.round(x.ms)).join(' and ')} ms, advanced in ${Math.round(performance.now() - t0)} ms`,
    );

    // Assert
    expect(answers.map((x) => x.status)).toEqual([200, 200]);
    expect(duplicate).toHaveLength(1);
    const { run, audit } = await stored();
    expect(run.currentStep).toBe('point_of_sale');
    expect(audit.filter((e) => e.action === 'step_done' && e.step === 'sales_channel')).toHaveLength(1);
    expect(promptsOf('point_of_sale')).toHaveLength(1);
    expect(ephemeralsTo(OPERATOR.id)).toHaveLength(ephemeralsBefore);
  });

  it('a double click landing on both replicas at once: one advancement and one ephemeral "already done"', async () => {
    // Arrange: two clicks of the same button (two Slack requests, each with its own action_ts).
    const step2 = await slack.waitOpen(runId, 'point_of_sale', 'step_done');
    const first = slack.clickBody(step2, 'step_done');
    const second = slack.clickBody(step2, 'step_done');
    const ephemeralsBefore = ephemeralsTo(OPERATOR.id).length;

    // Act
    const answers = await Promise.all([slack.send(first, a.baseUrl), slack.send(second, b.baseUrl)]);
    await slack.waitOpen(runId, 'contingents', 'step_done');
    const told = await waitFor('the ephemeral answer of the losing click', () => {
      const list = ephemeralsTo(OPERATOR.id).slice(ephemeralsBefore);
      return list.length > 0 ? list : undefined;
    });

    // Assert
    expect(answers.map((x) => x.status)).toEqual([200, 200]);
    const { run, audit } = await stored();
    expect(run.currentStep).toBe('contingents');
    const onStep2 = audit.filter((e) => e.action === 'step_done' && e.step === 'point_of_sale');
    expect(onStep2.map((e) => e.outcome).sort()).toEqual(['ok']);
    expect(audit.filter((e) => e.action === 'step_done' && e.outcome === 'refused:stale_step')).toHaveLength(1);
    expect(told).toHaveLength(1);
    expect(String(told[0]!.args.text)).toMatch(/Nothing changed: step "[^"]+" is already done/);
    expect(promptsOf('contingents')).toHaveLength(1);
  });

  it('GET /metrics: both replicas report the same run gauges, read from the shared database', async () => {
    const text = async (p: ProductProcess) => (await (await fetch(`${p.baseUrl}/metrics`)).text()).split('\n');
    const gauges = (lines: string[]) => lines.filter((l) => /^digitick_runs[{ ]/.test(l));
    const [ga, gb] = [gauges(await text(a)), gauges(await text(b))];
    expect(ga).toContain('digitick_runs{status="open",step="contingents"} 1');
    expect(gb).toEqual(ga);
  });
}
