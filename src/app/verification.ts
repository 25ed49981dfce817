/**
 * Verification of a SecuTix setup (step 9; rules: `product.md`, "Verification (step 9)"; SecuTix
 * facts: `secutix-api.md`). Pure core: talks to SecuTix only through `SecutixPort`, never throws
 * for a SecuTix failure (it becomes a failed check with a reason), and makes at most one call per
 * method: getPOSConfig, then getCatalogDetailed and getContactData together, then
 * getEventAvailability and getProductAvailability together (all ids batched).
 *
 * Reasons and warnings are message keys `check.reason.<code>` / `check.warning.<code>`
 * (`templates/messages/checks.*.json`); every param a template uses is always provided.
 */
import { isoNow, type Clock } from '../ports/clock.port';
import {
  SecutixError,
  type CatalogProduct,
  type ContactData,
  type EventAvailability,
  type PosConfig,
  type ProductAvailability,
  type SecutixCredentials,
  type SecutixMethod,
  type SecutixPort,
} from '../ports/secutix.port';
import { CHECK_IDS, type CheckId, type CheckResult, type Reason, type VerificationReport } from '../workflow/types';

/**
 * The SecuTix values the checks compare against, in one place. Items marked (assumed) are not
 * published by SecuTix (`secutix-api.md`); change them here if real answers differ.
 */
export const SECUTIX_ASSUMPTIONS = {
  /** Activity states meaning "running" for sales channel, point of sale, product, performance (assumed). */
  runningStates: ['RUNNING'] as readonly string[],
  /** `paymentType` values of a pending-account payment method (assumed). */
  pendingAccountPaymentTypes: ['PENDING_ACCOUNT'] as readonly string[],
  /** `productFamilyType` of events (documented). */
  eventFamily: 'SINGLE_ENTRY',
  /** `productFamilyType` of passes (documented). */
  passFamily: 'PASS',
  /** Documented product states; another value is kept and reported as a warning. */
  productStates: ['PREPARING', 'VALIDATED', 'RUNNING', 'SUSPENDED', 'CANCELED', 'CLOSED', 'CANCELED_CLOSED'] as readonly string[],
  /** `statusCode` of an unknown contact (assumed). */
  contactNotFoundStatus: 'error.contact.notfound',
} as const;

/** Every reason code the verification may report (`check.reason.<code>`). */
export const CHECK_REASON_CODES = [
  'credentials_rejected',
  'credentials_failed',
  'step_skipped',
  'channel_code_mismatch',
  'channel_not_running',
  'pos_not_running',
  'no_pending_account',
  'no_contingents',
  'no_event_products',
  'no_running_event',
  'no_event_availability',
  'no_pass_products',
  'no_running_pass',
  'no_pass_availability',
  'no_contact_number',
  'contact_not_found',
  'contact_not_authorised',
  'secutix_credentials',
  'secutix_unavailable',
  'secutix_protocol',
  'secutix_business',
  'secutix_unexpected',
] as const;
export type CheckReasonCode = (typeof CHECK_REASON_CODES)[number];

/** Every warning code the verification may report (`check.warning.<code>`). */
export const CHECK_WARNING_CODES = ['product_without_availability', 'unknown_product_state'] as const;
export type CheckWarningCode = (typeof CHECK_WARNING_CODES)[number];

/** What to verify: the run's credentials (password in memory only), contingents and contact. */
export interface VerificationRequest {
  credentials: SecutixCredentials;
  /** The run's contingent ids (step 3). */
  contingentIds: number[];
  /** The technical contact's number (step 4); the check is skipped without it. */
  contactNumber?: string;
  /** False when step 5 (events) was skipped. */
  checkEvents: boolean;
  /** False when step 6 (passes) was skipped. */
  checkPasses: boolean;
  /** Language for product names in warnings (`fr`, `en`); default: the first translation. */
  locale?: string;
}

const reason = (code: CheckReasonCode, params?: Reason['params']): Reason => (params ? { code, params } : { code });
const warning = (code: CheckWarningCode, params: Reason['params']): Reason => ({ code, params });
const isRunning = (state: string): boolean => SECUTIX_ASSUMPTIONS.runningStates.includes(state);

/** The reason for a failed SecuTix call, naming the method and the kind of failure. */
export function secutixFailureReason(err: unknown, fallbackMethod: SecutixMethod): Reason {
  if (!(err instanceof SecutixError)) return reason('secutix_unexpected', { method: fallbackMethod });
  const method = err.method;
  switch (err.kind) {
    case 'credentials':
      return reason('secutix_credentials', { method });
    case 'unavailable':
      return reason('secutix_unavailable', { method });
    case 'protocol':
      return reason('secutix_protocol', { method, field: err.extra.field ?? '(body)' });
    case 'business':
      return reason('secutix_business', {
        method,
        statusCode: err.extra.statusCode ?? 'unknown',
        statusDetail: err.extra.statusDetail ?? '',
      });
  }
}

/** The product's name in `locale`, else its first translation, else its code. */
export function productName(p: CatalogProduct, locale?: string): string {
  const wanted = locale?.toLowerCase();
  const exact = p.names.find((n) => n.locale.toLowerCase() === wanted);
  const lang = p.names.find((n) => wanted !== undefined && n.locale.toLowerCase().split(/[-_]/)[0] === wanted.split(/[-_]/)[0]);
  return (exact ?? lang ?? p.names[0])?.value || p.code;
}

type Settled<T> = { ok: true; value: T } | { ok: false; reason: Reason };

async function settle<T>(method: SecutixMethod, run: () => Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    return { ok: false, reason: secutixFailureReason(err, method) };
  }
}

function salesChannelCheck(pos: PosConfig, channelCode: string): CheckResult {
  const expected = channelCode.toUpperCase();
  if (pos.salesChannelCode.toUpperCase() !== expected) {
    return { id: 'sales_channel', outcome: 'failed', reason: reason('channel_code_mismatch', { expected, actual: pos.salesChannelCode }) };
  }
  if (!isRunning(pos.salesChannelActivityState)) {
    return {
      id: 'sales_channel',
      outcome: 'failed',
      reason: reason('channel_not_running', { state: pos.salesChannelActivityState, channelCode: expected }),
    };
  }
  return { id: 'sales_channel', outcome: 'passed' };
}

function pointOfSaleCheck(pos: PosConfig): CheckResult {
  const posCode = pos.posCode ?? String(pos.posId);
  if (!isRunning(pos.posActivityState)) {
    return { id: 'point_of_sale', outcome: 'failed', reason: reason('pos_not_running', { state: pos.posActivityState, posCode }) };
  }
  const pending = pos.paymentMethods.some((m) => SECUTIX_ASSUMPTIONS.pendingAccountPaymentTypes.includes(m.paymentType));
  if (!pending) return { id: 'point_of_sale', outcome: 'failed', reason: reason('no_pending_account', { posCode }) };
  return { id: 'point_of_sale', outcome: 'passed' };
}

function unknownStateWarnings(products: CatalogProduct[], locale?: string): Reason[] {
  return products
    .filter((p) => !SECUTIX_ASSUMPTIONS.productStates.includes(p.state))
    .map((p) => warning('unknown_product_state', { product: productName(p, locale), code: p.code, state: p.state }));
}

/** Running events and the running performances of each. */
function runningEvents(products: CatalogProduct[]): { product: CatalogProduct; performanceIds: number[] }[] {
  return products
    .filter((p) => p.productFamilyType === SECUTIX_ASSUMPTIONS.eventFamily && isRunning(p.state))
    .map((p) => ({ product: p, performanceIds: p.performances.filter((f) => isRunning(f.state)).map((f) => f.id) }))
    .filter((e) => e.performanceIds.length > 0);
}

function runningPasses(products: CatalogProduct[]): CatalogProduct[] {
  return products.filter((p) => p.productFamilyType === SECUTIX_ASSUMPTIONS.passFamily && isRunning(p.state));
}

function eventCheck(
  products: CatalogProduct[],
  events: { product: CatalogProduct; performanceIds: number[] }[],
  availability: Settled<EventAvailability[]> | undefined,
  contingentIds: number[],
  locale?: string,
): CheckResult {
  const id: CheckId = 'event_products';
  const family = products.filter((p) => p.productFamilyType === SECUTIX_ASSUMPTIONS.eventFamily);
  const extra = unknownStateWarnings(family, locale);
  const withWarnings = (r: CheckResult): CheckResult => {
    const warnings = [...(r.warnings ?? []), ...extra];
    return warnings.length ? { ...r, warnings } : r;
  };
  if (family.length === 0) return withWarnings({ id, outcome: 'failed', reason: reason('no_event_products') });
  if (events.length === 0) return withWarnings({ id, outcome: 'failed', reason: reason('no_running_event') });
  if (contingentIds.length === 0) return withWarnings({ id, outcome: 'failed', reason: reason('no_contingents') });
  if (!availability)
    return withWarnings({ id, outcome: 'failed', reason: reason('secutix_unexpected', { method: 'getEventAvailability' }) });
  if (!availability.ok) return withWarnings({ id, outcome: 'failed', reason: availability.reason });
  const contingents = new Set(contingentIds);
  const seatsByPerformance = new Map<number, number>();
  for (const a of availability.value) {
    if (!contingents.has(a.contingentId) || !(a.availableSeats > 0)) continue;
    seatsByPerformance.set(a.performanceId, (seatsByPerformance.get(a.performanceId) ?? 0) + a.availableSeats);
  }
  const without = events.filter((e) => !e.performanceIds.some((pid) => (seatsByPerformance.get(pid) ?? 0) > 0));
  const warnings = without.map((e) =>
    warning('product_without_availability', { product: productName(e.product, locale), code: e.product.code }),
  );
  if (without.length === events.length) {
    return withWarnings({
      id,
      outcome: 'failed',
      reason: reason('no_event_availability', { contingents: contingentIds.join(', ') }),
      warnings,
    });
  }
  return withWarnings(warnings.length ? { id, outcome: 'passed', warnings } : { id, outcome: 'passed' });
}

function passCheck(
  products: CatalogProduct[],
  passes: CatalogProduct[],
  availability: Settled<ProductAvailability[]> | undefined,
  contingentIds: number[],
  locale?: string,
): CheckResult {
  const id: CheckId = 'pass_products';
  const family = products.filter((p) => p.productFamilyType === SECUTIX_ASSUMPTIONS.passFamily);
  const extra = unknownStateWarnings(family, locale);
  const withWarnings = (r: CheckResult): CheckResult => {
    const warnings = [...(r.warnings ?? []), ...extra];
    return warnings.length ? { ...r, warnings } : r;
  };
  if (family.length === 0) return withWarnings({ id, outcome: 'failed', reason: reason('no_pass_products') });
  if (passes.length === 0) return withWarnings({ id, outcome: 'failed', reason: reason('no_running_pass') });
  if (contingentIds.length === 0) return withWarnings({ id, outcome: 'failed', reason: reason('no_contingents') });
  if (!availability)
    return withWarnings({ id, outcome: 'failed', reason: reason('secutix_unexpected', { method: 'getProductAvailability' }) });
  if (!availability.ok) return withWarnings({ id, outcome: 'failed', reason: availability.reason });
  const contingents = new Set(contingentIds);
  const available = new Set(
    availability.value.filter((a) => contingents.has(a.contingentId) && a.availableQuantity > 0).map((a) => a.productId),
  );
  const without = passes.filter((p) => !available.has(p.id));
  const warnings = without.map((p) => warning('product_without_availability', { product: productName(p, locale), code: p.code }));
  if (without.length === passes.length) {
    return withWarnings({
      id,
      outcome: 'failed',
      reason: reason('no_pass_availability', { contingents: contingentIds.join(', ') }),
      warnings,
    });
  }
  return withWarnings(warnings.length ? { id, outcome: 'passed', warnings } : { id, outcome: 'passed' });
}

function contactCheck(result: Settled<ContactData>, contactNumber: string): CheckResult {
  const id: CheckId = 'technical_contact';
  if (!result.ok) {
    const r = result.reason;
    if (r.code === 'secutix_business' && r.params?.statusCode === SECUTIX_ASSUMPTIONS.contactNotFoundStatus) {
      return { id, outcome: 'failed', reason: reason('contact_not_found', { contactNumber }) };
    }
    return { id, outcome: 'failed', reason: r };
  }
  if (!result.value.pendingAccountAuthorized) {
    const name = [result.value.firstName, result.value.lastName].filter(Boolean).join(' ') || contactNumber;
    return { id, outcome: 'failed', reason: reason('contact_not_authorised', { contactNumber, name }) };
  }
  return { id, outcome: 'passed' };
}

function report(checks: Map<CheckId, CheckResult>, clock: Clock, startedMs: number, posId?: number, timeZone?: string): VerificationReport {
  const ordered = CHECK_IDS.map((id) => checks.get(id) ?? { id, outcome: 'skipped' as const, reason: reason('credentials_failed') });
  return {
    checks: ordered,
    ...(posId !== undefined ? { posId } : {}),
    passed: ordered.every((c) => c.outcome !== 'failed'),
    at: isoNow(clock),
    durationMs: Math.max(0, clock.nowMs() - startedMs),
    ...(timeZone ? { timeZone } : {}),
  };
}

/**
 * Verifies the setup of steps 1 to 6 with the operator's credentials and returns the report
 * (checks in `CHECK_IDS` order). Never throws for SecuTix failures: a failed `getPOSConfig`
 * fails `credentials` (401 = `credentials_rejected`) and skips the others (`credentials_failed`);
 * any other failed call fails the checks that needed it with a `secutix_*` reason.
 * Calls: getPOSConfig; then getCatalogDetailed (if events or passes are checked) and
 * getContactData (if a contact number is given) concurrently; then one getEventAvailability
 * and one getProductAvailability concurrently, all ids batched, `pointOfSalesId` = `posId`.
 */
export async function verifySetup(secutix: SecutixPort, req: VerificationRequest, clock: Clock): Promise<VerificationReport> {
  const started = clock.nowMs();
  const checks = new Map<CheckId, CheckResult>();
  const c = req.credentials;

  let pos: PosConfig;
  try {
    pos = await secutix.getPOSConfig(c);
  } catch (err) {
    const login = `${c.institutionCode.toUpperCase()}_${c.channelCode.toUpperCase()}`;
    const r =
      err instanceof SecutixError && err.kind === 'credentials'
        ? reason('credentials_rejected', { login })
        : secutixFailureReason(err, 'getPOSConfig');
    checks.set('credentials', { id: 'credentials', outcome: 'failed', reason: r });
    return report(checks, clock, started);
  }
  checks.set('credentials', { id: 'credentials', outcome: 'passed' });
  checks.set('sales_channel', salesChannelCheck(pos, c.channelCode));
  checks.set('point_of_sale', pointOfSaleCheck(pos));

  const wantCatalog = req.checkEvents || req.checkPasses;
  const [catalog, contact] = await Promise.all([
    wantCatalog ? settle('getCatalogDetailed', () => secutix.getCatalogDetailed(c)) : undefined,
    req.contactNumber !== undefined ? settle('getContactData', () => secutix.getContactData(c, req.contactNumber!)) : undefined,
  ]);

  if (req.contactNumber === undefined || !contact) {
    checks.set('technical_contact', { id: 'technical_contact', outcome: 'skipped', reason: reason('no_contact_number') });
  } else {
    checks.set('technical_contact', contactCheck(contact, req.contactNumber));
  }

  const skipped = (id: CheckId): CheckResult => ({ id, outcome: 'skipped', reason: reason('step_skipped') });
  if (!catalog) {
    checks.set('event_products', skipped('event_products'));
    checks.set('pass_products', skipped('pass_products'));
    return report(checks, clock, started, pos.posId, pos.organizationTimeZone);
  }
  if (!catalog.ok) {
    checks.set(
      'event_products',
      req.checkEvents ? { id: 'event_products', outcome: 'failed', reason: catalog.reason } : skipped('event_products'),
    );
    checks.set(
      'pass_products',
      req.checkPasses ? { id: 'pass_products', outcome: 'failed', reason: catalog.reason } : skipped('pass_products'),
    );
    return report(checks, clock, started, pos.posId, pos.organizationTimeZone);
  }

  const products = catalog.value;
  const contingentIds = [...new Set(req.contingentIds)];
  const events = req.checkEvents ? runningEvents(products) : [];
  const passes = req.checkPasses ? runningPasses(products) : [];
  const performanceIds = [...new Set(events.flatMap((e) => e.performanceIds))];
  const productIds = [...new Set(passes.map((p) => p.id))];
  const canAsk = contingentIds.length > 0;

  const [eventAvailability, passAvailability] = await Promise.all([
    canAsk && performanceIds.length > 0
      ? settle('getEventAvailability', () => secutix.getEventAvailability(c, { pointOfSalesId: pos.posId, performanceIds, contingentIds }))
      : undefined,
    canAsk && productIds.length > 0
      ? settle('getProductAvailability', () => secutix.getProductAvailability(c, { pointOfSalesId: pos.posId, productIds, contingentIds }))
      : undefined,
  ]);

  checks.set(
    'event_products',
    req.checkEvents ? eventCheck(products, events, eventAvailability, contingentIds, req.locale) : skipped('event_products'),
  );
  checks.set(
    'pass_products',
    req.checkPasses ? passCheck(products, passes, passAvailability, contingentIds, req.locale) : skipped('pass_products'),
  );
  return report(checks, clock, started, pos.posId, pos.organizationTimeZone);
}
