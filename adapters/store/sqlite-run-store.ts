/**
 * The embedded run store: SQLite through better-sqlite3 (synchronous, one connection per store).
 *
 * Tables (see `migrations.ts`): `runs` (one row per run, the whole `Run` as JSON in `state`, the
 * filtered fields as columns, a partial unique index allowing one open run per institution and
 * channel code), `audit` (per-run `seq` 1..n), `outbox` (effects waiting for delivery), `refs`
 * (surface message references). Every write that touches several tables is one transaction;
 * `save` is compare-and-set on `version`. WAL journal and a busy timeout let several processes
 * share one file (writes take the lock up front with `BEGIN IMMEDIATE`).
 *
 * Safe for one or several processes on one machine; not for a network file system (use the
 * PostgreSQL store there).
 */
import { type InstallationRows, sqliteInstallationRows } from './installation-rows';
import { eraseValuesSqlite } from './erase-stored-values';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Effect, Run } from '../../src/workflow/types';
import type { Clock } from '../../src/ports/clock.port';
import { isoNow, systemClock } from '../../src/ports/clock.port';
import {
  VersionConflictError,
  type AuditEntry,
  type CreateRunOptions,
  type OutboxItem,
  type RunFilter,
  type RunStore,
  type RunStoreStats,
  type StoredAuditEntry,
} from '../../src/ports/run-store.port';
import { sqliteStats } from './store-stats';
import { applySqliteMigrations } from './migrations';
import { effectSchema, parseStored } from './run-record.schema';
import { refJson } from './secret-guard';
import { type AuditRow, auditEntryFromRow, auditValues } from './audit-rows';
import { mapConstraint, type OutboxRow, runColumns } from './sqlite-rows';
import { jsonValue, orgColumns, parseRunRow, type RunRow, validateRun } from './run-rows';

/** Options of `openSqliteRunStore`. */
export interface SqliteRunStoreOptions {
  /** Time source for outbox `createdAt`, `delivered_at` and `schema_migrations.applied_at` (default: system clock). */
  clock?: Clock;
  /** How long a write waits for another process's lock, in ms (default 5000). */
  busyTimeoutMs?: number;
}

/** Default number of runs returned by `list`. */
export const DEFAULT_LIST_LIMIT = 50;

/**
 * `RunStore` over a SQLite file (or `:memory:`). Create it with `openSqliteRunStore`.
 * All methods are async to honour the port, but run synchronously underneath.
 */
export class SqliteRunStore implements RunStore {
  private readonly clock: Clock;

  /** Use `openSqliteRunStore`, which prepares the file and schema. */
  constructor(
    /** The underlying connection (exposed for tests and maintenance tools). */
    readonly db: Database.Database,
    clock: Clock = systemClock,
  ) {
    this.clock = clock;
  }

  /**
   * Inserts a new run with its audit entries (seq 1..n) and outbox items, in one transaction.
   * @throws DuplicateOpenRunError when the run is open and another open run has the same institution + channel code
   *   (and, with `options.perOrg`, the same organisation).
   * @throws Error when `run.version` is not 1, the id already exists, an audit entry names another
   *   run, or the run does not match the stored-run schema.
   */
  async create(run: Run, audit: AuditEntry[], effects: Effect[], options: CreateRunOptions = {}): Promise<void> {
    if (run.version !== 1) throw new Error(`a new run must have version 1 (run ${run.id} has ${run.version})`);
    const record = validateRun(run);
    const tx = this.db.transaction(() => {
      const exists = this.stmt('SELECT 1 FROM runs WHERE id = ?').get(record.id);
      if (exists) throw new Error(`run ${record.id} already exists`);
      try {
        this.stmt(
          `INSERT INTO runs (id, version, surface, channel_id, institution_code, channel_code, status,
               started_by_id, created_at, updated_at, state, due_at, org, open_scope)
             VALUES (@id, @version, @surface, @channelId, @institutionCode, @channelCode, @status,
               @startedById, @createdAt, @updatedAt, @state, @dueAt, @org, @openScope)`,
        ).run({ ...runColumns(record), ...orgColumns(record, options) });
      } catch (e) {
        throw mapConstraint(e, record);
      }
      this.insertAudit(record.id, audit);
      this.insertOutbox(record.id, effects);
    });
    tx.immediate();
  }

  /**
   * The stored run, parsed with `runRecordSchema`, or null when the id is unknown.
   * @throws StoredRecordError when the stored state is not valid JSON or not a valid run.
   */
  async get(runId: string): Promise<Run | null> {
    const row = this.stmt('SELECT id, state FROM runs WHERE id = ?').get(runId) as RunRow | undefined;
    return row ? parseRunRow(row) : null;
  }

  /**
   * Runs matching every given field of the filter, newest `createdAt` first (ties: latest inserted
   * first), at most `limit` (default 50). Institution and channel codes are compared upper-case,
   * as they are stored.
   * @throws Error when `limit` is not a positive integer.
   * @throws StoredRecordError when a matching row is corrupt.
   */
  async list(filter: RunFilter): Promise<Run[]> {
    const limit = filter.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`list limit must be a positive integer (got ${limit})`);
    const where: string[] = [];
    const params: Record<string, string | number> = { limit };
    const add = (column: string, name: string, value: string | undefined): void => {
      if (value === undefined) return;
      where.push(`${column} = @${name}`);
      params[name] = value;
    };
    add('surface', 'surface', filter.surface);
    add('status', 'status', filter.status);
    add('started_by_id', 'startedById', filter.startedById);
    add('institution_code', 'institutionCode', filter.institutionCode?.toUpperCase());
    add('channel_code', 'channelCode', filter.channelCode?.toUpperCase());
    add('org', 'org', filter.org);
    const sql =
      'SELECT id, state FROM runs' +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY created_at DESC, rowid DESC LIMIT @limit';
    const rows = this.stmt(sql).all(params) as RunRow[];
    return rows.map(parseRunRow);
  }

  /**
   * Open runs with a reminder due at or before `nowIso` (`due_at`, indexed), earliest first.
   * ISO strings of `toISOString` compare in time order.
   * @throws Error when `limit` is not a positive integer.
   * @throws StoredRecordError when a listed row is corrupt.
   */
  async listDue(nowIso: string, limit: number): Promise<Run[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`listDue limit must be a positive integer (got ${limit})`);
    const rows = this.stmt(
      "SELECT id, state FROM runs WHERE due_at IS NOT NULL AND due_at <= ? AND status = 'open' ORDER BY due_at, rowid LIMIT ?",
    ).all(nowIso, limit) as RunRow[];
    return rows.map(parseRunRow);
  }

  /**
   * Compare-and-set write: `UPDATE ... WHERE id = ? AND version = expectedVersion`, plus the audit
   * entries and outbox items, in one transaction. Nothing is written when it throws.
   * @throws VersionConflictError when the run is unknown or its stored version is not `expectedVersion`.
   * @throws DuplicateOpenRunError when the save would make a second open run for the same codes.
   * @throws Error when `run.version` is not `expectedVersion + 1`, an audit entry names another run,
   *   or the run does not match the stored-run schema.
   */
  async save(run: Run, expectedVersion: number, audit: AuditEntry[], effects: Effect[]): Promise<void> {
    if (run.version !== expectedVersion + 1) {
      throw new Error(`run ${run.id}: the saved version must be expectedVersion + 1 (${expectedVersion + 1}), got ${run.version}`);
    }
    const record = validateRun(run);
    const tx = this.db.transaction(() => {
      let changes: number;
      try {
        changes = this.stmt(
          `UPDATE runs SET version = @version, surface = @surface, channel_id = @channelId,
               institution_code = @institutionCode, channel_code = @channelCode, status = @status,
               started_by_id = @startedById, created_at = @createdAt, updated_at = @updatedAt, state = @state,
               due_at = @dueAt
             WHERE id = @id AND version = @expectedVersion`,
        ).run({ ...runColumns(record), expectedVersion }).changes;
      } catch (e) {
        throw mapConstraint(e, record);
      }
      if (changes === 0) throw new VersionConflictError(record.id, expectedVersion);
      this.insertAudit(record.id, audit);
      this.insertOutbox(record.id, effects);
    });
    tx.immediate();
  }

  /**
   * Appends audit entries (any runs, each continuing its run's `seq`) in one transaction, without
   * touching the runs. Entries for an id with no run are kept too (a refused click on an unknown run).
   * @throws Error when an entry's details hold a password- or token-like key.
   */
  async appendAudit(entries: AuditEntry[]): Promise<void> {
    const tx = this.db.transaction(() => {
      for (const entry of entries) this.insertAudit(entry.runId, [entry]);
    });
    tx.immediate();
  }

  /**
   * The run's audit trail ordered by `seq` (empty for an unknown run).
   * @throws StoredRecordError when a stored entry is corrupt.
   */
  async audit(runId: string): Promise<StoredAuditEntry[]> {
    const rows = this.stmt('SELECT * FROM audit WHERE run_id = ? ORDER BY seq').all(runId) as AuditRow[];
    return rows.map((r) => auditEntryFromRow(r, runId));
  }

  /** See `RunStore.eraseValues`. */
  async eraseValues(runId: string, values: readonly string[]): Promise<number> {
    return eraseValuesSqlite(this.db, runId, values);
  }

  /**
   * Undelivered outbox items, oldest (lowest id) first, at most `limit`, optionally of one run.
   * Failed items stay pending (their `attempts` grow).
   * @throws StoredRecordError when a stored effect is corrupt.
   */
  async pendingOutbox(limit: number, runId?: string): Promise<OutboxItem[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`outbox limit must be a positive integer (got ${limit})`);
    const rows = (
      runId === undefined
        ? this.stmt(
            'SELECT id, run_id, effect, created_at, attempts, last_error FROM outbox WHERE delivered_at IS NULL AND abandoned_at IS NULL ORDER BY id LIMIT ?',
          ).all(limit)
        : this.stmt(
            'SELECT id, run_id, effect, created_at, attempts, last_error FROM outbox WHERE delivered_at IS NULL AND abandoned_at IS NULL AND run_id = ? ORDER BY id LIMIT ?',
          ).all(runId, limit)
    ) as OutboxRow[];
    return rows.map((r) => ({
      id: r.id,
      runId: r.run_id,
      effect: parseStored(effectSchema, r.effect, r.run_id, `outbox item ${r.id}`),
      createdAt: r.created_at,
      attempts: r.attempts,
      ...(r.last_error !== null ? { lastError: r.last_error } : {}),
    }));
  }

  /**
   * Marks an item delivered; it is never returned by `pendingOutbox` again. Marking it twice is harmless.
   * @throws Error when no item has this id.
   */
  async markDelivered(id: number): Promise<void> {
    const info = this.stmt('UPDATE outbox SET delivered_at = COALESCE(delivered_at, ?) WHERE id = ?').run(isoNow(this.clock), id);
    if (info.changes === 0) throw new Error(`no outbox item ${id}`);
  }

  /**
   * Records a failed delivery: `attempts` + 1 and the error code (kept in `last_error`, capped at 500 characters).
   * @throws Error when no item has this id.
   */
  async markFailed(id: number, error: string, opts?: { counted?: boolean }): Promise<void> {
    const add = opts?.counted === false ? 0 : 1;
    const info = this.stmt('UPDATE outbox SET attempts = attempts + ?, last_error = ? WHERE id = ?').run(add, error.slice(0, 500), id);
    if (info.changes === 0) throw new Error(`no outbox item ${id}`);
  }

  /**
   * Records a last failed delivery and gives the item up: `attempts` + 1, the error, and
   * `abandoned_at`; `pendingOutbox` never returns it again. Giving it up twice is harmless.
   * @throws Error when no item has this id.
   */
  async markAbandoned(id: number, error: string): Promise<void> {
    const info = this.stmt(
      'UPDATE outbox SET attempts = attempts + 1, last_error = ?, abandoned_at = COALESCE(abandoned_at, ?) WHERE id = ? AND delivered_at IS NULL',
    ).run(error.slice(0, 500), isoNow(this.clock), id);
    if (info.changes === 0 && !this.stmt('SELECT 1 FROM outbox WHERE id = ?').get(id)) throw new Error(`no outbox item ${id}`);
  }

  /**
   * All references of a run, by key (empty object for an unknown run).
   * @throws StoredRecordError when a stored value is not JSON.
   */
  async getRefs(runId: string): Promise<Record<string, unknown>> {
    const rows = this.stmt('SELECT key, value FROM refs WHERE run_id = ? ORDER BY key').all(runId) as {
      key: string;
      value: string;
    }[];
    const refs: Record<string, unknown> = {};
    for (const r of rows) refs[r.key] = parseStored(jsonValue, r.value, runId, `ref ${r.key}`);
    return refs;
  }

  /**
   * Sets or replaces one reference; the run row (and its version) is not touched.
   * @throws Error when the value is not JSON-serialisable or holds a password- or token-like key.
   */
  async putRef(runId: string, key: string, value: unknown): Promise<void> {
    const json = refJson(runId, key, value);
    this.stmt('INSERT INTO refs (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value').run(
      runId,
      key,
      json,
    );
  }

  /** Closes the connection; later calls fail. Closing twice is harmless. */
  private readonly statements = new Map<string, Database.Statement>();

  /** A prepared statement, prepared once per SQL text (preparing on every call cost ~7% CPU under load). */
  private stmt(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.db.prepare(sql);
      this.statements.set(sql, st);
    }
    return st;
  }

  /** Runs per status and step, and the outbox backlog (`RunStore.stats`). */
  async stats(): Promise<RunStoreStats> {
    return sqliteStats(this.db);
  }

  /** Claims a dedupe key (`INSERT OR IGNORE`): true the first time. Keys older than a day are pruned now and then. */
  async claimOnce(key: string, at: string): Promise<boolean> {
    // A dedupe key sits on the ack path of every Slack request: it is written with
    // synchronous=NORMAL (no fsync; in WAL mode it survives a crash of the process, not a power
    // cut, where at worst a retried click is processed again and compare-and-set still refuses a
    // second advance). better-sqlite3 is synchronous, so nothing else runs between the pragmas.
    this.db.pragma('synchronous = NORMAL');
    let info: Database.RunResult;
    try {
      info = this.stmt('INSERT OR IGNORE INTO dedupe (key, claimed_at) VALUES (?, ?)').run(key, at);
    } finally {
      this.db.pragma('synchronous = FULL');
    }
    if (info.changes === 1 && Math.random() < 0.01) {
      const cutoff = new Date(Date.parse(at) - 24 * 3600_000).toISOString();
      this.stmt('DELETE FROM dedupe WHERE claimed_at < ?').run(cutoff);
    }
    return info.changes === 1;
  }

  private readonly locks = new Set<string>();

  /** Process-local exclusive lock (a SQLite file serves one process). */
  async tryExclusive<T>(key: string, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (this.locks.has(key)) return { ran: false };
    this.locks.add(key);
    try {
      return { ran: true, value: await work() };
    } finally {
      this.locks.delete(key);
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** The `slack_installations` table on this database (Slack OAuth mode). */
  installationRows(): InstallationRows {
    return sqliteInstallationRows(this.db);
  }

  /** Inserts audit entries after the run's last `seq`. Call inside a transaction. */
  private insertAudit(runId: string, entries: AuditEntry[]): void {
    if (entries.length === 0) return;
    const last = this.stmt('SELECT COALESCE(MAX(seq), 0) AS seq FROM audit WHERE run_id = ?').get(runId) as {
      seq: number;
    };
    const insert = this.stmt(
      `INSERT INTO audit (run_id, seq, at, actor, surface, action, step, outcome, details)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let seq = last.seq;
    for (const e of entries) {
      const values = auditValues(runId, e);
      seq += 1;
      insert.run(runId, seq, ...values);
    }
  }

  /** Inserts outbox items in order. Call inside a transaction. */
  private insertOutbox(runId: string, effects: Effect[]): void {
    if (effects.length === 0) return;
    const insert = this.stmt('INSERT INTO outbox (run_id, effect, created_at, attempts) VALUES (?, ?, ?, 0)');
    const at = isoNow(this.clock);
    for (const effect of effects) insert.run(runId, JSON.stringify(effect), at);
  }
}

/**
 * Opens (creating if needed) a SQLite run store at `filePath` (`:memory:` for a private in-memory
 * database): creates the parent directory, sets WAL and the busy timeout, applies pending migrations.
 * @throws Error when the directory cannot be created, the file is not a SQLite database, or the
 *   database was written by a newer build (unknown schema version).
 */
export function openSqliteRunStore(filePath: string, options: SqliteRunStoreOptions = {}): SqliteRunStore {
  const clock = options.clock ?? systemClock;
  const inMemory = filePath === ':memory:' || filePath === '';
  if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(filePath)), { recursive: true });
  const db = new Database(filePath);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    if (!inMemory) db.pragma('journal_mode = WAL');
    // synchronous = FULL, set explicitly (this build of SQLite defaults to NORMAL in WAL mode): a
    // committed transition survives a power cut too. Dedupe claims alone skip the fsync (claimOnce).
    db.pragma('synchronous = FULL');
    // Deleted or rewritten content is zeroed, so an erased answer (the password guard) leaves no copy in free space.
    db.pragma('secure_delete = ON');
    applySqliteMigrations(db, () => isoNow(clock));
  } catch (e) {
    db.close();
    throw e;
  }
  return new SqliteRunStore(db, clock);
}
