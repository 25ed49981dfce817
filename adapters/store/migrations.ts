/**
 * Schema migrations of the run stores: an ordered list of numbered steps, each applied once and
 * recorded in `schema_migrations(version, applied_at)`. All pending steps are applied at open in
 * one transaction, so a store is never left half-migrated; reopening applies nothing.
 *
 * The SQL sticks to what SQLite and PostgreSQL share where that is easy (TEXT for JSON and ISO
 * times, INTEGER counters, partial unique indexes). The one dialect-specific piece is the outbox
 * id; a PostgreSQL store keeps the same numbering with its own list (`BIGSERIAL`/`JSONB`) and the
 * same `planMigrations` logic.
 */
import type Database from 'better-sqlite3';

/** One schema step. `version` numbers start at 1 and increase by 1; `sql` may hold several statements. */
export interface Migration {
  version: number;
  /** Short description, kept for people reading the list. */
  name: string;
  sql: string;
}

/** The SQLite schema history. Append new steps at the end; never edit an applied one. */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, audit, outbox, refs',
    sql: `
CREATE TABLE runs (
  id TEXT PRIMARY KEY NOT NULL,
  version INTEGER NOT NULL,
  surface TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  institution_code TEXT NOT NULL,
  channel_code TEXT NOT NULL,
  status TEXT NOT NULL,
  started_by_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  state TEXT NOT NULL
);
CREATE UNIQUE INDEX runs_one_open_per_channel ON runs (institution_code, channel_code) WHERE status = 'open';
CREATE INDEX runs_created_at ON runs (created_at);
CREATE INDEX runs_started_by ON runs (started_by_id, status);

CREATE TABLE audit (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  surface TEXT NOT NULL,
  action TEXT NOT NULL,
  step TEXT,
  outcome TEXT NOT NULL,
  details TEXT,
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id TEXT NOT NULL,
  effect TEXT NOT NULL,
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  delivered_at TEXT,
  last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (delivered_at, id);
CREATE INDEX outbox_run ON outbox (run_id, id);

CREATE TABLE refs (
  run_id TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
);
`,
  },
  {
    version: 2,
    name: 'dedupe keys',
    sql: `
CREATE TABLE dedupe (
  key TEXT PRIMARY KEY NOT NULL,
  claimed_at TEXT NOT NULL
);
CREATE INDEX dedupe_claimed_at ON dedupe (claimed_at);
`,
  },
  {
    version: 3,
    name: 'reminder due times',
    // The due time of an open run's next reminder (Run.reminder.dueAt, ISO text); NULL when none.
    // Runs stored before this step have none: their next transition sets it.
    sql: `
ALTER TABLE runs ADD COLUMN due_at TEXT;
CREATE INDEX runs_due_at ON runs (due_at) WHERE due_at IS NOT NULL;
`,
  },
  {
    version: 4,
    name: 'abandoned outbox items',
    // An item whose delivery kept failing is abandoned after a bounded number of attempts
    // (RunService `maxDeliveryAttempts`): no longer pending, so the run's later messages go on.
    sql: `
ALTER TABLE outbox ADD COLUMN abandoned_at TEXT;
`,
  },
  {
    version: 5,
    name: 'slack installations',
    // One row per Slack installation (OAuth mode, adapters/slack/oauth): install_key is
    // 'enterprise:<E id>' for an org-wide install, 'team:<T id>' otherwise. `installation` is
    // Bolt's Installation as JSON with every token encrypted (enc:v1:<key_id>:...); key_id names
    // the key that wrote them, so rows left on a previous key can be found after a rotation.
    sql: `
CREATE TABLE slack_installations (
  install_key TEXT PRIMARY KEY NOT NULL,
  enterprise_id TEXT,
  team_id TEXT,
  is_enterprise_install INTEGER NOT NULL,
  team_name TEXT,
  key_id TEXT NOT NULL,
  installation TEXT NOT NULL,
  installed_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX slack_installations_enterprise ON slack_installations (enterprise_id);
`,
  },
  {
    version: 6,
    name: 'run organisations',
    // The organisation a run belongs to (Run.org: slack:<team>, teams:<tenant>, console), NULL for
    // runs stored before (they keep NULL). The one-open-run rule moves to (open_scope, institution,
    // channel): open_scope is '' except for runs created in multi-organisation mode, where it is
    // the run's organisation, so two organisations may each have an open run for the same codes.
    sql: `
ALTER TABLE runs ADD COLUMN org TEXT;
ALTER TABLE runs ADD COLUMN open_scope TEXT NOT NULL DEFAULT '';
DROP INDEX runs_one_open_per_channel;
CREATE UNIQUE INDEX runs_one_open_per_scope ON runs (open_scope, institution_code, channel_code) WHERE status = 'open';
CREATE INDEX runs_org ON runs (org, status);
`,
  },
];

/** The statement creating the bookkeeping table (same text works on PostgreSQL). */
export const SCHEMA_MIGRATIONS_DDL =
  'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL)';

/**
 * Checks a migration list and returns the steps still to apply, in order.
 * Dialect-neutral: any store passes the versions it has already applied.
 * @throws Error when the list is not numbered 1, 2, 3... or when the database holds a version the
 *   list does not know (a database written by a newer build).
 */
export function planMigrations(list: readonly Migration[], applied: readonly number[]): Migration[] {
  list.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration list is out of order: position ${i + 1} holds version ${m.version}`);
    }
  });
  const known = new Set(list.map((m) => m.version));
  const unknown = applied.filter((v) => !known.has(v));
  if (unknown.length > 0) {
    throw new Error(
      `the database has schema version(s) ${unknown.join(', ')} unknown to this build (latest known: ${list.length}); ` +
        'it was written by a newer version of the assistant',
    );
  }
  const done = new Set(applied);
  return list.filter((m) => !done.has(m.version));
}

/**
 * Applies the pending SQLite migrations in one immediate transaction and records each one.
 * Idempotent: a second call on the same database applies nothing.
 * @param now ISO time written to `applied_at`.
 * @returns the versions applied by this call.
 */
export function applySqliteMigrations(db: Database.Database, now: () => string, list: readonly Migration[] = SQLITE_MIGRATIONS): number[] {
  const run = db.transaction((): number[] => {
    db.exec(SCHEMA_MIGRATIONS_DDL);
    const applied = (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version);
    const pending = planMigrations(list, applied);
    const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
    for (const m of pending) {
      db.exec(m.sql);
      record.run(m.version, now());
    }
    return pending.map((m) => m.version);
  });
  // IMMEDIATE: two processes opening the same new file do not both try to create the tables.
  return run.immediate();
}
