/**
 * The shared run store: PostgreSQL through `pg` (a `pg.Pool` per store), for several replicas of
 * the assistant on several machines. Same semantics as `SqliteRunStore`, checked by the same
 * contract suite (`test/contract/run-store.contract.ts`).
 *
 * Tables (see `postgres-migrations.ts`): `runs` (the whole `Run` as JSONB in `state`, parsed back
 * with `runRecordSchema`; a partial unique index allows one open run per institution and channel
 * code), `audit` (per-run `seq` 1..n handed out by `audit_counters`), `outbox` (ordered by a
 * `BIGSERIAL` id), `refs`, `dedupe`. Every write touching several tables is one transaction;
 * `save` is compare-and-set (`UPDATE ... WHERE id = $1 AND version = $2`): under READ COMMITTED a
 * concurrent second `UPDATE` waits for the first to commit, re-reads the row, no longer matches
 * the version and updates nothing.
 *
 * The connection string is never logged nor put in an error message: errors name the URL with
 * its password replaced by `***` (`redactDatabaseUrl`), and the pool is kept in a private field.
 */
import { type InstallationRows, postgresInstallationRows } from './installation-rows';
import { eraseValuesPostgres } from './erase-stored-values';
import pg from 'pg';
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
import { postgresStats } from './store-stats';
import type { Effect, Run } from '../../src/workflow/types';
import { applyPostgresMigrations, POSTGRES_MIGRATIONS, SCHEMA_NAME } from './postgres-migrations';
import { effectSchema, parseStored } from './run-record.schema';
import { assertNoSecrets, refJson } from './secret-guard';
import { type AuditRow, auditEntryFromRow } from './audit-rows';
import { insertAuditPostgres, insertOutboxPostgres } from './postgres-inserts';
import {
  DEFAULT_CONNECTION_TIMEOUT_MS,
  DEFAULT_LIST_LIMIT,
  DEFAULT_QUERY_TIMEOUT_MS,
  type PostgresRunStoreOptions,
  redactDatabaseUrl,
} from './postgres-options';
import { mapConstraint, type OutboxRow, runColumns } from './postgres-rows';
import { jsonValue, orgColumns, parseRunRow, type RunRow, validateRun } from './run-rows';

/** pg's error when a query got no answer within `query_timeout`. */
const isQueryTimeout = (e: unknown): boolean => e instanceof Error && e.message === 'Query read timeout';

export * from './postgres-options';

/** `RunStore` over PostgreSQL. Open it with `openPostgresRunStore`. */
export class PostgresRunStore implements RunStore {
  /** Private (not enumerable, not inspectable): the pool's options hold the connection string. */
  readonly #pool: pg.Pool;
  readonly #clock: Clock;
  #closed = false;

  readonly #onConnectionError: (error: Error) => void;

  /** Use `openPostgresRunStore`, which also applies the migrations. */
  constructor(pool: pg.Pool, clock: Clock = systemClock, onConnectionError: (error: Error) => void = () => undefined) {
    this.#pool = pool;
    this.#clock = clock;
    this.#onConnectionError = onConnectionError;
  }

  /**
   * Stores a new run with its audit entries and outbox items, in one transaction.
   * @throws DuplicateOpenRunError when an open run has the same institution + channel code (and org with `perOrg`).
   * @throws Error when the id exists, the version is not 1, an audit entry names another run, or the run is invalid.
   */
  async create(run: Run, audit: AuditEntry[], effects: Effect[], options: CreateRunOptions = {}): Promise<void> {
    if (run.version !== 1) throw new Error(`a new run must have version 1 (run ${run.id} has ${run.version})`);
    const record = validateRun(run);
    await this.#transaction(async (c) => {
      const exists = await c.query('SELECT 1 FROM runs WHERE id = $1', [record.id]);
      if ((exists.rowCount ?? 0) > 0) throw new Error(`run ${record.id} already exists`);
      try {
        await c.query(
          `INSERT INTO runs (id, version, surface, channel_id, institution_code, channel_code, status,
             started_by_id, created_at, updated_at, state, due_at, org, open_scope)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14)`,
          [...runColumns(record), ...Object.values(orgColumns(record, options))],
        );
      } catch (e) {
        throw mapConstraint(e, record);
      }
      await insertAuditPostgres(c, record.id, audit);
      await insertOutboxPostgres(c, this.#clock, record.id, effects);
    });
  }

  /**
   * The stored run, parsed with `runRecordSchema`, or null when the id is unknown.
   * @throws StoredRecordError when the stored state is not a valid run.
   */
  async get(runId: string): Promise<Run | null> {
    const { rows } = await this.#pool.query<RunRow>('SELECT id, state::text AS state FROM runs WHERE id = $1', [runId]);
    return rows.length > 0 ? parseRunRow(rows[0]) : null;
  }

  /**
   * Runs matching every given field of the filter, newest `createdAt` first (ties: latest inserted
   * first), at most `limit` (default 50). Institution and channel codes are compared upper-case.
   * @throws Error when `limit` is not a positive integer.
   * @throws StoredRecordError when a matching row is corrupt.
   */
  async list(filter: RunFilter): Promise<Run[]> {
    const limit = filter.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`list limit must be a positive integer (got ${limit})`);
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (column: string, value: string | undefined): void => {
      if (value === undefined) return;
      params.push(value);
      where.push(`${column} = $${params.length}`);
    };
    add('surface', filter.surface);
    add('status', filter.status);
    add('started_by_id', filter.startedById);
    add('institution_code', filter.institutionCode?.toUpperCase());
    add('channel_code', filter.channelCode?.toUpperCase());
    add('org', filter.org);
    params.push(limit);
    const sql =
      'SELECT id, state::text AS state FROM runs' +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY created_at DESC, row_no DESC LIMIT $${params.length}`;
    const { rows } = await this.#pool.query<RunRow>(sql, params);
    return rows.map(parseRunRow);
  }

  /**
   * Open runs with a reminder due at or before `nowIso` (`due_at`, indexed), earliest first (ties:
   * inserted first). ISO strings of `toISOString` compare in time order.
   * @throws Error when `limit` is not a positive integer.
   * @throws StoredRecordError when a listed row is corrupt.
   */
  async listDue(nowIso: string, limit: number): Promise<Run[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`listDue limit must be a positive integer (got ${limit})`);
    const { rows } = await this.#pool.query<RunRow>(
      `SELECT id, state::text AS state FROM runs
       WHERE due_at IS NOT NULL AND due_at <= $1 AND status = 'open' ORDER BY due_at, row_no LIMIT $2`,
      [nowIso, limit],
    );
    return rows.map(parseRunRow);
  }

  /**
   * Compare-and-set write: `UPDATE ... WHERE id = $1 AND version = expectedVersion`, plus the audit
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
    await this.#transaction(async (c) => {
      let changed: number;
      try {
        changed =
          (
            await c.query(
              `UPDATE runs SET version = $2, surface = $3, channel_id = $4, institution_code = $5, channel_code = $6,
                 status = $7, started_by_id = $8, created_at = $9, updated_at = $10, state = $11::jsonb, due_at = $12
               WHERE id = $1 AND version = $13`,
              [...runColumns(record), expectedVersion],
            )
          ).rowCount ?? 0;
      } catch (e) {
        throw mapConstraint(e, record);
      }
      if (changed === 0) throw new VersionConflictError(record.id, expectedVersion);
      await insertAuditPostgres(c, record.id, audit);
      await insertOutboxPostgres(c, this.#clock, record.id, effects);
    });
  }

  /**
   * Appends audit entries (any runs, each continuing its run's `seq`) in one transaction, without
   * touching the runs. Entries for an id with no run are kept too (a refused click on an unknown run).
   * @throws Error when an entry's details hold a password- or token-like key.
   */
  async appendAudit(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    for (const e of entries) assertNoSecrets(e.details, `audit details of run ${e.runId}`);
    const byRun = new Map<string, AuditEntry[]>();
    for (const e of entries) byRun.set(e.runId, [...(byRun.get(e.runId) ?? []), e]);
    await this.#transaction(async (c) => {
      // Counters are locked in run id order so two concurrent multi-run appends cannot deadlock.
      for (const runId of [...byRun.keys()].sort()) await insertAuditPostgres(c, runId, byRun.get(runId) ?? []);
    });
  }

  /**
   * The run's audit trail ordered by `seq` (empty for an unknown run).
   * @throws StoredRecordError when a stored entry is corrupt.
   */
  async audit(runId: string): Promise<StoredAuditEntry[]> {
    const { rows } = await this.#pool.query<AuditRow>(
      `SELECT run_id, seq, at, actor::text AS actor, surface, action, step, outcome, details::text AS details
       FROM audit WHERE run_id = $1 ORDER BY seq`,
      [runId],
    );
    return rows.map((r) => auditEntryFromRow(r, runId));
  }

  /** See `RunStore.eraseValues`. */
  async eraseValues(runId: string, values: readonly string[]): Promise<number> {
    return this.#transaction((c) => eraseValuesPostgres(c, runId, values));
  }

  /**
   * Undelivered outbox items, oldest (lowest id) first, at most `limit`, optionally of one run.
   * Failed items stay pending (their `attempts` grow).
   * @throws StoredRecordError when a stored effect is corrupt.
   */
  async pendingOutbox(limit: number, runId?: string): Promise<OutboxItem[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`outbox limit must be a positive integer (got ${limit})`);
    const columns =
      'SELECT id, run_id, effect::text AS effect, created_at, attempts, last_error FROM outbox WHERE delivered_at IS NULL AND abandoned_at IS NULL';
    const { rows } =
      runId === undefined
        ? await this.#pool.query<OutboxRow>(`${columns} ORDER BY id LIMIT $1`, [limit])
        : await this.#pool.query<OutboxRow>(`${columns} AND run_id = $1 ORDER BY id LIMIT $2`, [runId, limit]);
    return rows.map((r) => ({
      id: Number(r.id),
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
    const r = await this.#pool.query('UPDATE outbox SET delivered_at = COALESCE(delivered_at, $1) WHERE id = $2', [
      isoNow(this.#clock),
      id,
    ]);
    if ((r.rowCount ?? 0) === 0) throw new Error(`no outbox item ${id}`);
  }

  /** Records a failed delivery: `attempts` + 1 unless `counted: false`, the error in `last_error` (≤ 500 chars). Throws for an unknown id. */
  async markFailed(id: number, error: string, opts?: { counted?: boolean }): Promise<void> {
    const sql = `UPDATE outbox SET attempts = attempts + ${opts?.counted === false ? 0 : 1}, last_error = $1 WHERE id = $2`;
    const r = await this.#pool.query(sql, [error.slice(0, 500), id]);
    if ((r.rowCount ?? 0) === 0) throw new Error(`no outbox item ${id}`);
  }

  /**
   * Records a last failed delivery and gives the item up: `attempts` + 1, the error, and
   * `abandoned_at`; `pendingOutbox` never returns it again. Giving it up twice is harmless.
   * @throws Error when no item has this id.
   */
  async markAbandoned(id: number, error: string): Promise<void> {
    const r = await this.#pool.query(
      'UPDATE outbox SET attempts = attempts + 1, last_error = $1, abandoned_at = COALESCE(abandoned_at, $2) WHERE id = $3 AND delivered_at IS NULL',
      [error.slice(0, 500), isoNow(this.#clock), id],
    );
    if ((r.rowCount ?? 0) === 0 && (await this.#pool.query('SELECT 1 FROM outbox WHERE id = $1', [id])).rowCount === 0)
      throw new Error(`no outbox item ${id}`);
  }

  /**
   * All references of a run, by key (empty object for an unknown run).
   * @throws StoredRecordError when a stored value is not JSON.
   */
  async getRefs(runId: string): Promise<Record<string, unknown>> {
    const { rows } = await this.#pool.query<{ key: string; value: string }>(
      'SELECT key, value::text AS value FROM refs WHERE run_id = $1 ORDER BY key',
      [runId],
    );
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
    await this.#pool.query(
      'INSERT INTO refs (run_id, key, value) VALUES ($1, $2, $3::jsonb) ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value',
      [runId, key, json],
    );
  }

  /** Runs per status and step, and the outbox backlog (`RunStore.stats`), in one read. */
  async stats(): Promise<RunStoreStats> {
    return postgresStats(this.#pool);
  }

  /**
   * Claims a dedupe key (`INSERT ... ON CONFLICT DO NOTHING`): true the first time, for one caller
   * only even across replicas. Keys older than a day are pruned now and then.
   */
  async claimOnce(key: string, at: string): Promise<boolean> {
    const r = await this.#pool.query('INSERT INTO dedupe (key, claimed_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, at]);
    const claimed = r.rowCount === 1;
    if (claimed && Math.random() < 0.01) {
      const cutoff = new Date(Date.parse(at) - 24 * 3600_000).toISOString();
      await this.#pool.query('DELETE FROM dedupe WHERE claimed_at < $1', [cutoff]);
    }
    return claimed;
  }

  /**
   * Session advisory lock (`pg_try_advisory_lock(hashtext(key))`) held on a dedicated connection
   * while `work` runs; released explicitly, or by PostgreSQL when the connection dies with a
   * crashed process.
   */
  async tryExclusive<T>(key: string, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    const client = await this.#pool.connect();
    let locked = false;
    let broken: Error | undefined;
    // The connection may be killed while `work` runs: logged, never thrown (see `#transaction`).
    const onError = (err: Error): void => {
      broken = err;
      this.#onConnectionError(err);
    };
    client.on('error', onError);
    try {
      const r = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [key]);
      locked = r.rows[0]?.locked === true;
      if (!locked) return { ran: false };
      return { ran: true, value: await work() };
    } catch (e) {
      if (isQueryTimeout(e)) broken = e as Error;
      throw e;
    } finally {
      if (locked && !broken)
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch((e: Error) => {
          broken = e; // unlocked by PostgreSQL when the connection is dropped
        });
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  /** The `slack_installations` table on this database (Slack OAuth mode). */
  installationRows(): InstallationRows {
    return postgresInstallationRows(async (sql, params) => {
      const r = await this.#pool.query(sql, params);
      return { rows: r.rows as unknown[], rowCount: r.rowCount };
    });
  }

  /** Ends the pool (waits for checked-out connections); later calls fail. Closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  /** Runs `fn` in BEGIN/COMMIT on one pooled connection; ROLLBACK when it throws. */
  async #transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    // A connection killed while checked out emits 'error' on the client, where the pool no longer
    // listens: without a listener it would crash the process. The pending query fails too.
    const onError = (err: Error): void => {
      broken = err;
      this.#onConnectionError(err);
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      try {
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (e) {
        // A timed-out query leaves its connection waiting for an answer: drop it, no ROLLBACK
        // (the server rolls back when the connection closes).
        if (broken === undefined && isQueryTimeout(e)) broken = e as Error;
        if (broken === undefined)
          await client.query('ROLLBACK').catch((rollbackError: Error) => {
            broken = rollbackError; // the connection is unusable: destroy it instead of pooling it
          });
        throw e;
      }
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }
}

/**
 * Opens a PostgreSQL run store: creates the pool, checks the connection and applies pending
 * migrations (under an advisory lock, so replicas starting together are safe).
 * @param databaseUrl `postgres://user:password@host:port/database` (or `postgresql://`); pg's
 *   query parameters such as `sslmode` apply.
 * @throws Error naming the URL without its password when the server cannot be reached, the login
 *   is refused, the schema name is invalid, or the database was written by a newer build.
 */
export async function openPostgresRunStore(databaseUrl: string, options: PostgresRunStoreOptions = {}): Promise<PostgresRunStore> {
  const clock = options.clock ?? systemClock;
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`PostgreSQL schema name must match ${SCHEMA_NAME} (got ${JSON.stringify(schema)})`);
  }
  const where = redactDatabaseUrl(databaseUrl);
  const connection = {
    connectionString: databaseUrl.trim(),
    connectionTimeoutMillis: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    application_name: 'digitick-onboarding',
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  };
  const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const pool = new pg.Pool({
    ...connection,
    max: options.maxConnections ?? 10,
    ...(queryTimeoutMs > 0 ? { query_timeout: queryTimeoutMs } : {}),
  });
  const onIdleError =
    options.onIdleError ?? ((e: Error) => process.stderr.write(`PostgreSQL run store (${where}): idle connection error: ${e.message}\n`));
  pool.on('error', (e: Error) => onIdleError(e));
  // Migrations on a connection of their own, without the query timeout: the migration lock may be
  // held by another replica for longer.
  const client = new pg.Client(connection);
  client.on('error', (e: Error) => onIdleError(e));
  try {
    await client.connect();
    await applyPostgresMigrations(client, () => isoNow(clock), POSTGRES_MIGRATIONS, { schema });
  } catch (e) {
    await client.end().catch(() => undefined);
    await pool.end().catch(() => undefined);
    const message = (e as Error).message ?? String(e);
    throw new Error(`PostgreSQL run store (${where}): ${message}`, { cause: e });
  }
  await client.end().catch(() => undefined);
  return new PostgresRunStore(pool, clock, onIdleError);
}
