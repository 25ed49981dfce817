/**
 * zod schemas of the SecuTix answers (source: `secutix-api.md`, "Methods"). Tolerant by design:
 * only the fields the assistant reads are parsed, unknown fields are dropped, enum-like values
 * (`state`, `productFamilyType`, `paymentType`) are plain strings so unknown values are kept.
 */
import { z } from 'zod';
import type { CatalogProduct, ContactData, EventAvailability, PosConfig, ProductAvailability } from '../../src/ports/secutix.port';

/** `null` and absent both mean "not given". */
const opt = <T extends z.ZodType>(s: T) => s.nullish().transform((v) => v ?? undefined);
const list = <T extends z.ZodType>(s: T) =>
  z
    .array(s)
    .nullish()
    .transform((v) => v ?? []);
const id = z.number().int();

/** The result envelope: `requestId`, `statusCode`, `statusDetail`. */
export const envelopeSchema = z.object({
  requestId: z.union([z.string(), z.number()]).nullish(),
  statusCode: z.string(),
  statusDetail: z.string().nullish(),
});
export type Envelope = z.output<typeof envelopeSchema>;

/** Answer of the token exchange (no envelope). */
export const tokenAnswerSchema = z.object({ token: z.string().min(1) });

export const posConfigSchema = z
  .object({
    posId: id,
    posCode: opt(z.string()),
    posActivityState: z.string(),
    salesChannelId: opt(id),
    salesChannelCode: z.string(),
    salesChannelActivityState: z.string(),
    virtualOperatorName: opt(z.string()),
    institCode: opt(z.string()),
    organizationTimeZone: opt(z.string()),
    paymentMethods: list(
      z.object({
        id: opt(id),
        code: opt(z.string()),
        paymentType: opt(z.string()).transform((v) => v ?? ''),
        forPayment: opt(z.boolean()),
      }),
    ),
  })
  .transform((p): PosConfig => p);

const productSchema = z
  .object({
    id,
    code: z.string(),
    state: z.string(),
    productFamilyType: z.string(),
    externalName: opt(z.object({ translations: list(z.object({ locale: z.string(), value: z.string() })) })),
    event: opt(
      z.object({
        performances: list(z.object({ id, state: z.string(), start: opt(z.string()) })),
      }),
    ),
  })
  .transform((p): CatalogProduct => ({
    id: p.id,
    code: p.code,
    state: p.state,
    productFamilyType: p.productFamilyType,
    names: p.externalName?.translations ?? [],
    performances: p.event?.performances ?? [],
  }));

export const catalogDataSchema = z
  .object({ seasons: list(z.object({ products: list(productSchema) })) })
  .transform((c): CatalogProduct[] => c.seasons.flatMap((s) => s.products));

export const eventAvailabilityDataSchema = z
  .object({
    eventAvailabilities: list(z.object({ performanceId: id, contingentId: id, availableSeats: z.number() })),
  })
  .transform((d): EventAvailability[] => d.eventAvailabilities);

export const productAvailabilityDataSchema = z
  .object({
    items: list(z.object({ productId: id, contingentId: id, date: opt(z.string()), availableQuantity: z.number() })),
  })
  .transform((d): ProductAvailability[] => d.items);

export const contactDataSchema = z
  .object({
    contactId: opt(id),
    contactNumber: z.union([z.string(), z.number()]).transform(String),
    individualContact: opt(z.object({ firstName: opt(z.string()), lastName: opt(z.string()) })),
    financialData: opt(z.object({ pendingAccountAuthorized: opt(z.boolean()) })),
  })
  .transform((c): ContactData => ({
    contactId: c.contactId,
    contactNumber: c.contactNumber,
    firstName: c.individualContact?.firstName,
    lastName: c.individualContact?.lastName,
    pendingAccountAuthorized: c.financialData?.pendingAccountAuthorized ?? false,
  }));

/**
 * Field path of a zod issue, as in `posConfigData.posId` or `catalogData.seasons[0].products[1].id`.
 * `root` is prefixed (the envelope's data field name).
 */
export function issuePath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(body)';
}

/** Parses `value` with `schema`; on failure returns the first wrong field's path under `root`. */
export function parseAt<T>(
  schema: z.ZodType<T>,
  value: unknown,
  root: string,
): { ok: true; value: T } | { ok: false; field: string; message: string } {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  return { ok: false, field: issuePath(root, issue?.path ?? []), message: issue?.message ?? 'invalid' };
}
