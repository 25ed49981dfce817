/**
 * zod schemas of the SecuTix answers (source: `secutix-api.md`, "Methods"). Tolerant by design:
 * only the fields the assistant reads are parsed, unknown fields are dropped, enum-like values
 * (`state`, `productFamilyType`, `paymentType`) are plain strings so unknown values are kept.
 */
import { z } from 'zod';
import type { Catalog, CatalogProduct, ContactData, EventAvailability, PosConfig, ProductAvailability } from '../../src/ports/secutix.port';

/** `null` and absent both mean "not given". */
const opt = <T extends z.ZodType>(s: T) => s.nullish().transform((v) => v ?? undefined);
const list = <T extends z.ZodType>(s: T) =>
  z
    .array(s)
    .nullish()
    .transform((v) => v ?? []);
const id = z.number().int();

/**
 * Unpublished fields: a value of another type reads as "not given" instead of failing the whole
 * answer (the core then says "to confirm"). Never use these for fields the spec publishes.
 */
const loose = <T extends z.ZodType>(s: T) =>
  s
    .nullish()
    .catch(undefined)
    .transform((v) => v ?? undefined);
const looseInt = loose(id);
const looseStr = loose(z.string());

/**
 * `hub.pointsOfSales[].running` (unpublished): only a JSON boolean is read; any other value (the
 * strings `"false"` / `"true"` included) is kept as seen (`runningSeen`, JSON text) so the check
 * asks a person to confirm it, never taking it as stopped (failed) nor as running.
 */
const runningValue = z
  .unknown()
  .optional()
  .transform((v): { running?: boolean; runningSeen?: string } => {
    if (v === undefined || v === null) return {};
    if (typeof v === 'boolean') return { running: v };
    return { runningSeen: seenText(v) };
  });

/** A value as seen, for a report: JSON text, at most 60 characters; `(absent)` when SecuTix sent none. */
export function seenText(v: unknown): string {
  if (v === undefined) return '(absent)';
  const seen = JSON.stringify(v) ?? String(v);
  return seen.length > 60 ? `${seen.slice(0, 59)}…` : seen;
}

/**
 * A value compared with a list (an activity state, a payment or family type): a string as is, any
 * other JSON value as its JSON text (`null`, `3`), so that it is in no list and the check names it
 * "to confirm" instead of the whole answer failing (`secutix-api.md`: unexpected is not broken).
 */
const listedText = z
  .unknown()
  .optional()
  .transform((v): string => (typeof v === 'string' ? v : seenText(v)));

/**
 * A string field a check compares (`salesChannelCode`, `virtualOperatorName`): `{ value }` when a
 * string, `{}` when absent or null, `{ seen }` (JSON text) for any other value, so the check asks a
 * person to confirm it instead of the whole answer failing or the check failing on it.
 */
const comparedText = z
  .unknown()
  .optional()
  .transform((v): { value?: string; seen?: string } =>
    typeof v === 'string' ? { value: v } : v === undefined || v === null ? {} : { seen: seenText(v) },
  );

/**
 * A payment method's `externalName`: a string, or (as catalog names are) a translations object
 * whose first value is taken; anything else reads as absent.
 */
const externalNameText = z
  .unknown()
  .optional()
  .transform((v): string | undefined => {
    if (typeof v === 'string') return v;
    const first = (v as { translations?: { value?: unknown }[] } | null)?.translations?.[0]?.value;
    return typeof first === 'string' ? first : undefined;
  });

/** The result envelope: `requestId`, `statusCode`, `statusDetail`. */
export const envelopeSchema = z.object({
  requestId: z.union([z.string(), z.number()]).nullish(),
  statusCode: z.string(),
  /** Text for people only: any JSON value is accepted (a non-string shown as its JSON text), never blocking the answer. */
  statusDetail: z
    .unknown()
    .optional()
    .transform((v): string | null => (v === undefined || v === null ? null : typeof v === 'string' ? v : seenText(v))),
});
export type Envelope = z.output<typeof envelopeSchema>;

/** Answer of the token exchange (no envelope). */
export const tokenAnswerSchema = z.object({ token: z.string().min(1) });

export const posConfigSchema = z
  .object({
    posId: id,
    posCode: looseStr,
    posActivityState: listedText,
    salesChannelId: looseInt,
    salesChannelCode: comparedText,
    salesChannelActivityState: listedText,
    virtualOperatorName: comparedText,
    institCode: looseStr,
    organizationTimeZone: looseStr,
    paymentMethods: z
      .array(
        z.object({
          id: looseInt,
          code: looseStr,
          externalName: externalNameText,
          /** Absent reads as null: the method's type is unknown (to confirm, listed), never an unreadable answer. */
          paymentType: z
            .unknown()
            .optional()
            .transform((v): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : seenText(v))),
          forPayment: loose(z.boolean()),
        }),
      )
      .nullish(),
    /** `hub.pointsOfSales[]` (seen in a public SOAP client, not in the REST docs): every field tolerant. */
    hub: loose(
      z.object({
        pointsOfSales: loose(
          z.array(
            z
              .object({ id: looseInt, code: looseStr, running: runningValue })
              .transform(({ running, ...p }) => ({ ...p, ...running }))
              .catch(() => ({ id: undefined, code: undefined })),
          ),
        ),
      }),
    ),
  })
  .transform((p): PosConfig => {
    const { hub, salesChannelCode, virtualOperatorName, ...rest } = p;
    const unread: string[] = [];
    if (salesChannelCode.seen !== undefined) unread.push(`salesChannelCode = ${salesChannelCode.seen}`);
    if (virtualOperatorName.seen !== undefined) unread.push(`virtualOperatorName = ${virtualOperatorName.seen}`);
    if (salesChannelCode.value === undefined && salesChannelCode.seen === undefined) unread.push('salesChannelCode = (absent)');
    const out: PosConfig = {
      ...defined(rest),
      salesChannelCode: salesChannelCode.value ?? '',
      ...(virtualOperatorName.value !== undefined ? { virtualOperatorName: virtualOperatorName.value } : {}),
      ...(unread.length > 0 ? { salesChannelUnread: unread } : {}),
      paymentMethods: (p.paymentMethods ?? []).map((m) => defined(m)),
      ...(p.paymentMethods === undefined || p.paymentMethods === null ? { paymentMethodsMissing: true } : {}),
    };
    if (hub?.pointsOfSales) out.pointsOfSales = hub.pointsOfSales;
    return out;
  });

const productSchema = z
  .object({
    id,
    code: looseStr,
    state: listedText,
    productFamilyType: listedText,
    externalName: loose(z.object({ translations: list(z.object({ locale: z.string(), value: z.string() })) })),
    event: opt(
      z.object({
        performances: list(z.object({ id, state: listedText, start: looseStr })),
      }),
    ),
  })
  .transform((p): CatalogProduct => ({
    id: p.id,
    code: p.code ?? `#${p.id}`,
    state: p.state,
    productFamilyType: p.productFamilyType,
    names: p.externalName?.translations ?? [],
    performances: p.event?.performances ?? [],
  }));

export const catalogDataSchema = z
  .object({ seasons: z.array(z.object({ products: list(productSchema) })).nullish() })
  .transform((c): Catalog => {
    const products: Catalog = (c.seasons ?? []).flatMap((s) => s.products);
    if (c.seasons === undefined || c.seasons === null) products.seasonsMissing = true;
    return products;
  });

/** Drops keys whose value is undefined (an item's fields that SecuTix did not send, or sent with another type). */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * An availability item's number fields (ints for ids): a field absent or null is left out; a field
 * sent with another type (`"availableSeats": "12"`) is left out and named in `unread`
 * (`availableSeats = "12"`), so the core says it is there with a value it does not read. An item
 * that is not an object has none of the fields.
 */
function numberFields(ints: readonly string[], nums: readonly string[], item: unknown): Record<string, unknown> {
  const rec = item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  const unread: string[] = [];
  for (const f of [...ints, ...nums]) {
    const v = rec[f];
    if (v === undefined || v === null) continue;
    if (typeof v === 'number' && Number.isFinite(v) && (!ints.includes(f) || Number.isInteger(v))) out[f] = v;
    else unread.push(`${f} = ${seenText(v)}`);
  }
  return unread.length > 0 ? { ...out, unread } : out;
}

/**
 * `eventAvailabilityData.eventAvailabilities`: the wrapper is confirmed (a wrong one is a protocol
 * error), its item fields are not published: an item missing a field, or carrying it with another
 * type, is kept without it so the core can report it "to confirm".
 */
export const eventAvailabilityDataSchema = z
  .object({ eventAvailabilities: list(z.unknown()) })
  .transform((d): EventAvailability[] =>
    d.eventAvailabilities.map((i) => numberFields(['performanceId', 'contingentId'], ['availableSeats'], i) as EventAvailability),
  );

/** `productAvailabilityData.items`: as `eventAvailabilityData`, items kept whatever their fields (all assumed). */
export const productAvailabilityDataSchema = z.object({ items: list(z.unknown()) }).transform((d): ProductAvailability[] =>
  d.items.map((i) => {
    const date = (i as { date?: unknown } | null)?.date;
    const fields = numberFields(['productId', 'contingentId'], ['availableQuantity'], i) as ProductAvailability;
    return typeof date === 'string' ? { ...fields, date } : fields;
  }),
);

/**
 * A `ContactDataResult` (its fields at the JSON root, or inside a `contactData` wrapper: the client
 * picks which object to parse). Names from `individualContact.firstName/lastName` or
 * `individualFirstname/individualLastname`; `pendingAccountAuthorized` undefined when SecuTix sent
 * no flag (assumed field); a flag of another type is kept as seen (`pendingAccountAuthorizedSeen`).
 */
export const contactDataSchema = z
  .object({
    contactId: opt(id),
    contactNumber: z.union([z.string(), z.number()]).transform(String),
    individualContact: loose(z.object({ firstName: looseStr, lastName: looseStr })),
    individualFirstname: looseStr,
    individualLastname: looseStr,
    financialData: loose(z.object({ pendingAccountAuthorized: z.unknown() })),
  })
  .transform((c): ContactData => ({
    ...defined({
      contactId: c.contactId,
      contactNumber: c.contactNumber,
      firstName: c.individualContact?.firstName ?? c.individualFirstname,
      lastName: c.individualContact?.lastName ?? c.individualLastname,
    }),
    ...flagOf(c.financialData?.pendingAccountAuthorized),
  }));

/** The flag when a JSON boolean; undefined when absent or null; any other value kept as seen (to confirm, named). */
function flagOf(v: unknown): Pick<ContactData, 'pendingAccountAuthorized' | 'pendingAccountAuthorizedSeen'> {
  // `pendingAccountAuthorized` always present, as the port says: undefined = SecuTix sent no readable flag.
  if (typeof v === 'boolean') return { pendingAccountAuthorized: v };
  if (v === undefined || v === null) return { pendingAccountAuthorized: undefined };
  return { pendingAccountAuthorized: undefined, pendingAccountAuthorizedSeen: seenText(v) };
}

/** Envelope fields, not part of a root-level Result's data (key-path logging, root data). */
export const ENVELOPE_FIELDS: readonly string[] = ['requestId', 'statusCode', 'statusDetail'];

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
