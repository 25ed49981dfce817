/**
 * A fake Slack Web API over loopback HTTP (`node:http` on 127.0.0.1, port 0), used through
 * `SLACK_API_URL`. It behaves like Slack for what this project calls (facts: `platform-notes.md`):
 * bodies are `application/x-www-form-urlencoded` with `blocks`, `view`, `metadata`, `attachments`
 * as JSON strings inside form fields; the token is in `Authorization: Bearer`. It records every
 * call, keeps posted messages (so `chat.update` edits them in place, and `conversations.history`
 * / `conversations.replies` read them back with their metadata), and can be told to fail (429 with
 * `Retry-After`, a Slack error such as `channel_not_found`, HTTP 5xx, or an ambiguous failure: the
 * call takes effect but the answer is a 5xx or the connection is reset).
 * It also serves `POST /response/<id>` as a `response_url` target.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { slackPayloadProblems } from './slack-payload-check';

/** One recorded Web API call (or `response_url` post, method `response_url`). */
export interface FakeSlackCall {
  method: string;
  /** Parsed arguments: form fields, with JSON fields decoded. */
  args: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  /** The raw body as received. */
  raw: string;
  /** Answer given: HTTP status and Slack `error` when `ok: false` (status 0: connection reset). */
  status: number;
  error?: string;
  /** When the call arrived (`Date.now()`, ms), to print timings. */
  at: number;
}

/** A message as the fake keeps it (latest content after `chat.update`). */
export interface FakeSlackMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks: Record<string, unknown>[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** How many times `chat.update` changed it. */
  updates: number;
}

/**
 * A file of the v2 upload flow (`files.getUploadURLExternal` -> POST to its `upload_url` ->
 * `files.completeUploadExternal`), as the fake keeps it.
 */
export interface FakeSlackFile {
  id: string;
  filename: string;
  /** `length` announced to `files.getUploadURLExternal` (bytes). */
  length: number;
  /** The bytes posted to the upload URL, as UTF-8 text (undefined until uploaded). */
  content?: string;
  /** Set by `files.completeUploadExternal`. */
  title?: string;
  channel?: string;
  thread_ts?: string;
  initial_comment?: string;
  completed: boolean;
}

/** A programmed failure: applies to the next `times` calls of `method` (default 1). */
export type FakeSlackFailure =
  /** `retryAfterSeconds: null`: a 429 without a Retry-After header (a proxy's, not Slack's). */
  | { kind: 'rate_limited'; retryAfterSeconds: number | null; times?: number }
  | { kind: 'slack_error'; error: string; times?: number }
  | { kind: 'http'; status: number; times?: number }
  /** The call takes effect (a message is posted), then the answer is HTTP `status` (ambiguous for the caller). */
  | { kind: 'lands_then_http'; status: number; times?: number }
  /** The call takes effect, then the connection is destroyed without an answer (ambiguous for the caller). */
  | { kind: 'lands_then_reset'; times?: number };

const JSON_FIELDS = ['blocks', 'view', 'metadata', 'attachments', 'files'];

/**
 * A workspace the fake serves in OAuth mode (several at once): its install through
 * `GET /oauth/v2/authorize` + `oauth.v2.access` hands out a bot token of its own, which
 * `auth.test` answers with this workspace's ids. `enterpriseId` + `orgWide`: an Enterprise Grid
 * org-wide install (`is_enterprise_install`, no team in the answer).
 */
export interface FakeWorkspace {
  teamId: string;
  teamName: string;
  enterpriseId?: string;
  enterpriseName?: string;
  orgWide?: boolean;
  botUserId: string;
  botId: string;
  /**
   * The workspace's channels: when given, a call with this workspace's token about another
   * channel answers `channel_not_found` (as Slack does for a channel of another workspace).
   */
  channels?: string[];
  /** Its people: `users.info` answers their real name and, with the `users:read.email` scope granted, their email. */
  users?: Record<string, { realName: string; email: string }>;
}

export class FakeSlackApi {
  readonly calls: FakeSlackCall[] = [];
  readonly messages = new Map<string, FakeSlackMessage>();
  /** What `auth.test` answers about the bot. */
  bot = { user_id: 'UBOT0001', bot_id: 'BBOT0001', team_id: 'T0TEAM001' };
  /** Tokens `auth.test` accepts; others get `invalid_auth`. */
  validTokens = new Set<string>(['fakebot-test-token']);
  /** Channels the bot is not in: `chat.postMessage` answers `not_in_channel`. */
  notInChannels = new Set<string>();
  /**
   * User groups (`S...` id -> member user ids) answered by `usergroups.users.list`
   * (`{ ok, users }`; an unknown group answers `no_such_subteam`, as Slack does).
   */
  userGroups = new Map<string, string[]>();
  /**
   * Each user's Slack locale (IETF tag, e.g. `fr-FR`) answered by `users.info` with
   * `include_locale: true`; a user not listed has Slack's default `en-US`. Without
   * `include_locale` the answer has no `locale`, as Slack's.
   */
  userLocales = new Map<string, string>();
  /** Each user's profile names answered by `users.info` (`user.real_name`, `user.profile`); unset: none, as a bare account. */
  userProfiles = new Map<string, { real_name?: string; display_name?: string }>();
  /** The Home tab each user sees: the last view published for them (`views.publish`). */
  readonly homeViews = new Map<string, { type: 'home'; blocks: Record<string, unknown>[] }>();
  /**
   * Files of the v2 upload flow by file id. Upload URLs are on this fake (`POST /upload/<id>`, no
   * token: Slack's are pre-signed); the bytes are read from a multipart `body` field (what
   * `@slack/web-api` sends) or taken raw.
   */
  readonly files = new Map<string, FakeSlackFile>();
  /** OAuth: the app's credentials `oauth.v2.access` checks (unset: OAuth is not served). */
  oauthApp?: { clientId: string; clientSecret: string; redirectUrl: string };
  /** Workspaces that can install the app (by team id, or enterprise id for an org-wide one). */
  readonly workspaces = new Map<string, FakeWorkspace>();
  /** Bot token -> the workspace it belongs to (tokens handed out by `oauth.v2.access`). */
  readonly tokenWorkspace = new Map<string, FakeWorkspace>();
  /** Bot token -> the scopes granted with it (`oauth.v2.access`). */
  readonly tokenScopes = new Map<string, string[]>();
  /** Which workspace the next authorize approves as (the user's choice on Slack's page). */
  private installingAs?: string;
  private readonly codes = new Map<string, { ws: FakeWorkspace; scope: string }>();
  private readonly failures = new Map<string, FakeSlackFailure[]>();
  private seq = 0;
  private server?: http.Server;
  private base = '';

  /** Starts listening on 127.0.0.1 with a free port. */
  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}`;
    return this;
  }

  /**
   * Stops the server and drops open connections, then fails (throws) when a payload received
   * was unescaped mrkdwn or broke a Block Kit limit (`payloadProblems`): every suite that stops
   * its fake in `afterAll` checks every payload of its runs.
   */
  async stop(): Promise<void> {
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
      this.server = undefined;
    }
    const problems = this.payloadProblems();
    if (problems.length > 0) throw new Error(`Slack payloads Slack would show wrongly or refuse:\n${problems.slice(0, 30).join('\n')}`);
  }

  /**
   * Values the suite typed literally (an institution name typed as `&amp;`): shown as typed,
   * they are escaped once more on purpose, which the payload check must not call a double escape.
   */
  readonly typedValues: string[] = [];

  /** Unescaped mrkdwn and Block Kit limits broken in the payloads received so far. */
  payloadProblems(): string[] {
    return this.calls.flatMap((c) => slackPayloadProblems(c.method, c.args, { typed: this.typedValues }));
  }

  /** The Web API base URL (`SLACK_API_URL`), ending with `/api/`. */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  /** A `response_url` served by this fake. */
  responseUrl(id: string): string {
    return `${this.base}/response/${encodeURIComponent(id)}`;
  }

  /** Makes the next call(s) of `method` fail. */
  fail(method: string, failure: FakeSlackFailure): void {
    const list = this.failures.get(method) ?? [];
    list.push(failure);
    this.failures.set(method, list);
  }

  /** Adds a workspace that may install the app. */
  addWorkspace(ws: FakeWorkspace): FakeWorkspace {
    this.workspaces.set(ws.orgWide && ws.enterpriseId ? ws.enterpriseId : ws.teamId, ws);
    return ws;
  }

  /** The next `GET /oauth/v2/authorize` is approved by a user of this workspace (team id, or enterprise id). */
  approveNextInstallAs(id: string): void {
    this.installingAs = id;
  }

  /** The bot token a call was made with (`Authorization: Bearer` or the `token` field). */
  static tokenOf(call: FakeSlackCall): string | undefined {
    return (
      /^Bearer\s+(.+)$/.exec(String(call.headers.authorization ?? ''))?.[1] ??
      (typeof call.args.token === 'string' ? call.args.token : undefined)
    );
  }

  /** The current bot tokens of a workspace (team id or enterprise id). */
  tokensOf(id: string): string[] {
    return [...this.tokenWorkspace].filter(([, w]) => w.teamId === id || w.enterpriseId === id).map(([t]) => t);
  }

  /** Revokes every token of a workspace (what an uninstall does on Slack's side). */
  revokeTokensOf(id: string): void {
    for (const t of this.tokensOf(id)) {
      this.validTokens.delete(t);
      this.tokenWorkspace.delete(t);
    }
  }

  /** `GET /oauth/v2/authorize`: Slack's consent page, approved at once by the `approveNextInstallAs` workspace. */
  private authorize(url: URL, res: http.ServerResponse): void {
    const q = Object.fromEntries(url.searchParams);
    this.calls.push({ method: 'oauth.authorize', args: q, headers: {}, raw: url.search, status: 302, at: Date.now() });
    const ws = this.installingAs ? this.workspaces.get(this.installingAs) : undefined;
    if (!this.oauthApp || q.client_id !== this.oauthApp.clientId || !ws) {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end('invalid_client_id or no workspace chosen');
      return;
    }
    this.installingAs = undefined;
    this.seq += 1;
    const code = `code-${this.seq}`;
    this.codes.set(code, { ws, scope: q.scope ?? '' });
    const back = new URL(q.redirect_uri ?? this.oauthApp.redirectUrl);
    back.searchParams.set('code', code);
    if (q.state) back.searchParams.set('state', q.state);
    res.writeHead(302, { Location: back.toString() });
    res.end();
  }

  /** `oauth.v2.access`: exchanges a code for a fresh bot token of the approving workspace. */
  private oauthAccess(args: Record<string, unknown>): Record<string, unknown> {
    if (!this.oauthApp || args.client_id !== this.oauthApp.clientId || args.client_secret !== this.oauthApp.clientSecret)
      return { ok: false, error: 'invalid_client_id' };
    const grant = this.codes.get(String(args.code ?? ''));
    if (!grant) return { ok: false, error: 'invalid_code' };
    this.codes.delete(String(args.code));
    const { ws } = grant;
    this.seq += 1;
    const token = `fakebot-${(ws.orgWide ? ws.enterpriseId : ws.teamId)!.toLowerCase()}-${this.seq}`;
    this.validTokens.add(token);
    this.tokenWorkspace.set(token, ws);
    this.tokenScopes.set(token, grant.scope.split(',').filter(Boolean));
    const orgWide = Boolean(ws.orgWide && ws.enterpriseId);
    return {
      ok: true,
      app_id: 'A0APP0001',
      authed_user: { id: 'U0INSTALLER' },
      scope: grant.scope,
      token_type: 'bot',
      access_token: token,
      bot_user_id: ws.botUserId,
      team: orgWide ? null : { id: ws.teamId, name: ws.teamName },
      enterprise: ws.enterpriseId ? { id: ws.enterpriseId, name: ws.enterpriseName ?? ws.enterpriseId } : null,
      is_enterprise_install: orgWide,
    };
  }

  /** Drops every programmed failure not used yet. */
  clearFailures(): void {
    this.failures.clear();
  }

  /** Recorded calls of one method. */
  callsOf(method: string): FakeSlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages in a channel (root and thread), in posting order. */
  messagesIn(channel: string, threadTs?: string): FakeSlackMessage[] {
    return [...this.messages.values()].filter((m) => m.channel === channel && (threadTs === undefined || m.thread_ts === threadTs));
  }

  private nextTs(): string {
    this.seq += 1;
    return `1700000000.${String(this.seq).padStart(6, '0')}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.base);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname.startsWith('/response/')) {
      let args: Record<string, unknown> = {};
      try {
        args = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        /* recorded as empty */
      }
      this.calls.push({
        method: 'response_url',
        args: { ...args, id: decodeURIComponent(url.pathname.slice('/response/'.length)) },
        headers: req.headers,
        raw,
        status: 200,
        at: Date.now(),
      });
      send(200, { ok: true });
      return;
    }
    if (url.pathname.startsWith('/upload/') && req.method === 'POST') {
      const id = decodeURIComponent(url.pathname.slice('/upload/'.length));
      const file = this.files.get(id);
      const call: FakeSlackCall = { method: 'upload', args: { id }, headers: req.headers, raw, status: 200, at: Date.now() };
      this.calls.push(call);
      if (!file) {
        call.status = 404;
        send(404, { ok: false, error: 'file_not_found' });
        return;
      }
      const bytes = Buffer.concat(chunks);
      const type = String(req.headers['content-type'] ?? '');
      if (type.startsWith('multipart/form-data')) {
        const form = await new Response(bytes, { headers: { 'content-type': type } }).formData();
        const part = form.get('body') ?? form.get('file');
        // Bytes, not `part.text()`: TextDecoder would drop a leading byte order mark.
        file.content = typeof part === 'string' ? part : part ? Buffer.from(await part.arrayBuffer()).toString('utf8') : '';
      } else file.content = bytes.toString('utf8');
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`OK - ${Buffer.byteLength(file.content)}`);
      return;
    }
    if (url.pathname === '/oauth/v2/authorize' && req.method === 'GET') {
      this.authorize(url, res);
      return;
    }
    const m = /^\/api\/([a-zA-Z0-9.]+)$/.exec(url.pathname);
    if (!m || req.method !== 'POST') {
      send(404, { ok: false, error: 'unknown_method' });
      return;
    }
    const method = m[1]!;
    const args = this.parseArgs(raw, req.headers['content-type']);
    const call: FakeSlackCall = { method, args, headers: req.headers, raw, status: 200, at: Date.now() };
    this.calls.push(call);

    const programmed = this.failures.get(method)?.[0];
    if (programmed) {
      programmed.times = (programmed.times ?? 1) - 1;
      if (programmed.times <= 0) this.failures.get(method)!.shift();
      if (programmed.kind === 'rate_limited') {
        call.status = 429;
        call.error = 'ratelimited';
        send(
          429,
          { ok: false, error: 'ratelimited' },
          programmed.retryAfterSeconds === null ? {} : { 'Retry-After': String(programmed.retryAfterSeconds) },
        );
        return;
      }
      if (programmed.kind === 'http') {
        call.status = programmed.status;
        send(programmed.status, { ok: false, error: 'fatal_error' });
        return;
      }
      if (programmed.kind === 'lands_then_http' || programmed.kind === 'lands_then_reset') {
        const landed = this.answer(method, args);
        if (landed.ok === false) call.error = String(landed.error);
        if (programmed.kind === 'lands_then_reset') {
          call.status = 0;
          req.socket.destroy();
          return;
        }
        call.status = programmed.status;
        send(programmed.status, { ok: false, error: 'fatal_error' });
        return;
      }
      call.error = programmed.error;
      send(200, { ok: false, error: programmed.error });
      return;
    }

    if (method === 'oauth.v2.access') {
      const answer = this.oauthAccess(args);
      if (answer.ok === false) call.error = String(answer.error);
      send(200, answer);
      return;
    }
    const token =
      /^Bearer\s+(.+)$/.exec(String(req.headers.authorization ?? ''))?.[1] ?? (typeof args.token === 'string' ? args.token : undefined);
    if (!token || !this.validTokens.has(token)) {
      call.error = token ? 'invalid_auth' : 'not_authed';
      send(200, { ok: false, error: call.error });
      return;
    }
    const ws = this.tokenWorkspace.get(token);
    const answer =
      method === 'auth.test' && ws
        ? {
            ok: true,
            url: `https://${ws.teamId.toLowerCase()}.slack.test/`,
            team: ws.orgWide ? (ws.enterpriseName ?? ws.enterpriseId) : ws.teamName,
            user: 'digitick',
            user_id: ws.botUserId,
            bot_id: ws.botId,
            ...(ws.orgWide ? {} : { team_id: ws.teamId }),
            ...(ws.enterpriseId ? { enterprise_id: ws.enterpriseId, is_enterprise_install: Boolean(ws.orgWide) } : {}),
          }
        : (this.workspaceAnswer(ws, token, method, args) ?? this.answer(method, args));
    if (answer.ok === false) call.error = String(answer.error);
    send(200, answer);
  }

  /**
   * What a workspace of OAuth mode answers itself: another workspace's channel is not found, and
   * `users.info` knows its people (email only with `users:read.email`). Undefined: the common answer.
   */
  private workspaceAnswer(
    ws: FakeWorkspace | undefined,
    token: string,
    method: string,
    args: Record<string, unknown>,
  ): Record<string, unknown> | undefined {
    if (!ws) return undefined;
    const channel = typeof args.channel === 'string' ? args.channel : typeof args.channel_id === 'string' ? args.channel_id : undefined;
    if (ws.channels && channel && !ws.channels.includes(channel) && !channel.startsWith('D'))
      return { ok: false, error: 'channel_not_found' };
    if (method === 'users.info' && ws.users) {
      const person = ws.users[String(args.user ?? '')];
      if (!person) return { ok: false, error: 'user_not_found' };
      const email = this.tokenScopes.get(token)?.includes('users:read.email') ? { email: person.email } : {};
      return {
        ok: true,
        user: {
          id: args.user,
          team_id: ws.teamId,
          name: person.realName.toLowerCase().replace(/\s+/g, '.'),
          real_name: person.realName,
          profile: { real_name: person.realName, ...email },
          ...(args.include_locale === true || args.include_locale === 'true' ? { locale: 'en-US' } : {}),
        },
      };
    }
    return undefined;
  }

  private parseArgs(raw: string, contentType: string | undefined): Record<string, unknown> {
    if (contentType?.includes('application/json')) {
      try {
        return JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return {};
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(raw)) {
      if (JSON_FIELDS.includes(k)) {
        try {
          out[k] = JSON.parse(v);
          continue;
        } catch {
          /* keep the string */
        }
      }
      out[k] = v;
    }
    return out;
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const channel = typeof args.channel === 'string' ? args.channel : '';
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Fake', user: 'digitick', ...this.bot };
      case 'chat.postMessage': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (this.notInChannels.has(channel)) return { ok: false, error: 'not_in_channel' };
        const ts = this.nextTs();
        const msg: FakeSlackMessage = {
          channel,
          ts,
          ...(typeof args.thread_ts === 'string' ? { thread_ts: args.thread_ts } : {}),
          ...(typeof args.text === 'string' ? { text: args.text } : {}),
          blocks: Array.isArray(args.blocks) ? (args.blocks as Record<string, unknown>[]) : [],
          ...(args.metadata ? { metadata: args.metadata as FakeSlackMessage['metadata'] } : {}),
          updates: 0,
        };
        this.messages.set(ts, msg);
        return { ok: true, channel, ts, message: { type: 'message', text: msg.text, ts, bot_id: this.bot.bot_id } };
      }
      case 'chat.update': {
        const ts = String(args.ts ?? '');
        const msg = this.messages.get(ts);
        if (!msg || msg.channel !== channel) return { ok: false, error: 'message_not_found' };
        if (typeof args.text === 'string') msg.text = args.text;
        if (Array.isArray(args.blocks)) msg.blocks = args.blocks as Record<string, unknown>[];
        if (args.metadata) msg.metadata = args.metadata as FakeSlackMessage['metadata'];
        msg.updates += 1;
        return { ok: true, channel, ts, text: msg.text };
      }
      case 'chat.postEphemeral':
        if (!channel || this.notInChannels.has(channel)) return { ok: false, error: 'channel_not_found' };
        return { ok: true, message_ts: this.nextTs() };
      case 'chat.getPermalink': {
        const ts = String(args.message_ts ?? '');
        if (!this.messages.has(ts)) return { ok: false, error: 'message_not_found' };
        return { ok: true, channel, permalink: `https://fake.slack.test/archives/${channel}/p${ts.replace('.', '')}` };
      }
      case 'conversations.history':
      case 'conversations.replies': {
        if (!channel || this.notInChannels.has(channel)) return { ok: false, error: 'channel_not_found' };
        const limit = Math.min(Math.max(Number(args.limit ?? 100) || 100, 1), 1000);
        const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
        const oldest = Number(args.oldest ?? 0);
        const view = (m: FakeSlackMessage) => ({
          type: 'message',
          ts: m.ts,
          ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
          text: m.text,
          bot_id: this.bot.bot_id,
          ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
        });
        const inChannel = [...this.messages.values()].filter((m) => m.channel === channel && Number(m.ts) >= oldest);
        if (method === 'conversations.history') {
          // root messages (and thread broadcasts are not modelled), newest first
          const roots = inChannel.filter((m) => !m.thread_ts || m.thread_ts === m.ts).reverse();
          return { ok: true, messages: roots.slice(0, limit).map(view), has_more: roots.length > limit };
        }
        const parent = String(args.ts ?? '');
        const root = this.messages.get(parent);
        if (!root || root.channel !== channel) return { ok: false, error: 'thread_not_found' };
        // the parent first, then its replies, oldest first
        const thread = [root, ...inChannel.filter((m) => m.thread_ts === parent && m.ts !== parent)];
        return { ok: true, messages: thread.slice(0, limit).map(view), has_more: thread.length > limit };
      }
      case 'views.open':
        if (!args.trigger_id) return { ok: false, error: 'invalid_trigger_id' };
        return { ok: true, view: { id: `V${this.seq + 1}`, ...(args.view as object) } };
      case 'views.publish': {
        // Slack: `user_id` and a `view` of type `home` (at most 100 blocks); the view replaces the user's Home tab.
        const view = args.view as { type?: unknown; blocks?: unknown } | undefined;
        if (typeof args.user_id !== 'string' || !args.user_id) return { ok: false, error: 'invalid_arguments' };
        if (!view || view.type !== 'home' || !Array.isArray(view.blocks)) return { ok: false, error: 'invalid_arguments' };
        if (view.blocks.length > 100) return { ok: false, error: 'invalid_blocks' };
        this.homeViews.set(args.user_id, view as { type: 'home'; blocks: Record<string, unknown>[] });
        return { ok: true, view: { id: `V${this.seq + 1}`, ...view } };
      }
      case 'files.getUploadURLExternal': {
        // Slack: `filename` and `length` (bytes) are required; answers where to post the bytes.
        const length = Number(args.length);
        if (typeof args.filename !== 'string' || !args.filename || !Number.isInteger(length) || length <= 0)
          return { ok: false, error: 'invalid_arguments' };
        this.seq += 1;
        const id = `F${String(this.seq).padStart(8, '0')}`;
        this.files.set(id, { id, filename: args.filename, length, completed: false });
        return { ok: true, upload_url: `${this.base}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        // Slack: `files` is a JSON array of `{ id, title? }`; `channel_id` (+ `thread_ts`) shares them there.
        const list = Array.isArray(args.files) ? (args.files as { id?: unknown; title?: unknown }[]) : [];
        if (list.length === 0) return { ok: false, error: 'invalid_arguments' };
        const found = list.map((f) => this.files.get(String(f.id)));
        if (found.some((f) => !f || f.content === undefined)) return { ok: false, error: 'file_not_found' };
        // The fake's own check: the bytes received are the `length` announced.
        if (found.some((f) => Buffer.byteLength(f!.content!) !== f!.length)) return { ok: false, error: 'file_upload_size_mismatch' };
        const channelId = typeof args.channel_id === 'string' ? args.channel_id : undefined;
        if (channelId && this.notInChannels.has(channelId)) return { ok: false, error: 'not_in_channel' };
        found.forEach((f, i) => {
          const title = list[i]!.title;
          Object.assign(f!, {
            completed: true,
            ...(typeof title === 'string' ? { title } : {}),
            ...(channelId ? { channel: channelId } : {}),
            ...(typeof args.thread_ts === 'string' ? { thread_ts: args.thread_ts } : {}),
            ...(typeof args.initial_comment === 'string' ? { initial_comment: args.initial_comment } : {}),
          });
        });
        return { ok: true, files: found.map((f) => ({ id: f!.id, name: f!.filename, title: f!.title ?? f!.filename })) };
      }
      case 'users.info': {
        const user = String(args.user ?? '');
        if (!user) return { ok: false, error: 'user_not_found' };
        const withLocale = args.include_locale === true || args.include_locale === 'true';
        return {
          ok: true,
          user: {
            id: user,
            name: user.toLowerCase(),
            ...(this.userProfiles.get(user)?.real_name ? { real_name: this.userProfiles.get(user)!.real_name } : {}),
            ...(this.userProfiles.has(user) ? { profile: { ...this.userProfiles.get(user) } } : {}),
            ...(withLocale ? { locale: this.userLocales.get(user) ?? 'en-US' } : {}),
          },
        };
      }
      case 'usergroups.users.list': {
        const members = this.userGroups.get(String(args.usergroup ?? ''));
        if (!members) return { ok: false, error: 'no_such_subteam' };
        return { ok: true, users: [...members] };
      }
      default:
        return { ok: true };
    }
  }
}
