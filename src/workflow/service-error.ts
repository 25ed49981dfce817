/**
 * What the user is told when an operation of the core does not go through, and the outcome of
 * every service method. Shared by `src/app` (which returns them) and `src/messages` (which renders
 * them), so it lives below both.
 */
import type { NotPermittedRule, Refusal, Run } from './types';

/** What the user is told when an operation does not go through (rendered by `describeError`). */
export type ServiceError =
  | { code: 'refused'; refusal: Refusal; run: Run }
  | { code: 'unknown_run'; runId: string }
  | { code: 'other_surface'; run: Run }
  | { code: 'duplicate_run'; run: Run }
  | { code: 'conflict'; run: Run }
  | { code: 'verification_running'; run: Run }
  /** An access refusal without a run (`start`, `status`); refusals about a run are `refused` / `not_permitted`. */
  | { code: 'not_permitted'; rule: NotPermittedRule }
  /** `unavailable`: the run store could not be reached (nothing changed; try again in a moment). */
  | { code: 'internal'; correlationId: string; unavailable?: true };

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ServiceError };
