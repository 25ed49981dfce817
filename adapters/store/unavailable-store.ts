/**
 * Turns "the database cannot be reached" failures of any store call into `StoreUnavailableError`
 * (so users are told to try again in a moment, and the logs say what happened), leaving every
 * other error as it was. A restarted PostgreSQL needs nothing more: pg's pool drops the broken
 * connections and opens new ones on the next query.
 */
import { type RunStore, StoreUnavailableError } from '../../src/ports/run-store.port';

/** Node socket errors of an unreachable server. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
/** PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01-57P03 (shutdown, crash, cannot connect now). */
const PG_STATES = /^(08...|57P0[1-3])$/;
/** pg's own messages when a connection ends, cannot be had in time, or a query gets no answer in time. */
const PG_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|the database system is (starting up|shutting down)/i;

/** True when `err` says the database could not be reached (rather than refusing the statement). */
export function isUnreachable(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || PG_STATES.test(code))) return true;
  return typeof message === 'string' && PG_MESSAGES.test(message);
}

/** The store, with unreachable-database failures rethrown as `StoreUnavailableError`. */
export function withUnavailableErrors(store: RunStore): RunStore {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      // `close` and the synchronous accessors (`installationRows`) keep their own shape.
      if (typeof value !== 'function' || prop === 'close' || prop === 'installationRows')
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      const fn = value as (...args: unknown[]) => unknown;
      return async (...args: unknown[]) => {
        try {
          return await fn.apply(target, args);
        } catch (err) {
          if (err instanceof StoreUnavailableError || !isUnreachable(err)) throw err;
          const { code, message } = err as { code?: unknown; message?: unknown };
          throw new StoreUnavailableError(`${typeof code === 'string' ? `${code}: ` : ''}${String(message).slice(0, 200)}`);
        }
      };
    },
  });
}
