/**
 * Issue 11 (QA round 3): the admin `GET /runs/:id/audit` during a database outage answers 503
 * `{"error":"store unavailable, try again"}` (JSON and CSV asked alike), with no error-level log
 * line, and answers again once the database is back. Real route over HTTP on loopback, real
 * SQLite store whose calls fail as an unreachable PostgreSQL's do while `down`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createAuditRoute } from '../../../adapters/admin/audit-route';
import { openSqliteRunStore } from '../../../adapters/store/sqlite-run-store';
import { withUnavailableErrors } from '../../../adapters/store/unavailable-store';
import type { RunStore } from '../../../src/ports/run-store.port';
import { dummyRun } from '../../fixtures/dummy-run';
import { tempDir } from '../../helpers/slack-wire';

const TOKEN = 'admin-token-0123456789abcdef';

it('503 {"error":"store unavailable, try again"} for JSON and CSV while the database does not answer; no error log; 200 once back', async () => {
  const real = await openSqliteRunStore(path.join(tempDir('audit-outage-'), 'runs.db'));
  const run = dummyRun();
  await real.create(run, [], []);
  const down = { on: false };
  // As a PostgreSQL that refuses connections: the pg error, turned into StoreUnavailableError by the wiring's wrapper.
  const flaky = new Proxy(real, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'close')
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      return async (...args: unknown[]) => {
        if (down.on) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const levels: string[] = [];
  const logger = {
    debug: () => {},
    info: () => {},
    warn: () => void levels.push('warn'),
    error: () => void levels.push('error'),
  };
  const route = createAuditRoute({
    store: withUnavailableErrors(flaky as RunStore),
    adminToken: TOKEN,
    erasedText: () => '(erased)',
    logger,
  });
  const server = http.createServer((req, res) => route.handler(req as never, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/runs/${run.id}/audit`;
  const auth = { Authorization: `Bearer ${TOKEN}` };
  try {
    down.on = true;
    for (const url of [base, `${base}?format=csv`]) {
      const res = await fetch(url, { headers: auth });
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(await res.json()).toEqual({ error: 'store unavailable, try again' });
    }
    expect(levels).not.toContain('error');
    down.on = false;
    expect((await fetch(base, { headers: auth })).status).toBe(200);
    expect((await fetch(`${base}?format=csv`, { headers: auth })).status).toBe(200);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await real.close();
  }
});
