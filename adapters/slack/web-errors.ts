/**
 * How a Slack Web API call failed: Slack's error code, a 429's `Retry-After`, whether a failed post
 * may still have landed (ambiguous), and the code to log.
 */
import { NO_ANSWER_CODES } from '../network-errors';

/** Slack `chat.postMessage` errors meaning the bot cannot post in that conversation. */
export const NOT_IN_CHANNEL_ERRORS = ['channel_not_found', 'not_in_channel', 'is_archived', 'restricted_action'] as const;

/** The Slack error code of a failed Web API call (`invalid_auth`, `channel_not_found`...), or undefined. */
export function slackErrorCode(err: unknown): string | undefined {
  const data = (err as { data?: { error?: unknown } } | null)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}

/**
 * Seconds to wait when a Web API call was refused with 429 (`WebAPIRateLimitedError`, code
 * `slack_webapi_rate_limited_error`, thrown when the client has `rejectRateLimitedCalls: true`), else undefined.
 */
export function rateLimitedRetryAfter(err: unknown): number | undefined {
  const e = err as { code?: unknown; retryAfter?: unknown } | null;
  return e?.code === 'slack_webapi_rate_limited_error' && typeof e.retryAfter === 'number' && e.retryAfter >= 0 ? e.retryAfter : undefined;
}

/**
 * True when a failed call may still have taken effect: no answer (timeout, reset, network:
 * `slack_webapi_request_error`), an HTTP error status (`slack_webapi_http_error`), or an answer
 * that could not be read. False for a clean refusal: Slack's `ok: false`
 * (`slack_webapi_platform_error`) or a 429 (`slack_webapi_rate_limited_error`).
 */
export function isAmbiguousFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code !== 'slack_webapi_platform_error' && code !== 'slack_webapi_rate_limited_error';
}

/** A Web API error's code for logs (`slack_webapi_http_error`...), never its request data. */
export function errCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.name : 'unknown';
}

/**
 * Slack `ok: false` codes that say Slack is down or busy, not that the message is wrong. Not
 * `internal_error` / `fatal_error`: Slack answered about this call, which may be what it cannot
 * take, so those count toward giving the message up (issue 9: a delivery that keeps failing stops
 * and the operator is told) instead of holding the run's messages forever.
 */
const SLACK_TROUBLE = ['service_unavailable', 'request_timeout', 'ratelimited'];
/** Socket-level codes of a call that got no answer. */
const NO_ANSWER = NO_ANSWER_CODES;

/**
 * True when a failed Web API call means Slack is unreachable or overloaded: no answer (connection
 * refused or reset, timeout, DNS: `slack_webapi_request_error`), HTTP 5xx or 429, or an `ok: false`
 * saying Slack is down or busy (`service_unavailable`, `ratelimited`...). False for an answer about
 * the call itself (`invalid_blocks`, `msg_too_long`, `not_in_channel`, `internal_error`, another 4xx).
 */
export function isSlackUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; statusCode?: unknown } | null;
  // A 429 without a usable Retry-After (a proxy's, not Slack's): the web-api client throws a plain
  // Error with no code, only this message.
  if (err instanceof Error && err.message.startsWith('Retry header did not contain a valid timeout')) return true;
  const code = e?.code;
  if (code === 'slack_webapi_request_error' || code === 'slack_webapi_rate_limited_error') return true;
  if (code === 'slack_webapi_http_error') return typeof e?.statusCode === 'number' && (e.statusCode >= 500 || e.statusCode === 429);
  if (code === 'slack_webapi_platform_error') return SLACK_TROUBLE.includes(slackErrorCode(err) ?? '');
  return typeof code === 'string' && NO_ANSWER.includes(code);
}
