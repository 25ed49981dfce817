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
