/**
 * Inbound Bot Framework activities, parsed with zod at the edge before `CloudAdapter.process`
 * (platform-notes.md, "Teams": a body of `{}` or a malformed activity can fail outside the
 * adapter's own error handling, and an activity without `serviceUrl` would make replies go to the
 * public Bot Framework host). Unknown fields are kept (the adapter needs them).
 */
import { z } from 'zod';
import type { ConversationReference } from 'botbuilder';
import { LOCALES, type Locale } from '../../src/domain/ids';
import { cleanDisplayName } from '../../src/domain/display-text';
import type { Actor } from '../../src/workflow/types';

const account = z.looseObject({ id: z.string().min(1), name: z.string().optional(), aadObjectId: z.string().optional() });

/** The fields of an activity this surface relies on (Bot Framework Activity schema v3). */
export const inboundActivitySchema = z.looseObject({
  type: z.string().min(1),
  id: z.string().min(1).max(512).optional(),
  /** Where replies go: must be an absolute http(s) URL. */
  serviceUrl: z
    .string()
    .min(1)
    .refine((s) => {
      try {
        const u = new URL(s);
        return u.protocol === 'https:' || u.protocol === 'http:';
      } catch {
        return false;
      }
    }, 'serviceUrl must be an http(s) URL'),
  channelId: z.string().min(1),
  conversation: z.looseObject({ id: z.string().min(1), conversationType: z.string().optional(), tenantId: z.string().optional() }),
  from: account,
  recipient: account,
  text: z.string().max(20000).optional(),
  name: z.string().optional(),
  value: z.unknown().optional(),
  replyToId: z.string().optional(),
  locale: z.string().optional(),
  entities: z.array(z.unknown()).optional(),
});
export type InboundActivity = z.output<typeof inboundActivitySchema>;

/** The conversation id without Teams' thread suffix (`19:abc@thread.tacv2;messageid=123` -> `19:abc@thread.tacv2`). */
export function baseConversationId(conversationId: string): string {
  const i = conversationId.indexOf(';messageid=');
  return i >= 0 ? conversationId.slice(0, i) : conversationId;
}

/** The conversation id of the thread under root message `rootActivityId` of a channel conversation. */
export function threadConversationId(baseId: string, rootActivityId: string): string {
  return `${baseConversationId(baseId)};messageid=${rootActivityId}`;
}

/**
 * A reference to the conversation itself (no activity id, no thread suffix): what is stored with
 * a run (`teams.conversation`) and for the support channel. JSON round-trips.
 */
export function baseReference(ref: Partial<ConversationReference>): Partial<ConversationReference> {
  const copy = JSON.parse(JSON.stringify(ref)) as Partial<ConversationReference>;
  delete copy.activityId;
  if (copy.conversation) copy.conversation = { ...copy.conversation, id: baseConversationId(copy.conversation.id) };
  return copy;
}

/** True when the reference designates a Teams channel (thread replies are possible). */
export function isChannelReference(ref: Partial<ConversationReference>): boolean {
  return ref.conversation?.conversationType === 'channel';
}

/** True for a reference to a personal (one-to-one) chat with the bot. */
export function isPersonalReference(ref: Partial<ConversationReference>): boolean {
  return ref.conversation?.conversationType === 'personal';
}

/** Who acted: the AAD object id when Teams gives it (stable across chats), else the channel account id. */
export function actorOf(from: { id: string; name?: string; aadObjectId?: string }): Actor {
  // A blank name, or one that is only the user's id, is no name: "Teams user" shows instead.
  const name = cleanDisplayName(from.name, [from.id, from.aadObjectId]);
  return { id: from.aadObjectId ?? from.id, ...(name ? { name } : {}) };
}

/** The user's language when it is one of ours (`fr-FR` -> `fr`), else `fallback`. */
export function localeOf(activityLocale: string | undefined, fallback: Locale): Locale {
  const l = activityLocale?.toLowerCase().split(/[-_]/)[0];
  return (LOCALES as readonly string[]).includes(l ?? '') ? (l as Locale) : fallback;
}

/** Zod schema of a stored `ConversationReference` (only what continuing a conversation needs). */
export const storedReferenceSchema = z.looseObject({
  serviceUrl: z.string().min(1),
  channelId: z.string().min(1),
  conversation: z.looseObject({ id: z.string().min(1), conversationType: z.string().optional() }),
  bot: z.looseObject({ id: z.string() }).optional(),
  user: z.looseObject({ id: z.string() }).optional(),
});
