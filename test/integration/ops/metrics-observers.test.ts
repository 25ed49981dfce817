/**
 * The metric observers over real parts: the axios SecuTix client against the sandbox over HTTP
 * (call durations with `ok` or the error kind, verification outcomes and checks), a SQLite store
 * (steps completed), and the operations routes on a loopback server (`/readyz` 503 while
 * draining and when the store does not answer, the gauges read from the store).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createOpsRoutes } from '../../../adapters/http/ops-routes';
import { createLogger } from '../../../adapters/logger';
import { Metrics } from '../../../adapters/metrics/metrics';
import { observeSecutix, observeStore, observeVerifier } from '../../../adapters/metrics/observe';
import { createSandbox, demoHints, type Sandbox } from '../../../adapters/sandbox';
import { createSecutixClient } from '../../../adapters/secutix';
import { openSqliteRunStore } from '../../../adapters/store/sqlite-run-store';
import { openPostgresRunStore } from '../../../adapters/store/postgres-run-store';
import { PrivatePostgres, unavailableReason } from '../../helpers/private-postgres';
import { verifySetup } from '../../../src/app/verification';
import { systemClock } from '../../../src/ports/clock.port';
import type { RunStore } from '../../../src/ports/run-store.port';
import { dummyRun } from '../../fixtures/dummy-run';
import { sample } from '../../helpers/prom-text';

const text = async (m: Metrics) => (await m.render()).body;

describe('metric observers', () => {
  let sandbox: Sandbox;
  let url: string;
  beforeAll(async () => {
    sandbox = createSandbox({ admin: false });
    ({ url } = await sandbox.listen(0, '127.0.0.1'));
  });
  afterAll(() => sandbox.close());

  it('times SecuTix calls by method and outcome, and counts verification outcomes and checks', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const demo = demoHints();
    const client = observeSecutix(createSecutixClient({ baseUrl: url, maxRetries: 0 }), metrics);
    const verifier = observeVerifier((req) => verifySetup(client, req, systemClock), metrics);
    const credentials = { institutionCode: demo.institutionCode, channelCode: 'DGTK', password: demo.password };

    const good = await verifier({ credentials, contingentIds: demo.contingentIds, checkEvents: true, checkPasses: true });
    const bad = await verifier({
      credentials: { ...credentials, password: 'wrong' },
      contingentIds: [],
      checkEvents: true,
      checkPasses: true,
    });

    const t = await text(metrics);
    expect(good.checks.length).toBeGreaterThan(0);
    expect(sample(t, 'digitick_secutix_call_duration_seconds_count{method="getPOSConfig",outcome="ok"}')).toBe(1);
    expect(sample(t, 'digitick_secutix_call_duration_seconds_count{method="getPOSConfig",outcome="credentials"}')).toBe(1);
    const outcomeOf = (r: typeof good) =>
      r.checks.some((c) => String(c.outcome) === 'failed') ? 'failed' : r.passed ? 'passed' : 'to_confirm';
    expect(sample(t, `digitick_verifications_total{outcome="${outcomeOf(good)}"}`)).toBe(outcomeOf(good) === outcomeOf(bad) ? 2 : 1);
    expect(sample(t, 'digitick_verifications_total{outcome="failed"}')).toBeGreaterThanOrEqual(1);
    for (const c of bad.checks) expect(t).toContain(`digitick_verification_checks_total{check="${c.id}",outcome="${String(c.outcome)}"}`);
  });

  it('counts steps completed from what the store saves, and reads the gauges from the store', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metrics-'));
    const metrics = new Metrics({ defaultMetrics: false });
    const store = observeStore(await openSqliteRunStore(path.join(dir, 'runs.db')), metrics);
    try {
      const run = dummyRun();
      await store.create(run, [], [{ type: 'card' }]);
      // create's options (multi-organisation mode) come after the effects: still counted from the effects.
      await store.create({ ...dummyRun(), id: 'RUNORG02', org: 'slack:T1' }, [], [{ type: 'card' }], { perOrg: true });
      const at = new Date().toISOString();
      await store.save(
        { ...run, version: 2, currentStep: 'point_of_sale' },
        1,
        [],
        [{ type: 'step_closed', step: 'sales_channel', outcome: 'done', by: { id: 'U1' }, at }],
      );
      metrics.refresh(await store.stats(), Date.now());
      const t = await text(metrics);
      expect(sample(t, 'digitick_steps_completed_total{step="sales_channel"}')).toBe(1);
      expect(sample(t, 'digitick_runs{status="open",step="point_of_sale"}')).toBe(1);
      expect(sample(t, 'digitick_outbox_pending')).toBe(3);
      expect(sample(t, 'digitick_outbox_oldest_age_seconds')).toBeGreaterThanOrEqual(0);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('/readyz', () => {
  async function serve(store: Pick<RunStore, 'stats'>, draining: () => boolean) {
    const routes = createOpsRoutes({
      store,
      metrics: new Metrics({ defaultMetrics: false }),
      version: '9.9.9',
      draining,
      logger: createLogger('silent'),
    });
    const server = http.createServer((req, res) => {
      const route = routes.find((r) => r.matches((req.url ?? '/').split('?')[0]!));
      if (route) return route.handler(req, res);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  it('answers 503 while draining and when the store does not answer; /metrics stays open without a token', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readyz-'));
    const store = await openSqliteRunStore(path.join(dir, 'runs.db'));
    let draining = false;
    const s = await serve(store, () => draining);
    try {
      expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
      draining = true;
      const drainingAnswer = await fetch(`${s.url}/readyz`);
      expect(drainingAnswer.status).toBe(503);
      expect(await drainingAnswer.json()).toEqual({ ready: false, reason: 'draining' });
      draining = false;
      await store.close(); // a store that no longer answers
      const down = await fetch(`${s.url}/readyz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ ready: false, reason: 'store unavailable' });
      expect((await fetch(`${s.url}/metrics`)).status).toBe(200);
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('/metrics during a database outage', () => {
  async function serveMetrics(store: Pick<RunStore, 'stats'>, metrics: Metrics) {
    const routes = createOpsRoutes({
      store,
      metrics,
      version: '9.9.9',
      draining: () => false,
      logger: createLogger('silent'),
      readyTimeoutMs: 1500,
    });
    const server = http.createServer((req, res) => routes.find((r) => r.matches((req.url ?? '/').split('?')[0]!))!.handler(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    return {
      scrape: async () => {
        const res = await fetch(url);
        expect(res.status).toBe(200);
        return res.text();
      },
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }

  /** A run and its two outbox items, then a scrape while the store answers, one while it does not (`down`). */
  async function outage(store: RunStore, down: () => Promise<void>): Promise<void> {
    const run = dummyRun();
    await store.create(run, [], [{ type: 'card' }, { type: 'step_prompt', step: 'sales_channel' }]);
    const s = await serveMetrics(store, new Metrics({ defaultMetrics: false }));
    try {
      const up = await s.scrape();
      expect(sample(up, 'digitick_store_up')).toBe(1);
      expect(sample(up, 'digitick_runs{status="open",step="sales_channel"}')).toBe(1);
      expect(sample(up, 'digitick_outbox_pending')).toBe(2);
      const ageUp = sample(up, 'digitick_outbox_oldest_age_seconds')!;
      await down();
      await new Promise((r) => setTimeout(r, 50));
      const during = await s.scrape();
      // Not a false 0: the values of the last read, the age still growing, and the store said down.
      expect(sample(during, 'digitick_store_up')).toBe(0);
      expect(sample(during, 'digitick_runs{status="open",step="sales_channel"}')).toBe(1);
      expect(sample(during, 'digitick_outbox_pending')).toBe(2);
      expect(sample(during, 'digitick_outbox_oldest_age_seconds')).toBeGreaterThan(ageUp);
    } finally {
      await s.close();
    }
  }

  it('SQLite store that stops answering: the database gauges keep their last values, digitick_store_up 0', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'metrics-outage-'));
    const store = await openSqliteRunStore(path.join(dir, 'runs.db'));
    try {
      await outage(store, () => store.close());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a database down since the start: digitick_store_up 0 and no database gauge at all (never a false 0)', async () => {
    const down: Pick<RunStore, 'stats'> = { stats: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) };
    const s = await serveMetrics(down, new Metrics({ defaultMetrics: false }));
    try {
      const t = await s.scrape();
      expect(sample(t, 'digitick_store_up')).toBe(0);
      expect(t).not.toMatch(/^digitick_outbox_pending /m);
      expect(t).not.toMatch(/^digitick_outbox_oldest_age_seconds /m);
      expect(t).not.toMatch(/^digitick_runs\{/m);
    } finally {
      await s.close();
    }
  });

  const why = unavailableReason();
  (why ? it.skip : it)(
    `PostgreSQL (a private server) stopped: the same${why ? ` (skipped: ${why})` : ''}`,
    async () => {
      const db = await PrivatePostgres.create();
      const store = await openPostgresRunStore(db.url, { maxConnections: 2, connectionTimeoutMs: 500 });
      try {
        await outage(store, async () => db.stop());
      } finally {
        await store.close().catch(() => undefined);
        db.destroy();
      }
    },
    60_000,
  );
});
