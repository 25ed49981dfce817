/**
 * The stores' last line of defence: audit details and refs never hold a password or a token.
 * Shared by every run store.
 */

/** Keys refused in audit details and refs. */
export const SECRET_KEY =
  /^(password|operator_?password|passwd|token|access_?token|refresh_?token|secret|client_?secret|authorization|api_?key)$/i;

/** @throws Error when a key anywhere in `value` (20 levels deep at most) looks like a password or token. */
export function assertNoSecrets(value: unknown, where: string): void {
  const visit = (v: unknown, depth: number): void => {
    if (depth > 20 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      v.forEach((x) => visit(x, depth + 1));
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      if (SECRET_KEY.test(k)) throw new Error(`${where}: key "${k}" looks like a secret; the store never keeps passwords or tokens`);
      visit(x, depth + 1);
    }
  };
  visit(value, 0);
}

/**
 * The JSON text of a ref value, checked: a non-empty key, no secret-looking key inside.
 * @throws Error when the key is empty, the value holds a password- or token-like key, or is not JSON-serialisable.
 */
export function refJson(runId: string, key: string, value: unknown): string {
  if (key.length === 0) throw new Error('a ref key must not be empty');
  assertNoSecrets(value, `ref ${key} of run ${runId}`);
  const json = JSON.stringify(value);
  if (json === undefined) throw new Error(`ref ${key} of run ${runId} is not JSON-serialisable`);
  return json;
}
