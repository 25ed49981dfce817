/**
 * Validation of submitted forms at the edge: raw values (strings as typed) in, typed values or
 * field errors (message keys `error.field.*`, keyed by input id) out. Surfaces translate the keys
 * with `MessageBuilder.t` and show them on the fields.
 */
import type { z } from 'zod';
import { INPUT_IDS, type InputId, type Locale } from '../domain/ids';
import type { AnswerChanges, AnswerField } from '../workflow/types';
import {
  contactNumberSchema,
  contingentIdsSchema,
  emailSchema,
  nameSchema,
  passwordSchema,
  type RunDetails,
  runDetailsSchema,
  skipReasonSchema,
} from '../domain/schemas';

/** Field errors as message keys. */
export type FieldErrorKeys = Partial<Record<InputId, string>>;

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrorKeys };

/** Raw typed values: input id -> text (undefined or null when left empty). */
export type RawValues = Partial<Record<string, string | null | undefined>>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function firstKey(err: z.ZodError, path?: string): string {
  const issue = err.issues.find((i) => path === undefined || i.path[0] === path) ?? err.issues[0];
  const msg = issue?.message ?? 'error.field.required';
  return msg.startsWith('error.field.') ? msg : issue?.code === 'invalid_type' ? 'error.field.required' : 'error.field.required';
}

/** The start form: all required except channel code (default DGTK) and language (default `defaultLocale`). */
export function parseStartForm(raw: RawValues, defaultLocale: Locale): FormResult<RunDetails> {
  const input = {
    institutionCode: str(raw[INPUT_IDS.institutionCode]) ?? '',
    institutionName: str(raw[INPUT_IDS.institutionName]) ?? '',
    channelCode: str(raw[INPUT_IDS.channelCode]) ?? '',
    digitickContactName: str(raw[INPUT_IDS.digitickContactName]) ?? '',
    digitickContactEmail: str(raw[INPUT_IDS.digitickContactEmail]) ?? '',
    language: (str(raw[INPUT_IDS.language]) ?? '').trim() || defaultLocale,
  };
  const r = runDetailsSchema.safeParse(input);
  if (r.success) return { ok: true, value: r.data };
  const map: Record<string, InputId> = {
    institutionCode: INPUT_IDS.institutionCode,
    institutionName: INPUT_IDS.institutionName,
    channelCode: INPUT_IDS.channelCode,
    digitickContactName: INPUT_IDS.digitickContactName,
    digitickContactEmail: INPUT_IDS.digitickContactEmail,
    language: INPUT_IDS.language,
  };
  const errors: FieldErrorKeys = {};
  for (const issue of r.error.issues) {
    const field = map[String(issue.path[0])];
    if (field && !errors[field]) errors[field] = firstKey(r.error, String(issue.path[0]));
  }
  return { ok: false, errors };
}

function single<T>(schema: z.ZodType<T>, id: InputId, raw: RawValues): FormResult<T> {
  const r = schema.safeParse(str(raw[id]) ?? '');
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: { [id]: firstKey(r.error) } };
}

/** `onboard_contingents`: contingent ids, 1 to 50 positive integers. */
export const parseContingentsForm = (raw: RawValues): FormResult<number[]> => single(contingentIdsSchema, INPUT_IDS.contingentIds, raw);
/** `onboard_contact`: the technical contact number. */
export const parseContactForm = (raw: RawValues): FormResult<string> => single(contactNumberSchema, INPUT_IDS.contactNumber, raw);
/** `onboard_password`: the operator password (kept as typed, never trimmed). */
export const parsePasswordForm = (raw: RawValues): FormResult<string> => single(passwordSchema, INPUT_IDS.operatorPassword, raw);
/** `onboard_verify_skip`: why the run goes on unverified. */
export const parseVerifySkipForm = (raw: RawValues): FormResult<string> => single(skipReasonSchema, INPUT_IDS.skipReason, raw);

/**
 * `onboard_answers`: contingent ids and contact number, validated as in their steps, plus the
 * erased details (`erased`: institution name, Digitick contact name and email) the form asked for
 * again. Only those inputs are read: any other value the submit carries (an input the form did not
 * show) is ignored, neither validated nor recorded (the transition ignores it too). Inputs absent
 * from `raw` are left unchanged.
 */
export function parseAnswersForm(raw: RawValues, erased: readonly AnswerField[] = []): FormResult<AnswerChanges> {
  const errors: FieldErrorKeys = {};
  const out: AnswerChanges = {};
  const c = single(contingentIdsSchema, INPUT_IDS.contingentIds, raw);
  if (c.ok) out.contingentIds = c.value;
  else Object.assign(errors, c.errors);
  const n = single(contactNumberSchema, INPUT_IDS.contactNumber, raw);
  if (n.ok) out.contactNumber = n.value;
  else Object.assign(errors, n.errors);
  const details = [
    ['institutionName', INPUT_IDS.institutionName, nameSchema],
    ['digitickContactName', INPUT_IDS.digitickContactName, nameSchema],
    ['digitickContactEmail', INPUT_IDS.digitickContactEmail, emailSchema],
  ] as const;
  for (const [field, id, schema] of details) {
    if (raw[id] === undefined || !erased.includes(field)) continue;
    const r = single<string>(schema, id, raw);
    if (r.ok) out[field] = r.value;
    else Object.assign(errors, r.errors);
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: out };
}
