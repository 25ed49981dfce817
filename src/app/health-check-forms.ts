/**
 * The inputs of the checks without a run as the surfaces receive them: the `check` and `product`
 * forms and the `check INSTITUTION [CHANNEL]` arguments, parsed with a clear message per field.
 */
import { INPUT_IDS } from '../domain/ids';
import { channelCodeSchema, contactNumberSchema, contingentIdsSchema, institutionCodeSchema, passwordSchema } from '../domain/schemas';
import type { FieldErrorKeys, FormResult, RawValues } from './forms';

/** The typed values of `onboard_check`. */
export interface CheckFormValues {
  password: string;
  contingentIds?: number[];
  contactNumber?: string;
}

/** The typed values of `onboard_product_check`. */
export interface ProductCheckFormValues {
  institutionCode: string;
  channelCode: string;
  password: string;
  contingentIds?: number[];
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const filled = (v: unknown): string | undefined => {
  const s = text(v);
  return s !== undefined && s.trim().length > 0 ? s : undefined;
};

const firstMessage = (issues: readonly { message: string }[]): string => {
  const m = issues[0]?.message ?? '';
  return m.startsWith('error.field.') ? m : 'error.field.required';
};

/** Parses one optional or required field into `out`, or its error key into `errors`. */
function field<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: readonly { message: string }[] } } },
  id: (typeof INPUT_IDS)[keyof typeof INPUT_IDS],
  value: string | undefined,
  errors: FieldErrorKeys,
): T | undefined {
  const r = schema.safeParse(value ?? '');
  if (r.success) return r.data;
  errors[id] = firstMessage(r.error.issues);
  return undefined;
}

/**
 * `onboard_check`: the password (required, kept as typed), contingent ids and contact number
 * (optional: left empty, their checks are reported as skipped). Errors are `error.field.*` keys.
 */
export function parseCheckForm(raw: RawValues): FormResult<CheckFormValues> {
  const errors: FieldErrorKeys = {};
  const password = field(passwordSchema, INPUT_IDS.operatorPassword, text(raw[INPUT_IDS.operatorPassword]), errors);
  const contingents = filled(raw[INPUT_IDS.contingentIds]);
  const contingentIds = contingents === undefined ? undefined : field(contingentIdsSchema, INPUT_IDS.contingentIds, contingents, errors);
  const contact = filled(raw[INPUT_IDS.contactNumber]);
  const contactNumber = contact === undefined ? undefined : field(contactNumberSchema, INPUT_IDS.contactNumber, contact, errors);
  if (Object.keys(errors).length > 0 || password === undefined) return { ok: false, errors };
  return { ok: true, value: { password, ...(contingentIds ? { contingentIds } : {}), ...(contactNumber ? { contactNumber } : {}) } };
}

/** `onboard_product_check`: institution code (required), channel code (empty = `DGTK`), password, optional contingent ids. */
export function parseProductCheckForm(raw: RawValues): FormResult<ProductCheckFormValues> {
  const errors: FieldErrorKeys = {};
  const institutionCode = field(institutionCodeSchema, INPUT_IDS.institutionCode, text(raw[INPUT_IDS.institutionCode]), errors);
  const channelCode = field(channelCodeSchema, INPUT_IDS.channelCode, text(raw[INPUT_IDS.channelCode]), errors);
  const password = field(passwordSchema, INPUT_IDS.operatorPassword, text(raw[INPUT_IDS.operatorPassword]), errors);
  const contingents = filled(raw[INPUT_IDS.contingentIds]);
  const contingentIds = contingents === undefined ? undefined : field(contingentIdsSchema, INPUT_IDS.contingentIds, contingents, errors);
  if (Object.keys(errors).length > 0 || institutionCode === undefined || channelCode === undefined || password === undefined)
    return { ok: false, errors };
  return { ok: true, value: { institutionCode, channelCode, password, ...(contingentIds ? { contingentIds } : {}) } };
}

/**
 * The arguments of `check INSTITUTION [CHANNEL]` as typed after the command word: the institution
 * code (required) and the channel code (default `DGTK`), validated like the start form's.
 * @returns the codes upper-case, or the `error.field.*` key of the first wrong one.
 */
export function parseCheckArgs(
  institution: string | undefined,
  channel: string | undefined,
): { ok: true; value: { institutionCode: string; channelCode: string } } | { ok: false; error: string } {
  const i = institutionCodeSchema.safeParse(institution ?? '');
  if (!i.success) return { ok: false, error: firstMessage(i.error.issues) };
  const c = channelCodeSchema.safeParse(channel ?? '');
  if (!c.success) return { ok: false, error: firstMessage(c.error.issues) };
  return { ok: true, value: { institutionCode: i.data, channelCode: c.data } };
}
