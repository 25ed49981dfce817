/**
 * Schema migrations of the PostgreSQL run store: the same history as `SQLITE_MIGRATIONS` (same
 * version numbers, same tables and columns), in PostgreSQL's dialect: `JSONB` for the run state,
 * audit actor/details, outbox effects and refs; `BIGSERIAL` for the outbox id. Times stay `TEXT`
 * holding ISO strings, exactly as written by the core, so they round-trip unchanged and sort like
 * SQLite's.
 *
 * Two PostgreSQL-only additions, both in version 1: `runs.row_no` (insertion order, SQLite's
 * `rowid`, breaks `list` ties) and `audit_counters` (one row per run holding the last audit
 * `seq`, incremented atomically so concurrent writers never hand out the same number).
 *
 * `applyPostgresMigrations` runs at open, in one transaction that first takes a transaction-level
 * advisory lock: two replicas starting together queue on the lock, the second finds everything
 * applied and applies nothing. The bookkeeping (`schema_migrations`) and the planning
 * (`planMigrations`) are shared with SQLite.
 */
import type { ClientBase } from 'pg';
import { planMigrations, SCHEMA_MIGRATIONS_DDL, type Migration } from './migrations';

/**
 * Key of the advisory lock held while migrating (any fixed 64-bit number; this one spells
 * "DTKMIGR" in ASCII). Database-wide: stores in different schemas of one database migrate one
 * after the other, which is harmless.
 */
export const MIGRATION_LOCK_KEY = '19232980812253010';

/** The PostgreSQL schema history. Append new steps at the end; never edit an applied one. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'runs, audit, outbox, refs',
    sql: `
CREATE TABLE runs (
  id TEXT PRIMARY KEY NOT NULL,
  row_no BIGSERIAL NOT NULL,
  version INTEGER NOT NULL,
  surface TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  institution_code TEXT NOT NULL,
  channel_code TEXT NOT NULL,
  status TEXT NOT NULL,
  started_by_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  state JSONB NOT NULL
);
CREATE UNIQUE INDEX runs_one_open_per_channel ON runs (institution_code, channel_code) WHERE status = 'open';
CREATE INDEX runs_created_at ON runs (created_at, row_no);
CREATE INDEX runs_started_by ON runs (started_by_id, status);

CREATE TABLE audit (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  actor JSONB NOT NULL,
  surface TEXT NOT NULL,
  action TEXT NOT NULL,
  step TEXT,
  outcome TEXT NOT NULL,
  details JSONB,
  PRIMARY KEY (run_id, seq)
);

CREATE TABLE audit_counters (
  run_id TEXT PRIMARY KEY NOT NULL,
  last_seq INTEGER NOT NULL
);

CREATE TABLE outbox (
  id BIGSERIAL PRIMARY KEY,
  run_id TEXT NOT NULL,
  effect JSONB NOT NULL,
  created_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  delivered_at TEXT,
  last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_at IS NULL;
CREATE INDEX outbox_run ON outbox (run_id, id);

CREATE TABLE refs (
  run_id TEXT NOT NULL,
  key TEXT NOT NULL,
  value JSONB NOT NULL,
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
  is_enterprise_install BOOLEAN NOT NULL,
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
    // As SQLite's version 6: runs.org (NULL for older runs) and the one-open-run rule on
    // (open_scope, institution_code, channel_code).
    sql: `
ALTER TABLE runs ADD COLUMN org TEXT;
ALTER TABLE runs ADD COLUMN open_scope TEXT NOT NULL DEFAULT '';
DROP INDEX runs_one_open_per_channel;
CREATE UNIQUE INDEX runs_one_open_per_scope ON runs (open_scope, institution_code, channel_code) WHERE status = 'open';
CREATE INDEX runs_org ON runs (org, status);
`,
  },
];

/** A PostgreSQL identifier we accept for a schema name (lower-case, no quoting needed). */
export const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Applies the pending migrations on `client` in one transaction guarded by
 * `pg_advisory_xact_lock(MIGRATION_LOCK_KEY)`, recording each in `schema_migrations`.
 * Idempotent, and safe when several processes call it at the same time.
 * @param client a connected client not inside a transaction (it is left outside one).
 * @param now ISO time written to `applied_at`.
 * @param options.schema when given, the schema is created first if missing (the client's
 *   `search_path` must already point at it).
 * @returns the versions applied by this call.
 * @throws Error from `planMigrations` (list out of order, database written by a newer build) or
 *   from PostgreSQL; nothing of the batch is kept then.
 */
export async function applyPostgresMigrations(
  client: ClientBase,
  now: () => string,
  list: readonly Migration[] = POSTGRES_MIGRATIONS,
  options: { schema?: string } = {},
): Promise<number[]> {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new Error(`PostgreSQL schema name must match ${SCHEMA_NAME} (got ${JSON.stringify(options.schema)})`);
  }
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    if (options.schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    await client.query(SCHEMA_MIGRATIONS_DDL);
    const applied = (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version);
    const pending = planMigrations(list, applied);
    for (const m of pending) {
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [m.version, now()]);
    }
    await client.query('COMMIT');
    return pending.map((m) => m.version);
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
