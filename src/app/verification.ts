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
import { SecutixError, type PosConfig, type SecutixCredentials, type SecutixPort } from '../ports/secutix.port';
import { CHECK_IDS, type CheckId, type CheckResult, type VerificationProgress, type VerificationReport } from '../workflow/types';
import { overallOutcome } from '../workflow/outcome';
import { DEFAULT_SECUTIX_ASSUMPTIONS, type SecutixAssumptions } from './secutix-assumptions';

export { SECUTIX_ASSUMPTIONS } from './secutix-assumptions';
import { failureOutcome, reason, secutixFailureReason } from './verification-reasons';
export {
  CHECK_REASON_CODES,
  type CheckReasonCode,
  CHECK_CONFIRM_CODES,
  type CheckConfirmCode,
  CHECK_WARNING_CODES,
  type CheckWarningCode,
  secutixFailureReason,
  productName,
} from './verification-reasons';
import {
  settle,
  salesChannelCheck,
  pointOfSaleCheck,
  runningEvents,
  runningPasses,
  eventCheck,
  passCheck,
  contactCheck,
} from './verification-checks';

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
    checks.set('credentials', { id: 'credentials', outcome: failureOutcome(r), reason: r });
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
    const outcome = failureOutcome(catalog.reason);
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
