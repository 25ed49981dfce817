import Database from 'better-sqlite3';
import { applySqliteMigrations, planMigrations, SQLITE_MIGRATIONS, type Migration } from '../../../adapters/store/migrations';

const list: Migration[] = [
  { version: 1, name: 'one', sql: 'CREATE TABLE one (x INTEGER)' },
  { version: 2, name: 'two', sql: 'CREATE TABLE two (x INTEGER); INSERT INTO two VALUES (2)' },
];
const now = (): string => '2025-02-01T10:00:00.000Z';

describe('planMigrations', () => {
  it('returns the steps not yet applied, in order', () => {
    expect(planMigrations(list, []).map((m) => m.version)).toEqual([1, 2]);
    expect(planMigrations(list, [1]).map((m) => m.version)).toEqual([2]);
    expect(planMigrations(list, [2, 1])).toEqual([]);
  });

  it('refuses a list that is not numbered 1, 2, 3...', () => {
    expect(() => planMigrations([list[1], list[0]], [])).toThrow(/position 1 holds version 2/);
    expect(() => planMigrations([list[0], { ...list[1], version: 3 }], [])).toThrow(/position 2 holds version 3/);
  });

  it('refuses a database that has a version the list does not know', () => {
    expect(() => planMigrations(list, [1, 2, 3])).toThrow(/version\(s\) 3 unknown to this build \(latest known: 2\)/);
  });

  it('keeps the shipped SQLite list numbered 1..n', () => {
    expect(SQLITE_MIGRATIONS.map((m) => m.version)).toEqual(SQLITE_MIGRATIONS.map((_, i) => i + 1));
  });
});

describe('applySqliteMigrations', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
  });
  afterEach(() => db.close());

  it('applies every step once and records it', () => {
    expect(applySqliteMigrations(db, now, list)).toEqual([1, 2]);
    expect(applySqliteMigrations(db, now, list)).toEqual([]);

    expect(db.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all()).toEqual([
      { version: 1, applied_at: now() },
      { version: 2, applied_at: now() },
    ]);
    expect(db.prepare('SELECT x FROM two').all()).toEqual([{ x: 2 }]);
  });

  it('applies only the new steps of a longer list', () => {
    applySqliteMigrations(db, now, list.slice(0, 1));
    expect(applySqliteMigrations(db, now, list)).toEqual([2]);
  });

  it('rolls back every step of the batch when one fails', () => {
    const broken = [...list, { version: 3, name: 'broken', sql: 'CREATE TABLE three (x INTEGER); NOT SQL' }];

    expect(() => applySqliteMigrations(db, now, broken)).toThrow();

    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    expect(tables).toEqual([]);
  });

  it('creates the run store tables', () => {
    applySqliteMigrations(db, now);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
      (t) => t.name,
    );
    expect(tables).toEqual(expect.arrayContaining(['audit', 'outbox', 'refs', 'runs', 'schema_migrations']));
  });
});

describe('version 6 (run organisations) on a database written before it', () => {
  it('adds org (NULL for the rows already there) and keeps one open run per institution and channel for them', () => {
    const db = new Database(':memory:');
    try {
      applySqliteMigrations(db, now, SQLITE_MIGRATIONS.slice(0, 5));
      const insert = db.prepare(
        `INSERT INTO runs (id, version, surface, channel_id, institution_code, channel_code, status, started_by_id, created_at, updated_at, state)
         VALUES (?, 1, 'slack', 'C1', 'ACME', 'DGTK', 'open', 'U1', ?, ?, '{}')`,
      );
      insert.run('OLD1', now(), now());
      expect(applySqliteMigrations(db, now)).toEqual([6]);
      expect(db.prepare('SELECT id, org, open_scope FROM runs').all()).toEqual([{ id: 'OLD1', org: null, open_scope: '' }]);
      // The old open run still blocks a second one with the same codes (default scope '').
      expect(() => insert.run('OLD2', now(), now())).toThrow(/UNIQUE constraint failed: runs.open_scope, runs.institution_code/);
    } finally {
      db.close();
    }
  });
});
