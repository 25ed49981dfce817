import type { CheckResult, VerificationOutcome } from './types';

/**
 * The overall outcome of checks: failed wins, then not checked (SecuTix did not answer in time:
 * verify again), then to confirm, else passed (skipped checks count as passed).
 */
export function overallOutcome(checks: readonly { outcome: CheckResult['outcome'] }[]): VerificationOutcome {
  if (checks.some((c) => c.outcome === 'failed')) return 'failed';
  if (checks.some((c) => c.outcome === 'not_checked')) return 'not_checked';
  if (checks.some((c) => c.outcome === 'to_confirm')) return 'to_confirm';
  return 'passed';
}
