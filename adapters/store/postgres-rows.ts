/**
 * What is PostgreSQL's own in the run store's rows: the outbox row, the `runs` columns as
 * positional parameters, the translation of unique violations (the shared part: `run-rows.ts`).
 */
import type pg from 'pg';
import { DuplicateOpenRunError } from '../../src/ports/run-store.port';
import type { Run } from '../../src/workflow/types';
import { dueAtOf } from './run-rows';

/** PostgreSQL error codes we translate. */
export const UNIQUE_VIOLATION = '23505';

export interface OutboxRow {
  /** `BIGINT`: pg returns it as a string. */
  id: string;
  run_id: string;
  effect: string;
  created_at: string;
  attempts: number;
  last_error: string | null;
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
    dueAtOf(run),
  ];
}

/** Unique violations of the runs table: the open-run index -> DuplicateOpenRunError, the key -> "already exists". */
export function mapConstraint(e: unknown, run: Run): unknown {
  const err = e as pg.DatabaseError;
  if (err?.code !== UNIQUE_VIOLATION) return e;
  if (err.constraint === 'runs_one_open_per_scope' || err.constraint === 'runs_one_open_per_channel') {
    return new DuplicateOpenRunError(run.details.institutionCode, run.details.channelCode);
  }
  if (err.constraint === 'runs_pkey') return new Error(`run ${run.id} already exists`);
  return e;
}
