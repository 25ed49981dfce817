/** `REPLICAS` (issue 11): how many processes share the database; the SecuTix rate limit is divided by it. */
import { ConfigError, loadConfig } from '../../../adapters/config';

const PG = 'postgres://u:p@127.0.0.1:5432/db';

/** The problems `loadConfig(env)` reports, or [] when it accepts `env`. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
}

test('REPLICAS defaults to 1, takes a whole number, and names itself when wrong', () => {
  expect(loadConfig({}).replicas).toBe(1);
  expect(loadConfig({ REPLICAS: '3', DATABASE_URL: PG }).replicas).toBe(3);
  for (const bad of ['0', 'two', '1.5']) {
    expect(problems({ REPLICAS: bad }).join('\n')).toMatch(/^REPLICAS: must be a whole number from 1 to 100/);
  }
});

test('more replicas than SecuTix calls a minute is refused (each share would round up to 1 a minute and overshoot)', () => {
  expect(problems({ REPLICAS: '4', SECUTIX_RATE_LIMIT_PER_MINUTE: '3', DATABASE_URL: PG })).toEqual([
    'REPLICAS: 4 replicas cannot share SECUTIX_RATE_LIMIT_PER_MINUTE=3 (each takes at least 1 call a minute, 4 in all): lower REPLICAS or raise the limit',
  ]);
  expect(loadConfig({ REPLICAS: '3', SECUTIX_RATE_LIMIT_PER_MINUTE: '3', DATABASE_URL: PG }).replicas).toBe(3);
  expect(loadConfig({ REPLICAS: '50', DATABASE_URL: PG }).replicas).toBe(50); // the default limit, 50
  expect(problems({ REPLICAS: '51', DATABASE_URL: PG })).toHaveLength(1);
});

test('several replicas on SQLite (one process only) are refused, naming PostgreSQL', () => {
  for (const env of [{ REPLICAS: '2' }, { REPLICAS: '2', DATABASE_URL: 'sqlite:./data/x.db' }] as Record<string, string>[]) {
    expect(problems(env)).toEqual([
      'REPLICAS: 2 replicas need a shared PostgreSQL database (DATABASE_URL=postgres://...); SQLite serves one process',
    ]);
  }
  expect(loadConfig({ REPLICAS: '1', DATABASE_URL: 'sqlite:./data/x.db' }).replicas).toBe(1);
});
