/**
 * Where French typography is missing in a text: a `: ; ? !` or `»` not preceded by a no-break
 * space (U+00A0 or U+202F), a `«` not followed by one. Not checked: code spans, mustache tags,
 * Slack `<...>` links, URLs, emoji short codes (`:warning:`), times and `word:word` tokens
 * (`10:30`, `files:write`) and the console's `[!]`, `[?]` and `??` markers.
 */
const NO_BREAK = '\u00a0\u202f';

export function frenchTypographyProblems(text: string): string[] {
  const stripped = text
    .replace(/`[^`]*`/g, '`')
    .replace(/\{\{[^}]*\}\}/g, 'X')
    .replace(/<[^>\s]*>/g, '')
    .replace(/https?:\/\/\S+/g, '')
    .replace(/:[a-z0-9_+-]+:/g, '')
    .replace(/[\p{L}\p{N}_]:[\p{L}\p{N}_]/gu, '')
    .replace(/\[[!?]\]/g, '')
    .replace(/(^|\s)\?\?(?=\s)/g, '$1');
  const problems: string[] = [];
  for (const m of stripped.matchAll(/(?<=(.))[:;?!»]/gsu)) {
    if (!NO_BREAK.includes(m[1]!)) problems.push(`"${stripped.slice(Math.max(0, m.index - 25), m.index + 1)}"`);
  }
  for (const m of stripped.matchAll(/«(.)/gsu)) if (!NO_BREAK.includes(m[1]!)) problems.push(`"${stripped.slice(m.index, m.index + 15)}"`);
  return problems;
}
