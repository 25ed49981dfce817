/**
 * Signed Slack requests for tests: `x-slack-signature` = `v0=` + hex HMAC-SHA256 of
 * `v0:<timestamp>:<raw body>` with the signing secret, `x-slack-request-timestamp` in seconds
 * (source: Slack's "Verifying requests from Slack"; `chat-contract.md`). Slash commands and
 * interactions are `application/x-www-form-urlencoded` (interactions: `payload=<json>`).
 */
import { createHmac } from 'node:crypto';

/** The signature header value of `body` at `timestampSec`. */
export function slackSignature(secret: string, timestampSec: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSec}:${body}`).digest('hex')}`;
}

/** What a signed POST answered, and how long it took (ms, wall clock). */
export interface SignedAnswer {
  status: number;
  body: string;
  json: unknown;
  ms: number;
}

/** Options of `postSigned`: a wrong secret, an old timestamp. */
export interface SignOptions {
  secret: string;
  /** Seconds since the epoch (default: now). */
  timestampSec?: number;
  /** More headers (e.g. `X-Slack-Retry-Num` for a Slack retry). */
  headers?: Record<string, string>;
}

/** POSTs a form-encoded body to `url`, signed. */
export async function postSigned(url: string, body: string, opts: SignOptions): Promise<SignedAnswer> {
  const ts = opts.timestampSec ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Slack-Request-Timestamp': String(ts),
      'X-Slack-Signature': slackSignature(opts.secret, ts, body),
      ...opts.headers,
    },
    body,
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, body: text, json, ms };
}

/** A slash command body (form fields as Slack sends them). */
export function commandBody(fields: {
  text: string;
  user_id: string;
  user_name?: string;
  channel_id: string;
  channel_name?: string;
  trigger_id?: string;
  response_url?: string;
  command?: string;
}): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0TEAM001',
    team_domain: 'fake',
    channel_id: fields.channel_id,
    channel_name: fields.channel_name ?? 'onboarding',
    user_id: fields.user_id,
    user_name: fields.user_name ?? 'operator',
    command: fields.command ?? '/digitick-onboard',
    text: fields.text,
    api_app_id: 'A0APP0001',
    is_enterprise_install: 'false',
    response_url: fields.response_url ?? 'https://hooks.slack.invalid/commands/none',
    trigger_id: fields.trigger_id ?? `trigger.${Math.random().toString(36).slice(2)}`,
  }).toString();
}

/** An interaction body: `payload=<json>`. */
export function interactionBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A `block_actions` payload for one button click. */
export function blockActionsPayload(a: {
  user: string;
  userName?: string;
  channel: string;
  messageTs: string;
  actionId: string;
  value: unknown;
  responseUrl?: string;
  ephemeral?: boolean;
  /** Slack's click time (`1700000000.123456`); default: now, with random micro-seconds (unique per click). */
  actionTs?: string;
}): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: 'T0TEAM001', domain: 'fake' },
    user: { id: a.user, username: a.userName ?? a.user.toLowerCase(), name: a.userName ?? a.user.toLowerCase(), team_id: 'T0TEAM001' },
    api_app_id: 'A0APP0001',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: a.messageTs, channel_id: a.channel, is_ephemeral: a.ephemeral ?? false },
    trigger_id: `trigger.${Math.random().toString(36).slice(2)}`,
    channel: { id: a.channel, name: 'onboarding' },
    message: { type: 'message', ts: a.messageTs, text: '' },
    response_url: a.responseUrl ?? 'https://hooks.slack.invalid/actions/none',
    actions: [
      {
        action_id: a.actionId,
        block_id: 'run_actions',
        text: { type: 'plain_text', text: a.actionId },
        value: a.value,
        type: 'button',
        action_ts: a.actionTs ?? `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`,
      },
    ],
  };
}

/** A `view_submission` payload: `values` maps input id -> typed text (or a select's value with `select:`). */
export function viewSubmissionPayload(v: {
  user: string;
  userName?: string;
  callbackId: string;
  privateMetadata: string;
  values: Record<string, string | null>;
  selects?: string[];
  /** `view.id` and `view.hash` (default: a fresh id per payload, like a newly opened modal). */
  viewId?: string;
  viewHash?: string;
}): Record<string, unknown> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const [id, value] of Object.entries(v.values)) {
    values[id] = {
      [id]: v.selects?.includes(id)
        ? { type: 'static_select', selected_option: value === null ? null : { text: { type: 'plain_text', text: value }, value } }
        : { type: 'plain_text_input', value },
    };
  }
  return {
    type: 'view_submission',
    team: { id: 'T0TEAM001', domain: 'fake' },
    user: { id: v.user, username: v.userName ?? v.user.toLowerCase(), name: v.userName ?? v.user.toLowerCase(), team_id: 'T0TEAM001' },
    api_app_id: 'A0APP0001',
    token: 'legacy-verification-token',
    trigger_id: `trigger.${Math.random().toString(36).slice(2)}`,
    view: {
      id: v.viewId ?? `V${Math.random().toString(36).slice(2, 12).toUpperCase()}`,
      team_id: 'T0TEAM001',
      type: 'modal',
      callback_id: v.callbackId,
      private_metadata: v.privateMetadata,
      state: { values },
      hash: v.viewHash ?? '1700000000.abc',
      title: { type: 'plain_text', text: 'x' },
      blocks: [],
    },
    response_urls: [],
    is_enterprise_install: false,
  };
}
