/**
 * What is SQLite's own in the run store's rows: the outbox row, the `runs` columns as named
 * parameters, the translation of unique violations (the shared part: `run-rows.ts`).
 */
import { DuplicateOpenRunError } from '../../src/ports/run-store.port';
import type { Run } from '../../src/workflow/types';
import { dueAtOf } from './run-rows';

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

/** `@id..@dueAt` of the runs INSERT / UPDATE. */
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

/** The unique violation of the open-run index -> DuplicateOpenRunError. */
export function mapConstraint(e: unknown, run: Run): unknown {
  const err = e as SqliteError;
  if (err?.code === 'SQLITE_CONSTRAINT_UNIQUE' && /institution_code/.test(err.message)) {
    return new DuplicateOpenRunError(run.details.institutionCode, run.details.channelCode);
  }
  return e;
}
