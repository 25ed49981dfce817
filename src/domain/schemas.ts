/**
 * zod schemas for every value a user types, with the rules of `secutix-api.md`
 * ("Identifiers and their validation"). Each refusal carries a message key (see
 * `templates/messages/*.json`, keys `error.field.*`) so surfaces can show it on the field.
 */
import { z } from 'zod';
import { BIDI_CONTROL } from './display-text';
import { DEFAULT_CHANNEL_CODE, LOCALES } from './ids';

/**
 * Removes bidirectional controls (they reorder shown text), turns control characters of free text
 * into spaces and trims it (codes are not cleaned: they are refused).
 */
const clean = (s: string): string =>
  s
    .replace(BIDI_CONTROL, '')
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .trim();

/** Institution code: letters and digits, 2 to 15; case-insensitive, stored upper-case. */
export const institutionCodeSchema = z
  .string({ error: 'error.field.required' })
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, { error: 'error.field.required' })
      .regex(/^[A-Za-z0-9]{2,15}$/, { error: 'error.field.institution_code' }),
  )
  .transform((s) => s.toUpperCase());

/** Sales channel code: `^[A-Z0-9]{1,8}$` after upper-casing; empty means `DGTK`. */
export const channelCodeSchema = z
  .string()
  .optional()
  .transform((s) => (s ?? '').trim().toUpperCase() || DEFAULT_CHANNEL_CODE)
  .pipe(z.string().regex(/^[A-Z0-9]{1,8}$/, { error: 'error.field.channel_code' }));

/** Free text name (institution, person): 1 to 120 characters after trimming. */
export const nameSchema = z
  .string({ error: 'error.field.required' })
  .transform(clean)
  .pipe(z.string().min(1, { error: 'error.field.required' }).max(120, { error: 'error.field.too_long.name' }));

/** E-mail address of the Digitick contact. */
export const emailSchema = z
  .string({ error: 'error.field.required' })
  .transform(clean)
  .pipe(
    z
      .string()
      .min(1, { error: 'error.field.required' })
      .max(254, { error: 'error.field.too_long.email' })
      .pipe(z.email({ error: 'error.field.email' })),
  );

/** Language of a run: `fr` or `en`. */
export const localeSchema = z.enum(LOCALES, { error: 'error.field.language' });

/** Contact number: 1 to 20 characters, letters, digits, `-`. */
export const contactNumberSchema = z
  .string({ error: 'error.field.required' })
  .transform((s) => s.trim())
  .pipe(
    z
      .string()
      .min(1, { error: 'error.field.required' })
      .regex(/^[A-Za-z0-9-]{1,20}$/, { error: 'error.field.contact_number' }),
  );

/**
 * Contingent ids as typed: positive integers separated by commas, spaces or new lines;
 * duplicates dropped (first order kept); 1 to 50 of them. Output: `number[]`.
 */
export const contingentIdsSchema = z.string({ error: 'error.field.required' }).transform((s, ctx) => {
  const parts = s.split(/[\s,;]+/).filter((p) => p.length > 0);
  if (parts.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'error.field.required' });
    return z.NEVER;
  }
  const ids: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]{1,12}$/.test(p) || Number(p) <= 0 || !Number.isSafeInteger(Number(p))) {
      ctx.addIssue({ code: 'custom', message: 'error.field.contingent_ids' });
      return z.NEVER;
    }
    const n = Number(p);
    if (!ids.includes(n)) ids.push(n);
  }
  if (ids.length > 50) {
    ctx.addIssue({ code: 'custom', message: 'error.field.contingent_ids_count' });
    return z.NEVER;
  }
  return ids;
});

/** Reason typed when verification is skipped: 3 to 500 characters. */
export const skipReasonSchema = z
  .string({ error: 'error.field.required' })
  .transform(clean)
  .pipe(z.string().min(3, { error: 'error.field.skip_reason' }).max(500, { error: 'error.field.too_long.skip_reason' }));

/**
 * Operator password: used once in memory, never trimmed, 1 to 200 characters, no control
 * characters (a pasted tab or escape is refused on the field rather than sent to SecuTix).
 */
export const passwordSchema = z
  .string({ error: 'error.field.required' })
  .min(1, { error: 'error.field.required' })
  .max(200, { error: 'error.field.too_long.password' })
  .regex(/^[^\u0000-\u001f\u007f]*$/, { error: 'error.field.password_control' });

/** The start form (`onboard_start`): the run's details. */
export const runDetailsSchema = z.object({
  institutionCode: institutionCodeSchema,
  institutionName: nameSchema,
  channelCode: channelCodeSchema,
  digitickContactName: nameSchema,
  digitickContactEmail: emailSchema,
  language: localeSchema,
});
/** A run's details after validation: codes upper-case, text trimmed. */
export type RunDetails = z.output<typeof runDetailsSchema>;

/** Positive integer id (contingent, product, performance, `posId`). */
export const positiveIdSchema = z.number().int().positive();
