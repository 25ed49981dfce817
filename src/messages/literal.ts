/**
 * Values people typed (institution name, contact, answers, a skip reason) inside the model's
 * text: wrapped in markers (Unicode private-use characters no catalog uses) so each surface
 * shows them literally. The model's markup (`**bold**`, `` `code` ``) belongs to the catalogs;
 * a value that contains `**`, `_x_` or backticks is no markup of any surface. Pure.
 */

export const LITERAL_OPEN = '\uE010';
export const LITERAL_CLOSE = '\uE011';
const SLOT_OPEN = '\uE012';
const SLOT_CLOSE = '\uE013';
const MARKERS = /[\uE010-\uE013]/g;
const LITERAL = /\uE010([^\uE010-\uE013]*)\uE011/g;
const SLOT = /\uE012(\d+)\uE013/g;

/** `value` marked as typed by a person (shown literally by every surface). */
export function literal(value: string): string {
  return `${LITERAL_OPEN}${value.replace(MARKERS, '')}${LITERAL_CLOSE}`;
}

/** `text` with the literal markers removed (the values stay): for plain text and copied text. */
export function dropLiterals(text: string): string {
  return text.replace(MARKERS, '');
}

/**
 * Renders `text` for a surface: `markup` converts the model's markup of the text around the
 * values (it sees each value as an opaque slot, so a value's `**` can never pair with the
 * catalog's), then each value is put back through `value` (the surface's literal escape).
 * `markup` must keep the slots (`\uE012n\uE013`: private-use characters and digits) as they are.
 */
export function renderWithLiterals(text: string, markup: (s: string) => string, value: (v: string) => string): string {
  const values: string[] = [];
  const slotted = text.replace(LITERAL, (_m, v: string) => `${SLOT_OPEN}${values.push(v) - 1}${SLOT_CLOSE}`).replace(/[\uE010\uE011]/g, '');
  return markup(slotted).replace(SLOT, (_m, i: string) => value(values[Number(i)] ?? ''));
}
