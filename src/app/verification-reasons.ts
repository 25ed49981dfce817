/**
 * What the verification of step 9 says about each check: the reason, confirmation and warning
 * codes (`check.reason.<code>` in `templates/messages/check.*.json`), and how a SecuTix failure or
 * a product becomes words in a reason. Used by `verification.ts` and the health check.
 */
import { SecutixError, type CatalogProduct, type SecutixMethod } from '../ports/secutix.port';
import type { Reason } from '../workflow/types';

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
  'secutix_not_api',
  'secutix_business',
  'secutix_unexpected',
  'secutix_extraction_timeout',
  'secutix_service_error',
] as const;

export type CheckReasonCode = (typeof CHECK_REASON_CODES)[number];

/**
 * Every "to confirm" code (`check.confirm.<code>`): SecuTix answered values the assistant does
 * not know; the params name exactly the values seen.
 */
export const CHECK_CONFIRM_CODES = [
  'channel_state_unknown',
  'channel_values_unread',
  'pos_state_unknown',
  'pos_running_unknown',
  'payment_types_unknown',
  'contact_flag_missing',
  'contact_flag_unread',
  'event_states_unknown',
  'pass_states_unknown',
  'event_families_unknown',
  'pass_families_unknown',
  'event_availability_unreadable',
  'pass_availability_unreadable',
  'event_availability_values_unread',
  'pass_availability_values_unread',
  'contact_error_unknown',
  'payment_methods_missing',
  'catalog_seasons_missing',
] as const;

export type CheckConfirmCode = (typeof CHECK_CONFIRM_CODES)[number];

/** Every warning code the verification may report (`check.warning.<code>`). */
export const CHECK_WARNING_CODES = ['product_without_availability', 'unknown_product_state'] as const;

export type CheckWarningCode = (typeof CHECK_WARNING_CODES)[number];

export const reason = (code: CheckReasonCode, params?: Reason['params']): Reason => (params ? { code, params } : { code });

export const confirm = (code: CheckConfirmCode, params: Reason['params']): Reason => ({ code, params });

export const warning = (code: CheckWarningCode, params: Reason['params']): Reason => ({ code, params });

/** At most this many values are listed in one reason (the rest is counted). */
const LIST_MAX = 10;

/** `a; b; c; +4`-style list, bounded (at most `max` values shown). */
export function listOf(values: string[], max = LIST_MAX): string {
  const shown = values.slice(0, max).join('; ');
  return values.length > max ? `${shown}; +${values.length - max}` : shown;
}

/**
 * The outcome of a check whose SecuTix call failed with `r`: SecuTix not answering (busy,
 * down, timed out, still extracting) or answering something unreadable says nothing about the
 * setup, so the check is `not_checked` (verify again); only a definite answer (credentials
 * refused, a business status) fails it.
 */
export function failureOutcome(r: Reason): 'failed' | 'not_checked' {
  return r.code === 'secutix_extraction_timeout' ||
    r.code === 'secutix_unavailable' ||
    r.code === 'secutix_service_error' ||
    r.code === 'secutix_protocol' ||
    r.code === 'secutix_not_api' ||
    r.code === 'secutix_unexpected'
    ? 'not_checked'
    : 'failed';
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
      // SecuTix answered an envelope (statusDetail null or text) whose status code is service
      // trouble, or an error while extracting: named, still not a setup fault.
      if (err.extra.statusCode !== undefined && err.extra.statusDetail !== undefined)
        return reason('secutix_service_error', { method, statusCode: err.extra.statusCode, statusDetail: err.extra.statusDetail ?? '' });
      return reason('secutix_unavailable', { method });
    case 'protocol':
      // A 2xx answer that is not JSON and not labelled JSON: something else than SecuTix's API
      // answered (a captive portal, a proxy): what answered and where, like Slack's "not a Slack
      // API answer". Broken JSON labelled JSON stays SecuTix's unreadable answer.
      if (err.extra.field === '(body)' && err.extra.httpStatus !== undefined && err.extra.url && !/json/i.test(err.extra.contentType ?? ''))
        return reason('secutix_not_api', {
          method,
          httpStatus: err.extra.httpStatus,
          contentType: err.extra.contentType ?? '-',
          url: err.extra.url,
        });
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
