/**
 * A console process wired like `npm start` in console mode (core from the environment, embedded
 * sandbox, DEMO hints, `process.stdin` / `process.stdout`), for the pipe test. Logs go to stderr.
 * Usage: `DATABASE_URL=sqlite:/tmp/x.db npx tsx test/integration/console/console-process.ts`.
 */
import { loadConfig } from '../../../adapters/config';
import { createCore } from '../../../adapters/core-wiring';
import { createLogger } from '../../../adapters/logger';
import { createConsoleNotifier, runConsole } from '../../../adapters/console';
import { demoHints } from '../../../adapters/sandbox';
import pino from 'pino';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel, pino.destination(2));
  const core = await createCore(config, logger);
  core.notifiers.console = createConsoleNotifier(process.stdout, core.builder);
  const h = demoHints();
  const { exitCode } = await runConsole({
    service: core.service,
    builder: core.builder,
    store: core.store,
    input: process.stdin,
    output: process.stdout,
    defaultLocale: config.defaultLocale,
    hints: { institutionCode: h.institutionCode, password: h.password, contingentIds: h.contingentIds, contactNumbers: h.contactNumbers },
  });
  await core.close();
  process.exitCode = exitCode;
}

main().catch((err: unknown) => {
  process.stderr.write(`console process failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
