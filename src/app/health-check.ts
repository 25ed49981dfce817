/**
 * Checks without a run (issue 5, "Health check of an existing setup"):
 *
 * - `check INSTITUTION [CHANNEL]`: the verification of step 9 (`verifySetup`) alone, for an
 *   institution already selling on Digitick (or after a change). Support staff use it when Digitick
 *   reports failing sales. Inputs the asker did not give are reported as skipped checks saying so
 *   (contingent ids: events and passes availability; contact number: technical contact).
 * - `product CODE`: the check of one product: `getCatalogDetailed` with `productCode` (SecuTix
 *   lists only RUNNING or SUSPENDED products on sale on the operator's channel: `secutix-api.md`),
 *   then that product's availability (`getEventAvailability` on its running performances for a
 *   `SINGLE_ENTRY` product, `getProductAvailability` for a `PASS`), summed over the contingents given.
 *
 * Pure core: SecuTix only through `SecutixPort`. The password is used for these calls only: never
 * stored, logged or returned. Nothing is audited (there is no run): one log line per check with
 * the institution, the channel, who asked and each check's outcome.
 */
import { z } from 'zod';
import { type Locale, type Surface } from '../domain/ids';
import { isoNow, type Clock } from '../ports/clock.port';
import type { Logger } from '../ports/logger.port';
import type { CatalogProduct, PosConfig, SecutixCredentials, SecutixPort } from '../ports/secutix.port';
import { SecutixError } from '../ports/secutix.port';
import { checkOutcomeText } from '../workflow/check-reasons';
import type { Actor, CheckResult, Reason, VerificationReport } from '../workflow/types';
import { AccessPolicy } from './access';
import { errorSummary, type Outcome } from './run-service';
import { DEFAULT_SECUTIX_ASSUMPTIONS, type SecutixAssumptions, familyVerdict, stateVerdict } from './secutix-assumptions';
import { productName, secutixFailureReason, verifySetup } from './verification';
import { failureOutcome } from './verification-reasons';
import { overallOutcome } from '../workflow/outcome';
import type { HealthCheckResult, ProductCheckId, ProductCheckReport, ProductCheckResult } from '../workflow/check-results';

export {
  HEALTH_REASON_CODES,
  PRODUCT_CHECK_IDS,
  PRODUCT_REASON_CODES,
  type HealthCheckResult,
  type ProductCheckId,
  type ProductCheckReport,
  type ProductCheckResult,
  type ProductReasonCode,
} from '../workflow/check-results';
export {
  type CheckFormValues,
  type ProductCheckFormValues,
  parseCheckForm,
  parseProductCheckForm,
  parseCheckArgs,
} from './health-check-forms';

/** Who asks (the access policy allows operators and support). */
export interface CheckAsker {
  surface: Surface;
  actor: Actor;
  /** Group ids of the actor (Slack user groups), for the access policy; never stored. */
  principals?: readonly string[];
}

/** A product code as typed after `product`: letters, digits, `-`, `_`, 1 to 30; stored upper-case. */
export const productCodeSchema = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string().regex(/^[A-Za-z0-9_-]{1,30}$/))
  .transform((s) => s.toUpperCase());

/** What `check INSTITUTION [CHANNEL]` verifies. */
export interface HealthCheckInput extends CheckAsker {
  /** Upper-case institution code. */
  institutionCode: string;
  /** Upper-case sales channel code (`DGTK` by default at the surfaces). */
  channelCode: string;
  /** The operator's password: used for these calls only. */
  password: string;
  /** Contingent ids Digitick sells; without them the availability checks are skipped. */
  contingentIds?: number[];
  /** The technical contact's number; without it that check is skipped. */
  contactNumber?: string;
  /** Language of product names in warnings. */
  locale?: Locale;
}

/** What `product CODE` checks. */
export interface ProductCheckInput extends CheckAsker {
  institutionCode: string;
  channelCode: string;
  password: string;
  /** The product's code as typed (compared case-insensitively). */
  productCode: string;
  contingentIds?: number[];
  /** Language of the product's name. */
  locale?: Locale;
}

/** Dependencies of `HealthCheckService`. */
export interface HealthCheckDeps {
  secutix: SecutixPort;
  clock: Clock;
  logger: Logger;
  /** The same policy as `RunService.access`; default: everyone. */
  access?: AccessPolicy;
  /** What the checks know of SecuTix's values (default: `DEFAULT_SECUTIX_ASSUMPTIONS`). */
  assumptions?: SecutixAssumptions;
}

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const reason = (code: string, params?: Reason['params']): Reason => (params ? { code, params } : { code });

/**
 * Runs the checks without a run. Every method checks the access policy first (operators and
 * support: `{ op: 'check' }`), never throws (an unexpected error is an `internal` outcome with a
 * correlation id), and never keeps the password beyond the SecuTix calls.
 */
export class HealthCheckService {
  readonly access: AccessPolicy;

  constructor(private readonly deps: HealthCheckDeps) {
    this.access = deps.access ?? AccessPolicy.open();
  }

  private get assumptions(): SecutixAssumptions {
    return this.deps.assumptions ?? DEFAULT_SECUTIX_ASSUMPTIONS;
  }

  /** May this person run checks (operators and support)? For surfaces, before they open a form. */
  authorize(who: CheckAsker): Outcome<true> {
    const decision = this.access.decide(
      { surface: who.surface, actor: who.actor, ...(who.principals ? { principals: who.principals } : {}) },
      { op: 'check' },
    );
    if (decision.allowed) return ok(true);
    this.deps.logger.warn(
      { surface: who.surface, actorId: who.actor.id, op: 'check', outcome: 'refused:not_permitted', rule: decision.rule },
      'access refused',
    );
    return { ok: false, error: { code: 'not_permitted', rule: decision.rule } };
  }

  /**
   * `check INSTITUTION [CHANNEL]`: the six checks of step 9 with events and passes both checked.
   * Without contingent ids, a failure that only says "no contingents" becomes a skip
   * (`contingents_not_given`); other event/pass failures (no product on sale, none running) stay.
   * Without a contact number, `technical_contact` is skipped (`no_contact_number`).
   */
  async check(input: HealthCheckInput): Promise<Outcome<HealthCheckResult>> {
    const allowed = this.authorize(input);
    if (!allowed.ok) return allowed;
    const started = this.deps.clock.nowMs();
    try {
      const contingentIds = input.contingentIds ?? [];
      const report = await verifySetup(
        this.deps.secutix,
        {
          credentials: this.credentials(input),
          contingentIds,
          ...(input.contactNumber ? { contactNumber: input.contactNumber } : {}),
          checkEvents: true,
          checkPasses: true,
          ...(input.locale ? { locale: input.locale } : {}),
        },
        this.deps.clock,
        this.assumptions,
      );
      const checks =
        contingentIds.length > 0
          ? report.checks
          : report.checks.map((c): CheckResult =>
              c.outcome === 'failed' && c.reason?.code === 'no_contingents'
                ? { id: c.id, outcome: 'skipped', reason: reason('contingents_not_given'), ...(c.warnings ? { warnings: c.warnings } : {}) }
                : c,
            );
      const outcome = overallOutcome(checks);
      const final: VerificationReport = { ...report, checks, passed: outcome === 'passed' };
      if (outcome === 'to_confirm') final.toConfirm = true;
      else delete final.toConfirm;
      if (outcome === 'not_checked') final.notChecked = true;
      else delete final.notChecked;
      this.log('health check finished', input, final.passed, started, checks);
      return ok({ institutionCode: input.institutionCode, channelCode: input.channelCode, report: final });
    } catch (err) {
      return this.internal(err, input, 'check');
    }
  }

  /**
   * `product CODE`: is the product listed on the channel (on sale), running (a `SINGLE_ENTRY`
   * product also needs a running performance), and available in the contingents given?
   * Calls: getPOSConfig (credentials, `posId`), getCatalogDetailed with `productCode`, then one
   * availability call. A failed getPOSConfig fails `credentials` (not checked when SecuTix did not answer) and skips the rest.
   */
  async checkProduct(input: ProductCheckInput): Promise<Outcome<ProductCheckReport>> {
    const allowed = this.authorize(input);
    if (!allowed.ok) return allowed;
    const started = this.deps.clock.nowMs();
    try {
      const checks = await this.productChecks(input);
      const report: ProductCheckReport = {
        institutionCode: input.institutionCode,
        channelCode: input.channelCode,
        productCode: input.productCode.toUpperCase(),
        ...(checks.product ? { product: checks.product } : {}),
        checks: checks.results,
        passed: checks.results.every((c) => c.outcome !== 'failed' && c.outcome !== 'not_checked'),
        at: isoNow(this.deps.clock),
        durationMs: Math.max(0, this.deps.clock.nowMs() - started),
      };
      this.log('product check finished', input, report.passed, started, report.checks, { productCode: report.productCode });
      return ok(report);
    } catch (err) {
      return this.internal(err, input, 'product_check');
    }
  }

  private credentials(input: { institutionCode: string; channelCode: string; password: string }): SecutixCredentials {
    return { institutionCode: input.institutionCode, channelCode: input.channelCode, password: input.password };
  }

  private async productChecks(
    input: ProductCheckInput,
  ): Promise<{ results: ProductCheckResult[]; product?: ProductCheckReport['product'] }> {
    const c = this.credentials(input);
    const code = input.productCode.toUpperCase();
    const skipAll = (from: ProductCheckId[], r: Reason): ProductCheckResult[] => from.map((id) => ({ id, outcome: 'skipped', reason: r }));

    let pos: PosConfig;
    try {
      pos = await this.deps.secutix.getPOSConfig(c);
    } catch (err) {
      const login = `${c.institutionCode.toUpperCase()}_${c.channelCode.toUpperCase()}`;
      const r =
        err instanceof SecutixError && err.kind === 'credentials'
          ? reason('credentials_rejected', { login })
          : secutixFailureReason(err, 'getPOSConfig');
      // SecuTix not answering (refused, timed out, 5xx) says nothing about the setup: not checked.
      return {
        results: [
          { id: 'credentials', outcome: failureOutcome(r), reason: r },
          ...skipAll(['on_sale', 'running', 'availability'], reason('credentials_failed')),
        ],
      };
    }
    const results: ProductCheckResult[] = [{ id: 'credentials', outcome: 'passed' }];

    let listed: CatalogProduct[];
    try {
      listed = await this.deps.secutix.getCatalogDetailed(c, { productCode: code });
    } catch (err) {
      const r = secutixFailureReason(err, 'getCatalogDetailed');
      // A catalog still being extracted when the wait ran out, or SecuTix not answering, says nothing about the product: not checked.
      results.push({ id: 'on_sale', outcome: failureOutcome(r), reason: r });
      results.push(...skipAll(['running', 'availability'], reason('not_found', { productCode: code })));
      return { results };
    }
    const p = listed.find((x) => x.code.toUpperCase() === code);
    if (!p) {
      results.push({ id: 'on_sale', outcome: 'failed', reason: reason('not_on_sale', { productCode: code, channelCode: c.channelCode }) });
      results.push(...skipAll(['running', 'availability'], reason('not_found', { productCode: code })));
      return { results };
    }
    const product = { code: p.code, name: productName(p, input.locale), family: p.productFamilyType, state: p.state };
    results.push({ id: 'on_sale', outcome: 'passed' });

    const a = this.assumptions;
    const isRunning = (state: string): boolean => stateVerdict(state, a) === 'running';
    const family = familyVerdict(p.productFamilyType, a);
    const isEvent = family === 'event';
    const isPass = family === 'pass';
    const performances = isEvent ? p.performances.filter((f) => isRunning(f.state)).map((f) => f.id) : [];
    if (!isRunning(p.state)) {
      results.push({ id: 'running', outcome: 'failed', reason: reason('not_running', { state: p.state }) });
      results.push({ id: 'availability', outcome: 'skipped', reason: reason('not_running_skip') });
      return { results, product };
    }
    if (isEvent && performances.length === 0) {
      results.push({ id: 'running', outcome: 'failed', reason: reason('no_running_performance') });
      results.push({ id: 'availability', outcome: 'skipped', reason: reason('not_running_skip') });
      return { results, product };
    }
    results.push({ id: 'running', outcome: 'passed', reason: reason('running', { state: p.state }) });

    const contingentIds = [...new Set(input.contingentIds ?? [])];
    if (!isEvent && !isPass) {
      results.push({ id: 'availability', outcome: 'skipped', reason: reason('family_not_checked', { family: p.productFamilyType }) });
      return { results, product };
    }
    if (contingentIds.length === 0) {
      results.push({ id: 'availability', outcome: 'skipped', reason: reason('contingents_not_given') });
      return { results, product };
    }
    const contingents = contingentIds.join(', ');
    const inContingents = new Set(contingentIds);
    try {
      if (isEvent) {
        const rows = await this.deps.secutix.getEventAvailability(c, {
          pointOfSalesId: pos.posId,
          performanceIds: performances,
          contingentIds,
        });
        const seatsBy = new Map<number, number>();
        for (const row of rows) {
          const { performanceId, contingentId, availableSeats } = row;
          if (performanceId === undefined || contingentId === undefined || availableSeats === undefined) continue;
          if (!inContingents.has(contingentId) || !(availableSeats > 0)) continue;
          seatsBy.set(performanceId, (seatsBy.get(performanceId) ?? 0) + availableSeats);
        }
        const seats = [...seatsBy.values()].reduce((s, n) => s + n, 0);
        results.push(
          seats > 0
            ? {
                id: 'availability',
                outcome: 'passed',
                reason: reason('event_available', { seats, withSeats: seatsBy.size, performances: performances.length, contingents }),
              }
            : { id: 'availability', outcome: 'failed', reason: reason('event_not_available', { contingents }) },
        );
      } else {
        const rows = await this.deps.secutix.getProductAvailability(c, { pointOfSalesId: pos.posId, productIds: [p.id], contingentIds });
        const quantity = rows
          .filter((row) => row.productId === p.id && row.contingentId !== undefined && inContingents.has(row.contingentId))
          .reduce((sum, row) => sum + (row.availableQuantity !== undefined && row.availableQuantity > 0 ? row.availableQuantity : 0), 0);
        results.push(
          quantity > 0
            ? { id: 'availability', outcome: 'passed', reason: reason('pass_available', { quantity, contingents }) }
            : { id: 'availability', outcome: 'failed', reason: reason('pass_not_available', { contingents }) },
        );
      }
    } catch (err) {
      const r = secutixFailureReason(err, isEvent ? 'getEventAvailability' : 'getProductAvailability');
      results.push({ id: 'availability', outcome: failureOutcome(r), reason: r });
    }
    return { results, product };
  }

  /** One log line per check: who, which institution and channel, each outcome. Never the password. */
  private log(
    msg: string,
    input: CheckAsker & { institutionCode: string; channelCode: string },
    passed: boolean,
    started: number,
    checks: readonly { id: string; outcome: string; reason?: Reason }[],
    extra: Record<string, unknown> = {},
  ): void {
    this.deps.logger.info(
      {
        surface: input.surface,
        actorId: input.actor.id,
        institution: input.institutionCode,
        channel: input.channelCode,
        ...extra,
        passed,
        durationMs: Math.max(0, this.deps.clock.nowMs() - started),
        checks: Object.fromEntries(checks.map((c) => [c.id, checkOutcomeText(c)])),
      },
      msg,
    );
  }

  private internal<T>(err: unknown, input: CheckAsker & { institutionCode: string }, op: string): Outcome<T> {
    const correlationId = `E${this.deps.clock.nowMs().toString(36).toUpperCase()}${Math.floor(Math.random() * 1e6)
      .toString(36)
      .toUpperCase()}`;
    this.deps.logger.error({ op, institution: input.institutionCode, correlationId, err: errorSummary(err) }, 'internal error');
    return { ok: false, error: { code: 'internal', correlationId } };
  }
}
