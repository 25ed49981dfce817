/**
 * A fake Bot Framework connector (the `serviceUrl` side of Teams) over loopback HTTP. It behaves
 * like the real one for what the bot uses (Bot Framework REST API v3):
 * - `POST /v3/conversations/{conversationId}/activities` (send to conversation) and
 *   `POST /v3/conversations/{conversationId}/activities/{replyToId}` (reply): stores the activity,
 *   answers `{ id }` with a fresh id;
 * - `PUT /v3/conversations/{conversationId}/activities/{activityId}`: replaces a stored activity
 *   (404 when unknown), answers `{ id }`;
 * - `POST /v3/conversations` (create conversation): answers `{ id, activityId? }`;
 * - anything else under `/v3/`: 404 with a Bot Framework error body.
 * Path segments are URL-decoded (Teams ids contain `:`, `@`, `;`). Every request is recorded raw
 * (method, path, body text) so tests can check what went out, e.g. that no password did.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the connector received. */
export interface ConnectorRequest {
  method: string;
  /** Raw path as sent (URL-encoded). */
  path: string;
  conversationId?: string;
  /** The `{replyToId}` of a reply or the `{activityId}` of an update. */
  activityId?: string;
  /** The raw body text. */
  bodyText: string;
  body: unknown;
  authorization?: string;
}

/** An activity as the connector keeps it (latest version after updates). */
export interface StoredActivity {
  id: string;
  conversationId: string;
  replyToId?: string;
  /** How many times it was replaced with `PUT`. */
  updates: number;
  activity: Record<string, unknown>;
}

export interface FakeBotConnector {
  /** `http://127.0.0.1:<port>` (use as the activities' `serviceUrl`). */
  url: string;
  requests: ConnectorRequest[];
  /** Activities by id, latest version. */
  activities: Map<string, StoredActivity>;
  /** Activities posted to a conversation (thread suffix included in the id), in order. */
  posted(conversationId?: string): StoredActivity[];
  /** Makes the next `n` requests answer HTTP `status` (e.g. 503). */
  /** The next `n` requests answer `status` with the connector error `code` (default `ServiceError`). */
  failNext(n: number, status: number, code?: string): void;
  /** The next `n` requests are accepted and never answered (a hung connector or proxy). */
  hangNext(n: number): void;
  close(): Promise<void>;
}

/** Starts the fake connector on 127.0.0.1, port 0. */
export async function startFakeBotConnector(): Promise<FakeBotConnector> {
  const requests: ConnectorRequest[] = [];
  const activities = new Map<string, StoredActivity>();
  const order: string[] = [];
  let seq = 0;
  let failures = { n: 0, status: 503, code: 'ServiceError' };
  let hangs = 0;

  const send = (res: http.ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bodyText = Buffer.concat(chunks).toString('utf8');
      let body: unknown = undefined;
      try {
        body = bodyText ? JSON.parse(bodyText) : undefined;
      } catch {
        return send(res, 400, { error: { code: 'BadSyntax', message: 'body is not JSON' } });
      }
      const path = (req.url ?? '/').split('?')[0];
      const m = /^\/v3\/conversations(?:\/([^/]+)\/activities(?:\/([^/]+))?)?\/?$/.exec(path);
      const conversationId = m?.[1] ? decodeURIComponent(m[1]) : undefined;
      const activityId = m?.[2] ? decodeURIComponent(m[2]) : undefined;
      requests.push({
        method: req.method ?? '',
        path,
        ...(conversationId ? { conversationId } : {}),
        ...(activityId ? { activityId } : {}),
        bodyText,
        body,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      if (hangs > 0) {
        hangs -= 1;
        return; // accepted, never answered (closeAllConnections ends it at close)
      }
      if (failures.n > 0) {
        failures = { ...failures, n: failures.n - 1 };
        return send(res, failures.status, { error: { code: failures.code, message: 'injected failure' } });
      }
      if (!m) return send(res, 404, { error: { code: 'NotFound', message: `no route ${req.method} ${path}` } });
      const activity = (body ?? {}) as Record<string, unknown>;
      if (req.method === 'POST' && !conversationId) {
        const id = `a:conv-${++seq}`;
        return send(res, 200, { id, activityId: activity.activity ? `act-${++seq}` : undefined });
      }
      if (req.method === 'POST' && conversationId) {
        if (typeof activity.type !== 'string')
          return send(res, 400, { error: { code: 'BadArgument', message: 'activity.type is required' } });
        const id = `act-${++seq}`;
        activities.set(id, { id, conversationId, ...(activityId ? { replyToId: activityId } : {}), updates: 0, activity });
        order.push(id);
        return send(res, 200, { id });
      }
      if (req.method === 'PUT' && conversationId && activityId) {
        const existing = activities.get(activityId);
        if (!existing) return send(res, 404, { error: { code: 'NotFound', message: `no activity ${activityId}` } });
        existing.activity = activity;
        existing.updates += 1;
        return send(res, 200, { id: activityId });
      }
      return send(res, 405, { error: { code: 'MethodNotAllowed', message: `${req.method} ${path}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    activities,
    posted(conversationId?: string) {
      return order.map((id) => activities.get(id)!).filter((a) => conversationId === undefined || a.conversationId === conversationId);
    },
    failNext(n: number, status: number, code = 'ServiceError') {
      failures = { n, status, code };
    },
    hangNext(n: number) {
      hangs = n;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
