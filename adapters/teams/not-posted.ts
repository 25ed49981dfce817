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
import { z } from 'zod';
import { TEAMS_REF } from './refs';

/** Connector codes that only a person can fix, with their `teams.blocked.*` key. */
const PEOPLE: Record<string, string> = {
  BotNotInConversationRoster: 'not_in_conversation',
  ConversationNotFound: 'conversation_not_found',
  ConversationBlockedByUser: 'blocked_by_user',
  BotDisabledByAdmin: 'disabled_by_admin',
  NotEnoughPermissions: 'not_enough_permissions',
};
const SERVER = ['ServiceError', 'InternalServerError', 'BadGateway', 'GatewayTimeout', 'ServiceUnavailable'];
const UNREACHABLE = ['REQUEST_SEND_ERROR', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN'];

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
  const failed = (await store.pendingOutbox(100, runId)).find((p) => p.attempts > 0);
  if (failed) return { code: notPostedCode(failed.lastError), gaveUp: false };
  if (since === undefined) return null;
  const blocked = blockedSchema.safeParse((await store.getRefs(runId))[TEAMS_REF.blocked]);
  return blocked.success && blocked.data.at >= since ? { code: blocked.data.code, gaveUp: true } : null;
}

const blockedSchema = z.object({ code: z.string(), at: z.number() });
