/**
 * A run whose messages Slack keeps refusing (the bot is not in the run's channel, the channel is
 * archived or gone...): the sentence that says what is blocked, why, and how to fix it, for
 * `resume`, the operator's notice when the outbox gives a delivery up, and the App Home tab.
 *
 * Slack facts (Web API `chat.postMessage` errors): `not_in_channel` (public channel, bot not a
 * member), `channel_not_found` (private channel the bot is not in, or a deleted one),
 * `is_archived`, `restricted_action` (a workspace preference forbids it).
 */
import type { Locale } from '../../src/domain/ids';
import type { MessageBuilder } from '../../src/messages/builder';
import type { OutboxItem } from '../../src/ports/run-store.port';
import type { Run } from '../../src/workflow/types';
import { slackRef } from './block-kit';

/** Ref key of a run's given-up delivery (`BlockedDelivery`), cleared by the next successful post. */
export const SLACK_BLOCKED_REF = 'slack.blocked';

/** What a given-up delivery left on the run (no secret: an error code and counts). */
export interface BlockedDelivery {
  code: string;
  effect: string;
  attempts: number;
  at: string;
}

const KNOWN = ['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action'] as const;

/**
 * The Slack error code in an outbox error summary (`Error(slack_webapi_platform_error): An API
 * error occurred: not_in_channel`): one of the channel problems above, else the last code-like
 * word (`ratelimited`, `fatal_error`...), else `unknown`.
 */
export function blockedCode(error: string | undefined): string {
  if (!error) return 'unknown';
  const known = KNOWN.find((k) => new RegExp(`\\b${k}\\b`).test(error));
  if (known) return known;
  const m = /occurred: ([a-z_]+)/.exec(error) ?? /\(([a-z_]+)\)/.exec(error);
  return m?.[1] ?? 'unknown';
}

/** True for an error that only a person can fix (invite the bot, unarchive the channel...). */
export function isChannelProblem(code: string): boolean {
  return (KNOWN as readonly string[]).includes(code);
}

/** Why Slack refuses the run's messages and how to fix it, in the model's plain text. */
export function blockedReason(builder: MessageBuilder, L: Locale, code: string, channelId: string): string {
  const channel = slackRef(`#${channelId}`, channelId);
  return isChannelProblem(code) ? builder.t(L, `slack.blocked.${code}`, { channel }) : builder.t(L, 'slack.blocked.other', { code });
}

/** The operator's notice of a given-up delivery (ephemeral, App Home). */
export function abandonedText(builder: MessageBuilder, run: Run, blocked: BlockedDelivery): string {
  const L = run.details.language;
  return builder.t(L, 'slack.delivery.abandoned', {
    runId: run.id,
    institutionCode: run.details.institutionCode,
    what: builder.t(L, blocked.effect === 'card' ? 'slack.delivery.what.card' : 'slack.delivery.what.other'),
    attempts: blocked.attempts,
    reason: blockedReason(builder, L, blocked.code, run.channelId),
  });
}

/** The first pending item of a run that failed at least once (what `resume` could not post), or null. */
export function firstFailed(pending: OutboxItem[]): OutboxItem | null {
  return pending.find((p) => p.attempts > 0) ?? null;
}
