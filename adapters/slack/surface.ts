/**
 * The Slack surface: a Bolt `App` (HTTP receiver on `POST /slack/events`, or Socket Mode) that
 * turns slash commands, button clicks and modal submissions into `RunService` calls, and a
 * `ChatNotifier` that renders the run's effects as Block Kit messages.
 *
 * Bolt facts that shape this file (`platform-notes.md`): `deferInitialization: true` then
 * `await app.init()` (one `auth.test`, cached; a bad token rejects `start()` with
 * `SlackStartError` instead of an unhandled rejection); `processBeforeResponse: false` so every
 * listener acks first and works afterwards; a bounded `retryConfig` on the Web API client;
 * custom routes are not awaited by Bolt, so they catch their own errors.
 *
 * This file owns the receiver, the app, the Web API clients and the notifier; the listeners live
 * in `listeners/` by feature (`listeners/index.ts` registers them all).
 */
import type { Server } from 'node:http';
import { HTTPModuleFunctions, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { App, type CustomRoute, LogLevel, type Logger as BoltLogger, webApi } from '@slack/bolt';
import type { Locale } from '../../src/domain/ids';
import type { RunService } from '../../src/app/run-service';
import type { HealthCheckService } from '../../src/app/health-check';
import type { MessageBuilder } from '../../src/messages/builder';
import type { ChatNotifier } from '../../src/ports/chat-notifier.port';
import { type RunStore, StoreUnavailableError } from '../../src/ports/run-store.port';
import type { AppLogger } from '../logger';
import { guardJsonBodies } from './json-body-guard';
import { registerOrgScope } from './org-scope';
import { distributionReceiverOptions } from './oauth/distribution';
import type { DatabaseInstallationStore } from './oauth/installation-store';
import { registerUninstallEvents, registerWorkspaceScope } from './oauth/oauth-listeners';
import { supportDeskStatus, supportDeskWorkspace } from './oauth/support-desk';
import { WorkspaceNotifier, WorkspaceWebClient } from './oauth/workspaces';
import { slackDeskPost, workspaceGoneNotice, type WorkspaceGoneDeps } from './oauth/workspace-gone';
import { createListenerContext, registerListeners } from './listeners';
import { errText } from './err-text';
import { AuthTestWatch, checkBotToken, START_CHECK_MS } from './start-check';
import { SlackNotifier } from './notifier';
import { SocketModeWatch, startSocketMode } from './socket-mode';

/** Slack settings (`AppConfig.slack`). Secrets: never logged. */
export interface SlackSettings {
  signingSecret: string;
  /** One workspace's bot token; absent in OAuth mode (`oauth`). */
  botToken?: string;
  /** OAuth distribution (`adapters/slack/oauth`): tokens come from each workspace's installation. */
  oauth?: { clientId: string; clientSecret: string; stateSecret: string };
  appToken?: string;
  socketMode: boolean;
  /** Web API base (`SLACK_API_URL`, tests point it at a fake); a trailing slash is added. */
  apiUrl?: string;
  /** `SECUTIX_SUPPORT_SLACK_CHANNEL`'s channel id. */
  supportChannel?: string;
  /** Its workspace when given as `TEAM_ID/CHANNEL_ID` (OAuth mode: the support desk's own workspace). */
  supportTeamId?: string;
  /** Its Enterprise Grid organisation (`ENTERPRISE_ID/TEAM_ID/CHANNEL_ID`: an org-wide install serves the desk). */
  supportEnterpriseId?: string;
}

/** What `createSlackSurface` needs. */
export interface SlackSurfaceDeps {
  slack: SlackSettings;
  /** HTTP port (0 = any free port; `start()` returns the real one). */
  port: number;
  /** Listen address (default: all interfaces; tests use 127.0.0.1). */
  host?: string;
  service: RunService;
  builder: MessageBuilder;
  store: RunStore;
  logger: AppLogger;
  defaultLocale: Locale;
  /** More routes on the same HTTP server (the lead adds Teams' `POST /api/messages`, the admin `GET /runs/:id/audit`). */
  customRoutes?: CustomRoute[];
  /** Zone of the audit export's local times when SecuTix gave none (`DEFAULT_TIME_ZONE`; default Europe/Paris). */
  defaultTimeZone?: string;
  /** The checks without a run (`check INSTITUTION`, the `product CODE` check); absent: they answer "not available". */
  health?: HealthCheckService;
  /**
   * Web API client tuning (defaults: 2 retries, at most 2 s between tries, 10 s timeout). The
   * retries never apply to `chat.postMessage` (its own client: no retries, 429s waited out by the
   * notifier with `sleep`, default a timer).
   */
  web?: {
    retries?: number;
    maxRetryTimeoutMs?: number;
    timeoutMs?: number;
    sleep?: (ms: number) => Promise<void>;
    /** Longest wait for the start's `auth.test`, retries included (default 15 s). */
    startTimeoutMs?: number;
    /** Socket Mode: longest wait at start for the WebSocket to connect before serving anyway (default 5 s). */
    socketConnectWaitMs?: number;
  };
  /** OAuth mode: the installations (required with `slack.oauth`). */
  installations?: DatabaseInstallationStore;
  /** The support desk is on Teams (`SECUTIX_SUPPORT_DESK=teams`): each run stores who asks for it (`delivery/run-origin.ts`). */
  supportDeskElsewhere?: boolean;
  /**
   * OAuth mode, the support desk on another surface (`SECUTIX_SUPPORT_DESK=teams`): tells that
   * desk, once per run, that a run's workspace uninstalled the app (its messages wait for a reinstall).
   */
  reportWorkspaceGone?: WorkspaceGoneDeps['post'];
}

/** The Slack surface. */
export interface SlackSurface {
  app: App;
  notifier: ChatNotifier;
  /**
   * Checks the bot token (`auth.test`, once) and starts listening.
   * @returns the real port (useful with port 0).
   * @throws SlackStartError when `auth.test` fails (bad token, unreachable API, an answer that is not Slack's).
   */
  start(): Promise<{ port: number; server?: Server }>;
  /**
   * Stops the HTTP server (or the Socket Mode connection) once the work of acknowledged requests
   * has finished, or after `graceMs` (a verification may take minutes: it is left, not awaited).
   */
  stop(opts?: { graceMs?: number }): Promise<void>;
  /** Why the surface cannot take requests now (Socket Mode not connected), for `/readyz`; undefined when it can. */
  notReady(): string | undefined;
  /** Resolves when every request's work that follows the ack has finished (tests, graceful stop). */
  idle(): Promise<void>;
}

export { SlackStartError } from './start-check';

/** Bolt's logger interface over pino. Bolt's debug output (request bodies, which may hold a password) is dropped. */
export function boltLogger(logger: AppLogger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  const text = (msg: unknown[]) =>
    msg
      .map((m) => (m instanceof Error ? `${m.name}: ${m.message}` : typeof m === 'string' ? m : JSON.stringify(m)))
      .join(' ')
      .slice(0, 1000);
  return {
    debug: () => {},
    info: (...msg: unknown[]) => child.info(text(msg)),
    warn: (...msg: unknown[]) => child.warn(text(msg)),
    error: (...msg: unknown[]) => child.error(text(msg)),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}

/** How far a request timestamp may be from now, in seconds (chat-contract.md: 5 minutes). */
const MAX_REQUEST_SKEW_SECONDS = 5 * 60;

/**
 * Builds the Slack surface (not listening yet): the Bolt app, its listeners and the notifier.
 * Warns when `supportChannel` is unset (requests then go in each run's thread).
 */
export async function createSlackSurface(deps: SlackSurfaceDeps): Promise<SlackSurface> {
  const { service, builder, store, defaultLocale } = deps;
  const log = deps.logger.child({ surface: 'slack' });
  const apiUrl = deps.slack.apiUrl ? deps.slack.apiUrl.replace(/\/*$/, '/') : undefined;
  const oauth = deps.slack.oauth && deps.installations ? { ...deps.slack.oauth, installations: deps.installations } : undefined;
  if (deps.slack.oauth && !oauth) throw new Error('Slack OAuth mode needs the installation store');
  if (!oauth && !deps.slack.botToken) throw new Error('Slack needs SLACK_BOT_TOKEN or the OAuth settings');
  const healthz: CustomRoute = {
    path: '/healthz',
    method: ['GET'],
    handler: (_req, res) => {
      try {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ ok: true }));
      } catch (err) {
        log.error({ err: String(err) }, 'healthz failed');
      }
    },
  };
  // HTTP mode: Bolt's own receiver, except that a request Bolt cannot process answers 400 at once
  // (Bolt alone answers 500 when a malformed payload breaks its parsing, e.g. a click without
  // `user`, and leaves a body it cannot route unanswered for 3 s, then 404), and so does a JSON
  // body that is not an Events API event (Slack sends commands and interactions as forms only).
  const receiver = deps.slack.socketMode
    ? undefined
    : new HTTPReceiver({
        signingSecret: deps.slack.signingSecret,
        port: deps.port,
        // OAuth distribution: GET /slack/install and GET /slack/oauth_redirect (Bolt's InstallProvider).
        ...(oauth
          ? distributionReceiverOptions({
              ...oauth,
              ...(apiUrl ? { apiUrl } : {}),
              logger: log,
              text: (L, key, params) => deps.builder.t(L, key, params),
              defaultLocale: deps.defaultLocale,
              // Messages that waited for this workspace (uninstalled, then reinstalled) go out now.
              onInstalled: () =>
                tracked(async () => {
                  await service.releaseBlocked();
                }),
            })
          : {}),
        customRoutes: [healthz, ...(deps.customRoutes ?? [])],
        processBeforeResponse: false,
        logger: boltLogger(deps.logger),
        customPropertiesExtractor: (req) => ({ jsonBody: /json/i.test(String(req.headers['content-type'] ?? '')) }),
        // A request already answered (e.g. 400 for an unreadable body) is not an unacknowledged event:
        // only a request still unanswered after 3 s is worth an error line (Bolt logs both).
        unhandledRequestHandler: ({ response }) => {
          if (response.headersSent) return;
          log.error({}, 'a Slack request was not acknowledged within 3 seconds: answered 404');
          response.writeHead(404);
          response.end();
        },
        processEventErrorHandler: async (args) => {
          if (args.response.headersSent || (args.error as { code?: unknown }).code === 'slack_bolt_authorization_error')
            return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
          log.warn({ err: errText(args.error) }, 'unreadable Slack request: answered 400');
          args.response.writeHead(400);
          args.response.end();
          return false;
        },
      });
  if (receiver) {
    // Bolt refuses a request timestamp more than 5 minutes in the past only; chat-contract.md says
    // "more than 5 minutes off", so one from the future is refused here too (401, before Bolt).
    const boltListener = receiver.requestListener;
    receiver.requestListener = (req, res) => {
      const ts = Number(req.headers['x-slack-request-timestamp']);
      if (req.method === 'POST' && Number.isFinite(ts) && ts - Date.now() / 1000 > MAX_REQUEST_SKEW_SECONDS) {
        log.warn({ ts }, 'Slack request timestamp is more than 5 minutes in the future: answered 401');
        res.writeHead(401);
        res.end();
        return;
      }
      boltListener(req, res);
    };
    const guarded = receiver.requestListener;
    receiver.requestListener = guardJsonBodies(deps.slack.signingSecret, guarded, (status, why) =>
      log.warn({ status }, `unreadable Slack request (${why}): answered ${status}`),
    );
  }
  // Socket Mode: our own receiver, so that its client's connection can be watched (socket-mode.ts).
  const socketReceiver = deps.slack.socketMode
    ? new SocketModeReceiver({
        appToken: deps.slack.appToken ?? '',
        logger: boltLogger(deps.logger),
        customRoutes: [healthz, ...(deps.customRoutes ?? [])],
        installerOptions: { port: deps.port, ...(apiUrl ? { clientOptions: { slackApiUrl: apiUrl } } : {}) },
      })
    : undefined;
  const socketWatch = socketReceiver ? new SocketModeWatch(socketReceiver.client, deps.logger) : undefined;
  const authTestWatch = new AuthTestWatch();
  const app = new App({
    signingSecret: deps.slack.signingSecret,
    ...(oauth ? {} : { token: deps.slack.botToken }),
    ...(socketReceiver ? { socketMode: true, appToken: deps.slack.appToken, receiver: socketReceiver } : { receiver }),
    customRoutes: [healthz, ...(deps.customRoutes ?? [])],
    deferInitialization: true,
    processBeforeResponse: false,
    logger: boltLogger(deps.logger),
    clientOptions: {
      ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
      fetch: authTestWatch.fetch,
      retryConfig: { retries: deps.web?.retries ?? 2, factor: 2, minTimeout: 100, maxTimeout: deps.web?.maxRetryTimeoutMs ?? 2000 },
      timeout: deps.web?.timeoutMs ?? 10_000,
    },
  });
  if (receiver) {
    const boltProcessEvent = app.processEvent.bind(app);
    app.processEvent = async (event) => {
      if (!routable(event.body, event.customProperties?.jsonBody === true))
        throw new Error('a body Bolt cannot route (no known type, a click without actions, or a JSON body that is no event)');
      await boltProcessEvent(event);
    };
  }
  // Every request runs in its organisation's scope (org-scope.ts): the caller's `org` for the run service.
  registerOrgScope(app);
  if (oauth) {
    registerWorkspaceScope(app);
    registerUninstallEvents(app, { installations: oauth.installations, logger: log });
  }
  // OAuth mode: each call carries the token of the workspace it targets (oauth/workspaces.ts).
  const client = oauth
    ? new WorkspaceWebClient(oauth.installations, {
        ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
        retryConfig: { retries: deps.web?.retries ?? 2, factor: 2, minTimeout: 100, maxTimeout: deps.web?.maxRetryTimeoutMs ?? 2000 },
        timeout: deps.web?.timeoutMs ?? 10_000,
        logger: boltLogger(deps.logger),
      })
    : app.client;
  // chat.postMessage only: a post retried after a timeout or a 5xx may be a duplicate, so this
  // client never retries; it rejects 429s (WebAPIRateLimitedError) and the notifier waits Retry-After.
  const postOptions = {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: deps.web?.timeoutMs ?? 10_000,
    logger: boltLogger(deps.logger),
  };
  const postClient = oauth
    ? new WorkspaceWebClient(oauth.installations, postOptions)
    : new webApi.WebClient(deps.slack.botToken, postOptions);
  // users.info and user-group look-ups: a 429 is rejected at once (the caller falls back to the
  // default language or the handle) instead of pausing every call of `client` until Retry-After.
  const lookupOptions = { ...postOptions, retryConfig: { retries: 1, factor: 2, minTimeout: 100, maxTimeout: 500 } };
  const lookupClient = oauth
    ? new WorkspaceWebClient(oauth.installations, lookupOptions)
    : new webApi.WebClient(deps.slack.botToken, lookupOptions);
  if (deps.slack.supportTeamId && !oauth) throw new Error('SECUTIX_SUPPORT_SLACK_CHANNEL=TEAM_ID/CHANNEL_ID needs Slack OAuth mode');
  const supportDesk =
    oauth && deps.slack.supportTeamId
      ? supportDeskWorkspace({
          teamId: deps.slack.supportTeamId,
          ...(deps.slack.supportEnterpriseId ? { enterpriseId: deps.slack.supportEnterpriseId } : {}),
          tokens: oauth.installations,
          client,
          store,
          logger: log,
        })
      : undefined;
  const slackNotifier = new SlackNotifier({
    client,
    postClient,
    ...(deps.web?.sleep ? { sleep: deps.web.sleep } : {}),
    store,
    builder,
    logger: log,
    ...(deps.slack.supportChannel ? { supportChannel: deps.slack.supportChannel } : {}),
    ...(supportDesk ? { supportDesk } : {}),
    ...(deps.supportDeskElsewhere ? { recordOrigin: true } : {}),
  });
  const notifier: ChatNotifier = oauth
    ? new WorkspaceNotifier({
        inner: slackNotifier,
        store,
        tokens: oauth.installations,
        logger: log,
        ...(deps.slack.supportTeamId && deps.slack.supportChannel
          ? {
              onWorkspaceGone: workspaceGoneNotice({
                post: slackDeskPost({
                  deskTeamId: deps.slack.supportTeamId,
                  ...(deps.slack.supportEnterpriseId ? { deskEnterpriseId: deps.slack.supportEnterpriseId } : {}),
                  deskChannel: deps.slack.supportChannel,
                  client: postClient,
                }),
                store,
                builder,
                logger: log,
              }),
            }
          : deps.reportWorkspaceGone
            ? { onWorkspaceGone: workspaceGoneNotice({ post: deps.reportWorkspaceGone, store, builder, logger: log }) }
            : {}),
      })
    : slackNotifier;
  if (!deps.slack.supportChannel) {
    log.warn('SECUTIX_SUPPORT_SLACK_CHANNEL is not set: password requests go in each run thread, addressed to SecuTix support');
  }

  // ---- work tracking: every listener's promise, so tests and a graceful stop can wait -------
  const inflight = new Set<Promise<unknown>>();
  const tracked = (work: () => Promise<void>): Promise<void> => {
    const p = work().catch((err: unknown) =>
      err instanceof StoreUnavailableError
        ? log.warn({ err: errText(err) }, 'slack listener stopped: the run store is unavailable')
        : log.error({ err: errText(err) }, 'slack listener failed'),
    );
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
    return p;
  };

  const ctx = createListenerContext({
    app,
    client,
    lookupClient,
    service,
    builder,
    store,
    log,
    defaultLocale,
    ...(deps.defaultTimeZone ? { defaultTimeZone: deps.defaultTimeZone } : {}),
    ...(deps.health ? { health: deps.health } : {}),
    tracked,
    slackNotifier,
    ...(oauth && deps.slack.supportTeamId
      ? { supportDesk: supportDeskStatus({ teamId: deps.slack.supportTeamId, tokens: oauth.installations, store }) }
      : {}),
  });
  registerListeners(ctx);

  app.error(async (err) => {
    log.error({ err: errText(err) }, 'bolt error');
  });

  let server: Server | undefined;
  return {
    app,
    notifier,
    async start() {
      await checkBotToken(app, { apiUrl, timeoutMs: deps.web?.startTimeoutMs ?? START_CHECK_MS, watch: authTestWatch });
      if (socketReceiver) {
        await startSocketMode(() => app.start(), { apiUrl, waitMs: deps.web?.socketConnectWaitMs ?? 5000, log });
        return { port: deps.port };
      }
      server = (await app.start(deps.host ? { port: deps.port, host: deps.host } : deps.port)) as Server;
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : deps.port;
      log.info({ port }, 'slack surface listening');
      return { port, server };
    },
    async stop(opts) {
      // Requests already acknowledged get `graceMs` to finish their work (default: as long as it
      // takes); a verification still running then is left (reported interrupted at the next start).
      const settled = Promise.allSettled([...inflight]);
      if (opts?.graceMs === undefined) await settled;
      else {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([settled, new Promise<void>((r) => (timer = setTimeout(r, opts.graceMs)))]);
        clearTimeout(timer);
      }
      await app.stop().catch((err: unknown) => log.warn({ err: errText(err) }, 'slack stop failed'));
      server?.closeAllConnections?.();
    },
    async idle() {
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
    notReady() {
      return socketWatch && !socketWatch.connected ? 'slack socket mode not connected' : undefined;
    },
  };
}

/**
 * False for a body Bolt would hand to no listener at all (its `getTypeAndConversation` finds no
 * type: not an object, no `event`, `command`, `name`, `actions` or known `type`), or a click
 * whose `actions` is not a non-empty list of objects. A JSON body routes only as an Events API
 * event (`event`).
 */
function routable(body: unknown, json: boolean): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  if (json) return b.event !== undefined;
  if (b.event !== undefined || b.command !== undefined || b.name !== undefined) return true;
  if (b.actions !== undefined)
    return Array.isArray(b.actions) && b.actions.length > 0 && b.actions.every((a) => typeof a === 'object' && a !== null);
  return ['block_suggestion', 'dialog_submission', 'shortcut', 'message_action', 'view_submission', 'view_closed'].includes(String(b.type));
}

/** Re-exported for the composition root's type. */
export type SlackWebClient = webApi.WebClient;
