/**
 * Chooses and opens the run store named by `DATABASE_URL`.
 *
 * Accepted forms:
 * - `sqlite:<path>`: a SQLite file, relative to the working directory unless absolute
 *   (`sqlite:./data/onboarding.db`, `sqlite:/var/lib/onboarding.db`); the URL spelling
 *   `sqlite:///abs/path` / `sqlite://rel/path` is accepted too; `sqlite::memory:` is a private
 *   in-memory database (lost at exit; tests only).
 * - `postgres://...` / `postgresql://...`: PostgreSQL (`postgres://user:password@host:5432/db`,
 *   pg's query parameters such as `sslmode=require` apply); the schema is migrated at open.
 */
import path from 'node:path';
import type { RunStore } from '../../src/ports/run-store.port';
import { openPostgresRunStore, type PostgresRunStoreOptions } from './postgres-run-store';
import { openSqliteRunStore, type SqliteRunStoreOptions } from './sqlite-run-store';

/** The default `DATABASE_URL`: a SQLite file under `./data`, created on first use. */
export const DEFAULT_DATABASE_URL = 'sqlite:./data/onboarding.db';

/** A parsed `DATABASE_URL`. `path` is absolute, or `:memory:`. */
export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

const ACCEPTED = '`sqlite:<path>` (e.g. sqlite:./data/onboarding.db, sqlite::memory:) or `postgres://user@host/db`';

/**
 * Parses a `DATABASE_URL` without opening anything (config validation can use it).
 * Error messages never repeat the URL itself, which may hold a password.
 * @param cwd base of relative SQLite paths (default `process.cwd()`).
 * @throws Error naming the accepted forms when the value is empty, has another scheme, or has an empty path.
 */
export function parseDatabaseUrl(databaseUrl: string, cwd: string = process.cwd()): DatabaseTarget {
  const url = databaseUrl.trim();
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    let rest = url.slice('sqlite:'.length);
    if (rest.startsWith('//')) rest = rest.slice(2);
    if (rest === ':memory:') return { kind: 'sqlite', path: ':memory:' };
    if (rest.length === 0) throw new Error(`DATABASE_URL: the SQLite path is empty; expected ${ACCEPTED}`);
    return { kind: 'sqlite', path: path.resolve(cwd, rest) };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') return { kind: 'postgres', url };
  const got = url.length === 0 ? 'an empty value' : scheme ? `scheme "${scheme}:"` : 'a value without a scheme';
  throw new Error(`DATABASE_URL: unsupported ${got}; expected ${ACCEPTED}`);
}

/** Options of `openRunStore`: those of both stores (each uses its own), plus `cwd` for SQLite paths. */
export type OpenRunStoreOptions = SqliteRunStoreOptions & PostgresRunStoreOptions & { cwd?: string };

/**
 * Opens the run store for `databaseUrl` (see the module doc for the forms).
 * @throws Error from `parseDatabaseUrl` for an unsupported value, from `openSqliteRunStore` when
 *   the file cannot be opened or migrated, or from `openPostgresRunStore` when the server cannot
 *   be reached or migrated (its message shows the URL with the password replaced by `***`).
 */
export async function openRunStore(databaseUrl: string, options: OpenRunStoreOptions = {}): Promise<RunStore> {
  const target = parseDatabaseUrl(databaseUrl, options.cwd);
  if (target.kind === 'postgres') {
    const { clock, schema, maxConnections, connectionTimeoutMs, queryTimeoutMs, onIdleError } = options;
    return openPostgresRunStore(target.url, { clock, schema, maxConnections, connectionTimeoutMs, queryTimeoutMs, onIdleError });
  }
  const { clock, busyTimeoutMs } = options;
  return openSqliteRunStore(target.path, { clock, busyTimeoutMs });
}
