/**
 * The Microsoft Teams surface: `CloudAdapter` on `POST /api/messages`, the bot, and the notifier.
 * Follows platform-notes.md ("Teams"): credentials mapped to `ConfigurationBotFrameworkAuthentication`
 * keys (no app id = authentication off, local use and tests only, with a warning); the activity is
 * parsed with zod before `process` (400 otherwise); activities without `serviceUrl` are refused;
 * optional `serviceUrl` allowlist (403); optional `ALLOWED_TENANTS` (403 before anything else runs); duplicate deliveries (same `activity.id`) are answered
 * with the first delivery's answer without running again; every error is caught here, so that
 * each request gets an answer.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type ConfigurationBotFrameworkAuthenticationOptions } from 'botbuilder';
import { errorSummary, type RunService } from '../../src/app/run-service';
import { orgScopedKey, teamsOrg } from '../../src/domain/org';
import { orgScope } from '../org-scope';
import type { HealthCheckService } from '../../src/app/health-check';
import { TeamsChecks } from './checks';
import type { Locale } from '../../src/domain/ids';
import type { MessageBuilder } from '../../src/messages/builder';
import type { ChatNotifier } from '../../src/ports/chat-notifier.port';
import type { Logger } from '../../src/ports/logger.port';
import { type RunStore, StoreUnavailableError } from '../../src/ports/run-store.port';
import type { HttpRoute } from '../admin/audit-route';
import { type InboundActivity, inboundActivitySchema } from './activity';
import { TeamsActions } from './actions';
import { TeamsBot } from './bot';
import { RecentReferences, TeamsNotifier, TeamsOutbound } from './notifier';
import { postDeskNote } from './foreign-support';

/** The `appId` used for proactive turns when authentication is off (any non-empty string works then). */
export const LOCAL_APP_ID = 'teams-local';
/** Largest accepted request body, in bytes. */
export const MAX_ACTIVITY_BYTES = 256 * 1024;

/** Teams settings (`AppConfig.teams`). */
export interface TeamsSettings {
  appId?: string;
  appPassword?: string;
  tenantId?: string;
  /** `MultiTenant` (default with an app id), `SingleTenant`, `UserAssignedMSI`. */
  appType?: string;
  /** URL prefixes accepted as `serviceUrl`; empty = any (with authentication on, the token decides). */
  serviceUrlAllowlist: string[];
  /**
   * `ALLOWED_TENANTS`: AAD tenant ids whose activities are served; empty or absent = any. Others
   * are answered 403 before any handler runs (no dedupe claim, no bot, no connector traffic).
   */
  allowedTenants?: string[];
}

/** Dependencies of `createTeamsSurface`. */
export interface TeamsSurfaceDeps {
  teams: TeamsSettings;
  service: RunService;
  builder: MessageBuilder;
  store: RunStore;
  logger: Logger;
  defaultLocale: Locale;
  /** Longest wait for the core inside an invoke before a "working" card (ms, default 3500). */
  answerDeadlineMs?: number;
  /** Timeout of one proactive connector call (ms, default `TEAMS_CALL_TIMEOUT_MS`). */
  connectorTimeoutMs?: number;
  /** Remembered activity ids for duplicate detection (default 5000). */
  dedupeSize?: number;
  /** Zone of the audit export's local times when SecuTix gave none (`DEFAULT_TIME_ZONE`; default Europe/Paris). */
  defaultTimeZone?: string;
  /** The checks without a run (`check INSTITUTION`, the `product CODE` check). */
  health?: HealthCheckService;
}

/** The Teams surface. */
export interface TeamsSurface {
  /** Register as `notifiers.teams`. */
  notifier: ChatNotifier;
  /** Posts a note in the registered support desk channel (`SECUTIX_SUPPORT_DESK=teams`; `postDeskNote`). */
  tellDesk(text: string): Promise<void>;
  /**
   * `POST /api/messages`. Reads and parses the body itself when `req.body` is undefined (limit
   * `MAX_ACTIVITY_BYTES`). Answers 400 (not JSON / not an activity / no `serviceUrl`), 403
   * (`serviceUrl` or tenant not allowed), 401 (authentication on and the token refused), the invoke's
   * answer, or 200. Never rejects: every error is caught and answered 500.
   */
  handle(req: IncomingMessage & { body?: unknown }, res: ServerResponse): Promise<void>;
  adapter: CloudAdapter;
  /** Resolves when background work (verifications, late answers) has ended: tests and shutdown. */
  idle(): Promise<void>;
}

interface Answer {
  status: number;
  body?: unknown;
}

class BadRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_ACTIVITY_BYTES) {
        reject(new BadRequest(413, 'body too large'));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, answer: Answer): void {
  if (res.headersSent || res.writableEnded) return;
  if (answer.body === undefined || answer.body === null || answer.body === '') {
    res.writeHead(answer.status);
    res.end();
    return;
  }
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'Content-Type': typeof answer.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The `CloudAdapter` with botbuilder's configuration keys mapped from ours. Logs a warning when authentication is off. */
export function createTeamsAdapter(teams: TeamsSettings, logger: Logger): CloudAdapter {
  const options: ConfigurationBotFrameworkAuthenticationOptions = teams.appId
    ? {
        MicrosoftAppId: teams.appId,
        MicrosoftAppPassword: teams.appPassword ?? '',
        MicrosoftAppType: teams.appType ?? 'MultiTenant',
        MicrosoftAppTenantId: teams.tenantId ?? '',
      }
    : // An empty app id turns authentication off; `SingleTenant` without an app id would throw.
      { MicrosoftAppId: '', MicrosoftAppPassword: '' };
  if (!teams.appId) {
    logger.warn({}, 'Teams authentication is OFF (no MICROSOFT_APP_ID): any caller can post activities; for local use and tests only');
    if (teams.serviceUrlAllowlist.length === 0)
      logger.warn({}, 'TEAMS_SERVICE_URL_ALLOWLIST is empty: replies go to any serviceUrl the caller gives');
  }
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(options));
  adapter.onTurnError = async (_ctx, err) => {
    logger.error({ err: errorSummary(err) }, 'teams turn error');
  };
  return adapter;
}

/**
 * Creates the Teams surface (see the module doc). The caller registers `notifier` as
 * `notifiers.teams` and mounts `handle` on `POST /api/messages`.
 */
export function createTeamsSurface(deps: TeamsSurfaceDeps): TeamsSurface {
  const { logger } = deps;
  const adapter = createTeamsAdapter(deps.teams, logger);
  const outbound = new TeamsOutbound(adapter, deps.teams.appId || LOCAL_APP_ID, deps.connectorTimeoutMs);
  const recent = new RecentReferences();
  const notifier = new TeamsNotifier({ outbound, store: deps.store, builder: deps.builder, recent, logger });
  const checks = deps.health ? new TeamsChecks({ health: deps.health, builder: deps.builder }) : undefined;
  const actions = new TeamsActions({
    ...(checks ? { checks } : {}),
    service: deps.service,
    builder: deps.builder,
    store: deps.store,
    outbound,
    logger,
    ...(deps.answerDeadlineMs !== undefined ? { answerDeadlineMs: deps.answerDeadlineMs } : {}),
  });
  const bot = new TeamsBot({
    actions,
    service: deps.service,
    builder: deps.builder,
    store: deps.store,
    recent,
    logger,
    defaultLocale: deps.defaultLocale,
    ...(deps.defaultTimeZone ? { defaultTimeZone: deps.defaultTimeZone } : {}),
    ...(checks ? { checks } : {}),
  });
  // Duplicate detection: in memory (bounded, insertion order = age; a duplicate gets the first
  // delivery's answer), and durably in the run store (`claimOnce`) for message activities, so a
  // redelivery after a restart or to another replica is ignored too. A redelivered invoke after a
  // restart runs again: the core's compare-and-set refuses a second advance and answers the
  // current card with a note, which is the answer Teams needs.
  const seen = new Map<string, Promise<Answer>>();
  const dedupeSize = deps.dedupeSize ?? 5000;
  const allow = deps.teams.serviceUrlAllowlist;
  const tenants = new Set((deps.teams.allowedTenants ?? []).map((t) => t.trim().toLowerCase()).filter(Boolean));

  async function processActivity(req: IncomingMessage, body: unknown): Promise<Answer> {
    const answer: Answer = { status: 200 };
    const shimReq = { method: 'POST', headers: req.headers, body };
    const shimRes = {
      status(code: number) {
        answer.status = code;
        return shimRes;
      },
      header() {
        return shimRes;
      },
      send(b: unknown) {
        answer.body = b;
        return shimRes;
      },
      end() {
        return shimRes;
      },
    };
    await adapter.process(shimReq as never, shimRes as never, (ctx) => bot.run(ctx));
    return answer;
  }

  async function handle(req: IncomingMessage & { body?: unknown }, res: ServerResponse): Promise<void> {
    const started = performance.now();
    try {
      let body = req.body;
      if (body === undefined) {
        const text = await readBody(req);
        try {
          body = JSON.parse(text);
        } catch {
          throw new BadRequest(400, 'body is not JSON');
        }
      }
      const parsed = inboundActivitySchema.safeParse(body);
      if (!parsed.success) {
        const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(body)'))].slice(0, 10);
        throw new BadRequest(400, `not a Bot Framework activity (check: ${fields.join(', ')})`);
      }
      const activity = parsed.data;
      if (allow.length > 0 && !allow.some((p) => activity.serviceUrl.startsWith(p))) {
        logger.warn({ serviceUrl: activity.serviceUrl }, 'teams activity refused: serviceUrl not in TEAMS_SERVICE_URL_ALLOWLIST');
        throw new BadRequest(403, 'serviceUrl not allowed');
      }
      if (tenants.size > 0) {
        const tenant = tenantOf(activity);
        if (!tenant || !tenants.has(tenant.toLowerCase())) {
          logger.warn(
            { tenant: tenant ?? null, type: activity.type, from: activity.from.aadObjectId ?? activity.from.id },
            'teams activity refused: tenant not in ALLOWED_TENANTS',
          );
          throw new BadRequest(403, tenant ? `tenant ${tenant.slice(0, 64)} is not allowed` : 'activity names no tenant');
        }
      }
      // The tenant's organisation (`teams:<tenant>`): the caller's for the run service; in
      // multi-organisation mode it keeps each tenant's activity ids apart in the dedupe.
      const org = teamsOrg(tenantOf(activity));
      const scoped = (key: string): string => (deps.service.multiOrg ? orgScopedKey(org, key) : key);
      const id = activity.id === undefined ? undefined : scoped(activity.id);
      const prior = id ? seen.get(id) : undefined;
      if (prior) {
        logger.info({ type: activity.type, activityId: id }, 'teams duplicate delivery ignored');
        write(res, await prior);
        return;
      }
      if (id && activity.type !== 'invoke' && !seen.has(id)) {
        // The store unreachable: handled without dedupe; the turn then answers "try again in a moment".
        const first = await deps.store
          .claimOnce(scoped(`teams:activity:${activity.id}`), new Date().toISOString())
          .catch((err: unknown) => {
            if (!(err instanceof StoreUnavailableError)) throw err;
            logger.warn({ activityId: id }, 'run store unavailable: activity handled without dedupe');
            return true;
          });
        if (!first) {
          logger.info(
            { type: activity.type, activityId: id },
            'teams duplicate delivery ignored (seen before a restart or by another replica)',
          );
          write(res, { status: 200 });
          return;
        }
      }
      const work = orgScope(org, () => processActivity(req, body));
      if (id) {
        seen.set(id, work);
        if (seen.size > dedupeSize) seen.delete(seen.keys().next().value as string);
      }
      let answer: Answer;
      try {
        answer = await work;
      } catch (err) {
        if (id) seen.delete(id);
        throw err;
      }
      if (id && answer.status >= 500) seen.delete(id); // let the channel's retry run again
      write(res, answer);
      logger.info(
        { type: activity.type, name: activity.name, status: answer.status, ms: Math.round(performance.now() - started) },
        activity.type === 'invoke' ? 'teams invoke answered' : 'teams activity handled',
      );
    } catch (err) {
      if (err instanceof BadRequest) {
        write(res, { status: err.status, body: { error: err.message } });
        return;
      }
      logger.error({ err: errorSummary(err) }, 'teams request failed');
      write(res, { status: 500, body: { error: 'internal error' } });
    }
  }

  const tellDesk = (text: string) => postDeskNote({ store: deps.store, outbound }, text);
  return { notifier, handle, adapter, tellDesk, idle: () => actions.idle() };
}

/**
 * The AAD tenant of an activity: `conversation.tenantId`, else `channelData.tenant.id` (Teams
 * sends both; Bot Framework Activity schema and Teams `channelData`).
 */
export function tenantOf(activity: InboundActivity): string | undefined {
  const fromChannelData = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  return activity.conversation.tenantId ?? (typeof fromChannelData === 'string' ? fromChannelData : undefined);
}

/**
 * A plain `node:http` server for Teams without Slack: `POST /api/messages`, `GET /healthz`
 * (`{"ok":true}`) and the extra `routes` (the admin `GET /runs/:id/audit`); anything else 404.
 * Not listening yet: call `listen(port)`.
 */
export function createTeamsOnlyServer(
  surface: Pick<TeamsSurface, 'handle'>,
  logger: Logger,
  routes: readonly HttpRoute[] = [],
): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routes.find((r) => r.matches(path));
    if (route) {
      route.handler(req, res);
      return;
    }
    if (path === '/api/messages' && req.method === 'POST') {
      void surface.handle(req, res).catch((err: unknown) => logger.error({ err: errorSummary(err) }, 'teams handler failed'));
      return;
    }
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      write(res, { status: 200, body: { ok: true } });
      return;
    }
    write(res, { status: path === '/api/messages' ? 405 : 404, body: { error: 'not found' } });
  });
}
