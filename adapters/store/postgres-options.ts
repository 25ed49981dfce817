/**
 * The PostgreSQL run store's options and their defaults, and the redaction of its connection
 * string (moved out of `postgres-run-store.ts`, which re-exports them).
 */
import type { Clock } from '../../src/ports/clock.port';

/** Options of `openPostgresRunStore`. */
export interface PostgresRunStoreOptions {
  /** Time source for outbox `createdAt`, `delivered_at` and `schema_migrations.applied_at` (default: system clock). */
  clock?: Clock;
  /**
   * Schema holding the tables (created if missing; lower-case letters, digits, `_`). Default: the
   * role's `search_path` (normally `public`). Tests use one schema per test.
   */
  schema?: string;
  /** Most connections the pool opens (default 10). */
  maxConnections?: number;
  /**
   * How long to wait for a connection (a new one, or a free one of the pool), in ms (default
   * 2000): a paused or hung server fails the call in time for a chat answer.
   */
  connectionTimeoutMs?: number;
  /**
   * How long one query may wait for its answer, in ms (default 2000; 0: no limit); past it the
   * query fails and its connection is dropped. Migrations at open have no limit (they may wait
   * for another replica's migration lock).
   */
  queryTimeoutMs?: number;
  /**
   * Called when a pooled connection fails outside a query (server restart, connection killed by
   * the server, network cut); the pool drops it and opens a new one on the next query. Never
   * thrown. Default: one line on stderr, without the URL.
   */
  onIdleError?: (error: Error) => void;
}

/** Default number of runs returned by `list` (same as SQLite). */
export const DEFAULT_LIST_LIMIT = 50;

/** Default of `connectionTimeoutMs` (`DATABASE_CONNECT_TIMEOUT_MS`). */
export const DEFAULT_CONNECTION_TIMEOUT_MS = 2000;
/** Default of `queryTimeoutMs` (`DATABASE_QUERY_TIMEOUT_MS`). */
export const DEFAULT_QUERY_TIMEOUT_MS = 2000;

/**
 * The URL with its password (if any) replaced by `***`, for messages and logs. A value that does
 * not parse as a URL is reduced to its scheme.
 */
export function redactDatabaseUrl(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl.trim());
    if (u.password !== '') u.password = '***';
    for (const key of [...u.searchParams.keys()]) {
      if (/pass|secret|token|key$/i.test(key)) u.searchParams.set(key, '***');
    }
    return u.toString();
  } catch {
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(databaseUrl.trim())?.[1];
    return scheme ? `${scheme}://(unparsable URL)` : '(unparsable URL)';
  }
}
