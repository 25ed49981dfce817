/**
 * What an answer erased from a run's audit trail and outbox is replaced by (it equalled the
 * operator password: `RunStore.eraseValues`). A data marker: messages show it as the translated
 * `value.erased` (`Renderer.t`), never raw.
 */
export const ERASED = '[erased]';

/** `text` with every erased marker (`ERASED`) replaced by `words` (the locale's `value.erased`, what people read). */
export function showErased(text: string, words: string): string {
  return text.includes(ERASED) ? text.split(ERASED).join(words) : text;
}

/** Normalises a list of numbers typed in any separator style (`11, 12`, `11 12`, `11;12`) to `11,12`. */
function numberList(text: string): string | undefined {
  const parts = text.split(/[\s,;]+/).filter((p) => p.length > 0);
  if (parts.length === 0 || !parts.every((p) => /^[0-9]+$/.test(p))) return undefined;
  return parts.map((p) => String(Number(p))).join(',');
}

/**
 * `value` with every occurrence of `needles` erased: strings containing a needle have it replaced
 * by `[erased]`; an array of numbers equal (as a list) to a needle becomes `[erased]`; objects and
 * arrays are walked. `changed` says whether anything was erased.
 */
export function eraseInJson(value: unknown, needles: readonly string[]): { value: unknown; changed: boolean } {
  const texts = needles.filter((n) => n.length > 0);
  const lists = new Set(texts.map(numberList).filter((l): l is string => l !== undefined));
  let changed = false;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      let out = v;
      for (const n of texts) if (out.includes(n)) out = out.split(n).join(ERASED);
      if (out !== v) changed = true;
      return out;
    }
    if (typeof v === 'number' && lists.has(String(v))) {
      changed = true;
      return ERASED;
    }
    if (Array.isArray(v)) {
      if (v.length > 0 && v.every((x) => typeof x === 'number') && lists.has(v.join(','))) {
        changed = true;
        return ERASED;
      }
      return v.map(walk);
    }
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  const out = walk(value);
  return { value: out, changed };
}
