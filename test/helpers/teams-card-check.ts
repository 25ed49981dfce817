/**
 * Checks a Teams card the way Teams will show it: parsed by the official `adaptivecards` package
 * (schema 1.5; it needs a DOM, so a jsdom window is installed as the globals it reads), its text
 * rendered as Markdown by markdown-it (CommonMark, no raw HTML, single new lines joined: what
 * Teams does to TextBlock text), plus the house rules of issue 9 that the parser cannot see.
 * Used by `test/integration/teams/cards-render.test.ts` and `scripts/render-teams-cards.ts`.
 */
import { JSDOM } from 'jsdom';
import MarkdownIt from 'markdown-it';
import { FORM_IDS } from '../../src/domain/ids';

type Json = Record<string, unknown>;

const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
const g = globalThis as Record<string, unknown>;
const domGlobals = Object.getOwnPropertyNames(dom.window).filter((k) => /^(HTML|SVG)\w*Element$/.test(k));
for (const key of ['window', 'document', 'navigator', 'Node', 'getComputedStyle', 'CustomEvent', 'Event', ...domGlobals]) {
  if (!(key in g)) g[key] = key === 'window' ? dom.window : (dom.window as unknown as Json)[key];
}
// jsdom has no `innerText` (the package sets TextRun text with it): the plain-text equivalent.
if (!('innerText' in dom.window.HTMLElement.prototype)) {
  Object.defineProperty(dom.window.HTMLElement.prototype, 'innerText', {
    get(this: HTMLElement) {
      return this.textContent;
    },
    set(this: HTMLElement, v: string) {
      this.textContent = v;
    },
  });
}
// The package's UMD bundle (its `lib/` is ES modules, which Jest's CommonJS mode cannot load),
// loaded after the globals exist (it reads `window` and `document`).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- must load after the DOM globals above
const AC = require('adaptivecards/dist/adaptivecards.js') as typeof import('adaptivecards');

/** Markdown as Teams renders TextBlock text: no HTML, no linkify, single `\n` joined into one line. */
export const teamsMarkdown = new MarkdownIt('commonmark', { html: false, breaks: false });

AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = teamsMarkdown.render(text);
  result.didProcess = true;
};

/** A list marker at the start of a cell: Markdown would make the cell a list. */
export const LIST_MARKER = /^\s*(?:[-+*]|\d{1,9}[.)])(?:\s|$)/;

/** Verbs that submit a form's inputs (every other action on a card with inputs must not). */
const SUBMIT_VERBS: readonly string[] = Object.values(FORM_IDS);

function walk(nodes: unknown, visit: (n: Json, path: string) => void, path = 'body'): void {
  if (!Array.isArray(nodes)) return;
  nodes.forEach((raw, i) => {
    if (typeof raw !== 'object' || raw === null) return;
    const n = raw as Json;
    const here = `${path}[${i}]${typeof n.type === 'string' ? `:${n.type}` : ''}`;
    visit(n, here);
    for (const key of ['items', 'columns', 'rows', 'cells', 'actions', 'inlines', 'body']) walk(n[key], visit, `${here}.${key}`);
    if (typeof n.card === 'object' && n.card !== null) walk((n.card as Json).body, visit, `${here}.card`);
  });
}

/** Single line breaks that Markdown would join (a `softbreak` in markdown-it's inline tokens). */
export function joinedLines(text: string): string[] {
  const out: string[] = [];
  for (const tok of teamsMarkdown.parse(text, {})) {
    const kids = tok.children ?? [];
    kids.forEach((k, i) => {
      if (k.type === 'softbreak') out.push(`${kids[i - 1]?.content ?? ''}⏎${kids[i + 1]?.content ?? ''}`);
    });
  }
  return out;
}

/**
 * Every problem of `card` (empty when it is fine): the package's parse and validation events,
 * text that Markdown would join or turn into a list, `color: "warning"` text, a table without
 * full width, required inputs without `errorMessage`, non-submitting actions of a form without
 * `associatedInputs: "none"`, no `fallbackText` (the summary of notifications).
 */
export function cardProblems(card: unknown): string[] {
  const problems: string[] = [];
  const c = card as Json;
  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext(new AC.Version(1, 5));
  ac.parse(c, ctx);
  for (let i = 0; i < ctx.eventCount; i++) problems.push(`adaptivecards parse: ${ctx.getEventAt(i).message}`);
  for (const e of ac.validateProperties().validationEvents) problems.push(`adaptivecards validation: ${e.message}`);
  if (c.version !== '1.5') problems.push(`version ${String(c.version)} (want 1.5)`);
  if (typeof c.fallbackText !== 'string' || c.fallbackText.trim() === '') problems.push('no fallbackText (summary)');
  // The model's private-use markers (references, literal values) never reach a card.
  if (/[\uE000-\uF8FF]/.test(JSON.stringify(c))) problems.push('internal marker (private-use character) left in the card');

  let hasInputs = false;
  let hasTable = false;
  const check = (n: Json, path: string): void => {
    if (n.color === 'warning' || n.color === 'Warning') problems.push(`${path}: color "warning" is unreadable on the light theme`);
    if (n.type === 'TextBlock' && typeof n.text === 'string') {
      for (const j of joinedLines(n.text)) problems.push(`${path}: Markdown joins "${j.slice(0, 80)}"`);
    }
    if (n.type === 'Table') hasTable = true;
    if (n.type === 'TableCell') {
      const first = (n.items as Json[] | undefined)?.[0];
      const text = typeof first?.text === 'string' ? first.text : '';
      if (LIST_MARKER.test(text)) problems.push(`${path}: cell starts with a list marker: "${text.slice(0, 40)}"`);
    }
    if (typeof n.type === 'string' && n.type.startsWith('Input.')) {
      hasInputs = true;
      if (n.isRequired === true && (typeof n.errorMessage !== 'string' || n.errorMessage === ''))
        problems.push(`${path} (${String(n.id)}): required without errorMessage`);
    }
  };
  walk(c.body, check);
  walk(c.actions, check, 'actions');
  if (hasTable && (c.msteams as Json | undefined)?.width !== 'Full') problems.push('a Table without msteams.width "Full"');
  if (hasInputs) {
    const actions: Json[] = [];
    const collect = (n: Json): void => {
      if (typeof n.type === 'string' && n.type.startsWith('Action.')) actions.push(n);
    };
    walk(c.body, collect);
    walk(c.actions, collect, 'actions');
    for (const a of actions) {
      const verb = String(a.verb ?? (a.data as Json | undefined)?.verb ?? '');
      if ((a.type === 'Action.Execute' || a.type === 'Action.Submit') && !SUBMIT_VERBS.includes(verb) && a.associatedInputs !== 'none')
        problems.push(`action "${String(a.title)}" (${verb}) submits the form's inputs: needs associatedInputs "none"`);
    }
  }
  return problems;
}

/**
 * The card rendered by `adaptivecards` (Markdown by markdown-it), as the text of each line a
 * reader sees: every paragraph, list item, heading, rich-text paragraph and table cell, with
 * white space collapsed.
 */
export function renderedLines(card: unknown): string[] {
  const ac = new AC.AdaptiveCard();
  ac.parse(card as Json, new AC.SerializationContext(new AC.Version(1, 5)));
  const el = ac.render();
  if (!el) return [];
  const lines: string[] = [];
  for (const n of Array.from(el.querySelectorAll('p, li, h1, h2, h3, h4, h5, h6, pre, .ac-textRun'))) {
    if (n.classList.contains('ac-textRun') && n.closest('p')) continue;
    lines.push((n.textContent ?? '').replace(/\s+/g, ' ').trim());
  }
  return lines;
}

/** Elements Markdown makes of typed text (emphasis, lists, headings, quotes, links, code, HTML). */
const MARKUP_ELEMENTS = 'em, strong, ul, ol, li, h1, h2, h3, h4, h5, h6, blockquote, a, code, b';

/**
 * What Teams would do wrong with `value`, a value someone typed (an institution name), on `card`:
 * wherever the rendered card shows `token` (a distinctive word of the value), the value must be
 * shown exactly as typed, and no Markdown element (emphasis, list, heading, link...) may hold a
 * part of it. Empty when the card does not show the value or shows it right.
 */
export function valueProblems(card: unknown, value: string, token: string): string[] {
  const ac = new AC.AdaptiveCard();
  ac.parse(card as Json, new AC.SerializationContext(new AC.Version(1, 5)));
  const el = ac.render();
  if (!el) return [];
  const flat = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();
  const shown = renderedLines(card).join('\n');
  if (!shown.includes(token)) return [];
  const problems: string[] = [];
  if (!renderedLines(card).some((l) => l.includes(flat(value)))) {
    problems.push(`"${flat(value)}" not shown as typed: ${renderedLines(card).find((l) => l.includes(token))}`);
  }
  for (const n of Array.from(el.querySelectorAll(MARKUP_ELEMENTS))) {
    const text = flat(n.textContent);
    // A catalog's bold phrase around the whole value is fine; markup inside or of a part is not.
    if (n.tagName === 'STRONG' && text.includes(flat(value))) continue;
    if (text && (flat(value).includes(text) || text.includes(token)))
      problems.push(`<${n.tagName.toLowerCase()}> made of the value: "${text}"`);
  }
  return problems;
}
