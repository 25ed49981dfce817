/**
 * The SecuTix values the verification compares against, in one place (`secutix-api.md`, "Three
 * outcomes per check"). Values marked (assumed) are not published by SecuTix: the defaults below
 * are what our sandbox and public clients suggest, and every list can be replaced by
 * configuration (`SECUTIX_*` variables, `adapters/config.ts`) so that the first real answer
 * corrects them without a code change.
 *
 * A value in a "known bad" list fails a check; a value in no list makes the check "to confirm"
 * (the report names it and the operator confirms it in the back office); only a listed good
 * value passes.
 */

/** What the verification knows of SecuTix's values. */
export interface SecutixAssumptions {
  /** Activity states meaning "running" for sales channel, point of sale, product, performance (assumed: `RUNNING`). */
  runningStates: readonly string[];
  /** Published activity states that are not running: a check fails on them (documented). */
  stoppedStates: readonly string[];
  /** `paymentType` values of a pending-account ("compte d'attente", "waiting account") payment method (assumed). */
  pendingAccountPaymentTypes: readonly string[];
  /**
   * `paymentType` values known to be something else than a pending account (assumed). A point of
   * sale whose methods are all of these fails; a method of a type in neither list makes the check
   * "to confirm".
   */
  otherPaymentTypes: readonly string[];
  /** `productFamilyType` of events (documented: `SINGLE_ENTRY`). */
  eventFamily: string;
  /** `productFamilyType` of passes (documented: `PASS`). */
  passFamily: string;
  /**
   * `productFamilyType` values known to be neither events nor passes (assumed; the docs only say
   * "others exist"). A running product of a type in none of the three makes the event and pass
   * checks "to confirm" when they found nothing of their own type on sale.
   */
  otherFamilyTypes: readonly string[];
  /** `statusCode` of an unknown contact (assumed). */
  contactNotFoundStatus: string;
}

/** The documented defaults (`README.md`, settings `SECUTIX_RUNNING_STATES` and the others). */
export const DEFAULT_SECUTIX_ASSUMPTIONS: SecutixAssumptions = {
  runningStates: ['RUNNING'],
  stoppedStates: ['PREPARING', 'VALIDATED', 'SUSPENDED', 'CANCELED', 'CLOSED', 'CANCELED_CLOSED'],
  pendingAccountPaymentTypes: ['PENDING_ACCOUNT'],
  otherPaymentTypes: ['CREDIT_CARD', 'CASH', 'CHEQUE', 'VOUCHER', 'BANK_TRANSFER', 'DIRECT_DEBIT', 'INVOICE', 'GIFT_CARD'],
  eventFamily: 'SINGLE_ENTRY',
  passFamily: 'PASS',
  otherFamilyTypes: ['SERVICE', 'GOODS', 'MEMBERSHIP', 'DONATION', 'PACKAGE', 'GIFT_CARD', 'TRANSPORT', 'PARKING'],
  contactNotFoundStatus: 'error.contact.notfound',
};

/**
 * Kept for the modules written before the assumptions became configuration: the defaults, plus
 * every documented product state (the known ones; another is reported).
 */
export const SECUTIX_ASSUMPTIONS = {
  ...DEFAULT_SECUTIX_ASSUMPTIONS,
  productStates: [...DEFAULT_SECUTIX_ASSUMPTIONS.runningStates, ...DEFAULT_SECUTIX_ASSUMPTIONS.stoppedStates] as readonly string[],
} as const;

/** How an activity state reads against the assumptions. */
export type StateVerdict = 'running' | 'stopped' | 'unknown';

/** `running` (listed as running), `stopped` (a published state that is not running) or `unknown`. */
export function stateVerdict(state: string, a: SecutixAssumptions): StateVerdict {
  const s = state.toUpperCase();
  if (a.runningStates.some((r) => r.toUpperCase() === s)) return 'running';
  if (a.stoppedStates.some((r) => r.toUpperCase() === s)) return 'stopped';
  return 'unknown';
}

/** How a payment method's `paymentType` reads: a pending account, something else we know, or unknown. */
export function paymentTypeVerdict(type: string, a: SecutixAssumptions): 'pending' | 'other' | 'unknown' {
  const t = type.toUpperCase();
  if (a.pendingAccountPaymentTypes.some((p) => p.toUpperCase() === t)) return 'pending';
  if (a.otherPaymentTypes.some((p) => p.toUpperCase() === t)) return 'other';
  return 'unknown';
}

/** How a `productFamilyType` reads: an event, a pass, another known type, or unknown (case ignored). */
export function familyVerdict(type: string, a: SecutixAssumptions): 'event' | 'pass' | 'other' | 'unknown' {
  const t = type.toUpperCase();
  if (a.eventFamily.toUpperCase() === t) return 'event';
  if (a.passFamily.toUpperCase() === t) return 'pass';
  if (a.otherFamilyTypes.some((o) => o.toUpperCase() === t)) return 'other';
  return 'unknown';
}
