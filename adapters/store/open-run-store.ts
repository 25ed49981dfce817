/**
 * Chooses and opens the run store named by `DATABASE_URL`.
 *
 * Accepted forms:
 * - `sqlite:<path>`: a SQLite file, relative to the working directory unless absolute
 *   (`sqlite:./data/onboarding.db`, `sqlite:/var/lib/onboarding.db`); the URL spelling
 *   `sqlite:///abs/path` / `sqlite://rel/path` is accepted too; `sqlite::memory:` is a private
 *   in-memory database (lost at exit; tests only).
 * - `postgres://...` / `postgresql://...`: PostgreSQL (not available yet).
 */
import path from 'node:path';
import type { RunStore } from '../../src/ports/run-store.port';
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

/**
 * Opens the run store for `databaseUrl` (see the module doc for the forms).
 * @throws Error "PostgreSQL run store is not available yet" for `postgres://` / `postgresql://`.
 * @throws Error from `parseDatabaseUrl` for any other unsupported value, or from
 *   `openSqliteRunStore` when the file cannot be opened or migrated.
 */
export async function openRunStore(
  databaseUrl: string,
  options: SqliteRunStoreOptions & { cwd?: string } = {},
): Promise<RunStore> {
  const target = parseDatabaseUrl(databaseUrl, options.cwd);
  if (target.kind === 'postgres') {
    throw new Error('PostgreSQL run store is not available yet; use DATABASE_URL=sqlite:<path> for now');
  }
  return openSqliteRunStore(target.path, options);
}
