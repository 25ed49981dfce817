/**
 * Renders the platform-neutral message model (`src/messages/model.ts`) to Slack Block Kit, and
 * forms to Slack modal views. Pure: no I/O.
 *
 * Slack facts (source: Slack's Block Kit reference, summarised in `chat-contract.md`,
 * "Platform limits to respect"): at most 50 blocks per message, section text at most 3000
 * characters, at most 10 fields of 2000 characters, header text 150, button text 75, button
 * `value` 2000, `action_id` 255, modal title 24, `private_metadata` 3000, 25 elements per actions
 * block. `mrkdwn` needs `&`, `<`, `>` escaped; bold is `*x*` (the model's `**x**`).
 */
import { RUN_METADATA_EVENT_TYPE } from '../../src/domain/ids';
import type { Locale } from '../../src/domain/ids';
import type { Block, Button, FormModel, Message } from '../../src/messages/model';
import { punct } from '../../src/messages/typography';
import { dropLiterals, renderWithLiterals } from '../../src/messages/literal';
import type {
  Button as SlackButton,
  EmailInput,
  KnownBlock,
  MrkdwnElement,
  ModalView,
  PlainTextElement,
  PlainTextInput,
  SectionBlock,
  StaticSelect,
} from '@slack/types';

/** Slack limits used here (characters unless said otherwise). */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  fieldText: 2000,
  fieldsPerSection: 10,
  headerText: 150,
  contextText: 3000,
  buttonText: 75,
  buttonValue: 2000,
  elementsPerActions: 25,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  inputLabel: 2000,
  /** `text` of chat.postMessage is truncated by Slack after 40 000 characters. */
  messageText: 40000,
} as const;

/** A Block Kit block as sent to Slack (plain JSON). */
export type SlackBlock = KnownBlock;

/** Slack message `metadata` (`chat-contract.md`, "Machine-readable state"). */
export interface SlackMetadata {
  event_type: typeof RUN_METADATA_EVENT_TYPE;
  /** `delivery_id` (an outbox item's post) and `progress_id` (a progress message) may be added. */
  event_payload: { run_id: string; step: string | null; state: string; delivery_id?: number; progress_id?: string };
}

/** What `chat.postMessage` / `chat.update` / ephemeral answers take from a rendered message. */
export interface SlackMessagePayload {
  text: string;
  blocks: SlackBlock[];
  metadata?: SlackMetadata;
}

/** Escapes `&`, `<`, `>` for Slack mrkdwn (Slack's "Escaping text" rule). */
export function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Markers of a Slack reference inside the model's plain text: `REF_OPEN target REF_SEP
 * fallback REF_CLOSE` (Unicode private-use characters, which no template uses). The Slack
 * mention formatter emits them (`slackRef`); the renderer turns them into `<@U…>` in mrkdwn and
 * into the fallback in plain_text, and escapes everything else. Stray markers are dropped.
 */
const REF_OPEN = '\uE000';
const REF_SEP = '\uE002';
const REF_CLOSE = '\uE001';
const REF = /\uE000([^\uE000-\uE002]*)\uE002([^\uE000-\uE002]*)\uE001/g;
/** What may follow `<` in mrkdwn (mentions, channels, special mentions, links). */
const REF_TARGET = /^(?:@[UW][A-Z0-9]+|#C[A-Z0-9]+|![A-Za-z0-9^_-]+|(?:https?:\/\/|mailto:)[^\s<>|]+)$/;

/**
 * A Slack reference for the model's text: `target` is `@U123`, `#C123`, `!here`, or a URL;
 * `fallback` is what plain_text and other renderings show (a name). Not a reference (target
 * invalid): the fallback alone.
 */
export function slackRef(target: string, fallback: string): string {
  const clean = (x: string) => x.replace(/[\uE000-\uE002]/g, '');
  return REF_TARGET.test(target) ? `${REF_OPEN}${clean(target)}${REF_SEP}${clean(fallback)}${REF_CLOSE}` : clean(fallback);
}

/** Splits text into plain parts and references; `ref` renders a reference, `text` a plain part. */
function mapRefs(s: string, text: (x: string) => string, ref: (target: string, fallback: string) => string): string {
  let out = '';
  let last = 0;
  for (const m of s.matchAll(REF)) {
    out += text(s.slice(last, m.index));
    out += ref(m[1]!, m[2]!);
    last = m.index + m[0].length;
  }
  return out + text(s.slice(last));
}

const dropMarkers = (s: string) => dropLiterals(s).replace(/[\uE000-\uE002]/g, '');

/**
 * A value people typed, in mrkdwn: `&`, `<`, `>` escaped, and `*` `_` `~` `` ` `` kept from
 * formatting. mrkdwn has no escape character; a zero-width space on each side of the sign keeps
 * it from opening or closing bold, italic, strike or code (the sign shows as typed).
 */
export function literalMrkdwn(value: string): string {
  return escapeSlack(value.replace(/[\uE000-\uE002]/g, '')).replace(/[*_~`]/g, (c) => `\u200b${c}\u200b`);
}

/**
 * Slack mrkdwn has no escape character. The catalogs' only markup is `**bold**` and `` `code` ``
 * (a catalog test keeps the rest out), so any other `*`, `_` or `~` is a value's (a state SecuTix
 * gave, a name someone typed). Slack opens bold, italic or strike only at a word start: a zero-width
 * space before such a character, where it could open one, keeps it literal (`DEMO_DGTK`, inside a
 * word, is left alone).
 */
const VALUE_MARK = /(^|[^\p{L}\p{N}])(?=[*_~])/gu;
const literalMarks = (s: string): string => s.replace(VALUE_MARK, '$1\u200B').replace(/([*_~])(?=[*_~])/g, '$1\u200B');
/** The renderer's own italics (around a step's note), turned into `_` after values are made literal. */
const ITALIC = '\uE003';
/** Catalog code spans (kept as is: Slack shows their content literally), catalog bold, the rest. */
const CODE_OR_BOLD = /`[^`\n]*`|\*\*([^*\n]+?)\*\*/g;

/**
 * The model's plain text to Slack mrkdwn: `&`, `<`, `>` escaped (template text and values
 * alike), `**x**` -> `*x*`, `` `x` `` kept, any other `*`, `_`, `~` shown literally
 * (`literalMarks`), references -> `<@U…>` / `<url|label>`.
 */
export function toMrkdwn(s: string): string {
  const text = (x: string): string => {
    // Not dropMarkers: the value slots (see renderWithLiterals) must stay for the values to come back.
    const e = escapeSlack(x.replace(/[\uE000-\uE002]/g, ''));
    let out = '';
    let last = 0;
    for (const m of e.matchAll(CODE_OR_BOLD)) {
      out += literalMarks(e.slice(last, m.index)) + (m[1] !== undefined ? `*${literalMarks(m[1])}*` : m[0]);
      last = m.index + m[0].length;
    }
    return (out + literalMarks(e.slice(last))).replaceAll(ITALIC, '_');
  };
  return renderWithLiterals(
    s,
    (t) =>
      mapRefs(t, text, (target, fallback) =>
        target.startsWith('http') || target.startsWith('mailto:') ? `<${target}|${escapeSlack(fallback)}>` : `<${target}>`,
      ),
    literalMrkdwn,
  );
}

/** The model's text for `plain_text` objects (shown as typed): markup removed, references by name. */
export function toPlain(s: string): string {
  return renderWithLiterals(
    s,
    (t) =>
      mapRefs(
        t,
        (x) =>
          x
            .replace(/[\uE000-\uE002]/g, '')
            .replaceAll(ITALIC, '')
            .replace(/\*\*([^*\n]+?)\*\*/g, '$1'),
        (_target, fallback) => fallback,
      ),
    (v) => v.replace(/[\uE000-\uE002]/g, ''),
  );
}

/** A cut position at or before `at` that does not split an entity (`&amp;`) or a `<…>` reference. */
function safeCut(s: string, at: number): number {
  const amp = s.lastIndexOf('&', at - 1);
  if (amp >= 0 && at - amp < 5 && s.indexOf(';', amp) >= at) at = amp;
  const lt = s.lastIndexOf('<', at - 1);
  if (lt >= 0 && s.lastIndexOf('>', at - 1) < lt) at = lt;
  return at;
}

/** Cuts mrkdwn `s` to at most `max` characters, ending with an ellipsis when cut. */
export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, safeCut(s, Math.max(0, max - 1)))}…`;
}

/** Splits mrkdwn into chunks of at most `max` characters, preferring line breaks. */
export function chunkText(s: string, max: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = safeCut(rest, max);
    if (cut <= 0) cut = max;
    out.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  if (rest.length > 0 || out.length === 0) out.push(rest);
  return out;
}

/** A one-section message of the model's plain text (command answers, errors). */
export function textPayload(text: string): SlackMessagePayload {
  const md = truncate(toMrkdwn(text), SLACK_LIMITS.sectionText);
  return { text: md, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: md } }] };
}

/** Emoji per step state on the progress card. */
export const STEP_STATE_EMOJI: Record<string, string> = {
  done: ':white_check_mark:',
  current: ':arrow_forward:',
  todo: ':white_circle:',
  skipped: ':fast_forward:',
  failed: ':x:',
  /** The last verification found values to confirm for this step (`verify_confirm`). */
  to_confirm: ':mag:',
};

/** Step states whose word is written after the step (the emoji alone would not say it). */
const WORDED_STATES: readonly string[] = ['failed', 'to_confirm'];

/** Emoji per check outcome in a verification report. */
export const CHECK_OUTCOME_EMOJI: Record<string, string> = {
  passed: ':white_check_mark:',
  failed: ':x:',
  skipped: ':heavy_minus_sign:',
  /** SecuTix answered values the assistant does not know: a person confirms them. */
  to_confirm: ':mag:',
  /** SecuTix did not answer in time (catalog extraction): nothing known broken, verify again. */
  not_checked: ':hourglass:',
};

const mrkdwn = (text: string): MrkdwnElement => ({ type: 'mrkdwn', text });
const plain = (text: string, max: number): PlainTextElement => {
  const t = toPlain(text);
  return { type: 'plain_text', text: t.length <= max ? t : `${t.slice(0, max - 1)}…`, emoji: true };
};

function sections(text: string): SectionBlock[] {
  return chunkText(toMrkdwn(text), SLACK_LIMITS.sectionText).map((t) => ({ type: 'section', text: mrkdwn(t) }));
}

/**
 * Renders one model block to one or more Slack blocks. `stateLabel` names step states (written
 * after a failed or to-confirm step). Check outcomes come translated in the model (`heading`);
 * `_outcomeLabel` is no longer read (kept so callers passing it stay valid).
 */
export function renderBlock(
  block: Block,
  _outcomeLabel?: (o: string) => string,
  stateLabel: (s: string) => string = (s) => s.replace(/_/g, ' '),
  locale: Locale = 'en',
): SlackBlock[] {
  switch (block.type) {
    case 'header':
      return [{ type: 'header', text: plain(block.text, SLACK_LIMITS.headerText) }];
    case 'text': {
      const out = sections(block.text);
      // A paragraph's own button: the accessory of its (last) section.
      if (block.button) out[out.length - 1] = { ...out[out.length - 1]!, accessory: renderButton(block.button) };
      return out;
    }
    case 'context':
      return [{ type: 'context', elements: [mrkdwn(truncate(toMrkdwn(block.text), SLACK_LIMITS.contextText))] }];
    case 'fields': {
      const out: SlackBlock[] = [];
      for (let i = 0; i < block.fields.length; i += SLACK_LIMITS.fieldsPerSection) {
        out.push({
          type: 'section',
          fields: block.fields
            .slice(i, i + SLACK_LIMITS.fieldsPerSection)
            .map((f) => mrkdwn(truncate(`*${toMrkdwn(f.label)}*\n${toMrkdwn(f.value)}`, SLACK_LIMITS.fieldText))),
        });
      }
      return out;
    }
    case 'steps': {
      const lines = block.items.map((s) => {
        const emoji = STEP_STATE_EMOJI[s.state] ?? ':grey_question:';
        const label = s.state === 'current' ? `**${s.number}. ${s.label}**` : `${s.number}. ${s.label}`;
        // Said once: not when the note already words the state ("failed in the last verification").
        const word = WORDED_STATES.includes(s.state) && !s.stateInNote ? `${punct(locale, ':')} ${stateLabel(s.state)}` : '';
        return `${emoji} ${label}${word}${s.note ? ` ${ITALIC}(${s.note})${ITALIC}` : ''}`;
      });
      return sections(lines.join('\n'));
    }
    case 'checks': {
      const lines = block.items.map((c) => {
        // The heading comes translated from the model (outcome word and punctuation of the language).
        const head = `${CHECK_OUTCOME_EMOJI[c.outcome] ?? ':grey_question:'} ${c.heading}`;
        const reason = c.reason ? `\n      ${c.reason}` : '';
        const warnings = c.warnings.map((w) => `\n      :warning: ${w}`).join('');
        return `${head}${reason}${warnings}`;
      });
      return sections(lines.join('\n'));
    }
    case 'preformatted':
      // ``` blocks keep the text as is; chunked so each section stays under the limit.
      // A value's backticks cannot close the ``` block: a zero-width space between two of them.
      return chunkText(escapeSlack(dropMarkers(block.text)).replace(/`(?=`)/g, '`\u200b'), SLACK_LIMITS.sectionText - 8).map((t) => ({
        type: 'section',
        text: mrkdwn('```\n' + t + '\n```'),
      }));
  }
}

/** Renders a button: text cut to 75, value checked against 2000, Block Kit `confirm` kept. */
export function renderButton(b: Button): SlackButton {
  if (b.value.length > SLACK_LIMITS.buttonValue) throw new Error(`button ${b.actionId}: value longer than ${SLACK_LIMITS.buttonValue}`);
  return {
    type: 'button',
    action_id: b.actionId,
    text: plain(b.label, SLACK_LIMITS.buttonText),
    value: b.value,
    ...(b.style ? { style: b.style } : {}),
    ...(b.confirm
      ? {
          confirm: {
            title: plain(b.confirm.title, 100),
            text: plain(b.confirm.text, 300),
            confirm: plain(b.confirm.confirm, 30),
            deny: plain(b.confirm.deny, 30),
            style: 'danger',
          },
        }
      : {}),
  };
}

/**
 * Renders a message: its blocks, then one `actions` block with its buttons (`block_id`
 * `run_actions`). At most 50 blocks: content is cut (with a final "…" context) to leave room
 * for the actions. `metadata` carries the run's machine-readable state when the message has it.
 * @throws Error when a button value is longer than 2000 characters.
 */
export function renderMessage(
  msg: Message,
  opts: { outcomeLabel?: (o: string) => string; stateLabel?: (s: string) => string; extraBlocks?: SlackBlock[] } = {},
): SlackMessagePayload {
  let blocks = msg.blocks.flatMap((b) => renderBlock(b, opts.outcomeLabel, opts.stateLabel, msg.locale));
  if (opts.extraBlocks) blocks.push(...opts.extraBlocks);
  const actions: SlackBlock[] = msg.actions.length
    ? [{ type: 'actions', block_id: 'run_actions', elements: msg.actions.slice(0, SLACK_LIMITS.elementsPerActions).map(renderButton) }]
    : [];
  const room = SLACK_LIMITS.blocksPerMessage - actions.length;
  if (blocks.length > room) {
    blocks = [...blocks.slice(0, room - 1), { type: 'context', elements: [mrkdwn('…')] }];
  }
  return {
    text: truncate(toMrkdwn(msg.text), 3000),
    blocks: [...blocks, ...actions],
    ...(msg.run ? { metadata: runMetadata(msg.run) } : {}),
  };
}

/** The message metadata of a run message. */
export function runMetadata(run: { runId: string; step: string | null; state: string }): SlackMetadata {
  return { event_type: RUN_METADATA_EVENT_TYPE, event_payload: { run_id: run.runId, step: run.step, state: run.state } };
}

/** The blocks of a rendered message without its actions block (what a closed message keeps). */
export function withoutActions(blocks: SlackBlock[]): SlackBlock[] {
  return blocks.filter((b) => b.type !== 'actions');
}

/**
 * Renders a form as a Slack modal view (`views.open`). Inputs: `block_id` = `action_id` = the
 * input id (`chat-contract.md`). Slack has no masked input: a password is a plain text input
 * whose form says it is used once and not kept.
 * @throws Error when `private_metadata` is longer than 3000 characters.
 */
export function renderModal(form: FormModel): ModalView {
  if (form.privateMetadata.length > SLACK_LIMITS.privateMetadata) throw new Error(`form ${form.id}: private_metadata too long`);
  const blocks: SlackBlock[] = [];
  if (form.intro) blocks.push(...sections(form.intro));
  for (const input of form.inputs) {
    let element: StaticSelect | EmailInput | PlainTextInput;
    switch (input.kind) {
      case 'select': {
        const options = (input.options ?? []).map((o) => ({ text: plain(o.label, 75), value: o.value }));
        const initial = options.find((o) => o.value === input.initial);
        element = { type: 'static_select', action_id: input.id, options, ...(initial ? { initial_option: initial } : {}) };
        break;
      }
      case 'email':
        element = { type: 'email_text_input', action_id: input.id, ...(input.initial ? { initial_value: input.initial } : {}) };
        break;
      default:
        element = {
          type: 'plain_text_input',
          action_id: input.id,
          ...(input.kind === 'multiline' ? { multiline: true } : {}),
          ...(input.initial ? { initial_value: input.initial } : {}),
          ...(input.maxLength ? { max_length: input.maxLength } : {}),
        };
    }
    if (input.placeholder) element.placeholder = plain(input.placeholder, 150);
    blocks.push({
      type: 'input',
      block_id: input.id,
      label: plain(input.label, SLACK_LIMITS.inputLabel),
      element,
      optional: input.optional,
      ...(input.hint ? { hint: plain(input.hint, 2000) } : {}),
    });
  }
  return {
    type: 'modal',
    callback_id: form.id,
    title: plain(form.title, SLACK_LIMITS.modalTitle),
    submit: plain(form.submit, SLACK_LIMITS.modalButton),
    close: plain(form.close, SLACK_LIMITS.modalButton),
    private_metadata: form.privateMetadata,
    blocks,
  };
}

/** A modal that only shows a text (e.g. a form whose metadata could not be read). */
export function noticeModal(title: string, text: string, close: string): ModalView {
  return {
    type: 'modal',
    title: plain(title, SLACK_LIMITS.modalTitle),
    close: plain(close, SLACK_LIMITS.modalButton),
    blocks: sections(text),
  };
}
