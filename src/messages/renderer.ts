/**
 * Mustache rendering with a strict rule: every variable a template uses must be provided
 * (a missing one throws `TemplateVariableError`), so no message ever shows a blank hole.
 * No HTML escaping here: each surface escapes for its own format.
 */
import Mustache from 'mustache';
import { ERASED, showErased } from '../domain/erased';
import type { Locale } from '../domain/ids';

/** CLDR plural categories, as `Intl.PluralRules#select` names them. */
export const PLURAL_CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'] as const;
export type PluralCategory = (typeof PLURAL_CATEGORIES)[number];

/**
 * A message that depends on a number: one mustache string per plural category of the locale
 * (`Intl.PluralRules(locale).resolvedOptions().pluralCategories`; `other` is always there).
 * The form is chosen by the view's `count` (a finite number).
 */
export type PluralForms = Partial<Record<PluralCategory, string>> & { other: string };

/** One catalog entry: a mustache string, or plural forms selected by `count`. */
export type CatalogEntry = string | PluralForms;

/** True when `value` is a plural-forms object (every key a CLDR category, `other` present, strings only). */
export function isPluralForms(value: unknown): value is PluralForms {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const entries = Object.entries(value);
  return 'other' in value && entries.every(([k, v]) => (PLURAL_CATEGORIES as readonly string[]).includes(k) && typeof v === 'string');
}

/** Message catalogs per locale (key -> mustache string or plural forms) and whole-file templates by name. */
export interface TemplateBundle {
  messages: Record<Locale, Record<string, CatalogEntry>>;
  /** e.g. `email.en` -> contents of `templates/email.en.mustache`. */
  files: Record<string, string>;
}

export type View = Record<string, unknown>;

export class TemplateVariableError extends Error {
  constructor(
    readonly template: string,
    readonly variable: string,
  ) {
    super(`template ${template} uses {{${variable}}} which the view does not provide`);
  }
}

export class MissingMessageError extends Error {
  constructor(
    readonly locale: string,
    readonly key: string,
  ) {
    super(`message ${key} is missing in ${locale}`);
  }
}

type Token = [string, string, number, number, Token[]?];

function lookup(view: View, name: string): unknown {
  if (name === '.') return view;
  let cur: unknown = view;
  for (const part of name.split('.')) {
    if (cur === null || typeof cur !== 'object' || !(part in (cur as object))) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Names of the variables a template uses (sections included, nested names prefixed by `#section`). */
export function templateVariables(template: string): string[] {
  const out: string[] = [];
  const walk = (tokens: Token[]): void => {
    for (const t of tokens) {
      if (t[0] === 'name' || t[0] === '&' || t[0] === '#' || t[0] === '^') out.push(t[1]);
      if ((t[0] === '#' || t[0] === '^') && t[4]) walk(t[4]);
    }
  };
  walk(Mustache.parse(template) as unknown as Token[]);
  return [...new Set(out)];
}

/**
 * Checks that every top-level variable of `template` is present in `view` (section contents
 * are checked against the section's items by Mustache itself; top-level holes are the risk).
 * @throws TemplateVariableError
 */
function checkVariables(name: string, template: string, view: View): void {
  const walk = (tokens: Token[], scopes: View[]): void => {
    for (const t of tokens) {
      const [type, varName] = t;
      if (type === 'name' || type === '&' || type === '#' || type === '^') {
        const found = scopes.some((s) => lookup(s, varName) !== undefined);
        if (!found) throw new TemplateVariableError(name, varName);
        if (type === '#' && t[4]) {
          const value = scopes.map((s) => lookup(s, varName)).find((v) => v !== undefined);
          const items = Array.isArray(value) ? value : value ? [value] : [];
          for (const item of items) {
            walk(t[4], typeof item === 'object' && item !== null ? [item as View, ...scopes] : scopes);
          }
        }
      }
    }
  };
  walk(Mustache.parse(template) as unknown as Token[], [view]);
}

const rulesByLocale = new Map<string, Intl.PluralRules>();

/** The cardinal plural rules of `locale` (cached). */
export function pluralRules(locale: string): Intl.PluralRules {
  let rules = rulesByLocale.get(locale);
  if (!rules) {
    rules = new Intl.PluralRules(locale);
    rulesByLocale.set(locale, rules);
  }
  return rules;
}

/** Renders catalog messages and file templates strictly. */
export class Renderer {
  constructor(private readonly bundle: TemplateBundle) {}

  /** True when the locale's catalog has the key. */
  has(locale: Locale, key: string): boolean {
    return key in (this.bundle.messages[locale] ?? {});
  }

  /**
   * Renders catalog message `key` in `locale` with `view`.
   * @throws MissingMessageError, TemplateVariableError
   */
  t(locale: Locale, key: string, view: View = {}): string {
    const entry = this.bundle.messages[locale]?.[key];
    if (entry === undefined) throw new MissingMessageError(locale, key);
    if (typeof entry === 'string') return this.render(`${locale}:${key}`, entry, view);
    const count = view.count;
    if (typeof count !== 'number' || !Number.isFinite(count)) throw new TemplateVariableError(`${locale}:${key}`, 'count');
    // The locale's rule picks the form; a form the catalog lacks falls back to `other` (the
    // catalog test makes sure every form the locale needs is there).
    const category = pluralRules(locale).select(count) as PluralCategory;
    return this.render(`${locale}:${key}.${category}`, entry[category] ?? entry.other, view);
  }

  /**
   * Renders file template `name` (e.g. `email.fr`).
   * @throws MissingMessageError, TemplateVariableError
   */
  file(name: string, view: View): string {
    const tpl = this.bundle.files[name];
    if (tpl === undefined) throw new MissingMessageError('file', name);
    return this.render(name, tpl, view);
  }

  private render(name: string, tpl: string, view: View): string {
    checkVariables(name, tpl, view);
    return Mustache.render(tpl, this.withErased(name, view), {}, { escape: (s: string) => s });
  }

  /**
   * `view` with the erased-value marker (`ERASED`, in values read back from the audit trail or
   * outbox) shown as the locale's `value.erased`: the same translated words on every surface.
   */
  private withErased(name: string, view: View): View {
    const locale = name.split(':')[0] as Locale;
    const words = this.bundle.messages[locale]?.['value.erased'];
    if (typeof words !== 'string') return view;
    let out: View | undefined;
    for (const [k, v] of Object.entries(view)) {
      if (typeof v === 'string' && v.includes(ERASED)) (out ??= { ...view })[k] = showErased(v, words);
    }
    return out ?? view;
  }
}
