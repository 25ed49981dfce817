/**
 * Where the bot speaks in Teams and how it says hello (issue 9). The app manifest
 * (`app-package/manifest.json`) declares the `personal` and `team` scopes only: a group chat or a
 * meeting chat (`conversationType` `groupChat`; a meeting chat also has `channelData.meeting`)
 * gets one polite refusal naming where the bot works, never a half-working run. Adding the bot to
 * a team or a chat (conversationUpdate with the bot in `membersAdded`) and installing it
 * (installationUpdate `add`) get a short welcome with `help`; Teams sends both on one install,
 * so a conversation is welcomed once until the bot is removed from it.
 */

/** Conversation types of the manifest's scopes: `personal` chat, team `channel`. */
export const SUPPORTED_CONVERSATION_TYPES: readonly string[] = ['personal', 'channel'];

/** True when the bot serves this `conversation.conversationType` (absent: a personal chat, as the Bot Framework emulator sends). */
export function isSupportedConversation(conversationType: string | undefined): boolean {
  return conversationType === undefined || SUPPORTED_CONVERSATION_TYPES.includes(conversationType);
}

/** True when a message holds files or images but no text (nothing to read as a command). */
export function isAttachmentOnly(text: string, attachments: readonly unknown[] | undefined): boolean {
  return text.trim() === '' && (attachments?.length ?? 0) > 0;
}

/** Conversations welcomed since start (bounded, in memory): one welcome per install. */
export class WelcomedConversations {
  private readonly seen = new Set<string>();
  constructor(private readonly max = 5000) {}

  /** True the first time `conversationId` is seen (then remembered). */
  first(conversationId: string): boolean {
    if (this.seen.has(conversationId)) return false;
    this.seen.add(conversationId);
    if (this.seen.size > this.max) this.seen.delete(this.seen.values().next().value as string);
    return true;
  }

  /** The bot was removed or uninstalled: a later install is welcomed again. */
  forget(conversationId: string): void {
    this.seen.delete(conversationId);
  }
}
