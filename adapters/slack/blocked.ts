/**
 * A run whose messages Slack keeps refusing (the bot is not in the run's channel, the channel is
 * archived or gone...): the sentence that says what is blocked, why, and how to fix it, for
 * `resume`, the operator's notice when the outbox gives a delivery up, and the App Home tab.
 *
 * Slack facts (Web API `chat.postMessage` errors): `not_in_channel` (public channel, bot not a
 * member), `channel_not_found` (private channel the bot is not in, or a deleted one),
 * `is_archived`, `restricted_action` (a workspace preference forbids it). Other failures, as
 * `@slack/web-api` words them: an HTTP error status (`WebAPIHTTPError(slack_webapi_http_error):
 * An HTTP protocol error occurred: statusCode = 500`), no answer (`slack_webapi_request_error`),
 * 429s (`slack_webapi_rate_limited_error`), another `ok: false` (`An API error occurred: <code>`).
 */
import type { Locale, StepId } from '../../src/domain/ids';
import type { MessageBuilder } from '../../src/messages/builder';
import type { OutboxItem } from '../../src/ports/run-store.port';
import type { Effect, Run } from '../../src/workflow/types';
import type { Logger } from '../../src/ports/logger.port';
import type { RunStore } from '../../src/ports/run-store.port';
import { slackRef, textPayload } from './block-kit';
import type { SlackWeb } from './delivery/slack-web';
import { slackErrorCode } from './web-errors';

/** Ref key of a run's given-up delivery (`BlockedDelivery`), cleared by the next successful post. */
export const SLACK_BLOCKED_REF = 'slack.blocked';

/** What a given-up delivery left on the run (no secret: an error code, the step it was about, counts). */
export interface BlockedDelivery {
  /** `blockedCode()` of the last error. */
  code: string;
  /** The effect type given up (`card`, `step_prompt`...). */
  effect: string;
  /** The step the message was about (the effect's, else the run's current step then). */
  step?: StepId;
  attempts: number;
  at: string;
}

/** The step a given-up effect was about: its own step, else the run's current step (none when finished). */
export function blockedStep(run: Run, effect: Effect): StepId | undefined {
  if ('step' in effect) return effect.step;
  return run.currentStep ?? undefined;
}

const KNOWN = ['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action'] as const;

/**
 * What went wrong, from an outbox error summary (`errorSummary()` of the Web API error): one of
 * the channel problems above; `http_<status>` (Slack answered an HTTP error status);
 * `unreachable` (no answer: network, timeout, reset); `ratelimited` (429s not waited out);
 * Slack's own code for another `ok: false` (`fatal_error`...); else `unknown`.
 */
export function blockedCode(error: string | undefined): string {
  if (!error) return 'unknown';
  const known = KNOWN.find((k) => new RegExp(`\\b${k}\\b`).test(error));
  if (known) return known;
  const http = /\(slack_webapi_http_error\)[^]*?statusCode = (\d{3})/.exec(error);
  if (http) return `http_${http[1]}`;
  if (error.includes('(slack_webapi_request_error)')) return 'unreachable';
  if (error.includes('(slack_webapi_rate_limited_error)')) return 'ratelimited';
  const platform = /An API error occurred: ([a-z0-9_]+)/.exec(error);
  return platform?.[1] ?? 'unknown';
}

/** True for an error that only a person can fix (invite the bot, unarchive the channel...). */
export function isChannelProblem(code: string): boolean {
  return (KNOWN as readonly string[]).includes(code);
}

/** Why Slack refuses the run's messages (and how to fix it when a person can), in the model's plain text. */
export function blockedReason(builder: MessageBuilder, L: Locale, code: string, channelId: string): string {
  const channel = slackRef(`#${channelId}`, channelId);
  if (isChannelProblem(code)) return builder.t(L, `slack.blocked.${code}`, { channel });
  const http = /^http_(\d{3})$/.exec(code);
  if (http) return builder.t(L, Number(http[1]) >= 500 ? 'slack.blocked.server_error' : 'slack.blocked.http_status', { status: http[1]! });
  if (code === 'unreachable' || code === 'ratelimited' || code === 'unknown') return builder.t(L, `slack.blocked.${code}`);
  return builder.t(L, 'slack.blocked.other', { code });
}

/** Which message was given up, naming its step (`slack.delivery.what.*`, in the run's language). */
export function blockedWhat(builder: MessageBuilder, L: Locale, blocked: Pick<BlockedDelivery, 'effect' | 'step'>): string {
  const step = blocked.step ? builder.t(L, `step.${blocked.step}.title`) : undefined;
  switch (blocked.effect) {
    case 'card':
      return builder.t(L, 'slack.delivery.what.card');
    case 'step_prompt':
    case 'verification_report':
    case 'support_request':
      return builder.t(L, `slack.delivery.what.${blocked.effect}`, { step: step ?? '' });
    default:
      return step ? builder.t(L, 'slack.delivery.what.other_step', { step }) : builder.t(L, 'slack.delivery.what.other');
  }
}

/** The operator's notice of a given-up delivery (ephemeral, App Home): which message, why, what to do. */
export function abandonedText(builder: MessageBuilder, run: Run, blocked: BlockedDelivery): string {
  const L = run.details.language;
  return builder.t(L, 'slack.delivery.abandoned', {
    runId: run.id,
    institutionCode: run.details.institutionCode,
    what: blockedWhat(builder, L, blocked),
    attempts: blocked.attempts,
    reason: blockedReason(builder, L, blocked.code, run.channelId),
  });
}

/** The first pending item of a run that failed at least once (counted or while Slack was unreachable) (what `resume` could not post), or null. */
export function firstFailed(pending: OutboxItem[]): OutboxItem | null {
  return pending.find((p) => p.attempts > 0 || p.lastError !== undefined) ?? null;
}

/** What `tellAbandoned` needs of the notifier. */
export interface AbandonedDeps {
  store: RunStore;
  client: SlackWeb;
  builder: MessageBuilder;
  logger: Logger;
  /** Publishes a user's App Home tab again. */
  /** Republishes a user's Home tab with the runs of organisation `org` (the run's). */
  republishHome?: (userId: string, org?: string) => Promise<void>;
}

/**
 * The outbox gave `effect` up: remembers it on the run (App Home shows it until a later post
 * succeeds), tells the run's starter ephemerally in the run's channel when Slack lets it, and
 * publishes their App Home tab again. Never throws for a failed notice (logged).
 */
export async function tellAbandoned(
  deps: AbandonedDeps,
  run: Run,
  effect: Effect,
  info: { error: string; attempts: number },
): Promise<void> {
  const step = blockedStep(run, effect);
  const blocked: BlockedDelivery = {
    code: blockedCode(info.error),
    effect: effect.type,
    ...(step ? { step } : {}),
    attempts: info.attempts,
    at: new Date().toISOString(),
  };
  await deps.store.putRef(run.id, SLACK_BLOCKED_REF, blocked);
  const user = run.startedBy.id;
  if (!/^[UW][A-Z0-9]{2,}$/.test(user)) return;
  try {
    const payload = textPayload(abandonedText(deps.builder, run, blocked));
    await deps.client.apiCall('chat.postEphemeral', { channel: run.channelId, user, ...payload });
  } catch (err) {
    deps.logger.warn({ runId: run.id, slackError: slackErrorCode(err) }, 'could not tell the operator ephemerally: App Home only');
  }
  await deps
    .republishHome?.(user, run.org)
    .catch((err: unknown) => deps.logger.warn({ runId: run.id, slackError: slackErrorCode(err) }, 'App Home not published'));
}
