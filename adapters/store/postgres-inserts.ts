/**
 * The PostgreSQL run store's inserts of audit entries and outbox items, made inside the
 * transaction of the write that produced them.
 */
import type pg from 'pg';
import type { Clock } from '../../src/ports/clock.port';
import { isoNow } from '../../src/ports/clock.port';
import type { AuditEntry } from '../../src/ports/run-store.port';
import type { Effect } from '../../src/workflow/types';
import { auditValues } from './audit-rows';

/**
 * Inserts a run's audit entries after its last `seq`. The numbers come from `audit_counters`
 * (an upsert that locks the run's counter row until commit), so concurrent writers to one run
 * queue there and never pick the same `seq`. Call inside a transaction.
 */
export async function insertAuditPostgres(c: pg.PoolClient, runId: string, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rowValues = entries.map((e) => auditValues(runId, e));
  const { rows } = await c.query<{ last_seq: number }>(
    `INSERT INTO audit_counters (run_id, last_seq) VALUES ($1, $2)
     ON CONFLICT (run_id) DO UPDATE SET last_seq = audit_counters.last_seq + excluded.last_seq
     RETURNING last_seq`,
    [runId, entries.length],
  );
  const first = rows[0].last_seq - entries.length + 1;
  const values: unknown[] = [];
  const tuples = rowValues.map((v, i) => {
    const n = values.length;
    values.push(runId, first + i, ...v);
    return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}::jsonb, $${n + 5}, $${n + 6}, $${n + 7}, $${n + 8}, $${n + 9}::jsonb)`;
  });
  await c.query(`INSERT INTO audit (run_id, seq, at, actor, surface, action, step, outcome, details) VALUES ${tuples.join(', ')}`, values);
}

/** Inserts outbox items in order (ids increase in list order). Call inside a transaction. */
export async function insertOutboxPostgres(c: pg.PoolClient, clock: Clock, runId: string, effects: Effect[]): Promise<void> {
  if (effects.length === 0) return;
  const at = isoNow(clock);
  // One row per statement keeps the BIGSERIAL ids in the list's order without relying on the
  // evaluation order of a multi-row VALUES.
  for (const effect of effects) {
    await c.query('INSERT INTO outbox (run_id, effect, created_at, attempts) VALUES ($1, $2::jsonb, $3, 0)', [
      runId,
      JSON.stringify(effect),
      at,
    ]);
  }
}
