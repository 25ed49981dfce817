/**
 * The audit table's row, as both run stores read it (same columns in SQLite and PostgreSQL), and
 * its mapping to a `StoredAuditEntry`, every JSON column parsed with the stored-record schemas;
 * the other way, the checked values of an entry both stores write.
 */
import type { z } from 'zod';
import type { AuditEntry, StoredAuditEntry } from '../../src/ports/run-store.port';
import { actorSchema, auditDetailsSchema, parseStored, StoredRecordError, stepIdSchema, surfaceSchema } from './run-record.schema';
import { assertNoSecrets } from './secret-guard';

/** One row of the `audit` table (JSON columns as text). */
export interface AuditRow {
  run_id: string;
  seq: number;
  at: string;
  actor: string;
  surface: string;
  action: string;
  step: string | null;
  outcome: string;
  details: string | null;
}

/**
 * A plain column checked against `schema`.
 * @throws StoredRecordError naming the run and the part.
 */
export function parseColumn<S extends z.ZodType>(schema: S, value: string, runId: string, part: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new StoredRecordError(runId, part, [part], `unexpected value ${JSON.stringify(value)}`);
  return r.data;
}

/**
 * An audit row as a `StoredAuditEntry`.
 * @throws StoredRecordError when a column is corrupt.
 */
export function auditEntryFromRow(r: AuditRow, runId: string): StoredAuditEntry {
  const part = `audit entry ${r.seq}`;
  const entry: StoredAuditEntry = {
    runId: r.run_id,
    seq: r.seq,
    at: r.at,
    actor: parseStored(actorSchema, r.actor, runId, `${part} actor`),
    surface: parseColumn(surfaceSchema, r.surface, runId, `${part} surface`),
    action: r.action,
    step: r.step === null ? null : parseColumn(stepIdSchema, r.step, runId, `${part} step`),
    outcome: r.outcome,
  };
  if (r.details !== null) entry.details = parseStored(auditDetailsSchema, r.details, runId, `${part} details`);
  return entry;
}

/** The columns `at, actor, surface, action, step, outcome, details` of an entry to insert (JSON as text). */
export type AuditValues = [string, string, string, string, string | null, string, string | null];

/**
 * The values of `entry` for the audit row of `runId`, after `run_id` and `seq`.
 * @throws Error when the entry belongs to another run or its details hold a secret.
 */
export function auditValues(runId: string, e: AuditEntry): AuditValues {
  if (e.runId !== runId) throw new Error(`audit entry for run ${e.runId} given with run ${runId}`);
  assertNoSecrets(e.details, `audit details of run ${runId}`);
  return [
    e.at,
    JSON.stringify(e.actor),
    e.surface,
    e.action,
    e.step,
    e.outcome,
    e.details === undefined ? null : JSON.stringify(e.details),
  ];
}
