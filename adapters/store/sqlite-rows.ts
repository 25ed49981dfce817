/**
 * Rows of the SQLite run store and the mapping between them and a `Run`: validation before a
 * write, the `runs` columns, the parsing of a stored state, the translation of unique violations.
 */
import { z } from 'zod';
import { DuplicateOpenRunError } from '../../src/ports/run-store.port';
import type { Run } from '../../src/workflow/types';
import { describeIssues, parseStored, runRecordSchema, StoredRecordError } from './run-record.schema';

export interface RunRow {
  id: string;
  state: string;
}

export interface OutboxRow {
  id: number;
  run_id: string;
  effect: string;
  created_at: string;
  attempts: number;
  last_error: string | null;
}

interface SqliteError extends Error {
  code?: string;
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

export function runColumns(run: Run): Record<string, string | number | null> {
  return {
    id: run.id,
    version: run.version,
    surface: run.surface,
    channelId: run.channelId,
    institutionCode: run.details.institutionCode,
    channelCode: run.details.channelCode,
    status: run.status,
    startedById: run.startedBy.id,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
    state: JSON.stringify(run),
    dueAt: dueAtOf(run),
  };
}

/** The `due_at` column: the next reminder of an open run, else NULL. */
export function dueAtOf(run: Run): string | null {
  return run.status === 'open' && run.reminder ? run.reminder.dueAt : null;
}

export function parseRunRow(row: RunRow): Run {
  const run = parseStored(runRecordSchema, row.state, row.id, 'state');
  if (run.id !== row.id) {
    throw new StoredRecordError(row.id, 'state', ['id'], `id: the state holds id ${run.id}`);
  }
  return run;
}

export function mapConstraint(e: unknown, run: Run): unknown {
  const err = e as SqliteError;
  if (err?.code === 'SQLITE_CONSTRAINT_UNIQUE' && /institution_code/.test(err.message)) {
    return new DuplicateOpenRunError(run.details.institutionCode, run.details.channelCode);
  }
  return e;
}
