import type { CheckResult, Reason } from './types';

/** Every reason of a check, in order: `reason`, then `moreReasons` (several values to confirm). */
export function reasonsOf(c: Pick<CheckResult, 'reason' | 'moreReasons'>): Reason[] {
  return c.reason ? [c.reason, ...(c.moreReasons ?? [])] : [];
}

/**
 * A check's result as one audit/log value: `passed`, `failed:<code>`, or with several reasons
 * `to_confirm:<code>+<code>` (every value to confirm is named, none hides another).
 */
export function checkOutcomeText(c: { outcome: string; reason?: Reason; moreReasons?: Reason[] }): string {
  const codes = reasonsOf(c).map((r) => r.code);
  return codes.length > 0 ? `${c.outcome}:${codes.join('+')}` : c.outcome;
}
