/**
 * Cleaning of text people or platforms give us that is shown to others: display names (Slack,
 * Teams) and typed values. Bidirectional controls (U+200E/F marks, U+202A-U+202E embeddings and
 * overrides, U+2066-U+2069 isolates) are removed: kept, they reorder the text shown around them.
 */

/** The bidirectional control characters (global: for `replace`). */
export const BIDI_CONTROL = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A display name as it may be shown: bidi controls removed, control characters and runs of
 * white space made one space, trimmed; `undefined` when nothing is left or when it is only one of
 * the user's `ids` (a platform that has no name sends the id), so that the caller's fallback shows.
 */
export function cleanDisplayName(raw: string | undefined | null, ids: readonly (string | undefined)[] = []): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const name = raw
    .replace(BIDI_CONTROL, '')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!name || ids.some((id) => id !== undefined && id === name)) return undefined;
  return name;
}
