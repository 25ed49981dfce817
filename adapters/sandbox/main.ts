/**
 * `npm run sandbox`: the SecuTix sandbox alone, admin API on, on `SANDBOX_PORT` (default 4010,
 * host `SANDBOX_HOST`, default 127.0.0.1). Prints the URL and the DEMO credentials.
 */
import pino from 'pino';
import { createSandbox } from './server';
import { demoHints, sandboxHints } from './fixture';

async function main(): Promise<void> {
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const portText = process.env.SANDBOX_PORT ?? '4010';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`SANDBOX_PORT must be a port number (0-65535), got "${portText}"\n`);
    process.exit(2);
  }
  const sandbox = createSandbox({ admin: true, logger });
  const { url } = await sandbox.listen(port, process.env.SANDBOX_HOST ?? '127.0.0.1');
  const demo = demoHints();
  const faulty = sandboxHints('FAULTY');
  process.stdout.write(
    [
      `SecuTix sandbox listening on ${url} (SECUTIX_BASE_URL=${url})`,
      `  DEMO   login ${demo.login}  password ${demo.password}  contingents ${demo.contingentIds.join(',')}  contact ${demo.contactNumber ?? '-'}`,
      `  FAULTY login ${faulty.login}  password ${faulty.password}  contingents ${faulty.contingentIds.join(',')}  contact ${faulty.contactNumbers.join(',')}`,
      `  admin: POST ${url}/__sandbox/reset | /__sandbox/fixture | /__sandbox/faults, GET ${url}/__sandbox/state`,
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
