/**
 * Command text of a Teams message: the bot's own mention removed (only the bot's: other
 * `<at>...</at>` mentions stay), then the command words of `product.md` ("Commands").
 * Teams source: a channel message to a bot carries `<at>Bot name</at>` in `text` and a `mention`
 * entity `{ mentioned: { id }, text: '<at>Bot name</at>' }` (what `TurnContext.removeRecipientMention`
 * relies on).
 */

/** A mention entity as Teams sends it. */
interface MentionEntity {
  type: 'mention';
  mentioned: { id: string; name?: string };
  text?: string;
}

function isMention(e: unknown): e is MentionEntity {
  if (typeof e !== 'object' || e === null) return false;
  const m = e as Record<string, unknown>;
  const mentioned = m.mentioned as Record<string, unknown> | undefined;
  return m.type === 'mention' && typeof mentioned === 'object' && mentioned !== null && typeof mentioned.id === 'string';
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Decodes the few HTML entities Teams puts in message text (`&nbsp;`, `&amp;`...). */
function decodeEntities(s: string): string {
  return s
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * Removes the bot's own mention(s) from `text` and trims white space (new lines included).
 * The bot is `bot.id` (the activity's `recipient.id`); a mention is the bot's when an entity says
 * so, or, without entities, when its name is `bot.name`. Every other mention is kept as is.
 * Pure. Example: `"\r\n<at>Digitick</at> start <at>Alice</at>\n"` -> `"start <at>Alice</at>"`.
 */
export function stripBotMention(text: string, bot: { id: string; name?: string }, entities: readonly unknown[] = []): string {
  let out = decodeEntities(text);
  const own = entities.filter(isMention).filter((m) => m.mentioned.id === bot.id);
  const tags = new Set<string>();
  for (const m of own) {
    if (m.text) tags.add(m.text);
    if (m.mentioned.name) tags.add(`<at>${m.mentioned.name}</at>`);
  }
  if (own.length === 0 && bot.name) tags.add(`<at>${bot.name}</at>`);
  for (const tag of tags) out = out.replace(new RegExp(escapeRe(tag), 'g'), ' ');
  return out.replace(/[ \t]+/g, ' ').trim();
}

/**
 * True when the message mentions the bot (`bot.id` in a mention entity, or, when no entity names
 * the bot, `<at>bot.name</at>` in the text): in a channel, only those messages are for us
 * (chat-contract.md, "Microsoft Teams").
 */
export function mentionsBot(text: string, bot: { id: string; name?: string }, entities: readonly unknown[] = []): boolean {
  if (entities.filter(isMention).some((m) => m.mentioned.id === bot.id)) return true;
  return bot.name !== undefined && decodeEntities(text).includes(`<at>${bot.name}</at>`);
}

/** Control characters (C0, DEL) shown as U+FFFD, so an echoed word never carries them. */
const visible = (s: string): string => s.replace(/[\u0000-\u001f\u007f]/g, '\ufffd');

/** The commands of `product.md` plus Teams' `support-channel here`. */
export type TeamsCommand =
  | { name: 'start'; institutionCode?: string }
  | { name: 'help' }
  | { name: 'status'; runId?: string }
  | { name: 'resume'; runId?: string }
  | { name: 'cancel'; runId?: string }
  | { name: 'audit'; runId?: string }
  | { name: 'product'; productCode?: string }
  /** `check INSTITUTION [CHANNEL]`: the words as typed (validated by `TeamsChecks`). */
  | { name: 'check'; institution?: string; channel?: string }
  | { name: 'support_channel' }
  | { name: 'unknown'; word: string };

/**
 * Parses command text (after `stripBotMention`): optional leading `digitick-onboard` (or
 * `/digitick-onboard`), then a command word (case-insensitive) and its argument. Empty -> `start`.
 * Run ids are upper-cased (one that is not shaped like a run id is kept, cut to 40 characters, so
 * the answer names it as unknown); an institution code is kept only when it looks like one (2-15
 * letters or digits), so `start <at>Alice</at>` opens an empty form.
 */
export function parseTeamsCommand(text: string): TeamsCommand {
  const words = text
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0);
  if (words[0] && /^\/?digitick-onboard$/i.test(words[0])) words.shift();
  const word = (words[0] ?? '').toLowerCase();
  const arg = words[1];
  const runArg = arg ? { runId: visible(arg.slice(0, 40)).toUpperCase() } : {};
  switch (word) {
    case '':
    case 'start':
      return { name: 'start', ...(arg && /^[A-Za-z0-9]{2,15}$/.test(arg) ? { institutionCode: arg.toUpperCase() } : {}) };
    case 'help':
      return { name: 'help' };
    case 'status':
      return { name: 'status', ...runArg };
    case 'resume':
      return { name: 'resume', ...runArg };
    case 'cancel':
      return { name: 'cancel', ...runArg };
    case 'audit':
      return { name: 'audit', ...runArg };
    case 'product':
      return arg ? { name: 'product', productCode: visible(arg.slice(0, 40)) } : { name: 'product' };
    case 'check':
      return {
        name: 'check',
        ...(arg ? { institution: visible(arg.slice(0, 40)) } : {}),
        ...(words[2] ? { channel: visible(words[2].slice(0, 40)) } : {}),
      };
    case 'support-channel':
      return (words[1] ?? '').toLowerCase() === 'here'
        ? { name: 'support_channel' }
        : { name: 'unknown', word: words.slice(0, 2).join(' ') };
    default:
      return { name: 'unknown', word: visible(words[0] ?? '') };
  }
}
