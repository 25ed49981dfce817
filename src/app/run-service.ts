/**
 * The run service: load -> transition -> save (compare-and-set, with audit and outbox in the same
 * write) -> deliver the outbox. Every surface calls this one entry point; it never touches a
 * platform library. Errors the user should see come back as `ServiceError` values, not throws.
 *
 * By responsibility, one class chain so that every part keeps `this` (lowest first):
 * `run-service-base.ts` (deps, loading, access, errors), `outbox-delivery.ts` (outbox and delivery),
 * `run-commands.ts` (the commands of a run), `run-verification.ts` (step 9), `run-reminders.ts`.
 */

import { RunReminders } from './run-reminders';

export type { Outcome, ServiceError } from '../workflow/service-error';
export { type ActionInput, type AnswersInput, errorSummary, operationOf, type RunServiceDeps, type Verifier } from './run-service-base';
export { DEFAULT_MAX_DELIVERY_ATTEMPTS } from './outbox-delivery';
export { answersEqualTo, SAVE_RETRY_DELAYS_MS } from './run-verification';
export { REMINDER_ACTOR } from './run-reminders';

/** The run service (see the file's header for where each part lives). */
export class RunService extends RunReminders {}
