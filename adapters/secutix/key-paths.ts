/**
 * Key paths of a SecuTix answer, never its values (`secutix-api.md`: "Once per process and method,
 * log the key paths of the answer's data field, so the first real run settles the assumed fields").
 * Arrays collapse to `[]` (their items' paths are merged), keys made only of digits (maps keyed by
 * ids, which would be values) to `*`; the walk is bounded so a 10 MB catalog costs little.
 */

/** Bounds of the walk. */
export interface KeyPathLimits {
  /** At most this many distinct paths (default 200); the result says when more existed. */
  maxPaths: number;
  /** Items of each array looked at (default 20): their paths are merged under `[]`. */
  sampleItems: number;
  /** Deepest nesting followed (default 12). */
  maxDepth: number;
}

export const DEFAULT_KEY_PATH_LIMITS: KeyPathLimits = { maxPaths: 200, sampleItems: 20, maxDepth: 12 };

/**
 * Leaf key paths of `value` under `root` (e.g. `posConfigData.paymentMethods[].paymentType`), in
 * first-seen order. An empty object or array is a leaf (`hub.pointsOfSales[]`). `skip` names keys
 * left out at the top level (the envelope's `requestId`, `statusCode`, `statusDetail`).
 */
export function keyPaths(
  value: unknown,
  root: string,
  limits: KeyPathLimits = DEFAULT_KEY_PATH_LIMITS,
  skip: readonly string[] = [],
): { paths: string[]; truncated: boolean } {
  const paths = new Set<string>();
  let truncated = false;
  const add = (p: string): void => {
    if (paths.has(p)) return;
    if (paths.size >= limits.maxPaths) {
      truncated = true;
      return;
    }
    paths.add(p);
  };
  const walk = (v: unknown, path: string, depth: number, top: boolean): void => {
    if (truncated) return;
    if (Array.isArray(v)) {
      const p = `${path}[]`;
      if (v.length === 0 || depth >= limits.maxDepth) return add(p);
      for (const item of v.slice(0, limits.sampleItems)) walk(item, p, depth + 1, false);
      return;
    }
    if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v).filter((k) => !(top && skip.includes(k)));
      if (keys.length === 0 || depth >= limits.maxDepth) return add(path || '(root)');
      for (const k of keys) {
        const name = /^\d+$/.test(k) ? '*' : k;
        walk((v as Record<string, unknown>)[k], path ? `${path}.${name}` : name, depth + 1, false);
      }
      return;
    }
    add(path || '(root)');
  };
  walk(value, root, 0, true);
  return { paths: [...paths], truncated };
}
