/**
 * Start-up warnings of the composition root when an access list is empty (issue 4: "unset lists
 * mean everyone, logged as a warning at start"), from a real parsed configuration and pino.
 */
import { loadConfig } from '../../../adapters/config';
import { warnOpenAccess } from '../../../adapters/core-wiring';
import { createLogger } from '../../../adapters/logger';

function warningsFor(env: Record<string, string>): string[] {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (s: string) => void lines.push(s) });
  warnOpenAccess(loadConfig({ TEAMS_ENABLED: 'true', ...env }), logger);
  return lines.map((l) => (JSON.parse(l) as { level: number; msg: string }).msg);
}

test('each empty list is named in one warning; set lists are not', () => {
  expect(warningsFor({})).toEqual([
    'ALLOWED_OPERATORS is empty: everyone may start runs and press step buttons',
    'SUPPORT_USERS is empty: everyone may press password_assigned, and operators may cancel any run',
    'ALLOWED_TENANTS is empty: activities from every Teams tenant are served',
  ]);
  expect(warningsFor({ ALLOWED_OPERATORS: 'U1', SUPPORT_USERS: 'U2', ALLOWED_TENANTS: 'tenant-1' })).toEqual([]);
  expect(warningsFor({ ALLOWED_OPERATORS: 'U1,S0GROUP' })).toHaveLength(2);
});
