/**
 * `RunStore.stats` of both stores: runs per status and current step, and the outbox backlog (items
 * still to deliver: given-up ones excluded), read
 * from the database (so every replica sharing it reports the same numbers on `GET /metrics`).
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { RunStoreStats } from '../../src/ports/run-store.port';

/** SQLite: the step is read from the stored run's JSON (`$.currentStep`). */
export function sqliteStats(db: Database.Database): RunStoreStats {
  const runs = db
    .prepare("SELECT status, json_extract(state, '$.currentStep') AS step, COUNT(*) AS n FROM runs GROUP BY 1, 2 ORDER BY 1, 2")
    .all() as { status: string; step: string | null; n: number }[];
  const outbox = db
    .prepare('SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox WHERE delivered_at IS NULL AND abandoned_at IS NULL')
    .get() as {
    n: number;
    oldest: string | null;
  };
  return {
    runs: runs.map((r) => ({ status: r.status, step: r.step ?? null, count: Number(r.n) })),
    outboxPending: Number(outbox.n),
    outboxOldestCreatedAt: outbox.oldest ?? null,
  };
}

/** PostgreSQL: one query (a UNION of both counts), so a scrape costs one round trip. */
export async function postgresStats(pool: pg.Pool): Promise<RunStoreStats> {
  const { rows } = await pool.query<{ status: string | null; step: string | null; n: string; oldest: string | null }>(
    `SELECT status, state->>'currentStep' AS step, COUNT(*)::text AS n, NULL AS oldest FROM runs GROUP BY 1, 2
     UNION ALL SELECT NULL, NULL, COUNT(*)::text, MIN(created_at) FROM outbox WHERE delivered_at IS NULL AND abandoned_at IS NULL`,
  );
  const outbox = rows.find((r) => r.status === null);
  return {
    runs: rows
      .filter((r): r is typeof r & { status: string } => r.status !== null)
      .map((r) => ({ status: r.status, step: r.step, count: Number(r.n) }))
      .sort((a, b) => `${a.status}/${a.step ?? ''}`.localeCompare(`${b.status}/${b.step ?? ''}`)),
    outboxPending: Number(outbox?.n ?? 0),
    outboxOldestCreatedAt: outbox?.oldest ?? null,
  };
}
