/**
 * What Slack would show wrongly or refuse in a payload the app sent: unescaped mrkdwn and Block
 * Kit limits. Used by `FakeSlackApi` on every call it receives (its `payloadProblems`), so every
 * integration suite that drives the Slack surface checks every message, modal, Home tab and
 * `response_url` body it produced.
 *
 * Facts (Slack's "Formatting text for app surfaces" and Block Kit reference, summarised in
 * `chat-contract.md`, "Platform limits to respect"):
 * - in `mrkdwn` (and a message's top-level `text`), `<` starts only `<@U…>`, `<#C…>`, `<!…>`,
 *   `<http…|…>` or `<mailto:…>`; a literal `&`, `<`, `>` is written `&amp;`, `&lt;`, `&gt;`;
 * - `plain_text` is shown as typed, so an entity there is a double escape;
 * - 50 blocks per message (100 in a modal or Home tab), section text 3000, 10 fields of 2000,
 *   header 150, context 10 elements, actions 25 elements, button text 75, value 2000, url 3000,
 *   `action_id` and `block_id` 255, `action_id` unique in its block and `block_id` unique in
 *   its message, confirm title 100 / text 300 / buttons 30, input label 2000, hint 2000,
 *   placeholder 150, option text 75 and value 150, 100 options, modal title / submit / close
 *   24, `private_metadata` 3000, `callback_id` 255; text objects are never empty.
 */

type Json = Record<string, unknown>;

const TOKEN = /^<(?:@[UW][A-Z0-9]+|#C[A-Z0-9]+|![A-Za-z0-9^_-]+|(?:https?:\/\/|mailto:)[^\s<>|]+)(?:\|[^<>]*)?>/;
const ENTITY = /^&(?:amp|lt|gt);/;

/** Options of the checks: `typed`, values people typed literally (a name typed as `&amp;`). */
export interface PayloadCheckOptions {
  /**
   * Values typed by people, shown as typed: a value that itself contains `&amp;` is correctly
   * sent as `&amp;amp;` in mrkdwn and as `&amp;` in plain_text, so its occurrences are not
   * double escapes. Unescaped `&`, `<`, `>` are still reported everywhere.
   */
  typed?: readonly string[];
}

const escapeMrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const ENTITY_LIKE = /&(?:amp|lt|gt);/;

/** Index ranges of `text` covered by one of `needles` (longest first). */
function coveredRanges(text: string, needles: readonly string[]): [number, number][] {
  const out: [number, number][] = [];
  for (const n of [...needles].filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) {
    for (let i = text.indexOf(n); i >= 0; i = text.indexOf(n, i + n.length)) out.push([i, i + n.length]);
  }
  return out;
}

const inside = (ranges: [number, number][], i: number) => ranges.some(([a, b]) => i >= a && i < b);

/** Problems of one mrkdwn string (empty when Slack shows it as meant). */
export function mrkdwnProblems(text: string, opts: PayloadCheckOptions = {}): string[] {
  // A typed value containing an entity is escaped once more, correctly: `&amp;` -> `&amp;amp;`.
  const typed = coveredRanges(text, (opts.typed ?? []).filter((t) => ENTITY_LIKE.test(t)).map(escapeMrkdwn));
  const out: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '<') {
      const m = TOKEN.exec(text.slice(i));
      if (!m) out.push(`unescaped "<" at ${i}: ${JSON.stringify(text.slice(Math.max(0, i - 20), i + 30))}`);
      else {
        const label = m[0].includes('|') ? m[0].slice(m[0].indexOf('|') + 1, -1) : '';
        out.push(...labelProblems(label, i));
        i += m[0].length - 1;
      }
    } else if (c === '>') out.push(`unescaped ">" at ${i}: ${JSON.stringify(text.slice(Math.max(0, i - 30), i + 20))}`);
    else if (c === '&') {
      const rest = text.slice(i);
      if (!ENTITY.test(rest)) out.push(`unescaped "&" at ${i}: ${JSON.stringify(text.slice(Math.max(0, i - 20), i + 20))}`);
      else if (/^&amp;(?:amp|lt|gt);/.test(rest) && !inside(typed, i))
        out.push(`double-escaped entity at ${i}: ${JSON.stringify(rest.slice(0, 12))}`);
    } else if (/[\uE000-\uF8FF]/.test(c!)) out.push(`internal marker left at ${i}`);
  }
  return out;
}

function labelProblems(label: string, at: number): string[] {
  const bad = /&(?!(?:amp|lt|gt);)/.test(label) ? [`unescaped "&" in a link label at ${at}`] : [];
  return /&amp;(?:amp|lt|gt);/.test(label) ? [...bad, `double-escaped entity in a link label at ${at}`] : bad;
}

/** Problems of one plain_text string: entities are shown as typed (a double escape), unless typed so. */
function plainProblems(text: string, opts: PayloadCheckOptions): string[] {
  const out: string[] = [];
  let rest = text;
  for (const t of opts.typed ?? []) if (t && ENTITY_LIKE.test(t)) rest = rest.split(t).join('');
  if (/&(?:amp|lt|gt);/.test(rest)) out.push(`entity in plain_text: ${JSON.stringify(text.slice(0, 60))}`);
  if (/[\uE000-\uF8FF]/.test(text)) out.push('internal marker left in plain_text');
  return out;
}

class Walker {
  readonly problems: string[] = [];

  constructor(private readonly opts: PayloadCheckOptions = {}) {}

  private add(where: string, list: string[]): void {
    for (const p of list) this.problems.push(`${where}: ${p}`);
  }

  max(where: string, value: unknown, max: number): void {
    if (typeof value === 'string' && value.length > max) this.problems.push(`${where}: ${value.length} characters (limit ${max})`);
  }

  /** A text object; `kind` restricts its type when Slack does. */
  text(where: string, obj: unknown, max: number, kind?: 'plain_text'): void {
    if (obj === undefined) return;
    if (typeof obj !== 'object' || obj === null) return void this.problems.push(`${where}: not a text object`);
    const t = obj as Json;
    if (typeof t.text !== 'string' || t.text.length === 0) return void this.problems.push(`${where}: empty text`);
    if (kind && t.type !== kind) this.problems.push(`${where}: must be ${kind}, is ${String(t.type)}`);
    this.max(where, t.text, max);
    if (t.type === 'mrkdwn') this.add(where, mrkdwnProblems(t.text, this.opts));
    else if (t.type === 'plain_text') this.add(where, plainProblems(t.text, this.opts));
    else this.problems.push(`${where}: unknown text type ${String(t.type)}`);
  }

  element(where: string, el: Json): void {
    this.max(`${where}.action_id`, el.action_id, 255);
    switch (el.type) {
      case 'button':
        this.text(`${where}.text`, el.text, 75, 'plain_text');
        this.max(`${where}.value`, el.value, 2000);
        this.max(`${where}.url`, el.url, 3000);
        if (el.confirm) {
          const c = el.confirm as Json;
          this.text(`${where}.confirm.title`, c.title, 100, 'plain_text');
          this.text(`${where}.confirm.text`, c.text, 300);
          this.text(`${where}.confirm.confirm`, c.confirm, 30, 'plain_text');
          this.text(`${where}.confirm.deny`, c.deny, 30, 'plain_text');
        }
        break;
      case 'static_select': {
        const options = Array.isArray(el.options) ? (el.options as Json[]) : [];
        if (options.length > 100) this.problems.push(`${where}: ${options.length} options (limit 100)`);
        options.forEach((o, i) => {
          this.text(`${where}.options[${i}].text`, o.text, 75, 'plain_text');
          this.max(`${where}.options[${i}].value`, o.value, 150);
        });
        break;
      }
      default:
        break;
    }
    this.text(`${where}.placeholder`, el.placeholder, 150, 'plain_text');
  }

  block(where: string, b: Json): void {
    this.max(`${where}.block_id`, b.block_id, 255);
    switch (b.type) {
      case 'section': {
        this.text(`${where}.text`, b.text, 3000);
        const fields = Array.isArray(b.fields) ? (b.fields as unknown[]) : [];
        if (fields.length > 10) this.problems.push(`${where}: ${fields.length} fields (limit 10)`);
        fields.forEach((f, i) => this.text(`${where}.fields[${i}]`, f, 2000));
        if (!b.text && fields.length === 0) this.problems.push(`${where}: section without text or fields`);
        if (b.accessory) this.element(`${where}.accessory`, b.accessory as Json);
        break;
      }
      case 'header':
        this.text(`${where}.text`, b.text, 150, 'plain_text');
        break;
      case 'context': {
        const els = Array.isArray(b.elements) ? (b.elements as Json[]) : [];
        if (els.length === 0 || els.length > 10) this.problems.push(`${where}: ${els.length} elements (1 to 10)`);
        els.forEach((e, i) => this.text(`${where}.elements[${i}]`, e, 3000));
        break;
      }
      case 'actions': {
        const els = Array.isArray(b.elements) ? (b.elements as Json[]) : [];
        if (els.length === 0 || els.length > 25) this.problems.push(`${where}: ${els.length} elements (1 to 25)`);
        const ids = els.map((e) => e.action_id).filter((x) => x !== undefined);
        if (new Set(ids).size !== ids.length) this.problems.push(`${where}: action_id repeated in one block (${ids.join(', ')})`);
        els.forEach((e, i) => this.element(`${where}.elements[${i}]`, e));
        break;
      }
      case 'input':
        this.text(`${where}.label`, b.label, 2000, 'plain_text');
        this.text(`${where}.hint`, b.hint, 2000, 'plain_text');
        if (b.element) this.element(`${where}.element`, b.element as Json);
        break;
      case 'divider':
        break;
      default:
        this.problems.push(`${where}: block type ${String(b.type)} not checked`);
    }
  }

  blocks(where: string, blocks: unknown, max: number): void {
    if (!Array.isArray(blocks)) return;
    if (blocks.length > max) this.problems.push(`${where}: ${blocks.length} blocks (limit ${max})`);
    const ids = (blocks as Json[]).map((b) => b.block_id).filter((x) => x !== undefined);
    if (new Set(ids).size !== ids.length) this.problems.push(`${where}: block_id repeated`);
    (blocks as Json[]).forEach((b, i) => this.block(`${where}[${i}]`, b));
  }

  view(where: string, v: Json): void {
    this.text(`${where}.title`, v.title, 24, 'plain_text');
    this.text(`${where}.submit`, v.submit, 24, 'plain_text');
    this.text(`${where}.close`, v.close, 24, 'plain_text');
    this.max(`${where}.private_metadata`, v.private_metadata, 3000);
    this.max(`${where}.callback_id`, v.callback_id, 255);
    this.blocks(`${where}.blocks`, v.blocks, 100);
  }
}

/** Methods whose arguments carry a message (top-level `text` + `blocks`). */
const MESSAGE_METHODS = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'response_url']);
const VIEW_METHODS = new Set(['views.open', 'views.update', 'views.push', 'views.publish']);

/**
 * Problems of one call's arguments (`FakeSlackCall.args`), each prefixed with the method.
 * Methods that carry no user-visible text return none.
 */
export function slackPayloadProblems(method: string, args: Record<string, unknown>, opts: PayloadCheckOptions = {}): string[] {
  const w = new Walker(opts);
  if (MESSAGE_METHODS.has(method)) {
    if (typeof args.text === 'string' && args.mrkdwn !== false) {
      w.max('text', args.text, 40000);
      for (const p of mrkdwnProblems(args.text, opts)) w.problems.push(`text: ${p}`);
    }
    w.blocks('blocks', args.blocks, 50);
    if (args.response_action === 'errors' && args.errors) {
      for (const [k, v] of Object.entries(args.errors as Json)) if (typeof v === 'string') w.max(`errors.${k}`, v, 2000);
    }
  } else if (VIEW_METHODS.has(method) && args.view && typeof args.view === 'object') {
    w.view('view', args.view as Json);
  } else if (method === 'files.completeUploadExternal' && typeof args.initial_comment === 'string') {
    for (const p of mrkdwnProblems(args.initial_comment, opts)) w.problems.push(`initial_comment: ${p}`);
  }
  return w.problems.map((p) => `${method} ${p}`);
}
