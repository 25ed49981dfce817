/**
 * Read-only admin HTTP endpoint `GET /runs/:id/audit` (issue 5, "Audit export"): a run's whole
 * audit trail as JSON (`buildAuditExport`), or as the same CSV as the chat file with
 * `?format=csv`. Served on the product's one HTTP server: a Bolt custom route when Slack is
 * served (`createSlackSurface({ customRoutes })`), a route of `createTeamsOnlyServer` otherwise.
 *
 * Protection: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time (SHA-256 of both,
 * then `timingSafeEqual`, so neither the value nor its length leaks through timing). Answers:
 * 200 JSON; 401 (with `WWW-Authenticate: Bearer`) without or with a wrong token; 404 for an
 * unknown run or a malformed id; 404 `admin endpoints disabled` when `ADMIN_TOKEN` is unset
 * (said once in the log at start); 405 for another method; 503 `{"error":"store unavailable, try again"}`
 * while the database does not answer (a warning, not an error); 500 on another store failure (logged).
 * Never logs the token; answers carry `Cache-Control: no-store`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { auditCsv, auditFileName, buildAuditExport } from '../../src/app/audit-export';
import { errorSummary } from '../../src/app/run-service';
import type { Locale } from '../../src/domain/ids';
import { isRunId } from '../../src/messages/action-value';
import type { Logger } from '../../src/ports/logger.port';
import type { RunStore } from '../../src/ports/run-store.port';
import { isUnreachable } from '../store/unavailable-store';

/** The route's path pattern (Bolt custom routes use path-to-regexp syntax). */
export const AUDIT_ROUTE_PATH = '/runs/:id/audit';
const PATH_RE = /^\/runs\/([^/]{1,64})\/audit\/?$/;

/**
 * An HTTP route usable both as a Bolt `CustomRoute` (`path`, `method`, `handler`) and by a plain
 * `node:http` server (`matches`). The handler never throws and never rejects.
 */
export interface HttpRoute {
  path: string;
  method: string[];
  /** True when `pathname` (no query string) is this route's. */
  matches(pathname: string): boolean;
  handler(req: IncomingMessage, res: ServerResponse): void;
}

/** What the audit route needs. */
export interface AuditRouteDeps {
  store: RunStore;
  /** `ADMIN_TOKEN`; unset: the route answers 404 (disabled). */
  adminToken?: string;
  /** Zone of local times when SecuTix gave none (`DEFAULT_TIME_ZONE`, default Europe/Paris). */
  defaultTimeZone?: string;
  /** How an erased answer reads in `locale` (`builder.t(locale, 'value.erased')`); the run's language is used. */
  erasedText: (locale: Locale) => string;
  logger: Logger;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** True when `header` is `Bearer <token>` with exactly `token` (constant time in the compared values). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  // Compare digests: the same length whatever was sent (an absent token compares as '').
  return timingSafeEqual(digest(m?.[1] ?? ''), digest(token));
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.writableEnded) return;
  const csv = typeof body === 'string';
  const text = csv ? body : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/**
 * Builds the `GET /runs/:id/audit` route (see the module doc). Logs once, at creation, that the
 * endpoint is disabled when `adminToken` is unset.
 */
export function createAuditRoute(deps: AuditRouteDeps): HttpRoute {
  const log = deps.logger;
  const token = deps.adminToken && deps.adminToken.length > 0 ? deps.adminToken : undefined;
  if (!token) log.warn({ route: AUDIT_ROUTE_PATH }, 'ADMIN_TOKEN is not set: GET /runs/:id/audit is disabled (answers 404)');
  else log.info({ route: AUDIT_ROUTE_PATH }, 'admin endpoint GET /runs/:id/audit enabled (bearer ADMIN_TOKEN)');

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const m = PATH_RE.exec(url.pathname);
    if (req.method !== 'GET' || !m) {
      send(res, m ? 405 : 404, { error: m ? 'method not allowed' : 'not found' }, m ? { Allow: 'GET' } : {});
      return;
    }
    if (!token) {
      send(res, 404, { error: 'admin endpoints disabled (ADMIN_TOKEN is not set)' });
      return;
    }
    if (!bearerMatches(req.headers.authorization, token)) {
      log.warn({ route: AUDIT_ROUTE_PATH, given: req.headers.authorization ? 'wrong' : 'none' }, 'admin request refused: bad bearer token');
      send(res, 401, { error: 'unauthorized' }, { 'WWW-Authenticate': 'Bearer realm="digitick-onboard"' });
      return;
    }
    let runId: string;
    try {
      runId = decodeURIComponent(m[1]!).toUpperCase();
    } catch {
      runId = '';
    }
    const run = isRunId(runId) ? await deps.store.get(runId) : null;
    if (!run) {
      send(res, 404, { error: 'unknown run', runId: runId.slice(0, 16) });
      return;
    }
    const exp = buildAuditExport(run, await deps.store.audit(run.id), {
      ...(deps.defaultTimeZone ? { defaultTimeZone: deps.defaultTimeZone } : {}),
      erasedText: deps.erasedText(run.details.language),
    });
    log.info({ runId: run.id, entries: exp.rows.length }, 'audit trail read through the admin endpoint');
    if (url.searchParams.get('format') === 'csv') {
      send(res, 200, auditCsv(exp), { 'Content-Disposition': `attachment; filename="${auditFileName(exp)}"` });
      return;
    }
    send(res, 200, exp);
  }

  return {
    path: AUDIT_ROUTE_PATH,
    method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
    matches: (pathname) => PATH_RE.test(pathname),
    handler(req, res) {
      void handle(req, res).catch((err: unknown) => {
        if (isUnreachable(err)) {
          // A database outage: the caller may try again; the outage itself is logged by the store's users.
          log.warn({ route: AUDIT_ROUTE_PATH, err: errorSummary(err) }, 'admin audit request: the store does not answer (503)');
          send(res, 503, { error: 'store unavailable, try again' }, { 'Retry-After': '5' });
          return;
        }
        log.error({ route: AUDIT_ROUTE_PATH, err: errorSummary(err) }, 'admin audit request failed');
        send(res, 500, { error: 'internal error' });
      });
    },
  };
}
