/**
 * Rows of the PostgreSQL run store and the mapping between them and a `Run`: validation before a
 * write, the `runs` columns, the parsing of a stored state, the translation of unique violations.
 */
import type pg from 'pg';
import { z } from 'zod';
import { DuplicateOpenRunError } from '../../src/ports/run-store.port';
import type { Run } from '../../src/workflow/types';
import { describeIssues, parseStored, runRecordSchema, StoredRecordError } from './run-record.schema';

/** PostgreSQL error codes we translate. */
export const UNIQUE_VIOLATION = '23505';

export interface RunRow {
  id: string;
  state: string;
}

export interface OutboxRow {
  /** `BIGINT`: pg returns it as a string. */
  id: string;
  run_id: string;
  effect: string;
  created_at: string;
  attempts: number;
  last_error: string | null;
}

/** Any JSON value (refs are opaque surface data). */
export const jsonValue = z.json();

/** Validates a run before writing it. @throws Error naming every wrong field. */
export function validateRun(run: Run): Run {
  const result = runRecordSchema.safeParse(run);
  if (!result.success) {
    throw new Error(`run ${String((run as { id?: unknown }).id)} is not a valid run: ${describeIssues(result.error).text}`);
  }
  return result.data;
}

/** `$1..$12` of the runs INSERT / UPDATE (`due_at`: the next reminder of an open run, else NULL). */
export function runColumns(run: Run): (string | number | null)[] {
  return [
    run.id,
    run.version,
    run.surface,
    run.channelId,
    run.details.institutionCode,
    run.details.channelCode,
    run.status,
    run.startedBy.id,
    run.createdAt,
    run.updatedAt,
    JSON.stringify(run),
    run.status === 'open' && run.reminder ? run.reminder.dueAt : null,
  ];
}

export function parseRunRow(row: RunRow): Run {
  const run = parseStored(runRecordSchema, row.state, row.id, 'state');
  if (run.id !== row.id) {
    throw new StoredRecordError(row.id, 'state', ['id'], `id: the state holds id ${run.id}`);
  }
  return run;
}

/** Unique violations of the runs table: the open-run index -> DuplicateOpenRunError, the key -> "already exists". */
export function mapConstraint(e: unknown, run: Run): unknown {
  const err = e as pg.DatabaseError;
  if (err?.code !== UNIQUE_VIOLATION) return e;
  if (err.constraint === 'runs_one_open_per_channel') {
    return new DuplicateOpenRunError(run.details.institutionCode, run.details.channelCode);
  }
  if (err.constraint === 'runs_pkey') return new Error(`run ${run.id} already exists`);
  return e;
}
