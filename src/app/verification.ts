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
import {
  CHECK_IDS,
  type CheckId,
  type CheckResult,
  type Reason,
  type VerificationProgress,
  type VerificationReport,
} from '../workflow/types';
import { overallOutcome } from '../workflow/outcome';
import { DEFAULT_SECUTIX_ASSUMPTIONS, type SecutixAssumptions, paymentTypeVerdict, stateVerdict } from './secutix-assumptions';

export { SECUTIX_ASSUMPTIONS } from './secutix-assumptions';

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
  'pos_stopped_in_hub',
  'virtual_operator_mismatch',
  'secutix_credentials',
  'secutix_unavailable',
  'secutix_protocol',
  'secutix_business',
  'secutix_unexpected',
  'secutix_extraction_timeout',
] as const;
export type CheckReasonCode = (typeof CHECK_REASON_CODES)[number];

/**
 * Every "to confirm" code (`check.confirm.<code>`): SecuTix answered values the assistant does
 * not know; the params name exactly the values seen.
 */
export const CHECK_CONFIRM_CODES = [
  'channel_state_unknown',
  'pos_state_unknown',
  'pos_running_unknown',
  'payment_types_unknown',
  'contact_flag_missing',
  'event_states_unknown',
  'pass_states_unknown',
  'event_availability_unreadable',
  'pass_availability_unreadable',
] as const;
export type CheckConfirmCode = (typeof CHECK_CONFIRM_CODES)[number];

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
  /** Called as checks finish and while SecuTix extracts the catalog (never throws into the verification). */
  onProgress?: (progress: VerificationProgress) => void;
}

const reason = (code: CheckReasonCode, params?: Reason['params']): Reason => (params ? { code, params } : { code });
const confirm = (code: CheckConfirmCode, params: Reason['params']): Reason => ({ code, params });
const warning = (code: CheckWarningCode, params: Reason['params']): Reason => ({ code, params });

/** At most this many values are listed in one reason (the rest is counted). */
const LIST_MAX = 10;

/** `a; b; c; +4`-style list, bounded. */
function listOf(values: string[]): string {
  const shown = values.slice(0, LIST_MAX).join('; ');
  return values.length > LIST_MAX ? `${shown}; +${values.length - LIST_MAX}` : shown;
}

/** The reason for a failed SecuTix call, naming the method and the kind of failure. */
export function secutixFailureReason(err: unknown, fallbackMethod: SecutixMethod): Reason {
  if (!(err instanceof SecutixError)) return reason('secutix_unexpected', { method: fallbackMethod });
  const method = err.method;
  switch (err.kind) {
    case 'credentials':
      return reason('secutix_credentials', { method });
    case 'unavailable':
      // An extraction still `in_progress` at SECUTIX_EXTRACTION_TIMEOUT_MS: SecuTix is slow, nothing is known broken.
      if (err.extra.statusCode === 'in_progress') return reason('secutix_extraction_timeout', { method });
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

function salesChannelCheck(pos: PosConfig, channelCode: string, login: string, a: SecutixAssumptions): CheckResult {
  const id: CheckId = 'sales_channel';
  const expected = channelCode.toUpperCase();
  if (pos.salesChannelCode.toUpperCase() !== expected) {
    return { id, outcome: 'failed', reason: reason('channel_code_mismatch', { expected, actual: pos.salesChannelCode }) };
  }
  if (pos.virtualOperatorName !== undefined && pos.virtualOperatorName.toUpperCase() !== login.toUpperCase()) {
    return { id, outcome: 'failed', reason: reason('virtual_operator_mismatch', { expected: login, actual: pos.virtualOperatorName }) };
  }
  const state = pos.salesChannelActivityState;
  switch (stateVerdict(state, a)) {
    case 'running':
      return { id, outcome: 'passed' };
    case 'stopped':
      return { id, outcome: 'failed', reason: reason('channel_not_running', { state, channelCode: expected }) };
    case 'unknown':
      return { id, outcome: 'to_confirm', reason: confirm('channel_state_unknown', { state, channelCode: expected }) };
  }
}

function pointOfSaleCheck(pos: PosConfig, a: SecutixAssumptions): CheckResult {
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
  if (!pending && unknownTypes.length === 0) return { id, outcome: 'failed', reason: reason('no_pending_account', { posCode }) };
  // Every value to confirm is named, none hides another.
  const toConfirm: Reason[] = [];
  if (verdict === 'unknown') toConfirm.push(confirm('pos_state_unknown', { state, posCode }));
  if (inHub?.runningSeen !== undefined) {
    // hub.pointsOfSales says something other than true/false: a person looks (the value is named).
    toConfirm.push(confirm('pos_running_unknown', { posCode, value: inHub.runningSeen }));
  }
  if (!pending) {
    // No method of a known pending-account type, but some of a type we do not know: it may be one.
    const methods = listOf(
      pos.paymentMethods.map(
        (m) =>
          `${m.code ?? (m.id !== undefined ? `#${m.id}` : '?')} (${m.paymentType || '?'}${m.externalName ? `, ${m.externalName}` : ''})`,
      ),
    );
    toConfirm.push(confirm('payment_types_unknown', { posCode, methods }));
  }
  const [first, ...more] = toConfirm;
  if (!first) return { id, outcome: 'passed' };
  return { id, outcome: 'to_confirm', reason: first, ...(more.length > 0 ? { moreReasons: more } : {}) };
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
function runningEvents(products: CatalogProduct[], a: SecutixAssumptions): { product: CatalogProduct; performanceIds: number[] }[] {
  return products
    .filter((p) => p.productFamilyType === a.eventFamily && stateVerdict(p.state, a) === 'running')
    .map((p) => ({ product: p, performanceIds: p.performances.filter((f) => stateVerdict(f.state, a) === 'running').map((f) => f.id) }))
    .filter((e) => e.performanceIds.length > 0);
}

function runningPasses(products: CatalogProduct[], a: SecutixAssumptions): CatalogProduct[] {
  return products.filter((p) => p.productFamilyType === a.passFamily && stateVerdict(p.state, a) === 'running');
}

/** Names of the fields an availability item lacks (or carries with another type). */
function missingFields(item: object, fields: readonly string[]): string[] {
  const rec = item as Record<string, unknown>;
  return fields.filter((f) => typeof rec[f] !== 'number' || !Number.isFinite(rec[f]));
}

/** The availability items the check can read, and what the others lack. */
function readable<T extends object>(items: T[], fields: readonly string[]): { ok: T[]; unreadable: number; missing: string[] } {
  const ok: T[] = [];
  const missing = new Set<string>();
  let unreadable = 0;
  for (const item of items) {
    const lacks = missingFields(item, fields);
    if (lacks.length === 0) ok.push(item);
    else {
      unreadable++;
      lacks.forEach((f) => missing.add(f));
    }
  }
  return { ok, unreadable, missing: [...missing] };
}

/** Shared frame of the product checks: family present, running ones, contingents, availability answer. */
function productCheck(
  id: 'event_products' | 'pass_products',
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
  if (family.length === 0)
    return withWarnings({ id, outcome: 'failed', reason: reason(isEvent ? 'no_event_products' : 'no_pass_products') });
  if (running === 0) {
    const unknown = unknownStates(family, a);
    if (unknown.length > 0) {
      // None is known to run, but some are in a state we do not know: they may be on sale.
      return {
        id,
        outcome: 'to_confirm',
        reason: confirm(isEvent ? 'event_states_unknown' : 'pass_states_unknown', { states: listOf(unknown) }),
      };
    }
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
  if (!availability.ok) return withWarnings({ id, outcome: 'failed', reason: availability.reason });
  return withWarnings(evaluate(availability.value));
}

const EVENT_FIELDS = ['performanceId', 'contingentId', 'availableSeats'] as const;
const PASS_FIELDS = ['productId', 'contingentId', 'availableQuantity'] as const;

function eventCheck(
  products: CatalogProduct[],
  events: { product: CatalogProduct; performanceIds: number[] }[],
  availability: Settled<EventAvailability[]> | undefined,
  contingentIds: number[],
  a: SecutixAssumptions,
  locale?: string,
): CheckResult {
  const id: CheckId = 'event_products';
  const family = products.filter((p) => p.productFamilyType === a.eventFamily);
  return productCheck(id, family, events.length, availability, contingentIds, a, locale, (raw) => {
    const { ok: items, unreadable, missing } = readable(raw as EventAvailability[], EVENT_FIELDS);
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
      if (unreadable > 0) {
        return {
          id,
          outcome: 'to_confirm',
          reason: confirm('event_availability_unreadable', { count: unreadable, fields: missing.join(', ') }),
        };
      }
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

function passCheck(
  products: CatalogProduct[],
  passes: CatalogProduct[],
  availability: Settled<ProductAvailability[]> | undefined,
  contingentIds: number[],
  a: SecutixAssumptions,
  locale?: string,
): CheckResult {
  const id: CheckId = 'pass_products';
  const family = products.filter((p) => p.productFamilyType === a.passFamily);
  return productCheck(id, family, passes.length, availability, contingentIds, a, locale, (raw) => {
    const { ok: items, unreadable, missing } = readable(raw as ProductAvailability[], PASS_FIELDS);
    const contingents = new Set(contingentIds);
    const available = new Set(items.filter((i) => contingents.has(i.contingentId!) && i.availableQuantity! > 0).map((i) => i.productId!));
    const without = passes.filter((p) => !available.has(p.id));
    const warnings = without.map((p) => warning('product_without_availability', { product: productName(p, locale), code: p.code }));
    if (without.length === passes.length) {
      if (unreadable > 0) {
        return {
          id,
          outcome: 'to_confirm',
          reason: confirm('pass_availability_unreadable', { count: unreadable, fields: missing.join(', ') }),
        };
      }
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

function contactCheck(result: Settled<ContactData>, contactNumber: string, a: SecutixAssumptions): CheckResult {
  const id: CheckId = 'technical_contact';
  if (!result.ok) {
    const r = result.reason;
    if (r.code === 'secutix_business' && r.params?.statusCode === a.contactNotFoundStatus) {
      return { id, outcome: 'failed', reason: reason('contact_not_found', { contactNumber }) };
    }
    return { id, outcome: 'failed', reason: r };
  }
  const name = [result.value.firstName, result.value.lastName].filter(Boolean).join(' ') || contactNumber;
  if (result.value.pendingAccountAuthorized === undefined) {
    return { id, outcome: 'to_confirm', reason: confirm('contact_flag_missing', { contactNumber, name }) };
  }
  if (!result.value.pendingAccountAuthorized) {
    return { id, outcome: 'failed', reason: reason('contact_not_authorised', { contactNumber, name }) };
  }
  return { id, outcome: 'passed' };
}

export { overallOutcome };

function report(checks: Map<CheckId, CheckResult>, clock: Clock, startedMs: number, posId?: number, timeZone?: string): VerificationReport {
  const ordered = CHECK_IDS.map((id) => checks.get(id) ?? { id, outcome: 'skipped' as const, reason: reason('credentials_failed') });
  const outcome = overallOutcome(ordered);
  return {
    checks: ordered,
    ...(posId !== undefined ? { posId } : {}),
    passed: outcome === 'passed',
    ...(outcome === 'to_confirm' ? { toConfirm: true } : {}),
    ...(outcome === 'not_checked' ? { notChecked: true } : {}),
    at: isoNow(clock),
    durationMs: Math.max(0, clock.nowMs() - startedMs),
    ...(timeZone ? { timeZone } : {}),
  };
}

/** Tells `onProgress` what is known so far; a throwing listener never breaks the verification. */
class ProgressTracker {
  private catalogWaitedMs: number | undefined;
  constructor(
    private readonly checks: Map<CheckId, CheckResult>,
    private readonly listener?: (p: VerificationProgress) => void,
  ) {}

  waiting(waitedMs: number | undefined): void {
    this.catalogWaitedMs = waitedMs;
    this.emit();
  }

  emit(done?: VerificationReport): void {
    if (!this.listener) return;
    const progress: VerificationProgress = {
      checks: CHECK_IDS.map((id) => ({
        id,
        state: done ? done.checks.find((c) => c.id === id)!.outcome : (this.checks.get(id)?.outcome ?? 'waiting'),
      })),
      ...(this.catalogWaitedMs !== undefined && !done ? { catalogWaitedMs: this.catalogWaitedMs } : {}),
      done: done !== undefined,
      ...(done ? { outcome: overallOutcome(done.checks) } : {}),
    };
    try {
      this.listener(progress);
    } catch {
      // Progress is a courtesy: the verification goes on whatever the listener does.
    }
  }
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
export async function verifySetup(
  secutix: SecutixPort,
  req: VerificationRequest,
  clock: Clock,
  assumptions: SecutixAssumptions = DEFAULT_SECUTIX_ASSUMPTIONS,
): Promise<VerificationReport> {
  const started = clock.nowMs();
  const checks = new Map<CheckId, CheckResult>();
  const progress = new ProgressTracker(checks, req.onProgress);
  const finish = (r: VerificationReport): VerificationReport => {
    progress.emit(r);
    return r;
  };
  const c = req.credentials;
  const a = assumptions;
  progress.emit();

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
    return finish(report(checks, clock, started));
  }
  const login = `${c.institutionCode.toUpperCase()}_${c.channelCode.toUpperCase()}`;
  checks.set('credentials', { id: 'credentials', outcome: 'passed' });
  checks.set('sales_channel', salesChannelCheck(pos, c.channelCode, login, a));
  checks.set('point_of_sale', pointOfSaleCheck(pos, a));
  if (!req.checkEvents) checks.set('event_products', { id: 'event_products', outcome: 'skipped', reason: reason('step_skipped') });
  if (!req.checkPasses) checks.set('pass_products', { id: 'pass_products', outcome: 'skipped', reason: reason('step_skipped') });
  if (req.contactNumber === undefined) {
    checks.set('technical_contact', { id: 'technical_contact', outcome: 'skipped', reason: reason('no_contact_number') });
  }
  progress.emit();

  const wantCatalog = req.checkEvents || req.checkPasses;
  const [catalog, contact] = await Promise.all([
    wantCatalog
      ? settle('getCatalogDetailed', () =>
          secutix.getCatalogDetailed(c, { onWaiting: (w) => progress.waiting(w.waitedMs) }).finally(() => progress.waiting(undefined)),
        )
      : undefined,
    req.contactNumber !== undefined
      ? settle('getContactData', () => secutix.getContactData(c, req.contactNumber!)).then((r) => {
          checks.set('technical_contact', contactCheck(r, req.contactNumber!, a));
          progress.emit();
          return r;
        })
      : undefined,
  ]);

  if (req.contactNumber === undefined || !contact) {
    checks.set('technical_contact', { id: 'technical_contact', outcome: 'skipped', reason: reason('no_contact_number') });
  }

  const skipped = (id: CheckId): CheckResult => ({ id, outcome: 'skipped', reason: reason('step_skipped') });
  if (!catalog) {
    checks.set('event_products', skipped('event_products'));
    checks.set('pass_products', skipped('pass_products'));
    return finish(report(checks, clock, started, pos.posId, pos.organizationTimeZone));
  }
  if (!catalog.ok) {
    // A catalog still being extracted when the wait ran out is not a broken setup: not checked.
    const outcome = catalog.reason.code === 'secutix_extraction_timeout' ? 'not_checked' : 'failed';
    checks.set('event_products', req.checkEvents ? { id: 'event_products', outcome, reason: catalog.reason } : skipped('event_products'));
    checks.set('pass_products', req.checkPasses ? { id: 'pass_products', outcome, reason: catalog.reason } : skipped('pass_products'));
    return finish(report(checks, clock, started, pos.posId, pos.organizationTimeZone));
  }

  const products = catalog.value;
  const contingentIds = [...new Set(req.contingentIds)];
  const events = req.checkEvents ? runningEvents(products, a) : [];
  const passes = req.checkPasses ? runningPasses(products, a) : [];
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
    req.checkEvents ? eventCheck(products, events, eventAvailability, contingentIds, a, req.locale) : skipped('event_products'),
  );
  checks.set(
    'pass_products',
    req.checkPasses ? passCheck(products, passes, passAvailability, contingentIds, a, req.locale) : skipped('pass_products'),
  );
  return finish(report(checks, clock, started, pos.posId, pos.organizationTimeZone));
}
