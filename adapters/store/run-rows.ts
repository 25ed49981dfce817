/**
 * What both run stores (SQLite and PostgreSQL) share about the `runs` table: the row they read,
 * the validation of a run before a write, its `due_at` column, the parsing of a stored state, and
 * the JSON values of surface refs.
 */
import { z } from 'zod';
import type { Run } from '../../src/workflow/types';
import type { CreateRunOptions } from '../../src/ports/run-store.port';
import { describeIssues, parseStored, runRecordSchema, StoredRecordError } from './run-record.schema';

/** One row of the `runs` table as the stores read it (the state JSON as text). */
export interface RunRow {
  id: string;
  state: string;
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

/** The `due_at` column: the next reminder of an open run, else NULL. */
export function dueAtOf(run: Run): string | null {
  return run.status === 'open' && run.reminder ? run.reminder.dueAt : null;
}

/**
 * The `org` and `open_scope` columns of a new run: its organisation (NULL when unknown), and the
 * scope of the one-open-run rule: '' (every open run counts), or the organisation with `perOrg`.
 */
export function orgColumns(run: Run, options: CreateRunOptions): { org: string | null; openScope: string } {
  return { org: run.org ?? null, openScope: options.perOrg ? (run.org ?? '') : '' };
}

/** Parses a stored row into a `Run`. @throws StoredRecordError when the state is malformed or holds another id. */
export function parseRunRow(row: RunRow): Run {
  const run = parseStored(runRecordSchema, row.state, row.id, 'state');
  if (run.id !== row.id) {
    throw new StoredRecordError(row.id, 'state', ['id'], `id: the state holds id ${run.id}`);
  }
  return run;
}
