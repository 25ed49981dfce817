/**
 * `npm run sandbox`: the SecuTix sandbox alone, admin API on, on `SANDBOX_PORT` (default 4010,
 * host `SANDBOX_HOST`, default 127.0.0.1; catalog extraction time `SANDBOX_EXTRACTION_MS`, default
 * the fixture's). Prints the URL and every institution's credentials.
 */
import pino from 'pino';
import { createSandbox } from './server';
import { allSandboxHints } from './fixture';

async function main(): Promise<void> {
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const portText = process.env.SANDBOX_PORT ?? '4010';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`SANDBOX_PORT must be a port number (0-65535), got "${portText}"\n`);
    process.exit(2);
  }
  const extractionText = process.env.SANDBOX_EXTRACTION_MS?.trim();
  const extractionMs = extractionText ? Number(extractionText) : undefined;
  if (extractionMs !== undefined && !(Number.isInteger(extractionMs) && extractionMs >= 0 && extractionMs <= 600_000)) {
    process.stderr.write(`SANDBOX_EXTRACTION_MS must be a whole number of ms from 0 to 600000, got "${extractionText}"\n`);
    process.exit(2);
  }
  const sandbox = createSandbox({ admin: true, logger, ...(extractionMs !== undefined ? { extractionMs } : {}) });
  const { url } = await sandbox.listen(port, process.env.SANDBOX_HOST ?? '127.0.0.1');
  const width = Math.max(...allSandboxHints().map((h) => h.institutionCode.length));
  process.stdout.write(
    [
      `SecuTix sandbox listening on ${url} (SECUTIX_BASE_URL=${url})`,
      ...allSandboxHints().map(
        (h) =>
          `  ${h.institutionCode.padEnd(width)} ${(h.shows ?? '').padEnd(13)} login ${h.login}  password ${h.password}  contingents ${h.contingentIds.join(',')}  contact ${h.contactNumbers.join(',') || '-'}`,
      ),
      `  admin: POST ${url}/__sandbox/reset | /__sandbox/fixture | /__sandbox/faults | /__sandbox/extraction, GET ${url}/__sandbox/state`,
      '',
    ].join('\n'),
  );
  const stop = () => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
