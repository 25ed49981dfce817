/**
 * Parts of the PostgreSQL run store that need no server: URL redaction, option checks, the
 * migration list. The store itself runs the shared contract in
 * `test/contract/postgres-run-store.test.ts` (needs `TEST_DATABASE_URL`).
 */
import { planMigrations, SQLITE_MIGRATIONS } from '../../../adapters/store/migrations';
import { MIGRATION_LOCK_KEY, POSTGRES_MIGRATIONS } from '../../../adapters/store/postgres-migrations';
import { openPostgresRunStore, redactDatabaseUrl } from '../../../adapters/store/postgres-run-store';

describe('redactDatabaseUrl', () => {
  it.each([
    ['postgres://app:s3cr3t@db.internal:5432/onboarding', 'postgres://app:***@db.internal:5432/onboarding'],
    ['postgresql://app@db/onboarding?sslmode=require', 'postgresql://app@db/onboarding?sslmode=require'],
    ['postgres://app:p%40ss@db/onboarding', 'postgres://app:***@db/onboarding'],
    ['postgres://db/onboarding?password=s3cr3t&sslmode=require', 'postgres://db/onboarding?password=***&sslmode=require'],
  ])('%s -> %s', (url, shown) => {
    expect(decodeURIComponent(redactDatabaseUrl(url))).toBe(decodeURIComponent(shown));
    expect(redactDatabaseUrl(url)).not.toContain('s3cr3t');
  });

  it('reduces an unparsable value to its scheme', () => {
    expect(redactDatabaseUrl('postgres://app:s3cr3t@[bad')).toBe('postgres://(unparsable URL)');
  });
});

describe('openPostgresRunStore', () => {
  it('refuses a schema name that would need quoting, before connecting', async () => {
    await expect(openPostgresRunStore('postgres://u:pw@127.0.0.1:1/db', { schema: 'x; DROP TABLE runs' })).rejects.toThrow(
      /schema name must match/,
    );
  });
});

describe('POSTGRES_MIGRATIONS', () => {
  it('is numbered 1..n and plans cleanly', () => {
    expect(planMigrations(POSTGRES_MIGRATIONS, []).map((m) => m.version)).toEqual(POSTGRES_MIGRATIONS.map((_, i) => i + 1));
  });

  it('keeps the SQLite history: same versions, and every SQLite table', () => {
    expect(POSTGRES_MIGRATIONS.map((m) => m.version)).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    const tables = (sql: string): string[] => [...sql.matchAll(/CREATE TABLE (\w+)/g)].map((t) => t[1]);
    for (const [i, m] of SQLITE_MIGRATIONS.entries()) {
      expect(tables(POSTGRES_MIGRATIONS[i].sql)).toEqual(expect.arrayContaining(tables(m.sql)));
    }
  });

  it('uses a lock key that fits a signed 64-bit integer', () => {
    expect(BigInt(MIGRATION_LOCK_KEY) < 2n ** 63n).toBe(true);
  });
});
