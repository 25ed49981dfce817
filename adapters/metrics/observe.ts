/**
 * Feeds `Metrics` by observing the core from the outside, without changing it: a run store that
 * watches what is saved and delivered, a SecuTix port that times each call, a verifier that counts
 * outcomes, and an HTTP `request` listener that times each Slack or Teams request to its answer.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { overallOutcome } from '../../src/workflow/outcome';
import type { Verifier } from '../../src/app/run-service';
import type { OutboxItem, RunStore } from '../../src/ports/run-store.port';
import type { SecutixPort } from '../../src/ports/secutix.port';
import type { Effect } from '../../src/workflow/types';
import type { Metrics } from './metrics';

/**
 * The store, observed: each `step_closed` effect saved counts a completed step; a delivered
 * `reminder` counts a reminder sent; a failed delivery counts against the run's surface.
 */
export function observeStore(store: RunStore, metrics: Metrics): RunStore {
  // Outbox items seen by `pendingOutbox`, by id (bounded: forgotten once delivered or beyond 5,000).
  const seen = new Map<number, OutboxItem>();
  const countEffects = (effects: readonly Effect[]) => {
    for (const e of effects) if (e.type === 'step_closed' && e.outcome !== 'cancelled') metrics.stepCompleted(e.step);
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      switch (prop) {
        case 'create':
        case 'save':
          return async (...args: unknown[]) => {
            const result = await fn.apply(target, args);
            // create(run, audit, effects, options?) and save(run, expectedVersion, audit, effects):
            // the effects by position (create's optional options come after them).
            countEffects(args[prop === 'create' ? 2 : 3] as Effect[]);
            return result;
          };
        case 'pendingOutbox':
          return async (...args: unknown[]) => {
            const items = (await fn.apply(target, args)) as OutboxItem[];
            for (const item of items) seen.set(item.id, item);
            while (seen.size > 5000) seen.delete(seen.keys().next().value!);
            return items;
          };
        case 'markDelivered':
          return async (id: number) => {
            await fn.call(target, id);
            const item = seen.get(id);
            seen.delete(id);
            if (item?.effect.type === 'reminder') metrics.reminderSent(item.effect.kind);
          };
        case 'markFailed':
          return async (id: number, error: string) => {
            await fn.call(target, id, error);
            const item = seen.get(id);
            const run = item ? await target.get(item.runId).catch(() => null) : null;
            metrics.deliveryFailed(run?.surface ?? 'unknown');
          };
        default:
          return fn.bind(target);
      }
    },
  });
}

/** The SecuTix port, observed: every method call timed, with `ok` or the error's `kind` (`credentials`, `unavailable`, `business`...). */
export function observeSecutix<T extends SecutixPort>(port: T, metrics: Metrics, now: () => number = () => performance.now()): T {
  return new Proxy(port, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const fn = value as (...args: unknown[]) => unknown;
      return async (...args: unknown[]) => {
        const t0 = now();
        try {
          const result = await fn.apply(target, args);
          metrics.secutixCall(prop, 'ok', (now() - t0) / 1000);
          return result;
        } catch (err) {
          const kind = (err as { kind?: unknown } | null)?.kind;
          metrics.secutixCall(prop, typeof kind === 'string' ? kind : 'error', (now() - t0) / 1000);
          throw err;
        }
      };
    },
  });
}

/**
 * The verifier, observed. Outcome of the whole verification: `failed` when a check failed, else
 * `not_checked` when SecuTix did not answer in time, else `to_confirm` when a check awaits a
 * person's confirmation, else `passed`.
 */
export function observeVerifier(verifier: Verifier, metrics: Metrics): Verifier {
  return async (req) => {
    const report = await verifier(req);
    const outcome = overallOutcome(report.checks);
    metrics.verification(
      outcome,
      report.checks.map((c) => ({ id: c.id, outcome: String(c.outcome) })),
    );
    return report;
  };
}

/**
 * What a request was, from its path and the body the receiver buffered (`req.rawBody`, set by
 * Bolt and by the JSON guard): Slack `command`, `action`, `view`, `event`, `options`, ...; Teams
 * `activity`; undefined for the operations routes (not timed).
 */
export function requestKind(req: IncomingMessage): { surface: string; kind: string } | undefined {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/api/messages') return { surface: 'teams', kind: 'activity' };
  if (path !== '/slack/events') return undefined;
  const raw = (req as IncomingMessage & { rawBody?: unknown }).rawBody;
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : '';
  if (/json/i.test(String(req.headers['content-type'] ?? ''))) return { surface: 'slack', kind: 'event' };
  const form = new URLSearchParams(text);
  if (form.has('command')) return { surface: 'slack', kind: 'command' };
  const payload = form.get('payload');
  if (payload) {
    try {
      const type = (JSON.parse(payload) as { type?: unknown }).type;
      if (type === 'block_actions') return { surface: 'slack', kind: 'action' };
      if (type === 'view_submission' || type === 'view_closed') return { surface: 'slack', kind: 'view' };
      if (typeof type === 'string' && /^[a-z_]{1,40}$/.test(type)) return { surface: 'slack', kind: type };
    } catch {
      // unreadable: counted as `other`
    }
  }
  return { surface: 'slack', kind: 'other' };
}

/** Times every Slack/Teams request of `server` from its arrival to its answer. */
export function observeHttp(server: Server, metrics: Metrics): void {
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const t0 = performance.now();
    res.once('finish', () => {
      const k = requestKind(req);
      if (k) metrics.httpRequest(k.surface, k.kind, (performance.now() - t0) / 1000);
    });
  });
}
