import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from '../../adapters/store/migrations';
import { StoredRecordError } from '../../adapters/store/run-record.schema';
import { openSqliteRunStore } from '../../adapters/store/sqlite-run-store';
import type { Clock } from '../../src/ports/clock.port';
import { dummyRun } from '../fixtures/dummy-run';
import { runStoreContract } from './run-store.contract';

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-store-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

const fixedClock: Clock = { nowMs: () => Date.parse('2025-02-01T10:00:00.000Z') };

runStoreContract('SQLite file', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'runs.db');
  return {
    store: openSqliteRunStore(file),
    reopen: async () => openSqliteRunStore(file),
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
});

describe('SqliteRunStore (SQLite specifics)', () => {
  it('works in memory (:memory:), with the schema applied', async () => {
    const store = openSqliteRunStore(':memory:');
    await store.create(dummyRun(), [], [{ type: 'card' }]);
    expect(await store.get('RUN0ACME')).toEqual(dummyRun());
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({ n: SQLITE_MIGRATIONS.length });
    await store.close();
    await store.close(); // twice is harmless
  });

  it('creates the parent directory on first use, in WAL mode', async () => {
    const file = path.join(tempDir(), 'a', 'b', 'onboarding.db');

    const store = openSqliteRunStore(file);

    expect(fs.existsSync(file)).toBe(true);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    await store.close();
  });

  it('keeps synchronous=FULL for transitions; a dedupe claim (no fsync) does not change it', async () => {
    const store = openSqliteRunStore(path.join(tempDir(), 'sync.db'));
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(await store.claimOnce('slack:action:1', '2026-01-01T00:00:00.000Z')).toBe(true);
    expect(await store.claimOnce('slack:action:1', '2026-01-01T00:00:01.000Z')).toBe(false);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    await store.close();
  });

  it('records each migration once in schema_migrations, and reopening applies nothing', async () => {
    const file = path.join(tempDir(), 'runs.db');
    const first = openSqliteRunStore(file, { clock: fixedClock });
    await first.create(dummyRun(), [], []);
    await first.close();

    const second = openSqliteRunStore(file);
    const rows = second.db.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all();

    expect(rows).toEqual(SQLITE_MIGRATIONS.map((m) => ({ version: m.version, applied_at: '2025-02-01T10:00:00.000Z' })));
    expect(await second.get('RUN0ACME')).toEqual(dummyRun());
    await second.close();
  });

  it('refuses a database written by a newer build', () => {
    const file = path.join(tempDir(), 'runs.db');
    openSqliteRunStore(file).db.close();
    const raw = new Database(file);
    raw.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (999, 'x')").run();
    raw.close();

    expect(() => openSqliteRunStore(file)).toThrow(/schema version\(s\) 999 unknown/);
  });

  it('reports a corrupt state row with the run id and the field, and keeps serving other runs', async () => {
    const store = openSqliteRunStore(':memory:');
    const good = dummyRun({ id: 'GOOD0001', details: { ...dummyRun().details, institutionCode: 'BETA' } });
    await store.create(dummyRun(), [], []);
    await store.create(good, [], []);
    const broken = { ...dummyRun(), version: 'one', steps: { ...dummyRun().steps, contingents: { state: 'maybe' } } };
    store.db.prepare('UPDATE runs SET state = ? WHERE id = ?').run(JSON.stringify(broken), 'RUN0ACME');

    const attempt = store.get('RUN0ACME');

    await expect(attempt).rejects.toBeInstanceOf(StoredRecordError);
    await expect(attempt).rejects.toThrow(/run RUN0ACME/);
    await expect(attempt).rejects.toMatchObject({
      code: 'corrupt_stored_record',
      runId: 'RUN0ACME',
      fields: expect.arrayContaining(['version', 'steps.contingents.state']),
    });
    expect(await store.get('GOOD0001')).toEqual(good);
    await expect(store.list({})).rejects.toThrow(/run RUN0ACME/);
    await store.close();
  });

  it('reports a state row that is not JSON', async () => {
    const store = openSqliteRunStore(':memory:');
    await store.create(dummyRun(), [], []);
    store.db.prepare('UPDATE runs SET state = ? WHERE id = ?').run('{"id": "RUN0ACME", ', 'RUN0ACME');

    await expect(store.get('RUN0ACME')).rejects.toThrow(/stored state of run RUN0ACME is invalid: not valid JSON/);
    await store.close();
  });

  it('reports a state whose id differs from its row', async () => {
    const store = openSqliteRunStore(':memory:');
    await store.create(dummyRun(), [], []);
    store.db.prepare('UPDATE runs SET state = ? WHERE id = ?').run(JSON.stringify(dummyRun({ id: 'OTHER' })), 'RUN0ACME');

    await expect(store.get('RUN0ACME')).rejects.toMatchObject({ runId: 'RUN0ACME', fields: ['id'] });
    await store.close();
  });

  it('reports a corrupt outbox effect with its run and item', async () => {
    const store = openSqliteRunStore(':memory:');
    await store.create(dummyRun(), [], [{ type: 'card' }]);
    store.db.prepare('UPDATE outbox SET effect = ?').run(JSON.stringify({ type: 'fireworks' }));

    await expect(store.pendingOutbox(10)).rejects.toThrow(/outbox item \d+ of run RUN0ACME/);
    await store.close();
  });

  it('refuses to write a run that does not match the stored-run schema, or one with extra fields', async () => {
    const store = openSqliteRunStore(':memory:');
    const noSteps = { ...dummyRun(), steps: {} } as unknown as ReturnType<typeof dummyRun>;
    const extra = { ...dummyRun(), operatorPassword: 'hunter2' } as ReturnType<typeof dummyRun>;

    await expect(store.create(noSteps, [], [])).rejects.toThrow(/steps\.sales_channel/);
    await expect(store.create(extra, [], [])).rejects.toThrow(/operatorPassword/);
    expect(await store.list({})).toEqual([]);
    await store.close();
  });

  it('refuses password- or token-like keys in audit details and refs', async () => {
    const store = openSqliteRunStore(':memory:');
    const run = dummyRun();
    await store.create(run, [], []);
    const audit = {
      runId: run.id,
      at: run.createdAt,
      actor: run.startedBy,
      surface: run.surface,
      action: 'verify',
      step: 'verification' as const,
      outcome: 'ok',
      details: { checks: [{ id: 'credentials', password: 'x' }] },
    };

    await expect(store.appendAudit([audit])).rejects.toThrow(/"password" looks like a secret/);
    await expect(store.putRef(run.id, 'conversation', { token: 'abc' })).rejects.toThrow(/"token"/);
    expect(await store.audit(run.id)).toEqual([]);
    expect(await store.getRefs(run.id)).toEqual({});
    await store.close();
  });

  it('rolls back the whole create when an audit entry names another run', async () => {
    const store = openSqliteRunStore(':memory:');
    const run = dummyRun();
    const stray = {
      runId: 'OTHER',
      at: run.createdAt,
      actor: run.startedBy,
      surface: run.surface,
      action: 'start',
      step: null,
      outcome: 'ok',
    };

    await expect(store.create(run, [stray], [{ type: 'card' }])).rejects.toThrow(/audit entry for run OTHER/);
    expect(await store.get(run.id)).toBeNull();
    expect(await store.pendingOutbox(10)).toEqual([]);
    await store.close();
  });

  it('stamps outbox items with the store clock', async () => {
    const store = openSqliteRunStore(':memory:', { clock: fixedClock });
    await store.create(dummyRun(), [], [{ type: 'card' }]);
    expect((await store.pendingOutbox(1))[0].createdAt).toBe('2025-02-01T10:00:00.000Z');
    await store.close();
  });
});
