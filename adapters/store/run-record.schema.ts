/**
 * zod schemas of what the run stores keep: a whole `Run` (the `state` JSON column), an outbox
 * `Effect`, and an audit `Actor`. Stored state is parsed with these at load (architecture habit 4:
 * parse at the edge, never cast), and at write so that a malformed run never reaches the disk.
 *
 * Objects are strict: an unknown key is refused rather than silently dropped, so a record written
 * by a newer build (or by hand) is reported instead of losing data on the next save. The shapes
 * mirror `src/workflow/types.ts`; the compile-time checks at the bottom keep both in step.
 */
import { z } from 'zod';
import { STEP_IDS, SURFACES } from '../../src/domain/ids';
import { runDetailsSchema } from '../../src/domain/schemas';
import { ANSWER_FIELDS, CHECK_IDS } from '../../src/workflow/types';
import type { Actor, Effect, Run, StepRecord, VerificationReport } from '../../src/workflow/types';

/** ISO-8601 time string as written by `Date.prototype.toISOString` (offsets accepted). */
const isoTimeSchema = z.iso.datetime({ offset: true });

export const stepIdSchema = z.enum(STEP_IDS);
export const surfaceSchema = z.enum(SURFACES);

/** `Actor`: a platform user id, an optional display name and the organisation they acted from. */
export const actorSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  org: z.string().min(1).optional(),
});

/** `StepRecord`. */
export const stepRecordSchema = z.strictObject({
  state: z.enum(['todo', 'current', 'done', 'skipped', 'failed', 'to_confirm']),
  by: actorSchema.optional(),
  at: isoTimeSchema.optional(),
  reason: z.string().optional(),
});

const reasonParamsSchema = z.record(z.string(), z.union([z.string(), z.number()]));

/** `Reason`: a message key and its values. */
export const reasonSchema = z.strictObject({
  code: z.string().min(1),
  params: reasonParamsSchema.optional(),
});

/** `CheckResult`. */
export const checkResultSchema = z.strictObject({
  id: z.enum(CHECK_IDS),
  outcome: z.enum(['passed', 'failed', 'skipped', 'to_confirm', 'not_checked']),
  reason: reasonSchema.optional(),
  moreReasons: z.array(reasonSchema).optional(),
  warnings: z.array(reasonSchema).optional(),
});

/** `VerificationReport`. */
export const verificationReportSchema = z.strictObject({
  checks: z.array(checkResultSchema),
  posId: z.number().int().positive().optional(),
  passed: z.boolean(),
  toConfirm: z.boolean().optional(),
  notChecked: z.boolean().optional(),
  at: isoTimeSchema,
  durationMs: z.number().nonnegative().optional(),
  timeZone: z.string().min(1).max(64).optional(),
});

/**
 * A whole stored `Run`. `steps` must hold every step id (zod records over an enum are exhaustive),
 * `details` is checked with the start form's own schema (`runDetailsSchema`, idempotent on
 * already-normalised values).
 */
export const runRecordSchema = z.strictObject({
  id: z.string().min(1),
  version: z.number().int().positive(),
  surface: surfaceSchema,
  channelId: z.string().min(1),
  // An answer erased by the password guard is stored empty until it is entered again.
  details: runDetailsSchema.extend({
    institutionName: runDetailsSchema.shape.institutionName.or(z.literal('')),
    digitickContactName: runDetailsSchema.shape.digitickContactName.or(z.literal('')),
    digitickContactEmail: runDetailsSchema.shape.digitickContactEmail.or(z.literal('')),
  }),
  status: z.enum(['open', 'completed', 'cancelled']),
  currentStep: stepIdSchema.nullable(),
  steps: z.record(stepIdSchema, stepRecordSchema),
  contingentIds: z.array(z.number().int().positive()),
  contactNumber: z.string().optional(),
  verification: verificationReportSchema.optional(),
  erasedAnswers: z.array(z.enum(ANSWER_FIELDS)).optional(),
  reminder: z
    .strictObject({
      dueAt: isoTimeSchema,
      kind: z.enum(['operator', 'support']),
      count: z.number().int().nonnegative(),
      snoozed: z.strictObject({ by: actorSchema, at: isoTimeSchema }).optional(),
    })
    .optional(),
  startedBy: actorSchema,
  org: z.string().min(1).max(300).optional(),
  endedBy: actorSchema.optional(),
  endedAt: isoTimeSchema.optional(),
  createdAt: isoTimeSchema,
  updatedAt: isoTimeSchema,
});

const stepOutcomeSchema = z.enum(['done', 'skipped', 'cancelled', 'verified', 'confirmed', 'completed']);

/** An outbox `Effect` (discriminated on `type`). */
export const effectSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('card') }),
  z.strictObject({ type: z.literal('step_prompt'), step: stepIdSchema }),
  z.strictObject({
    type: z.literal('step_closed'),
    step: stepIdSchema,
    outcome: stepOutcomeSchema,
    by: actorSchema,
    at: isoTimeSchema,
  }),
  z.strictObject({ type: z.literal('support_request') }),
  z.strictObject({
    type: z.literal('support_closed'),
    outcome: z.enum(['assigned', 'cancelled']),
    by: actorSchema,
    at: isoTimeSchema,
  }),
  z.strictObject({ type: z.literal('verification_report') }),
  z.strictObject({ type: z.literal('notice'), code: z.string().min(1), params: reasonParamsSchema.optional() }),
  z.strictObject({
    type: z.literal('reminder'),
    kind: z.enum(['operator', 'support', 'support_unanswered']),
    step: stepIdSchema,
    count: z.number().int().nonnegative(),
  }),
  z.strictObject({
    type: z.literal('answers_changed'),
    by: actorSchema,
    at: isoTimeSchema,
    changes: z.array(z.strictObject({ field: z.enum(ANSWER_FIELDS), from: z.string(), to: z.string() })),
  }),
  z.strictObject({ type: z.literal('answers_erased'), fields: z.array(z.enum(ANSWER_FIELDS)) }),
  z.strictObject({ type: z.literal('reminder_snoozed'), by: actorSchema, at: isoTimeSchema, until: isoTimeSchema }),
]);

/** Audit `details`: any JSON object. */
export const auditDetailsSchema = z.record(z.string(), z.unknown());

/**
 * Thrown when a stored record does not parse: names the run, the part of the record (`state`,
 * `audit`, `outbox`, `refs`) and every wrong field with zod's message.
 */
export class StoredRecordError extends Error {
  readonly code = 'corrupt_stored_record';
  constructor(
    readonly runId: string,
    readonly part: string,
    readonly fields: string[],
    detail: string,
  ) {
    super(`stored ${part} of run ${runId} is invalid: ${detail}`);
    this.name = 'StoredRecordError';
  }
}

/** Formats zod issues as `path.to.field: message; ...` (the root is called `(root)`). */
export function describeIssues(error: z.ZodError): { fields: string[]; text: string } {
  const fields = error.issues.map((i) => (i.path.length > 0 ? i.path.map(String).join('.') : '(root)'));
  const text = error.issues.map((i, n) => `${fields[n]}: ${i.message}`).join('; ');
  return { fields, text };
}

/**
 * Parses a JSON text stored for `runId` with `schema`.
 * @throws StoredRecordError when the text is not JSON or does not match the schema.
 */
export function parseStored<S extends z.ZodType>(schema: S, json: string, runId: string, part: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new StoredRecordError(runId, part, ['(root)'], `not valid JSON (${(e as Error).message})`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const { fields, text } = describeIssues(result.error);
    throw new StoredRecordError(runId, part, fields, text);
  }
  return result.data;
}

// Compile-time checks: the schemas accept exactly the types of `src/workflow/types.ts`.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameRun: Same<z.output<typeof runRecordSchema>, Run> = true;
const sameEffect: Same<z.output<typeof effectSchema>, Effect> = true;
const sameActor: Same<z.output<typeof actorSchema>, Actor> = true;
const sameStep: Same<z.output<typeof stepRecordSchema>, StepRecord> = true;
const sameReport: Same<z.output<typeof verificationReportSchema>, VerificationReport> = true;
void [sameRun, sameEffect, sameActor, sameStep, sameReport];
