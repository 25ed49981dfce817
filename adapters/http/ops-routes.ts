/**
 * Operations routes on the product's one HTTP server (Bolt custom routes, or routes of the
 * Teams-only server; see `HttpRoute`):
 * - `GET /healthz`: liveness, `{"ok":true,"version":"…","uptimeSeconds":…}` (200 while the process serves);
 * - `GET /readyz`: 200 `{"ready":true}` when the store answers, 503 while draining (SIGTERM
 *   received) or when it does not (a load balancer stops sending traffic; the process stays up);
 * - `GET /metrics`: Prometheus text (the gauges read from the store first); with `METRICS_TOKEN`
 *   set, `Authorization: Bearer <token>` is required (compared in constant time), else 401.
 * `HEAD` answers as `GET`, without a body. Handlers never throw; answers carry `Cache-Control: no-store`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../src/ports/logger.port';
import type { RunStore } from '../../src/ports/run-store.port';
import { bearerMatches, type HttpRoute } from '../admin/audit-route';
import type { Metrics } from '../metrics/metrics';

/** What the routes need. `draining()` turns true when the process is stopping. */
export interface OpsRoutesDeps {
  store: Pick<RunStore, 'stats'>;
  metrics: Metrics;
  version: string;
  /** Seconds since start (default `process.uptime()`). */
  uptimeSeconds?: () => number;
  draining: () => boolean;
  /** Why a surface cannot take requests now (Slack Socket Mode not connected); undefined when it can. */
  notReady?: () => string | undefined;
  metricsToken?: string;
  logger: Logger;
  /** Current time in ms (default `Date.now`), for the outbox age. */
  now?: () => number;
  /** A store read slower than this counts as not answering (default 2 000 ms). */
  readyTimeoutMs?: number;
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

function route(path: string, handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>, log: Logger): HttpRoute {
  return {
    path,
    // HEAD answers as GET without a body (node:http drops the body of a HEAD answer).
    method: ['GET', 'HEAD'],
    matches: (p) => p === path,
    handler(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, JSON.stringify({ error: 'method not allowed' }));
      handle(req, res).catch((err: unknown) => {
        log.error({ err: err instanceof Error ? err.message : String(err), route: path }, 'operations route failed');
        send(res, 500, JSON.stringify({ error: 'internal error' }));
      });
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** The three routes (`/healthz`, `/readyz`, `/metrics`). */
export function createOpsRoutes(deps: OpsRoutesDeps): HttpRoute[] {
  const log = deps.logger;
  const uptime = deps.uptimeSeconds ?? (() => process.uptime());
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.readyTimeoutMs ?? 2000;
  return [
    route(
      '/healthz',
      async (_req, res) => send(res, 200, JSON.stringify({ ok: true, version: deps.version, uptimeSeconds: Math.round(uptime()) })),
      log,
    ),
    route(
      '/readyz',
      async (_req, res) => {
        if (deps.draining()) return send(res, 503, JSON.stringify({ ready: false, reason: 'draining' }));
        const surface = deps.notReady?.();
        if (surface !== undefined) return send(res, 503, JSON.stringify({ ready: false, reason: surface }));
        try {
          await withTimeout(deps.store.stats(), timeoutMs);
          send(res, 200, JSON.stringify({ ready: true }));
        } catch (err) {
          log.warn({ err: err instanceof Error ? err.message : String(err) }, 'readyz: the store does not answer');
          send(res, 503, JSON.stringify({ ready: false, reason: 'store unavailable' }));
        }
      },
      log,
    ),
    route(
      '/metrics',
      async (req, res) => {
        if (deps.metricsToken !== undefined && !bearerMatches(req.headers.authorization, deps.metricsToken))
          return send(res, 401, JSON.stringify({ error: 'unauthorized' }), 'application/json', { 'WWW-Authenticate': 'Bearer' });
        try {
          deps.metrics.refresh(await withTimeout(deps.store.stats(), timeoutMs), now());
        } catch (err) {
          // The process metrics still matter during a database outage: keep the last gauge values,
          // and say the database did not answer (`digitick_store_up` 0).
          deps.metrics.storeDown(now());
          log.warn(
            { err: err instanceof Error ? err.message : String(err) },
            'metrics: the store does not answer; gauges keep their last values',
          );
        }
        const { contentType, body } = await deps.metrics.render();
        send(res, 200, body, contentType);
      },
      log,
    ),
  ];
}
