/**
 * Socket Mode, watched: whether the WebSocket to Slack is connected (for `/readyz`), a clear error
 * naming the URL when it cannot connect ("Slack Socket Mode: cannot connect to <url>"), and a start
 * that says which token Slack rejected.
 *
 * `@slack/socket-mode` facts: `apps.connections.open` (with the app-level token) gives a `wss://`
 * URL (`authenticated` event); the client emits `connected` on Slack's `hello`, `error` then
 * `close` when the socket fails, and reconnects by itself (5 s, 10 s, 15 s ...). `start()` settles
 * only once connected (or rejects for an unrecoverable `apps.connections.open` error such as
 * `invalid_auth`); a WebSocket that refuses keeps it pending forever.
 */
import type { SocketModeReceiver } from '@slack/bolt';
import type { AppLogger } from '../logger';
import { errText } from './err-text';
import { SlackStartError } from './start-check';
import { slackErrorCode } from './web-errors';

type SocketClient = SocketModeReceiver['client'];

/** The WebSocket URL without its query (Slack's `ticket` is a credential of sorts): `wss://host/path`. */
export function loggableSocketUrl(url: string | undefined): string {
  if (!url) return 'the Socket Mode URL (none received yet)';
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'an unreadable Socket Mode URL';
  }
}

/**
 * The most telling words of a WebSocket failure: the first code (`ECONNREFUSED`...) or non-empty
 * message down its `original` / `error` / `cause` chain (the socket error wraps an `ErrorEvent`
 * whose `TypeError` has no message when the connection is refused).
 */
export function socketErrorText(err: unknown): string {
  let e: unknown = err;
  let message: string | undefined;
  for (let i = 0; i < 6 && typeof e === 'object' && e !== null; i++) {
    const o = e as { code?: unknown; message?: unknown; original?: unknown; error?: unknown; cause?: unknown };
    if (typeof o.code === 'string' && /^E[A-Z_]+$/.test(o.code))
      return `${o.code}${typeof o.message === 'string' && o.message ? `: ${o.message}` : ''}`.slice(0, 300);
    if (typeof o.message === 'string' && o.message.trim() && !/^A WebSocket error occurred/i.test(o.message)) message ??= o.message;
    e = o.original ?? o.error ?? o.cause;
  }
  // undici's WebSocket says nothing more (an empty TypeError) when the connection or handshake fails.
  return (message ?? 'no WebSocket connection: refused, reset, or not a WebSocket server').slice(0, 300);
}

/** Tracks the Socket Mode connection and logs its failures once per outage (then every 10th). */
export class SocketModeWatch {
  connected = false;
  private url: string | undefined;
  private failures = 0;
  private lastError: string | undefined;

  constructor(client: SocketClient, log: AppLogger) {
    client.on('authenticated', (resp: { url?: unknown }) => {
      if (typeof resp?.url === 'string') this.url = resp.url;
    });
    client.on('error', (err: unknown) => {
      this.lastError = socketErrorText(err);
    });
    client.on('connected', () => {
      const at = loggableSocketUrl(this.url);
      if (this.failures > 0) log.info({ url: at, failures: this.failures }, `Slack Socket Mode: connected to ${at} again`);
      else log.info({ url: at }, `Slack Socket Mode: connected to ${at}`);
      this.connected = true;
      this.failures = 0;
    });
    client.on('close', () => {
      const was = this.connected;
      this.connected = false;
      const at = loggableSocketUrl(this.url);
      if (was) {
        log.warn({ url: at }, `Slack Socket Mode: connection to ${at} closed; reconnecting`);
        return;
      }
      this.failures += 1;
      if (this.failures === 1 || this.failures % 10 === 0)
        log.error(
          { url: at, failures: this.failures, err: this.lastError },
          `Slack Socket Mode: cannot connect to ${at}${this.lastError ? ` (${this.lastError})` : ''}; retrying (GET /readyz answers 503 until connected)`,
        );
    });
    client.on('disconnected', () => {
      this.connected = false;
    });
  }
}

/**
 * Starts Socket Mode (`app.start()`): resolves once connected, or after `waitMs` while the
 * WebSocket does not connect (the client keeps retrying; `SocketModeWatch` logs it and `/readyz`
 * says 503). @throws SlackStartError when Slack rejects the app-level token, or when the API
 * cannot be reached for `apps.connections.open`.
 */
export async function startSocketMode(
  start: () => Promise<unknown>,
  opts: { apiUrl: string | undefined; waitMs: number; log: AppLogger },
): Promise<void> {
  const at = opts.apiUrl ?? 'https://slack.com/api/';
  const hint = opts.apiUrl ? ' and SLACK_API_URL' : '';
  let failed: unknown;
  const starting = start().then(
    () => 'connected' as const,
    (err: unknown) => {
      failed = err;
      return 'failed' as const;
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<'waiting'>((resolve) => {
    timer = setTimeout(() => resolve('waiting'), opts.waitMs);
  });
  const outcome = await Promise.race([starting, waited]).finally(() => clearTimeout(timer));
  if (outcome === 'waiting') {
    // Still not connected: serve anyway (the client retries); a later unrecoverable failure is logged.
    void starting.then((o) => {
      if (o === 'failed') opts.log.error({ err: errText(failed) }, `Slack Socket Mode: gave up connecting (${errText(failed)})`);
    });
    return;
  }
  if (outcome === 'connected') return;
  const code = slackErrorCode(failed);
  if (code !== undefined)
    throw new SlackStartError(code, `Slack rejected the app-level token (apps.connections.open: ${code}). Check SLACK_APP_TOKEN${hint}.`);
  throw new SlackStartError(
    'unreachable',
    `Slack API unreachable at ${at} for Socket Mode (apps.connections.open: ${errText(failed)}). Check the network${hint}.`,
  );
}
