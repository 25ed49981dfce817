/**
 * The logger's redaction (`adapters/logger.ts`): `authorization`, `password`, `token`, `secret`
 * (and the named variants) are replaced by `[redacted]` at the top level and nested below, e.g.
 * an axios error's `config.headers.Authorization` logged as `{ err }`. Real pino, JSON lines
 * written to memory.
 */
import { createLogger, REDACT_PATHS } from '../../../adapters/logger';

const SECRET = 'do-not-log-me-7f3a';

/** Logs `obj` at debug and returns the parsed line and its raw text. */
function logged(obj: Record<string, unknown>): { raw: string; line: Record<string, unknown> } {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (s: string) => void lines.push(s) });
  logger.debug(obj, 'test line');
  expect(lines).toHaveLength(1);
  return { raw: lines[0]!, line: JSON.parse(lines[0]!) as Record<string, unknown> };
}

const KEYS = [
  'authorization',
  'Authorization',
  'password',
  'token',
  'secret',
  'operator_password',
  'signingSecret',
  'botToken',
  'appPassword',
];

describe.each(KEYS)('field %s', (key) => {
  it.each([
    ['at the top level', (v: unknown) => ({ [key]: v })],
    ['one level down', (v: unknown) => ({ req: { [key]: v } })],
    ['two levels down', (v: unknown) => ({ req: { headers: { [key]: v } } })],
    ['three levels down', (v: unknown) => ({ err: { config: { headers: { [key]: v } } } })],
  ])('is redacted %s', (_where, shape) => {
    const { raw, line } = logged({ ...shape(SECRET), runId: 'R1' });
    expect(raw).not.toContain(SECRET);
    expect(raw).toContain('[redacted]');
    expect(line.runId).toBe('R1'); // the rest of the line is kept
  });
});

it('keeps fields that are not secrets, and the message', () => {
  const { line } = logged({ method: 'getPOSConfig', durationMs: 12, statusCode: 'success' });
  expect(line).toMatchObject({ method: 'getPOSConfig', durationMs: 12, statusCode: 'success', msg: 'test line' });
});

it('redacts a bearer header of an axios-like error object logged as err', () => {
  const err = { name: 'AxiosError', config: { url: 'https://demo.ws.secutix.com/x', headers: { Authorization: `Bearer ${SECRET}` } } };
  const { raw } = logged({ err });
  expect(raw).not.toContain(SECRET);
  expect(raw).toContain('https://demo.ws.secutix.com/x');
});

it('has a path for every key at each level', () => {
  for (const k of ['authorization', 'password', 'token', 'secret']) {
    expect(REDACT_PATHS).toEqual(expect.arrayContaining([k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]));
  }
});
