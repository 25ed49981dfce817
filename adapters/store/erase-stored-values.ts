/**
 * `RunStore.eraseValues` for both dialects: rewrites a run's audit details, outbox effects and
 * refs (chat message snapshots kept to edit them later) with `eraseInJson`
 * (src/domain/erased.ts), inside the caller's transaction.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { eraseInJson } from '../../src/domain/erased';

/** SQLite: one immediate transaction over the run's rows. */
export function eraseValuesSqlite(db: Database.Database, runId: string, values: readonly string[]): number {
  const tx = db.transaction(() => {
    let changed = 0;
    const audit = db.prepare('SELECT seq, details FROM audit WHERE run_id = ? AND details IS NOT NULL').all(runId) as {
      seq: number;
      details: string;
    }[];
    const setAudit = db.prepare('UPDATE audit SET details = ? WHERE run_id = ? AND seq = ?');
    for (const row of audit) {
      const r = eraseInJson(JSON.parse(row.details), values);
      if (r.changed) {
        setAudit.run(JSON.stringify(r.value), runId, row.seq);
        changed++;
      }
    }
    const outbox = db.prepare('SELECT id, effect FROM outbox WHERE run_id = ?').all(runId) as { id: number; effect: string }[];
    const setEffect = db.prepare('UPDATE outbox SET effect = ? WHERE id = ?');
    for (const row of outbox) {
      const r = eraseInJson(JSON.parse(row.effect), values);
      if (r.changed) {
        setEffect.run(JSON.stringify(r.value), row.id);
        changed++;
      }
    }
    const refs = db.prepare('SELECT key, value FROM refs WHERE run_id = ?').all(runId) as { key: string; value: string }[];
    const setRef = db.prepare('UPDATE refs SET value = ? WHERE run_id = ? AND key = ?');
    for (const row of refs) {
      const r = eraseInJson(JSON.parse(row.value), values);
      if (r.changed) {
        setRef.run(JSON.stringify(r.value), runId, row.key);
        changed++;
      }
    }
    return changed;
  });
  const changed = tx.immediate();
  // Old page versions in the write-ahead log still hold the erased values: fold the log into the
  // database (whose freed content `secure_delete` zeroes) and truncate it.
  db.pragma('wal_checkpoint(TRUNCATE)');
  return changed;
}

/** PostgreSQL: call inside a transaction (rows locked with FOR UPDATE). */
export async function eraseValuesPostgres(c: pg.PoolClient, runId: string, values: readonly string[]): Promise<number> {
  let changed = 0;
  const audit = await c.query<{ seq: number; details: unknown }>(
    'SELECT seq, details FROM audit WHERE run_id = $1 AND details IS NOT NULL FOR UPDATE',
    [runId],
  );
  for (const row of audit.rows) {
    const r = eraseInJson(row.details, values);
    if (r.changed) {
      await c.query('UPDATE audit SET details = $1::jsonb WHERE run_id = $2 AND seq = $3', [JSON.stringify(r.value), runId, row.seq]);
      changed++;
    }
  }
  const outbox = await c.query<{ id: string; effect: unknown }>('SELECT id, effect FROM outbox WHERE run_id = $1 FOR UPDATE', [runId]);
  for (const row of outbox.rows) {
    const r = eraseInJson(row.effect, values);
    if (r.changed) {
      await c.query('UPDATE outbox SET effect = $1::jsonb WHERE id = $2', [JSON.stringify(r.value), row.id]);
      changed++;
    }
  }
  const refs = await c.query<{ key: string; value: unknown }>('SELECT key, value FROM refs WHERE run_id = $1 FOR UPDATE', [runId]);
  for (const row of refs.rows) {
    const r = eraseInJson(row.value, values);
    if (r.changed) {
      await c.query('UPDATE refs SET value = $1::jsonb WHERE run_id = $2 AND key = $3', [JSON.stringify(r.value), runId, row.key]);
      changed++;
    }
  }
  return changed;
}
