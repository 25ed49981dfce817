/**
 * What the checks without a run report (`check INSTITUTION`, `product CODE`): produced by
 * `src/app/health-check.ts`, rendered by `src/messages`. Types and code lists only.
 */
import type { CheckResult, Reason, VerificationReport } from './types';

/**
 * Reason codes added by the health check to the verification's (`check.reason.<code>`, in
 * `templates/messages/check.*.json`): a check not run because the asker left its input empty.
 */
export const HEALTH_REASON_CODES = ['contingents_not_given'] as const;

/** The checks of `product CODE`, in report order (`product_check.name.<id>`). */
export const PRODUCT_CHECK_IDS = ['credentials', 'on_sale', 'running', 'availability'] as const;
export type ProductCheckId = (typeof PRODUCT_CHECK_IDS)[number];

/**
 * Reason codes of the product check (`product_check.reason.<code>`); reasons shared with the
 * verification (`credentials_rejected`, `credentials_failed`, `secutix_*`) keep their `check.reason.<code>` key.
 */
export const PRODUCT_REASON_CODES = [
  'not_on_sale',
  'not_found',
  'running',
  'not_running',
  'no_running_performance',
  'not_running_skip',
  'family_not_checked',
  'contingents_not_given',
  'event_available',
  'event_not_available',
  'pass_available',
  'pass_not_available',
] as const;
export type ProductReasonCode = (typeof PRODUCT_REASON_CODES)[number];

/** The result of `check`: the verification report of the institution's channel. */
export interface HealthCheckResult {
  institutionCode: string;
  channelCode: string;
  report: VerificationReport;
}

/** One product check's outcome (`reason` may also explain a pass: how many seats). */
export interface ProductCheckResult {
  id: ProductCheckId;
  outcome: CheckResult['outcome'];
  reason?: Reason;
}

/** The report of `product CODE`. */
export interface ProductCheckReport {
  institutionCode: string;
  channelCode: string;
  /** The product code as asked (upper-case). */
  productCode: string;
  /** The product when SecuTix listed it on the channel. */
  product?: { code: string; name: string; family: string; state: string };
  checks: ProductCheckResult[];
  /** True when no check failed and none was left not checked (skips allowed). */
  passed: boolean;
  /** ISO time the check finished. */
  at: string;
  /** Wall time in ms. */
  durationMs: number;
}
