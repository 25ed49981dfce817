/**
 * Issue 11, "Watch it": the real product (a child process, Slack fake on loopback, SecuTix
 * sandbox, SQLite) serves `GET /healthz` (version, uptime), `GET /readyz` (store answers; 503
 * while draining) and `GET /metrics` (prom-client text behind `METRICS_TOKEN`), logs one start
 * line naming version, surfaces and store, and stops on SIGTERM.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSandbox, demoHints, type Sandbox } from '../../../adapters/sandbox';
import { FakeSlackApi } from '../../fakes/fake-slack-api';
import { sample } from '../../helpers/prom-text';
import { PROCESS_SECRETS, type ProductProcess, SlackDriver, spawnProduct, SUPPORT_CHANNEL, waitFor } from '../process/product-process';

const METRICS_TOKEN = 'metrics-token-not-real-51aa';
const VERSION = (JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string }).version;

describe('operations endpoints of the running product', () => {
  let sandbox: Sandbox;
  let api: FakeSlackApi;
  let p: ProductProcess;
  let slack: SlackDriver;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-'));

  beforeAll(async () => {
    sandbox = createSandbox({ admin: true });
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
      DATABASE_URL: `sqlite:${path.join(dir, 'runs.db')}`,
      METRICS_TOKEN,
      LOG_LEVEL: 'info',
    });
    slack = new SlackDriver(api, `${p.baseUrl}/slack/events`);
  });
  afterAll(async () => {
    await p?.kill9();
    await api?.stop();
    await sandbox?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('logs one start line with the version, the surfaces and the store', async () => {
    // Logged once the outbox and recovery ran, just after listening.
    const start = await waitFor('the start line', () =>
      p.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l.msg).includes('started')),
    );
    expect(start).toMatchObject({ version: VERSION, surfaces: ['slack'], store: 'sqlite', msg: `digitick-onboard ${VERSION} started` });
  });

  it('GET /healthz answers the version and the uptime; GET /readyz answers 200 while the store answers', async () => {
    const health = await fetch(`${p.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const body = (await health.json()) as { ok: boolean; version: string; uptimeSeconds: number };
    expect(body).toMatchObject({ ok: true, version: VERSION });
    expect(body.uptimeSeconds).toBeGreaterThanOrEqual(0);
    const ready = await fetch(`${p.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
  });

  it('HEAD /healthz and HEAD /readyz answer as GET, without a body', async () => {
    for (const route of ['/healthz', '/readyz']) {
      const get = await fetch(`${p.baseUrl}${route}`);
      const head = await fetch(`${p.baseUrl}${route}`, { method: 'HEAD' });
      expect({ route, status: head.status, type: head.headers.get('content-type') }).toEqual({
        route,
        status: get.status,
        type: get.headers.get('content-type'),
      });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
      await get.text();
    }
  });

  it('GET /metrics needs the bearer token, then lists every metric with the run read from the database', async () => {
    // Arrange: a run taken through its first step.
    const runId = await slack.runTo('point_of_sale', demoHints());
    await slack.waitOpen(runId, 'point_of_sale', 'step_done');

    // Act
    const refused = await fetch(`${p.baseUrl}/metrics`);
    const wrong = await fetch(`${p.baseUrl}/metrics`, { headers: { Authorization: 'Bearer nope' } });
    const res = await fetch(`${p.baseUrl}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    const text = await res.text();

    // Assert
    expect(refused.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(await refused.text()).not.toContain('digitick_');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    for (const [name, type] of [
      ['digitick_runs', 'gauge'],
      ['digitick_steps_completed_total', 'counter'],
      ['digitick_verifications_total', 'counter'],
      ['digitick_verification_checks_total', 'counter'],
      ['digitick_secutix_call_duration_seconds', 'histogram'],
      ['digitick_outbox_pending', 'gauge'],
      ['digitick_outbox_oldest_age_seconds', 'gauge'],
      ['digitick_store_up', 'gauge'],
      ['digitick_deliveries_failed_total', 'counter'],
      ['digitick_reminders_sent_total', 'counter'],
      ['digitick_http_request_duration_seconds', 'histogram'],
      ['process_cpu_seconds_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
    ] as const)
      expect(text).toContain(`# TYPE ${name} ${type}`);
    expect(sample(text, 'digitick_runs{status="open",step="point_of_sale"}')).toBe(1);
    expect(sample(text, 'digitick_steps_completed_total{step="sales_channel"}')).toBe(1);
    expect(sample(text, 'digitick_outbox_pending')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'digitick_http_request_duration_seconds_count{surface="slack",kind="command"}')).toBe(1);
    expect(sample(text, 'digitick_http_request_duration_seconds_count{surface="slack",kind="view"}')).toBe(1);
    expect(sample(text, 'digitick_http_request_duration_seconds_count{surface="slack",kind="action"}')).toBe(1);
    // Operations routes are not Slack or Teams requests: not timed.
    expect(text).not.toMatch(/kind="(healthz|readyz|metrics)"/);
    expect(text).not.toContain(METRICS_TOKEN);
  });

  it('on SIGTERM it stops serving and exits with status 0', async () => {
    const exit = new Promise<number | null>((resolve) => p.child.once('exit', (code) => resolve(code)));
    p.child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(p.logs.some((l) => l.includes('"signal":"SIGTERM"'))).toBe(true);
    await waitFor('the port to close', async () => (await p.healthz()) === 0);
  });
});
