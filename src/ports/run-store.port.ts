/**
 * Durable run storage. Every write of a run is compare-and-set on `version`, and carries the
 * audit entries and outbox items of that transition in the same transaction.
 * Implementations: `adapters/store/sqlite-run-store.ts` and `postgres-run-store.ts`; both pass
 * `test/contract/run-store.contract.ts`.
 */
import type { StepId, Surface } from '../domain/ids';
import type { Actor, Effect, Run, RunStatus } from '../workflow/types';

/** One line of a run's append-only audit trail (never holds a password or token). */
export interface AuditEntry {
  runId: string;
  /** ISO time. */
  at: string;
  actor: Actor;
  surface: Surface;
  /** What was attempted: an event type (`step_done`, `cancel`...), `start`, `verify`... */
  action: string;
  /** The run's step when it happened. */
  step: StepId | null;
  /** `ok`, or `refused:<code>`, or `failed:<code>`. */
  outcome: string;
  /** Extra facts (check outcomes, contingent ids, a skip reason); JSON, no secrets. */
  details?: Record<string, unknown>;
}

/** An audit entry as stored, with its position in the run's trail (1, 2, ...). */
export interface StoredAuditEntry extends AuditEntry {
  seq: number;
}

/** An effect waiting for delivery, stored with the transition that produced it. */
export interface OutboxItem {
  /** Store-assigned id, increasing in creation order. */
  id: number;
  runId: string;
  effect: Effect;
  createdAt: string;
  /** Delivery attempts so far. */
  attempts: number;
  /** The error of the last failed attempt (an error summary, at most 500 characters). */
  lastError?: string;
}

/** What the store holds, for monitoring (`GET /metrics`): read from the database, so every replica reports the same. */
export interface RunStoreStats {
  /** Runs per status and current step (`null` when the run has none, e.g. completed). */
  runs: { status: string; step: string | null; count: number }[];
  /** Undelivered outbox items still to deliver (given-up ones, `markAbandoned`, excluded). */
  outboxPending: number;
  /** `createdAt` (ISO) of the oldest of those items, or null when none. */
  outboxOldestCreatedAt: string | null;
}

/**
 * Thrown by a store when its database cannot be reached (connection refused or cut, server
 * shutting down or starting): nothing was written; the same call may succeed a moment later.
 * Users are told to try again in a moment, not that something broke.
 */
export class StoreUnavailableError extends Error {
  readonly code = 'store_unavailable';
  constructor(readonly detail: string) {
    super(`the run store is unavailable: ${detail}`);
    this.name = 'StoreUnavailableError';
  }
}

/** Thrown by `save` when the stored version is not the expected one (someone else won). */
export class VersionConflictError extends Error {
  readonly code = 'version_conflict';
  constructor(
    readonly runId: string,
    readonly expectedVersion: number,
  ) {
    super(`run ${runId} is no longer at version ${expectedVersion}`);
  }
}

/** Thrown by `create` when an open run already exists for the same institution and channel code. */
export class DuplicateOpenRunError extends Error {
  readonly code = 'duplicate_open_run';
  constructor(
    readonly institutionCode: string,
    readonly channelCode: string,
  ) {
    super(`an open run exists for ${institutionCode}/${channelCode}`);
  }
}

/** Filter for `list`. All given fields must match. */
export interface RunFilter {
  surface?: Surface;
  status?: RunStatus;
  startedById?: string;
  institutionCode?: string;
  channelCode?: string;
  /** Only runs of this organisation (`Run.org`; runs without one never match). */
  org?: string;
  /** Newest first, at most this many (default 50). */
  limit?: number;
}

/** Options of `RunStore.create`. */
export interface CreateRunOptions {
  /**
   * The one-open-run rule counts only the open runs of the same organisation (`Run.org`):
   * multi-organisation mode, where two organisations may each have an open run for the same
   * institution and channel code. Default: every open run counts (one workspace, as before).
   */
  perOrg?: boolean;
}

export interface RunStore {
  /**
   * Stores a new run (its `version` is 1) with its first audit entry and outbox items.
   * @throws DuplicateOpenRunError when an open run exists for the same institution + channel code
   *   (of the same organisation with `options.perOrg`).
   */
  create(run: Run, audit: AuditEntry[], effects: Effect[], options?: CreateRunOptions): Promise<void>;
  /** The run, or null when unknown. */
  get(runId: string): Promise<Run | null>;
  /** Runs matching the filter, newest (`createdAt`) first. */
  list(filter: RunFilter): Promise<Run[]>;
  /**
   * Open runs whose next reminder (`Run.reminder.dueAt`, kept in an indexed `due_at` column) is
   * at or before `nowIso`, the earliest due first, at most `limit` (a positive integer). Ended
   * runs and runs without a reminder are never listed.
   */
  listDue(nowIso: string, limit: number): Promise<Run[]>;
  /**
   * Compare-and-set: writes `run` (whose `version` must be `expectedVersion + 1`) only if the
   * stored version is `expectedVersion`, appending the audit entries and outbox items atomically.
   * @throws VersionConflictError when the stored version differs.
   */
  save(run: Run, expectedVersion: number, audit: AuditEntry[], effects: Effect[]): Promise<void>;
  /** Appends audit entries without changing the run (refusals, failed verifications' attempts). */
  appendAudit(entries: AuditEntry[]): Promise<void>;
  /** The run's audit trail in order. */
  audit(runId: string): Promise<StoredAuditEntry[]>;
  /**
   * Erases `values` from the run's audit details, outbox effects (delivered or not) and refs
   * (message snapshots): every
   * string containing one of them has it replaced by `[erased]`, and a list of numbers equal to
   * one of them (a contingents answer) becomes `[erased]`. The only change ever made to a stored
   * audit entry: the password guard uses it when a recorded answer equals the typed password.
   * @returns how many audit entries, outbox items and refs changed.
   */
  eraseValues(runId: string, values: readonly string[]): Promise<number>;
  /** Undelivered outbox items, oldest first (optionally of one run). */
  pendingOutbox(limit: number, runId?: string): Promise<OutboxItem[]>;
  /** Marks an outbox item delivered (it is never returned again). */
  markDelivered(id: number): Promise<void>;
  /**
   * Records a failed delivery attempt (`attempts` + 1) with the error code; with `counted: false`
   * (the platform was unreachable) only the error is recorded, `attempts` stays.
   */
  markFailed(id: number, error: string, opts?: { counted?: boolean }): Promise<void>;
  /** Records a last failed attempt and gives the item up: it is never returned as pending again. */
  markAbandoned(id: number, error: string): Promise<void>;
  /**
   * Surface references of a run's messages (Slack `ts`, Teams activity ids, conversation
   * references), keyed by a surface-chosen name. Writing one never changes the run's version.
   */
  getRefs(runId: string): Promise<Record<string, unknown>>;
  /** Sets (replaces) one reference. */
  putRef(runId: string, key: string, value: unknown): Promise<void>;
  /**
   * Records a dedupe key durably (a Teams `activity.id`, a Slack retry's event id, a click id):
   * true the first time a key is claimed, false for every later claim, across processes and
   * restarts. `at` is the ISO time of the claim (old keys may be pruned after a day).
   */
  claimOnce(key: string, at: string): Promise<boolean>;
  /**
   * Runs `work` while holding an exclusive lock on `key` across every process sharing the store,
   * or resolves `{ ran: false }` at once without running it when another holder has the lock.
   * Used so that one replica at a time delivers a run's outbox. A crashed holder's lock goes with
   * its connection (PostgreSQL session advisory lock); SQLite serves one process, where the lock
   * is process-local.
   */
  tryExclusive<T>(key: string, work: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  /** Counts for monitoring (one read; see `RunStoreStats`). Rejects when the database does not answer (readiness). */
  stats(): Promise<RunStoreStats>;
  /** Releases the connection / file handle. */
  close(): Promise<void>;
}
