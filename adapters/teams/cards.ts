/**
 * Adaptive Card rendering (schema 1.5) of the platform-neutral `Message` and `FormModel`.
 * Contract (`chat-contract.md`, "Microsoft Teams"): the card's first `TextBlock` shows the run id;
 * actions are `Action.Execute` with `verb` = action id (or form id for submits) and `data`
 * `{ runId, step, version, verb }`, each with an `Action.Submit` fallback carrying the same data
 * (Adaptive Cards `fallback` property: an action object or `"drop"`); form inputs have the
 * contract's input ids. Pure: no I/O.
 *
 * Limits kept (Microsoft Teams docs, "Cards reference" / "Format cards"): a card message is at
 * most 28 KB; Teams shows at most 6 actions in a card's action bar.
 */
import { type ActionId, FORM_IDS, type FormId, INPUT_IDS, type Locale, type StepId, TEAMS_VERBS } from '../../src/domain/ids';
import { decodeActionValue } from '../../src/messages/action-value';
import type { Block, Button, FieldErrors, FormModel, Message } from '../../src/messages/model';
import { escapeTeamsMarkdown, toTeamsMarkdown } from './markdown';
import { dropLiterals, renderWithLiterals } from '../../src/messages/literal';

/** MIME type of an Adaptive Card attachment and of an `adaptiveCard/action` card answer. */
export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** Teams' maximum card message size, in bytes (28 KB). */
export const MAX_CARD_BYTES = 28 * 1024;
/** Teams renders at most this many actions per card. */
export const MAX_CARD_ACTIONS = 6;

/** Teams-only verb: re-render the card as it stands (the "Back" of a form, "Keep it" of a cancel). */
export const REFRESH_VERB = TEAMS_VERBS.cardRefresh;

/**
 * Which message a card is, so a stale or refused action can re-render the same kind of card
 * (`notice`: the `answers_erased` notice, whose `answers_edit` form goes back to it).
 */
export type CardKind = 'step' | 'support' | 'report' | 'card' | 'form' | 'notice';

/**
 * The `data` of every action: the run, the step and the run version the card was rendered at,
 * the verb (repeated so the `Action.Submit` fallback, which has no verb, carries it), the card
 * kind, and for a cancel the confirmation flag. Inputs' values are merged in by Teams.
 */
export interface ActionData {
  verb: string;
  runId?: string;
  step?: StepId;
  version?: number;
  card?: CardKind;
  confirmed?: boolean;
  /** The start form's language before a run exists. */
  locale?: Locale;
  /** Checks without a run (`adapters/teams/checks.ts`): the institution and channel of `check`. */
  institutionCode?: string;
  channelCode?: string;
  /** The product of the `product CODE` check. */
  productCode?: string;
}

/** An Adaptive Card element or action (open shape: Adaptive Cards has many optional fields). */
export type AcNode = { type: string } & Record<string, unknown>;

/** An Adaptive Card (root). */
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5';
  body: AcNode[];
  actions?: AcNode[];
  /** Plain text for hosts that cannot render cards; also the activity's `summary` (`cardActivity`). */
  fallbackText?: string;
  /** Teams-only card options (`width: "Full"` for wide tables). */
  msteams?: Record<string, unknown>;
}

/** The `adaptiveCard/action` invoke answer carrying a card (Universal Actions response format). */
export interface CardInvokeResponse {
  statusCode: 200;
  type: typeof ADAPTIVE_CARD_CONTENT_TYPE;
  value: AdaptiveCard;
}

/** Wraps a card as the answer of an `adaptiveCard/action` invoke (HTTP 200). */
export function cardInvokeResponse(card: AdaptiveCard): CardInvokeResponse {
  return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card };
}

/** An activity attachment holding the card. */
export function cardAttachment(card: AdaptiveCard): { contentType: string; content: AdaptiveCard } {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card };
}

/**
 * A message activity carrying `card`, with `summary` (Bot Framework Activity schema: the text
 * shown where the card cannot be, which Teams uses for the notification and chat-list preview
 * instead of "sent a card") taken from the card's `fallbackText`.
 */
export function cardActivity(card: AdaptiveCard): {
  type: 'message';
  summary: string;
  attachments: { contentType: string; content: AdaptiveCard }[];
} {
  return { type: 'message', summary: card.fallbackText ?? '', attachments: [cardAttachment(card)] };
}

const textBlock = (text: string, extra: Record<string, unknown> = {}): AcNode => ({ type: 'TextBlock', text, wrap: true, ...extra });

/**
 * Text shown exactly as written (the email draft): one `RichTextBlock` per line, whose `TextRun`
 * is never read as Markdown, so every line stays apart and `Name <address>` keeps its brackets;
 * a blank line becomes space above the next line. Monospace, in an emphasis container.
 */
export function verbatimBlock(text: string): AcNode {
  const items: AcNode[] = [];
  let gap = false;
  for (const line of dropLiterals(text).replace(/\r\n/g, '\n').split('\n')) {
    if (line.trim() === '') {
      gap = items.length > 0;
      continue;
    }
    items.push({
      type: 'RichTextBlock',
      spacing: gap ? 'Medium' : 'None',
      inlines: [{ type: 'TextRun', text: line, fontType: 'Monospace' }],
    });
    gap = false;
  }
  return { type: 'Container', style: 'emphasis', separator: true, items };
}

const STATE_ICON: Record<string, string> = { done: '✅', current: '▶️', todo: '⬜', skipped: '⏭️', failed: '❌', to_confirm: '🔎' };
const CHECK_ICON: Record<string, string> = { passed: '✅', failed: '❌', skipped: '⏭️', to_confirm: '🔎', not_checked: '⌛' };

function renderBlock(b: Block): AcNode[] {
  switch (b.type) {
    case 'header':
      return [textBlock(toTeamsMarkdown(b.text), { size: 'Medium', weight: 'Bolder' })];
    case 'text':
      // A paragraph's own button: an action set right under it (Adaptive Cards 1.2+).
      return [
        textBlock(toTeamsMarkdown(b.text)),
        ...(b.button ? [{ type: 'ActionSet', actions: [buttonAction(b.button, undefined, 'card')] }] : []),
      ];
    case 'context':
      return [textBlock(toTeamsMarkdown(b.text), { isSubtle: true, size: 'Small' })];
    case 'preformatted':
      // Shown as is: no Markdown (TextBlock text would join single lines and eat `<address>`).
      return [verbatimBlock(b.text)];
    case 'fields':
      return [{ type: 'FactSet', facts: b.fields.map((f) => ({ title: f.label, value: toTeamsMarkdown(f.value) })) }];
    case 'steps':
      return [
        {
          type: 'Container',
          items: b.items.map((s) =>
            textBlock(
              `${STATE_ICON[s.state] ?? ''} ${s.number}. ${s.state === 'current' ? `**${escapeTeamsMarkdown(s.label)}**` : escapeTeamsMarkdown(s.label)}${s.note ? ` (${toTeamsMarkdown(s.note)})` : ''}`,
              { spacing: 'None' },
            ),
          ),
        },
      ];
    case 'checks':
      return [
        {
          type: 'Container',
          items: b.items.flatMap((c) => [
            // The outcome in words after the emoji, as on Slack (`report.check_heading`: the language's punctuation).
            textBlock(`${CHECK_ICON[c.outcome] ?? ''} ${toTeamsMarkdown(c.heading)}`, { spacing: 'Small' }),
            ...(c.reason ? [textBlock(toTeamsMarkdown(c.reason), { isSubtle: true, spacing: 'None' })] : []),
            // No `color: "warning"`: Teams' yellow is unreadable on the light theme; the sign says it.
            ...c.warnings.map((w) => textBlock(`⚠️ ${toTeamsMarkdown(w)}`, { spacing: 'None' })),
          ]),
        },
      ];
  }
}

/** Verbs that submit a form's inputs; every other action carries `associatedInputs: "none"`. */
const SUBMIT_VERBS: readonly string[] = Object.values(FORM_IDS);

/**
 * Builds an `Action.Execute` with its `Action.Submit` fallback (same `data`, which includes `verb`).
 * An action that does not submit a form gets `associatedInputs: "none"`: otherwise Teams
 * validates the card's required inputs first and "Back" on a form with an empty field does nothing.
 */
export function executeAction(title: string, data: ActionData, style?: 'positive' | 'destructive'): AcNode {
  const payload = { ...data };
  const extra = { ...(style ? { style } : {}), ...(SUBMIT_VERBS.includes(data.verb) ? {} : { associatedInputs: 'none' }) };
  return {
    type: 'Action.Execute',
    title,
    verb: data.verb,
    data: payload,
    ...extra,
    fallback: { type: 'Action.Submit', title, data: payload, ...extra },
  };
}

/** Inner width of a card in Teams' narrowest chat column (440 px less 2 x 16 px padding), in px. */
export const CARD_INNER_WIDTH = 408;

/** A rough width of a button in Teams (Segoe UI 14 px semibold, 16 px padding each side, 8 px spacing), in px. */
export function buttonWidth(title: string): number {
  return Math.ceil([...title].length * 8.2) + 32 + 8;
}

/**
 * Lays out an action bar so no button is cut off at 440 px: the actions that fit in one row stay
 * (the positive one first), the rest go to the card's "..." menu (`mode: "secondary"`, Adaptive
 * Cards 1.5, shown by Teams as an overflow menu).
 */
export function fitActions(actions: AcNode[]): AcNode[] {
  const order = [...actions.filter((a) => a.style === 'positive'), ...actions.filter((a) => a.style !== 'positive')];
  let used = 0;
  const primary = new Set<AcNode>();
  for (const a of order) {
    const w = buttonWidth(String(a.title ?? ''));
    if (primary.size === 0 || used + w <= CARD_INNER_WIDTH) {
      primary.add(a);
      used += w;
    } else break;
  }
  return order.map((a) => (primary.has(a) ? a : { ...a, mode: 'secondary' }));
}

/** The action of a core `Button` on a message of `version`. */
function buttonAction(b: Button, version: number | undefined, card: CardKind): AcNode {
  const v = decodeActionValue(b.value);
  const data: ActionData = {
    verb: b.actionId,
    ...(v ? { runId: v.runId, step: v.step } : {}),
    ...(version !== undefined ? { version } : {}),
    card,
  };
  return executeAction(b.label, data, b.style === 'primary' ? 'positive' : b.style === 'danger' ? 'destructive' : undefined);
}

/** Options of `renderMessage`. */
export interface RenderOptions {
  /** The first TextBlock when the message has a run (e.g. "Run ABCD1234"). */
  runLabel?: string;
  /** A short note shown under the run label (stale or refused action, a working notice). */
  note?: string;
  /** `attention` (default: a refusal or an error) or `info` (progress: "Verifying...", "Verification finished"). */
  noteTone?: 'attention' | 'info';
  /** Replaces the message's own actions (already rendered). */
  actions?: AcNode[];
  /** Drop the message's buttons (a used or stale card). */
  withoutActions?: boolean;
  /** Which kind of card this is, carried in the actions' data (default from the message kind). */
  card?: CardKind;
}

function cardKindOf(m: Message): CardKind {
  switch (m.kind) {
    case 'support_request':
    case 'support_closed':
      return 'support';
    case 'report':
      return 'report';
    case 'card':
      return 'card';
    default:
      return 'step';
  }
}

/** Plain text of Teams Markdown for a summary: emphasis and backticks dropped, one line, at most 200 characters. */
export function plainSummary(text: string): string {
  const plain = renderWithLiterals(
    text,
    (s) => s.replace(/\*\*|`/g, ''),
    (v) => v,
  )
    // Plain whitespace only: a no-break space (French typography before `:`) stays.
    .replace(/[^\S\u00a0\u202f]+/g, ' ')
    .trim();
  return plain.length > 200 ? `${plain.slice(0, 199)}…` : plain;
}

/** The first text of a card body (for a summary when none is given). */
function firstText(body: AcNode[]): string | undefined {
  for (const n of body) {
    if (n.type === 'TextBlock' && typeof n.text === 'string' && n.text.trim()) return n.text;
    if (Array.isArray(n.items)) {
      const inner = firstText(n.items as AcNode[]);
      if (inner) return inner;
    }
  }
  return undefined;
}

/**
 * Wraps body and actions into a schema 1.5 card. `fallbackText` (the notification summary)
 * defaults to the body's first text; the action bar is laid out by `fitActions`.
 */
export function adaptiveCard(body: AcNode[], actions: AcNode[] = [], fallbackText?: string): AdaptiveCard {
  const summary = plainSummary(fallbackText ?? firstText(body) ?? '');
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    ...(actions.length ? { actions: fitActions(actions) } : {}),
    ...(summary ? { fallbackText: summary } : {}),
  };
}

/**
 * Renders a message. With a run, the first TextBlock is `opts.runLabel` (required then: it
 * carries the run id); a `note` follows it in `attention` colour.
 */
export function renderMessage(m: Message, opts: RenderOptions = {}): AdaptiveCard {
  const body: AcNode[] = [];
  if (m.run) body.push(textBlock(toTeamsMarkdown(opts.runLabel ?? m.run.runId), { isSubtle: true, size: 'Small', weight: 'Bolder' }));
  if (opts.note)
    body.push(
      textBlock(toTeamsMarkdown(opts.note), opts.noteTone === 'info' ? { color: 'accent' } : { color: 'attention', weight: 'Bolder' }),
    );
  for (const b of m.blocks) body.push(...renderBlock(b));
  const kind = opts.card ?? cardKindOf(m);
  const actions = opts.actions ?? (opts.withoutActions ? [] : m.actions.map((b) => buttonAction(b, m.run?.version, kind)));
  return adaptiveCard(body, actions, m.text);
}

/** Options of `renderForm`. */
export interface FormRenderOptions {
  /** The form's action data (run, step, version); `verb` is the form id. */
  data: Omit<ActionData, 'verb'>;
  /** First TextBlock for a run's form (the run id). */
  runLabel?: string;
  /** Values typed so far (kept when the form comes back with errors). Never the password. */
  values?: Partial<Record<string, string>>;
  /** Field errors by input id, shown under each input in `attention` colour. */
  errors?: FieldErrors;
  note?: string;
  /** Extra text under the intro (e.g. the channel hint of the password form). */
  hint?: string;
  /** Title of a "Back" action (verb `card_refresh`) returning to the card the form replaced. */
  backLabel?: string;
  /** The `errorMessage` of a required input left empty (Teams shows it under the field), in the form's language. */
  requiredMessage: (label: string) => string;
}

/**
 * Renders a form as an Adaptive Card: `Input.Text` (ids = contract input ids; `style: 'password'`
 * for the password, `isMultiline` for multi-line inputs, `style: 'Email'` for e-mail),
 * `Input.ChoiceSet` for selects, and one `Action.Execute` whose verb is the form id.
 * The password is never put back into a card, even with errors.
 */
export function renderForm(f: FormModel, opts: FormRenderOptions): AdaptiveCard {
  const body: AcNode[] = [];
  if (opts.runLabel) body.push(textBlock(toTeamsMarkdown(opts.runLabel), { isSubtle: true, size: 'Small', weight: 'Bolder' }));
  body.push(textBlock(f.title, { size: 'Medium', weight: 'Bolder' }));
  if (opts.note) body.push(textBlock(toTeamsMarkdown(opts.note), { color: 'attention', weight: 'Bolder' }));
  if (f.intro) body.push(textBlock(toTeamsMarkdown(f.intro)));
  if (opts.hint) body.push(textBlock(toTeamsMarkdown(opts.hint), { isSubtle: true, size: 'Small' }));
  for (const input of f.inputs) {
    const typed = input.kind === 'password' ? undefined : opts.values?.[input.id];
    const value = typed ?? input.initial;
    const error = opts.errors?.[input.id];
    const common = {
      id: input.id,
      label: input.label,
      isRequired: !input.optional,
      ...(error || !input.optional ? { errorMessage: error ?? opts.requiredMessage(input.label) } : {}),
      ...(value !== undefined ? { value } : {}),
    };
    if (input.kind === 'select') {
      body.push({
        type: 'Input.ChoiceSet',
        ...common,
        style: 'compact',
        choices: (input.options ?? []).map((o) => ({ title: o.label, value: o.value })),
      });
    } else {
      body.push({
        type: 'Input.Text',
        ...common,
        ...(input.placeholder ? { placeholder: input.placeholder } : {}),
        ...(input.maxLength ? { maxLength: input.maxLength } : {}),
        ...(input.kind === 'multiline' ? { isMultiline: true } : {}),
        ...(input.kind === 'password' ? { style: 'password' } : input.kind === 'email' ? { style: 'Email' } : {}),
      });
    }
    if (input.hint) body.push(textBlock(input.hint, { isSubtle: true, size: 'Small', spacing: 'None' }));
    if (error) body.push(textBlock(error, { color: 'attention', size: 'Small', spacing: 'None', id: `${input.id}__error` }));
  }
  const actions = [executeAction(f.submit, { ...opts.data, verb: f.id as FormId, card: 'form' }, 'positive')];
  if (opts.backLabel) actions.push(executeAction(opts.backLabel, { ...opts.data, verb: REFRESH_VERB }));
  return adaptiveCard(body, actions, f.title);
}

/** Byte size of a card as sent (JSON, UTF-8). */
export function cardBytes(card: AdaptiveCard): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

/** Every action of a card (action bar and nested action sets), fallbacks excluded. */
export function cardActions(card: AdaptiveCard): AcNode[] {
  return [...(card.actions ?? [])];
}

/** Every input id of a card. */
export function cardInputIds(card: AdaptiveCard): string[] {
  return card.body.filter((n) => n.type.startsWith('Input.')).map((n) => String(n.id));
}

/** Contract verbs: action ids and form ids (plus the Teams-only refresh). */
export type Verb = ActionId | FormId | typeof REFRESH_VERB;

/** The input ids of the contract (for checks). */
export const CONTRACT_INPUT_IDS: readonly string[] = Object.values(INPUT_IDS);

export { escapeTeamsMarkdown, toTeamsMarkdown };
