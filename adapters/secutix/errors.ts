/**
 * The one table mapping HTTP and network failures to `SecutixError` kinds (source:
 * `secutix-api.md`, "Result envelope and errors"). `retry` says whether the failure is transient
 * (bounded retries with backoff, then `unavailable`).
 */
import type { SecutixErrorKind } from '../../src/ports/secutix.port';

/** How one failure is handled. */
export interface FailureClass {
  kind: SecutixErrorKind;
  retry: boolean;
  /** Short plain description used in the error message. */
  label: string;
}

/** HTTP statuses with a specific meaning. Others: see `classifyHttpStatus`. */
export const HTTP_STATUS_TABLE: Readonly<Record<number, FailureClass>> = {
  400: { kind: 'protocol', retry: false, label: 'request refused as malformed (HTTP 400)' },
  401: { kind: 'credentials', retry: false, label: 'login or password rejected (HTTP 401)' },
  403: { kind: 'credentials', retry: false, label: 'operator not allowed (HTTP 403)' },
  404: { kind: 'protocol', retry: false, label: 'method not found (HTTP 404)' },
  408: { kind: 'unavailable', retry: true, label: 'request timeout (HTTP 408)' },
  429: { kind: 'unavailable', retry: true, label: 'rate limited (HTTP 429)' },
  500: { kind: 'unavailable', retry: false, label: 'server error (HTTP 500)' },
  502: { kind: 'unavailable', retry: true, label: 'bad gateway (HTTP 502)' },
  503: { kind: 'unavailable', retry: true, label: 'service unavailable (HTTP 503)' },
  504: { kind: 'unavailable', retry: true, label: 'gateway timeout (HTTP 504)' },
  509: { kind: 'unavailable', retry: true, label: 'rate limited (HTTP 509)' },
};

/** Network error codes (Node / axios `error.code`). Unknown codes: `unavailable`, not retried. */
export const NETWORK_ERROR_TABLE: Readonly<Record<string, FailureClass>> = {
  ECONNABORTED: { kind: 'unavailable', retry: true, label: 'timed out' },
  ETIMEDOUT: { kind: 'unavailable', retry: true, label: 'timed out' },
  ERR_CANCELED: { kind: 'unavailable', retry: true, label: 'timed out' },
  ECONNRESET: { kind: 'unavailable', retry: true, label: 'connection reset' },
  EPIPE: { kind: 'unavailable', retry: true, label: 'connection reset' },
  ECONNREFUSED: { kind: 'unavailable', retry: true, label: 'connection refused' },
  EAI_AGAIN: { kind: 'unavailable', retry: true, label: 'DNS lookup failed temporarily' },
  ENOTFOUND: { kind: 'unavailable', retry: false, label: 'host not found' },
  ERR_BAD_RESPONSE: { kind: 'protocol', retry: false, label: 'unreadable response' },
};

/** Kind of a non-2xx HTTP status: the table, else 4xx = `protocol`, 5xx = `unavailable`. */
export function classifyHttpStatus(status: number): FailureClass {
  const known = HTTP_STATUS_TABLE[status];
  if (known) return known;
  if (status >= 500) return { kind: 'unavailable', retry: false, label: `server error (HTTP ${status})` };
  return { kind: 'protocol', retry: false, label: `unexpected HTTP ${status}` };
}

/** Kind of a network failure by its error code. */
export function classifyNetworkError(code: string | undefined): FailureClass {
  return (code && NETWORK_ERROR_TABLE[code]) || { kind: 'unavailable', retry: false, label: `network error ${code ?? ''}`.trim() };
}

/**
 * Seconds to wait from a `Retry-After` header (delay-seconds or HTTP date), or undefined when
 * absent or unreadable. `nowMs` is the current time in ms (for HTTP dates).
 */
export function parseRetryAfter(value: unknown, nowMs: number): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const s = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const date = Date.parse(s);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - nowMs) / 1000);
}

/**
 * A `statusCode` saying SecuTix itself is in trouble (not the setup): `error.service.*`, or a code
 * naming unavailability, a timeout, maintenance or overload.
 */
export function isServiceTrouble(statusCode: string): boolean {
  return (
    /^error\.service\./i.test(statusCode) ||
    /unavailable|time_?out|timed_?out|maintenance|overload|busy|too_many|try_?again/i.test(statusCode)
  );
}
