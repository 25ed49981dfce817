/**
 * Whether a run still has a message that failed to go out (after `resume`), and why, in plain words.
 *
 * Teams facts ("Status codes from bot conversational APIs", Microsoft Learn): the connector answers
 * `{ error: { code, message } }`, which botbuilder throws as `RestError(<code>): <message>` (the
 * outbox keeps `errorSummary()` of it): 403 `BotNotInConversationRoster` (the app was removed from
 * the team or chat), 403 `ConversationBlockedByUser`, 403 `BotDisabledByAdmin`, 403
 * `NotEnoughPermissions`, 404 `ConversationNotFound`, 5xx `ServiceError` / `InternalServerError` /
 * `BadGateway` / `GatewayTimeout`, 429 when throttled. No answer: `REQUEST_SEND_ERROR` or a socket code.
 */
import type { Locale } from '../../src/domain/ids';
import type { MessageBuilder } from '../../src/messages/builder';
import type { RunStore } from '../../src/ports/run-store.port';
import type { Effect, Run } from '../../src/workflow/types';
import { z } from 'zod';
import { TEAMS_REF } from './refs';
import { NO_ANSWER_CODES } from '../network-errors';

/** Connector codes that only a person can fix, with their `teams.blocked.*` key. */
const PEOPLE: Record<string, string> = {
  BotNotInConversationRoster: 'not_in_conversation',
  ConversationNotFound: 'conversation_not_found',
  ConversationBlockedByUser: 'blocked_by_user',
  BotDisabledByAdmin: 'disabled_by_admin',
  NotEnoughPermissions: 'not_enough_permissions',
};
const SERVER = ['ServiceError', 'InternalServerError', 'BadGateway', 'GatewayTimeout', 'ServiceUnavailable'];
const UNREACHABLE = ['REQUEST_SEND_ERROR', ...NO_ANSWER_CODES];

/**
 * True when a failed connector call means Teams is unreachable or overloaded: no answer (a socket
 * code, `REQUEST_SEND_ERROR`), HTTP 5xx or 429, or a server/throttling code; false for an answer
 * about the message (a 4xx such as `BotNotInConversationRoster`, `BadArgument`).
 */
export function isTeamsUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; statusCode?: unknown } | null;
  const status = e?.statusCode;
  if (typeof status === 'number' && status > 0) return status >= 500 || status === 429;
  const code = e?.code;
  return (
    typeof code === 'string' && (UNREACHABLE.includes(code) || SERVER.includes(code) || code === 'Throttled' || code === 'TooManyRequests')
  );
}

/**
 * What went wrong, from an outbox error summary: a `PEOPLE` key, `server_error`, `ratelimited`,
 * `unreachable`, `other:<code>` for another connector code, else `unknown`.
 */
export function notPostedCode(error: string | undefined): string {
  const code = error ? /^\w*\(([A-Za-z0-9_]+)\)/.exec(error)?.[1] : undefined;
  if (!code) return 'unknown';
  if (PEOPLE[code]) return PEOPLE[code];
  if (SERVER.includes(code)) return 'server_error';
  if (code === 'Throttled' || code === 'TooManyRequests') return 'ratelimited';
  if (UNREACHABLE.includes(code)) return 'unreachable';
  return `other:${code}`;
}

/** Why Teams refuses the run's messages and, when a person can fix it, how (`teams.blocked.*`). */
export function notPostedReason(builder: MessageBuilder, L: Locale, code: string): string {
  if (code.startsWith('other:')) return builder.t(L, 'teams.blocked.other', { code: code.slice('other:'.length, 'other:'.length + 60) });
  return builder.t(L, `teams.blocked.${code}`);
}

/** Which message was given up, naming its step (`teams.delivery.what.*`, in `L`). */
function abandonedWhat(builder: MessageBuilder, L: Locale, run: Run, effect: Effect): string {
  const stepId = 'step' in effect ? effect.step : (run.currentStep ?? undefined);
  const step = stepId ? builder.t(L, `step.${stepId}.title`) : undefined;
  switch (effect.type) {
    case 'card':
      return builder.t(L, 'teams.delivery.what.card');
    case 'step_prompt':
    case 'verification_report':
    case 'support_request':
      return builder.t(L, `teams.delivery.what.${effect.type}`, { step: step ?? '' });
    default:
      return step ? builder.t(L, 'teams.delivery.what.other_step', { step }) : builder.t(L, 'teams.delivery.what.other');
  }
}

/**
 * The starter's notice of a given-up delivery, in the run's language: which message, after how
 * many attempts, why (`notPostedReason`), and how to try again. `starter` is how they are named (a mention).
 */
export function abandonedText(
  builder: MessageBuilder,
  run: Run,
  effect: Effect,
  info: { code: string; attempts: number },
  starter: string,
): string {
  const L = run.details.language;
  return builder.t(L, 'teams.delivery.abandoned', {
    starter,
    runId: run.id,
    institutionCode: run.details.institutionCode,
    what: abandonedWhat(builder, L, run, effect),
    count: info.attempts,
    reason: notPostedReason(builder, L, info.code),
  });
}

/**
 * What keeps the step `resume` posted from being there: the first failed pending item's
 * `notPostedCode()`, else, when `since` (epoch ms the resume started) is given, the code of a
 * delivery given up since then (`teams.blocked`, `gaveUp`: not retried any more); null when
 * nothing failed (what `resume` posted is there).
 */
export async function notPostedYet(
  store: Pick<RunStore, 'pendingOutbox' | 'getRefs'>,
  runId: string,
  since?: number,
): Promise<{ code: string; gaveUp: boolean } | null> {
  const failed = (await store.pendingOutbox(100, runId)).find((p) => p.attempts > 0 || p.lastError !== undefined);
  if (failed) return { code: notPostedCode(failed.lastError), gaveUp: false };
  if (since === undefined) return null;
  const blocked = blockedSchema.safeParse((await store.getRefs(runId))[TEAMS_REF.blocked]);
  return blocked.success && blocked.data.at >= since ? { code: blocked.data.code, gaveUp: true } : null;
}

const blockedSchema = z.object({ code: z.string(), at: z.number() });
