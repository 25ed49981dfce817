/**
 * Teams reads TextBlock text as Markdown (CommonMark subset: emphasis, lists, headings, links).
 * The core's text mixes the catalog's own markup with values people typed (an institution name,
 * a contact, a skip reason): the catalogs' only markup is `**bold**` around a phrase or a value
 * and `` `code` `` (a catalog test keeps `_italic_` and the rest out of the catalogs), so here
 * every other Markdown character is a value's and is escaped with a backslash (CommonMark: any
 * ASCII punctuation may be escaped), and a line that would start a list, heading or quote is
 * defused. Values the core marks as typed by people (`src/messages/literal.ts`) are opaque while
 * the catalog's markup is read, then escaped whole: a value's own `**`, `_x_` or backticks never
 * pair with the catalog's.
 */

import { renderWithLiterals } from '../../src/messages/literal';

/**
 * What Markdown may act on inside a line: `\`, `` ` ``, `*`, `~`, `[`, `]`, `<` (emphasis, strike, code, links,
 * HTML), `_` unless inside a word (CommonMark never emphasises intraword `_`: `DEMO_DGTK` stays as
 * is), `&` starting an entity. Teams mentions (`<at>Name</at>`, with their entity) are kept.
 */
const INLINE = /<at>[^<>\n]*<\/at>|[\\`*~[\]<]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])|&(?=#?[A-Za-z0-9]+;)/gu;
const escapeInline = (s: string): string => s.replace(INLINE, (m) => (m.length > 1 ? m : `\\${m}`));
/** A line start Markdown reads as a block: list item, heading, quote, thematic break, setext underline. */
const BLOCK_START = /^(\s*)(?:([-+*#=])(?=[\s#=*+-]|$)|(>)|(\d{1,9})([.)])(?=\s|$))/;

/** `value` shown as typed in Teams Markdown (no emphasis, link, list or heading of its own). */
export function escapeTeamsMarkdown(value: string): string {
  return value
    .split('\n')
    .map((line) =>
      escapeInline(line).replace(BLOCK_START, (_m, sp: string, sign?: string, quote?: string, num?: string, dot?: string) =>
        sign || quote ? `${sp}\\${sign ?? quote}` : `${sp}${num}\\${dot}`,
      ),
    )
    .join('\n');
}

/** `**x**` of the catalog (non-greedy: a value's single `*` inside stays in the bold phrase). */
const BOLD = /\*\*(.+?)\*\*/g;

/**
 * The core's tiny markup (`**bold**`, `` `code` ``, line breaks) as Teams Markdown: the catalog's
 * bold is kept, everything else escaped (`escapeTeamsMarkdown`); backticks are dropped (TextBlock
 * has no inline code); single line breaks become paragraph breaks so they show.
 */
export function toTeamsMarkdown(text: string): string {
  // A value people typed is an opaque slot while the catalog's markup is read, then shown as typed.
  return renderWithLiterals(text, markupToTeams, (v) =>
    v
      .replace(/\r\n/g, '\n')
      .split('\n')
      .filter((l) => l !== '')
      .map(escapeTeamsMarkdown)
      .join('\n\n'),
  );
}

function markupToTeams(text: string): string {
  const lines = text
    .replace(/\r\n/g, '\n')
    .replace(/`([^`\n]*)`/g, '$1')
    .split('\n')
    .filter((l) => l !== '');
  return lines
    .map((line) => {
      let out = '';
      let last = 0;
      for (const m of line.matchAll(BOLD)) {
        out += escapeTeamsMarkdown(line.slice(last, m.index));
        out += `**${escapeInline(m[1]!)}**`;
        last = m.index + m[0].length;
      }
      return out + escapeTeamsMarkdown(line.slice(last));
    })
    .join('\n\n');
}
