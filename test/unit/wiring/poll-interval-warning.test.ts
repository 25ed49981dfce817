/**
 * Start-up warning of the composition root when `SECUTIX_POLL_INTERVAL_MS` is below one call's
 * share of the SecuTix rate limit (60000 / `SECUTIX_RATE_LIMIT_PER_MINUTE`, per replica): the
 * catalog polls would wait on the limiter. From a real parsed configuration and pino.
 */
import { loadConfig } from '../../../adapters/config';
import { warnPollInterval } from '../../../adapters/core-wiring';
import { createLogger } from '../../../adapters/logger';

function warningsFor(env: Record<string, string>): { level: number; msg: string; minimumMs?: number }[] {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (s: string) => void lines.push(s) });
  warnPollInterval(loadConfig({ TEAMS_ENABLED: 'true', ...env }), logger);
  return lines.map((l) => JSON.parse(l) as { level: number; msg: string; minimumMs?: number });
}

test('the default (5000 ms, 50 calls per minute) and any interval at or above 60000 / limit say nothing', () => {
  expect(warningsFor({})).toEqual([]);
  expect(warningsFor({ SECUTIX_POLL_INTERVAL_MS: '1200' })).toEqual([]);
  expect(warningsFor({ SECUTIX_POLL_INTERVAL_MS: '1000', SECUTIX_RATE_LIMIT_PER_MINUTE: '60' })).toEqual([]);
});

test('an interval below 60000 / limit is one warning naming the minimum; replicas share the limit', () => {
  const below = warningsFor({ SECUTIX_POLL_INTERVAL_MS: '1000' });
  expect(below).toHaveLength(1);
  expect(below[0]).toMatchObject({ level: 40, minimumMs: 1200 });
  expect(below[0]!.msg).toContain('SECUTIX_POLL_INTERVAL_MS is below 1200 ms');
  // Two replicas (on a shared PostgreSQL database: SQLite serves one process) take 25 calls a
  // minute each: one poll every 2400 ms at most.
  const replicas = { REPLICAS: '2', DATABASE_URL: 'postgres://app:secret@127.0.0.1:5432/onboarding' };
  expect(warningsFor({ SECUTIX_POLL_INTERVAL_MS: '2000', ...replicas })[0]).toMatchObject({ minimumMs: 2400 });
  // The embedded sandbox is not SecuTix: no warning.
  expect(warningsFor({ SECUTIX_POLL_INTERVAL_MS: '250', SECUTIX_SANDBOX: 'true' })).toEqual([]);
});
