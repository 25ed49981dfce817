/**
 * A log-safe summary of an error: its class, code and message (no request objects, no headers). In its own
 * file so that `run-service-base.ts` and what it uses (`verifying-marker.ts`) share it.
 */
export function errorSummary(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${err.name}${typeof code === 'string' ? `(${code})` : ''}: ${err.message}`.slice(0, 500);
  }
  return String(err).slice(0, 500);
}
