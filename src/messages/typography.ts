/**
 * Punctuation the code writes itself (outside the catalogs), in the language's typography:
 * French puts a no-break space (U+00A0) before `:` `;` `?` `!` (and inside `« »`, which only the
 * catalogs use). Pure.
 */
import type { Locale } from '../domain/ids';

export const NBSP = '\u00a0';

/** `:` `;` `?` `!` as written in `locale` (French: preceded by a no-break space). */
export function punct(locale: Locale, mark: ':' | ';' | '?' | '!'): string {
  return locale === 'fr' ? `${NBSP}${mark}` : mark;
}

/** `label: value` in `locale`. */
export function labelled(locale: Locale, label: string, value: string): string {
  return `${label}${punct(locale, ':')} ${value}`;
}

/** The list separator `; ` in `locale`. */
export function listSeparator(locale: Locale): string {
  return `${punct(locale, ';')} `;
}

/**
 * A list written by the code with `; ` (e.g. the values a check reason lists) in `locale`'s
 * typography: French gets the no-break space before each `;`.
 */
export function localiseListSeparators(locale: Locale, text: string): string {
  return locale === 'fr' ? text.replace(/(?<=\S); /g, `${NBSP}; `) : text;
}
