/**
 * pino logger with redaction of secrets: any `authorization`, `password`, `token`, `secret`
 * field (at any of the first four levels) is replaced by `[redacted]`.
 */
import pino from 'pino';

const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'password',
  'operatorPassword',
  'operator_password',
  'token',
  'secret',
  'signingSecret',
  'botToken',
  'appPassword',
];

/**
 * Redaction paths for pino (`key`, `*.key`, `*.*.key`, `*.*.*.key`): the fourth level covers an
 * HTTP client error logged as `{ err }`, whose `config.headers.Authorization` holds a bearer token.
 */
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]);

export type AppLogger = pino.Logger;

/** A pino logger at `level` writing JSON lines to `destination` (default stdout). */
export function createLogger(level: string, destination?: pino.DestinationStream): AppLogger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: undefined }, destination);
}
