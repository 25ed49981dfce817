/**
 * Language checks over every message catalog and file template (issue 9, "Languages"):
 * plurals through `Intl.PluralRules` (no "(s)" hacks, every form the locale needs), French
 * typography (no-break space before `: ; ? !` and inside `« »`), no English left in French or
 * German, one German word for a run. Each checker is also run on a bad sample, so it can fail.
 */
import { frenchTypographyProblems } from '../../helpers/french-typography';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTemplates } from '../../../adapters/templates-loader';
import { LOCALES, type Locale } from '../../../src/domain/ids';
import { type CatalogEntry, PLURAL_CATEGORIES, Renderer, type TemplateBundle, TemplateVariableError } from '../../../src/messages/renderer';

const bundle = loadTemplates();
const renderer = new Renderer(bundle);

/** Every text of an entry with a label saying where it is (`fr:key` or `fr:key.one`). */
function textsOf(where: string, entry: CatalogEntry): [string, string][] {
  if (typeof entry === 'string') return [[where, entry]];
  return Object.entries(entry).map(([form, text]) => [`${where}.${form}`, text ?? '']);
}

/** Every text of `locale`: catalog entries and the locale's file templates. */
function localeTexts(b: TemplateBundle, locale: Locale): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, entry] of Object.entries(b.messages[locale])) out.push(...textsOf(`${locale}:${key}`, entry));
  for (const [name, text] of Object.entries(b.files)) if (name.endsWith(`.${locale}`)) out.push([name, text]);
  return out;
}

// ---- plurals --------------------------------------------------------------------------------

/** "problem(s)", "Problem(e)", "Kontrolle(n)", "séance(s)": a word with a bracketed plural ending. */
const PLURAL_HACK = /\p{L}\((?:s|e|n|en|es|x|er|nen)\)/u;

/** What is wrong with the plurals of a bundle (empty when all is well). */
function pluralProblems(b: TemplateBundle): string[] {
  const problems: string[] = [];
  for (const locale of LOCALES) {
    for (const [where, text] of localeTexts(b, locale)) if (PLURAL_HACK.test(text)) problems.push(`${where}: plural hack in "${text}"`);
    const needed = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
    for (const [key, entry] of Object.entries(b.messages[locale])) {
      if (typeof entry === 'string') continue;
      for (const category of needed) if (entry[category] === undefined) problems.push(`${locale}:${key}: no "${category}" form`);
      for (const form of Object.keys(entry))
        if (!needed.includes(form as Intl.LDMLPluralRule)) problems.push(`${locale}:${key}: "${form}" is not a ${locale} form`);
      if (!entry.other.includes('{{count}}')) problems.push(`${locale}:${key}.other: does not show {{count}}`);
      for (const other of LOCALES) {
        if (typeof b.messages[other][key] === 'string') problems.push(`${other}:${key}: plural in ${locale} but a plain string here`);
      }
    }
  }
  return problems;
}

describe('plurals', () => {
  it('no catalog string or template uses "(s)"-style plurals, and every plural key has the forms Intl.PluralRules needs', () => {
    expect(pluralProblems(bundle)).toEqual([]);
  });

  it('the check fails on a "(s)" string, a "(e)" string and a plural key missing a form', () => {
    const bad: TemplateBundle = {
      messages: {
        en: { a: 'Health check: {{count}} problem(s)', p: { one: '1 problem', other: '{{count}} problems' } },
        fr: { a: 'Vérification : rien', p: { one: '{{count}} problème', other: '{{count}} problèmes' } },
        de: { a: 'Prüfung: {{count}} Problem(e)', p: { other: '{{count}} Probleme' } },
      },
      files: { 'email.fr': 'Merci pour la séance(s)' },
    };
    const problems = pluralProblems(bad);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('en:a: plural hack'),
        expect.stringContaining('de:a: plural hack'),
        expect.stringContaining('email.fr: plural hack'),
        'de:p: no "one" form',
      ]),
    );
    // French needs "many" too (Intl says so for 1 000 000): a fr entry without it is reported.
    if (new Intl.PluralRules('fr').resolvedOptions().pluralCategories.includes('many')) expect(problems).toContain('fr:p: no "many" form');
  });

  it('the form is chosen by the locale rule and the count', () => {
    const h = { institutionCode: 'DEMO', channelCode: 'DGTK' };
    expect(renderer.t('en', 'health.header.failed', { ...h, count: 1 })).toMatch(/: 1 problem$/);
    expect(renderer.t('en', 'health.header.failed', { ...h, count: 0 })).toMatch(/: 0 problems$/);
    expect(renderer.t('en', 'health.header.failed', { ...h, count: 2 })).toMatch(/: 2 problems$/);
    // French: 0 and 1 are singular.
    expect(renderer.t('fr', 'health.header.failed', { ...h, count: 0 })).toMatch(/: 0 problème$/);
    expect(renderer.t('fr', 'health.header.failed', { ...h, count: 1 })).toMatch(/: 1 problème$/);
    expect(renderer.t('fr', 'health.header.failed', { ...h, count: 3 })).toMatch(/: 3 problèmes$/);
    expect(renderer.t('fr', 'health.header.failed', { ...h, count: 1_000_000 })).toMatch(/: 1000000 problèmes$/);
    expect(renderer.t('de', 'health.header.failed', { ...h, count: 1 })).toMatch(/: 1 Problem$/);
    expect(renderer.t('de', 'health.header.failed', { ...h, count: 0 })).toMatch(/: 0 Probleme$/);
    expect(renderer.t('de', 'report.text.failed', { runId: 'R1', count: 2 })).toContain('2 Kontrollen zu beheben');
    expect(renderer.t('en', 'report.text.failed', { runId: 'R1', count: 1 })).toContain('1 check to fix');
  });

  it('a plural message without a numeric count is a template error, not a blank', () => {
    expect(() => renderer.t('en', 'health.header.failed', { institutionCode: 'A', channelCode: 'B' })).toThrow(TemplateVariableError);
    expect(() => renderer.t('en', 'health.header.failed', { institutionCode: 'A', channelCode: 'B', count: '2' })).toThrow(
      TemplateVariableError,
    );
  });

  it('the loader refuses a plural entry with a form that is no CLDR category, naming the file and key', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-'));
    try {
      fs.mkdirSync(path.join(dir, 'messages'));
      fs.writeFileSync(path.join(dir, 'messages', 'x.en.json'), JSON.stringify({ n: { one: '1 run', plural: '{{count}} runs' } }));
      expect(() => loadTemplates(dir)).toThrow('x.en.json: n is neither a string nor plural forms');
      fs.writeFileSync(path.join(dir, 'messages', 'x.en.json'), JSON.stringify({ n: { one: '1 run', other: '{{count}} runs' } }));
      expect(loadTemplates(dir).messages.en.n).toEqual({ one: '1 run', other: '{{count}} runs' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the categories the loader accepts are the CLDR ones', () => {
    for (const l of LOCALES)
      for (const c of new Intl.PluralRules(l).resolvedOptions().pluralCategories) expect(PLURAL_CATEGORIES).toContain(c);
  });
});

// ---- French typography --------------------------------------------------------------------

describe('French typography', () => {
  it('the fr catalogs, email and support request put a no-break space before : ; ? ! and inside « »', () => {
    const problems = localeTexts(bundle, 'fr').flatMap(([where, text]) => frenchTypographyProblems(text).map((p) => `${where}: ${p}`));
    expect(problems).toEqual([]);
  });

  it('the check flags plain spaces and missing spaces, and leaves URLs, times, code, links and emoji alone', () => {
    expect(frenchTypographyProblems('Étape 1 : fait')).toHaveLength(1);
    expect(frenchTypographyProblems('Et ensuite ?')).toHaveLength(1);
    expect(frenchTypographyProblems('Fait; suite')).toHaveLength(1);
    expect(frenchTypographyProblems('cliquez sur « OK »')).toHaveLength(2);
    expect(frenchTypographyProblems('Étape\u00a0: fait\u202f; et ensuite\u202f? «\u00a0OK\u00a0»\u202f!')).toEqual([]);
    expect(frenchTypographyProblems('voir https://x.example/a?b=1 à 10:30, `a: b`, <https://y|lien>, :warning: et files:write')).toEqual(
      [],
    );
  });

  it('rendered French keeps the spaces: the email draft and a console line', () => {
    const email = renderer.file('email.fr', {
      contactName: 'Camille',
      contactEmail: 'c@d.example',
      institutionName: 'Théâtre',
      webServicesUrl: 'https://demo.ws.secutix.com',
      operatorLogin: 'DEMO_DGTK',
      passwordPlaceholder: 'X',
      posId: null,
      senderName: 'Dana',
    });
    expect(email).toContain('Objet\u00a0: ');
    expect(email).toContain('Identifiant\u00a0: DEMO_DGTK');
    expect(email).toContain('https://demo.ws.secutix.com\n');
    expect(renderer.t('fr', 'console.choices.title')).toBe('Et ensuite\u202f?');
  });
});

// ---- no English left, one German word for a run ------------------------------------------

/** English words that have no business in a French or German message (outside code spans). */
const ENGLISH = /\b(?:the|and|run|runs|RUN|warning|press|please|button|click|step|support\))\b|\(SecuTix support\)/;

/** German words for a run other than the chosen one ("Vorgang"). */
const OTHER_GERMAN_RUN_WORDS = /Durchl[aä]uf|\bL[aä]ufe?s?\b|-L[aä]uf|\bRun\b/;

const prose = (text: string): string =>
  text
    .replace(/`[^`]*`/g, '')
    .replace(/\{\{[^}]*\}\}/g, '')
    .replace(/https?:\/\/\S+/g, '')
    .replace(/:[a-z0-9_+-]+:/g, '');

describe('no English left in French and German', () => {
  it.each(['fr', 'de'] as const)('%s has no English words in its catalogs and templates', (locale) => {
    const found = localeTexts(bundle, locale)
      .filter(([, text]) => ENGLISH.test(prose(text)))
      .map(([where, text]) => `${where}: ${ENGLISH.exec(prose(text))?.[0]}`);
    expect(found).toEqual([]);
  });

  it('help names the run placeholder in the language: audit PARCOURS, audit VORGANG; the command word stays audit', () => {
    expect(renderer.t('en', 'help.command.audit', { command: '/digitick-onboard' })).toContain('`/digitick-onboard audit RUN`');
    expect(renderer.t('fr', 'help.command.audit', { command: '/digitick-onboard' })).toContain('`/digitick-onboard audit PARCOURS`');
    expect(renderer.t('de', 'help.command.audit', { command: '/digitick-onboard' })).toContain('`/digitick-onboard audit VORGANG`');
    for (const l of ['fr', 'de'] as const) {
      for (const [where, text] of localeTexts(bundle, l))
        if (where.startsWith(`${l}:help.`)) expect([where, /\bRUN\b/.test(text)]).toEqual([where, false]);
    }
  });

  it('German uses one word for a run: Vorgang', () => {
    const found = localeTexts(bundle, 'de').filter(([, text]) => OTHER_GERMAN_RUN_WORDS.test(prose(text)));
    expect(found).toEqual([]);
    expect(OTHER_GERMAN_RUN_WORDS.test('ohne Durchlauf')).toBe(true);
    expect(OTHER_GERMAN_RUN_WORDS.test('der Onboarding-Lauf')).toBe(true);
    expect(OTHER_GERMAN_RUN_WORDS.test('der Vorgang, Laufend')).toBe(false);
  });

  it('the email ends with the sender under the closing words, in every language', () => {
    for (const l of LOCALES) expect(bundle.files[`email.${l}`]!.trimEnd().endsWith('\n{{senderName}}')).toBe(true);
  });
});
