/**
 * Plain-text rendering of the platform-neutral message model for the terminal. Pure: strings in,
 * strings out. Markup rule (`src/messages/model.ts`): `**bold**` markers and backticks are
 * stripped (their text is kept), button wording becomes choices wording (`consoleWording`), line
 * breaks are kept. Preformatted blocks (the email draft) are shown verbatim.
 */
import { dropLiterals, renderWithLiterals } from '../../src/messages/literal';
import type { Block, Message } from '../../src/messages/model';
import type { CheckResult, StepState } from '../../src/workflow/types';
import { consoleWording } from './wording';

/** Width of the rules drawn around headers and the email draft, in characters. */
export const RULE_WIDTH = 64;

/** A horizontal rule of `RULE_WIDTH` characters. */
export const rule = (char = '-'): string => char.repeat(RULE_WIDTH);

/** State markers of the progress card (`[x] done  [>] current  [ ] to do  [-] skipped  [!] failed`). */
export const STATE_MARKERS: Readonly<Record<StepState, string>> = {
  done: 'x',
  current: '>',
  todo: ' ',
  skipped: '-',
  failed: '!',
  to_confirm: '?',
};

/** Outcome markers of the verification report, before the translated outcome word. */
export const OUTCOME_MARKERS: Readonly<Record<CheckResult['outcome'], string>> = {
  passed: 'OK ',
  failed: 'XX ',
  skipped: '-- ',
  to_confirm: '?? ',
  not_checked: '~~ ',
};

/** Removes `**bold**` markers and backticks, and says "choose" where chat says "press the button". */
export function stripMarkup(text: string): string {
  // Values people typed are shown as typed: their `**` or backticks are no markup.
  return renderWithLiterals(
    text,
    (s) => consoleWording(s.replace(/\*\*([^*\n]+?)\*\*/g, '$1')),
    (v) => v,
  );
}

/** Indents every line of `text` by `n` spaces. */
export function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => (l.length > 0 ? pad + l : l))
    .join('\n');
}

/** Options of `renderBlocks`: translated words the model does not carry. */
export interface BlockTextOptions {
  /** Translated outcome words of checks (`report.outcome.*`). */
  outcomeWords?: Partial<Record<CheckResult['outcome'], string>>;
  /** Lines drawn before and after a preformatted block (default: plain rules). */
  preformattedRules?: { begin: string; end: string };
  /** Label prefixed to check warnings (default `warning:`). */
  warningLabel?: string;
}

/** Renders one block as plain text lines (no trailing newline). */
export function renderBlock(block: Block, opts: BlockTextOptions = {}): string {
  switch (block.type) {
    case 'header':
      return `== ${stripMarkup(block.text)} ==`;
    case 'text':
    case 'context':
      return stripMarkup(block.text);
    case 'fields': {
      const width = Math.max(...block.fields.map((f) => stripMarkup(f.label).length));
      // A no-break space before the colon: French typography, and harmless in the other languages.
      return block.fields.map((f) => `${stripMarkup(f.label).padEnd(width)}\u00a0: ${stripMarkup(f.value)}`).join('\n');
    }
    case 'steps':
      return block.items
        .map((s) => {
          const num = String(s.number).padStart(2);
          return `  [${STATE_MARKERS[s.state]}] ${num}. ${stripMarkup(s.label)}${s.note ? `  (${stripMarkup(s.note)})` : ''}`;
        })
        .join('\n');
    case 'checks': {
      // The model's word is in the message's language; a surface's own word list may replace it.
      const wordOf = (c: (typeof block.items)[number]): string => opts.outcomeWords?.[c.outcome] ?? c.outcomeWord;
      // Names line up: the outcome words are padded to the longest one of the block (at least 7).
      const width = Math.max(7, ...block.items.map((c) => wordOf(c).length));
      return block.items
        .map((c) => {
          const word = wordOf(c);
          const lines = [`  ${OUTCOME_MARKERS[c.outcome]}${word.padEnd(width)} ${stripMarkup(c.name)}`];
          if (c.reason) lines.push(indent(stripMarkup(c.reason), 14));
          for (const w of c.warnings) lines.push(indent(`${opts.warningLabel ?? 'warning:'} ${stripMarkup(w)}`, 14));
          return lines.join('\n');
        })
        .join('\n');
    }
    case 'preformatted': {
      // Shown verbatim (no markup stripping): this is text the user copies.
      const r = opts.preformattedRules ?? { begin: rule(), end: rule() };
      return `${r.begin}\n${dropLiterals(block.text)}\n${r.end}`;
    }
  }
}

/**
 * Renders a message's blocks as plain text, one blank line between blocks, ending with a newline.
 * Buttons are not rendered here: the console shows them as numbered choices before each prompt.
 */
export function renderMessage(message: Pick<Message, 'blocks'>, opts: BlockTextOptions = {}): string {
  return `${message.blocks.map((b) => renderBlock(b, opts)).join('\n\n')}\n`;
}

/** One compact progress line's bar: a marker per step (`xx>.......`), todo shown as `.`. */
export function progressBar(states: readonly StepState[]): string {
  return states.map((s) => (s === 'todo' ? '.' : STATE_MARKERS[s])).join('');
}

/**
 * Terminal escape sequences, removed whole (not just their ESC, which left `[31m` in a name):
 * CSI (`ESC [` or C1 `\x9b`, parameters, final byte: colours, cursor moves), OSC (`ESC ]` ... BEL
 * or `ESC \`: titles, links), and the two-character `ESC` sequences (`ESC c`, `ESC (B`...).
 */
const ESCAPE_SEQUENCE = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[ -/]*[0-~]/g;
/** Characters that separate words (tab, line and page breaks, NEL): a space, so words are not joined. */
const WORD_BREAK = /[\t\n\v\f\r\u0085]/g;
/**
 * The other control characters (C0, DEL, C1), U+FFFD (what invalid UTF-8 on standard input
 * decodes to) and the bidirectional controls (they reorder shown text).
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\ufffd\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A typed answer made safe to parse and save: escape sequences removed whole, tabs and line
 * breaks turned into a space, other control characters and invalid bytes removed, then the
 * double spaces this made collapsed. `removed` counts what was removed or replaced (an escape
 * sequence counts once).
 */
export function cleanAnswer(line: string): { text: string; removed: number } {
  let removed = 0;
  const count = (by: string) => () => {
    removed += 1;
    return by;
  };
  let text = line.replace(ESCAPE_SEQUENCE, count('')).replace(WORD_BREAK, count(' ')).replace(CONTROL, count(''));
  if (removed > 0) text = text.replace(/ {2,}/g, ' ');
  return { text, removed };
}
