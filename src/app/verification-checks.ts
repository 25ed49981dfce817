/**
 * The checks of the verification of step 9, one function per check (sales channel, point of
 * sale, products, availability of events and passes, technical contact), each from what SecuTix
 * answered. Pure: `verification.ts` makes the calls and assembles the report.
 */
import type {
  Catalog,
  CatalogProduct,
  ContactData,
  EventAvailability,
  PosConfig,
  ProductAvailability,
  SecutixMethod,
} from '../ports/secutix.port';
import type { CheckId, CheckResult, Reason } from '../workflow/types';
import { type SecutixAssumptions, familyVerdict, paymentTypeVerdict, stateVerdict } from './secutix-assumptions';
import { failureOutcome, reason, confirm, warning, listOf, secutixFailureReason, productName } from './verification-reasons';

type Settled<T> = { ok: true; value: T } | { ok: false; reason: Reason };

export async function settle<T>(method: SecutixMethod, run: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    return { ok: false, reason: secutixFailureReason(err, method) };
  }
}

export function salesChannelCheck(pos: PosConfig, channelCode: string, login: string, a: SecutixAssumptions): CheckResult {
  const id: CheckId = 'sales_channel';
  const expected = channelCode.toUpperCase();
  const unread = pos.salesChannelUnread ?? [];
  const codeRead = !unread.some((u) => u.startsWith('salesChannelCode '));
  if (codeRead && pos.salesChannelCode.toUpperCase() !== expected) {
    return { id, outcome: 'failed', reason: reason('channel_code_mismatch', { expected, actual: pos.salesChannelCode }) };
  }
  if (pos.virtualOperatorName !== undefined && pos.virtualOperatorName.toUpperCase() !== login.toUpperCase()) {
    return { id, outcome: 'failed', reason: reason('virtual_operator_mismatch', { expected: login, actual: pos.virtualOperatorName }) };
  }
  const state = pos.salesChannelActivityState;
  const verdict = stateVerdict(state, a);
  if (verdict === 'stopped') return { id, outcome: 'failed', reason: reason('channel_not_running', { state, channelCode: expected }) };
  // Every value to confirm is named, none hides another.
  const toConfirm: Reason[] = [];
  if (unread.length > 0) toConfirm.push(confirm('channel_values_unread', { channelCode: expected, values: listOf(unread) }));
  if (verdict === 'unknown') toConfirm.push(confirm('channel_state_unknown', { state, channelCode: expected }));
  return confirmed(id, toConfirm);
}

/** `passed` without values to confirm, else `to_confirm` with each of them. */
function confirmed(id: CheckId, toConfirm: Reason[]): CheckResult {
  const [first, ...more] = toConfirm;
  if (!first) return { id, outcome: 'passed' };
  return { id, outcome: 'to_confirm', reason: first, ...(more.length > 0 ? { moreReasons: more } : {}) };
}

export function pointOfSaleCheck(pos: PosConfig, a: SecutixAssumptions): CheckResult {
  const id: CheckId = 'point_of_sale';
  const posCode = pos.posCode ?? String(pos.posId);
  const state = pos.posActivityState;
  const verdict = stateVerdict(state, a);
  if (verdict === 'stopped') return { id, outcome: 'failed', reason: reason('pos_not_running', { state, posCode }) };
  const inHub = pos.pointsOfSales?.find((p) => p.id === pos.posId || (p.code !== undefined && p.code === pos.posCode));
  if (inHub?.running === false) return { id, outcome: 'failed', reason: reason('pos_stopped_in_hub', { posCode }) };
  const types = pos.paymentMethods.map((m) => ({ m, verdict: paymentTypeVerdict(m.paymentType, a) }));
  const pending = types.some((t) => t.verdict === 'pending');
  const unknownTypes = types.filter((t) => t.verdict === 'unknown');
  // An empty list fails; no list at all (absent or null) is to confirm: SecuTix said nothing of the methods.
  if (!pending && unknownTypes.length === 0 && !pos.paymentMethodsMissing)
    return { id, outcome: 'failed', reason: reason('no_pending_account', { posCode }) };
  // Every value to confirm is named, none hides another.
  const toConfirm: Reason[] = [];
  if (verdict === 'unknown') toConfirm.push(confirm('pos_state_unknown', { state, posCode }));
  if (inHub?.runningSeen !== undefined) {
    // hub.pointsOfSales says something other than true/false: a person looks (the value is named).
    toConfirm.push(confirm('pos_running_unknown', { posCode, value: inHub.runningSeen }));
  }
  if (!pending && pos.paymentMethodsMissing) toConfirm.push(confirm('payment_methods_missing', { posCode }));
  else if (!pending) {
    // No method of a known pending-account type, but some of a type we do not know: it may be one.
    const methods = listOf(
      pos.paymentMethods.map(
        (m) =>
          `${m.code ?? (m.id !== undefined ? `#${m.id}` : '?')} (${m.paymentType || '?'}${m.externalName ? `, ${m.externalName}` : ''})`,
      ),
    );
    toConfirm.push(confirm('payment_types_unknown', { posCode, methods }));
  }
  return confirmed(id, toConfirm);
}

function unknownStateWarnings(products: CatalogProduct[], a: SecutixAssumptions, locale?: string): Reason[] {
  return products
    .filter((p) => stateVerdict(p.state, a) === 'unknown')
    .map((p) => warning('unknown_product_state', { product: productName(p, locale), code: p.code, state: p.state }));
}

/** Products of `family` and performances whose state is in no list, as `CODE STATE` (performances as `CODE/id STATE`). */
function unknownStates(products: CatalogProduct[], a: SecutixAssumptions): string[] {
  const out: string[] = [];
  for (const p of products) {
    if (stateVerdict(p.state, a) === 'unknown') out.push(`${p.code} ${p.state}`);
    for (const f of p.performances) if (stateVerdict(f.state, a) === 'unknown') out.push(`${p.code}/${f.id} ${f.state}`);
  }
  return out;
}

/** Running events and the running performances of each. */
export function runningEvents(products: CatalogProduct[], a: SecutixAssumptions): { product: CatalogProduct; performanceIds: number[] }[] {
  return products
    .filter((p) => familyVerdict(p.productFamilyType, a) === 'event' && stateVerdict(p.state, a) === 'running')
    .map((p) => ({ product: p, performanceIds: p.performances.filter((f) => stateVerdict(f.state, a) === 'running').map((f) => f.id) }))
    .filter((e) => e.performanceIds.length > 0);
}

export function runningPasses(products: CatalogProduct[], a: SecutixAssumptions): CatalogProduct[] {
  return products.filter((p) => familyVerdict(p.productFamilyType, a) === 'pass' && stateVerdict(p.state, a) === 'running');
}

/** At most this many products are named in a reason about family types (the rest is counted). */
const FAMILY_PRODUCTS_MAX = 5;

/**
 * Running products of a `productFamilyType` in no list (`SECUTIX_*_FAMILY_TYPE(S)`): they may be
 * the events (passes) the check looks for, under a type the assistant does not know. A reason
 * naming the types and a few products, or none.
 */
function unknownFamilies(products: CatalogProduct[], isEvent: boolean, a: SecutixAssumptions, locale?: string): Reason | undefined {
  const found = products.filter((p) => familyVerdict(p.productFamilyType, a) === 'unknown' && stateVerdict(p.state, a) === 'running');
  if (found.length === 0) return undefined;
  const types = [...new Set(found.map((p) => p.productFamilyType))];
  return confirm(isEvent ? 'event_families_unknown' : 'pass_families_unknown', {
    known: isEvent ? a.eventFamily : a.passFamily,
    types: listOf(types),
    products: listOf(
      found.map((p) => `${productName(p, locale)} (${p.code})`),
      FAMILY_PRODUCTS_MAX,
    ),
  });
}

/** Names of the fields an availability item lacks (fields sent with another type are in `unread`, not here). */
function missingFields(item: { unread?: string[] }, fields: readonly string[]): string[] {
  const rec = item as Record<string, unknown>;
  const unread = item.unread ?? [];
  return fields.filter((f) => (typeof rec[f] !== 'number' || !Number.isFinite(rec[f])) && !unread.some((u) => u.startsWith(`${f} `)));
}

/** The availability items the check can read, and what the others lack or carry unread. */
function readable<T extends { unread?: string[] }>(
  items: T[],
  fields: readonly string[],
): { ok: T[]; unreadable: number; missing: string[]; valued: number; values: string[] } {
  const ok: T[] = [];
  const missing = new Set<string>();
  const values = new Set<string>();
  let unreadable = 0;
  let valued = 0;
  for (const item of items) {
    const lacks = missingFields(item, fields);
    const unread = item.unread ?? [];
    if (lacks.length === 0 && unread.length === 0) ok.push(item);
    if (lacks.length > 0) unreadable++;
    if (unread.length > 0) valued++;
    lacks.forEach((f) => missing.add(f));
    unread.forEach((v) => values.add(v));
  }
  return { ok, unreadable, missing: [...missing], valued, values: [...values] };
}

/** No seats (quantity) could be read: the items' values to confirm, each named, or none. */
function unreadAvailability(isEvent: boolean, r: ReturnType<typeof readable>): Reason[] {
  const out: Reason[] = [];
  if (r.valued > 0) {
    out.push(
      confirm(isEvent ? 'event_availability_values_unread' : 'pass_availability_values_unread', {
        count: r.valued,
        values: listOf(r.values),
      }),
    );
  }
  if (r.unreadable > 0) {
    out.push(
      confirm(isEvent ? 'event_availability_unreadable' : 'pass_availability_unreadable', {
        count: r.unreadable,
        fields: r.missing.join(', '),
      }),
    );
  }
  return out;
}

/** Shared frame of the product checks: family present, running ones, contingents, availability answer. */
function productCheck(
  id: 'event_products' | 'pass_products',
  products: CatalogProduct[],
  family: CatalogProduct[],
  running: number,
  availability: Settled<unknown[]> | undefined,
  contingentIds: number[],
  a: SecutixAssumptions,
  locale: string | undefined,
  evaluate: (items: unknown[]) => CheckResult,
): CheckResult {
  const isEvent = id === 'event_products';
  const extra = unknownStateWarnings(family, a, locale);
  const withWarnings = (r: CheckResult): CheckResult => {
    const warnings = [...(r.warnings ?? []), ...extra];
    return warnings.length ? { ...r, warnings } : r;
  };
  if (running === 0) {
    // None of a known type is known to run; those in a state or of a type we do not know may be on sale.
    const toConfirm: Reason[] = [];
    const unknown = unknownStates(family, a);
    if (unknown.length > 0) toConfirm.push(confirm(isEvent ? 'event_states_unknown' : 'pass_states_unknown', { states: listOf(unknown) }));
    const families = unknownFamilies(products, isEvent, a, locale);
    if (families) toConfirm.push(families);
    // No seasons list at all (absent or null): SecuTix said nothing of the products, a person looks.
    if (toConfirm.length === 0 && (products as Catalog).seasonsMissing) toConfirm.push(confirm('catalog_seasons_missing', {}));
    if (toConfirm.length > 0) return confirmed(id, toConfirm);
    if (family.length === 0)
      return withWarnings({ id, outcome: 'failed', reason: reason(isEvent ? 'no_event_products' : 'no_pass_products') });
    return withWarnings({ id, outcome: 'failed', reason: reason(isEvent ? 'no_running_event' : 'no_running_pass') });
  }
  if (contingentIds.length === 0) return withWarnings({ id, outcome: 'failed', reason: reason('no_contingents') });
  if (!availability) {
    return withWarnings({
      id,
      outcome: 'failed',
      reason: reason('secutix_unexpected', { method: isEvent ? 'getEventAvailability' : 'getProductAvailability' }),
    });
  }
  if (!availability.ok) return withWarnings({ id, outcome: failureOutcome(availability.reason), reason: availability.reason });
  return withWarnings(evaluate(availability.value));
}

const EVENT_FIELDS = ['performanceId', 'contingentId', 'availableSeats'] as const;

const PASS_FIELDS = ['productId', 'contingentId', 'availableQuantity'] as const;

export function eventCheck(
  products: CatalogProduct[],
  events: { product: CatalogProduct; performanceIds: number[] }[],
  availability: Settled<EventAvailability[]> | undefined,
  contingentIds: number[],
  a: SecutixAssumptions,
  locale?: string,
): CheckResult {
  const id: CheckId = 'event_products';
  const family = products.filter((p) => familyVerdict(p.productFamilyType, a) === 'event');
  return productCheck(id, products, family, events.length, availability, contingentIds, a, locale, (raw) => {
    const read = readable(raw as EventAvailability[], EVENT_FIELDS);
    const items = read.ok;
    const contingents = new Set(contingentIds);
    const seatsByPerformance = new Map<number, number>();
    for (const item of items) {
      const seats = item.availableSeats!;
      if (!contingents.has(item.contingentId!) || !(seats > 0)) continue;
      seatsByPerformance.set(item.performanceId!, (seatsByPerformance.get(item.performanceId!) ?? 0) + seats);
    }
    const without = events.filter((e) => !e.performanceIds.some((pid) => (seatsByPerformance.get(pid) ?? 0) > 0));
    const warnings = without.map((e) =>
      warning('product_without_availability', { product: productName(e.product, locale), code: e.product.code }),
    );
    if (without.length === events.length) {
      const toConfirm = unreadAvailability(true, read);
      if (toConfirm.length > 0) return confirmed(id, toConfirm);
      return {
        id,
        outcome: 'failed',
        reason: reason('no_event_availability', { contingents: contingentIds.join(', '), count: contingentIds.length }),
        warnings,
      };
    }
    return warnings.length ? { id, outcome: 'passed', warnings } : { id, outcome: 'passed' };
  });
}

export function passCheck(
  products: CatalogProduct[],
  passes: CatalogProduct[],
  availability: Settled<ProductAvailability[]> | undefined,
  contingentIds: number[],
  a: SecutixAssumptions,
  locale?: string,
): CheckResult {
  const id: CheckId = 'pass_products';
  const family = products.filter((p) => familyVerdict(p.productFamilyType, a) === 'pass');
  return productCheck(id, products, family, passes.length, availability, contingentIds, a, locale, (raw) => {
    const read = readable(raw as ProductAvailability[], PASS_FIELDS);
    const items = read.ok;
    const contingents = new Set(contingentIds);
    const available = new Set(items.filter((i) => contingents.has(i.contingentId!) && i.availableQuantity! > 0).map((i) => i.productId!));
    const without = passes.filter((p) => !available.has(p.id));
    const warnings = without.map((p) => warning('product_without_availability', { product: productName(p, locale), code: p.code }));
    if (without.length === passes.length) {
      const toConfirm = unreadAvailability(false, read);
      if (toConfirm.length > 0) return confirmed(id, toConfirm);
      return {
        id,
        outcome: 'failed',
        reason: reason('no_pass_availability', { contingents: contingentIds.join(', '), count: contingentIds.length }),
        warnings,
      };
    }
    return warnings.length ? { id, outcome: 'passed', warnings } : { id, outcome: 'passed' };
  });
}

export function contactCheck(result: Settled<ContactData>, contactNumber: string, a: SecutixAssumptions): CheckResult {
  const id: CheckId = 'technical_contact';
  if (!result.ok) {
    const r = result.reason;
    if (r.code === 'secutix_business' && String(r.params?.statusCode).toLowerCase() === a.contactNotFoundStatus.toLowerCase()) {
      return { id, outcome: 'failed', reason: reason('contact_not_found', { contactNumber }) };
    }
    if (r.code === 'secutix_business') {
      // An error code the assistant does not know: a person looks, the code is named (never "failed").
      const params = { contactNumber, statusCode: String(r.params?.statusCode ?? ''), statusDetail: String(r.params?.statusDetail ?? '') };
      return { id, outcome: 'to_confirm', reason: confirm('contact_error_unknown', params) };
    }
    return { id, outcome: failureOutcome(r), reason: r };
  }
  const name = [result.value.firstName, result.value.lastName].filter(Boolean).join(' ') || contactNumber;
  const seen = result.value.pendingAccountAuthorizedSeen;
  if (seen !== undefined)
    return { id, outcome: 'to_confirm', reason: confirm('contact_flag_unread', { contactNumber, name, value: seen }) };
  if (result.value.pendingAccountAuthorized === undefined) {
    return { id, outcome: 'to_confirm', reason: confirm('contact_flag_missing', { contactNumber, name }) };
  }
  if (!result.value.pendingAccountAuthorized) {
    return { id, outcome: 'failed', reason: reason('contact_not_authorised', { contactNumber, name }) };
  }
  return { id, outcome: 'passed' };
}
