/**
 * Test wiring of the console surface, the same way the composition root does it: `createCore`
 * (SQLite store from `DATABASE_URL`, embedded SecuTix sandbox over loopback HTTP, real SecuTix
 * client, `verifySetup`, `MessageBuilder`, `RunService`), then `notifiers.console =
 * createConsoleNotifier(output, builder)` and `runConsole` on in-memory pipes. Logs are captured
 * (pino JSON lines at `debug`) so tests can check that no password reaches them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../../adapters/config';
import { type Core, createCore } from '../../../adapters/core-wiring';
import { createLogger } from '../../../adapters/logger';
import { createConsoleNotifier, runConsole, type ConsoleHints } from '../../../adapters/console';
import { demoHints } from '../../../adapters/sandbox';

/** The user every console test acts as. */
export const TEST_USER = { id: 'tester', name: 'Tess Tester' };

/** Hints for the sandbox's DEMO institution, as the composition root prints them. */
export function demoConsoleHints(): ConsoleHints {
  const h = demoHints();
  return { institutionCode: h.institutionCode, password: h.password, contingentIds: h.contingentIds, contactNumbers: h.contactNumbers };
}

/** One finished console session. */
export interface SessionResult {
  exitCode: number;
  /** Everything written to the console's output. */
  output: string;
  /** Wall time of the session in ms (printed by tests, never asserted). */
  ms: number;
}

export interface ConsoleHarness {
  core: Core;
  /** The SQLite file of the run store. */
  dbPath: string;
  /** Captured log lines (JSON). */
  logs: string[];
  /**
   * Runs one console session fed with `lines` (each followed by a newline; a Buffer is written
   * as raw bytes, e.g. invalid UTF-8), then end of input
   * (all lines are written before the session starts reading: they arrive "early").
   */
  session(lines: (string | Buffer)[], opts?: { hints?: ConsoleHints | null }): Promise<SessionResult>;
  /** Closes the store and the sandbox (the SQLite file stays, for a next harness). */
  close(): Promise<void>;
}

/** A fresh temporary directory for a test's database. */
export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'console-test-'));
}

/**
 * Wires the core on the SQLite file `dbPath` with the embedded sandbox (as `npm start` in
 * console mode does) and returns a harness to run console sessions against it.
 */
export async function wireConsole(
  dbPath: string,
  env: Record<string, string> = {},
  opts: { sandboxExtractionMs?: number } = {},
): Promise<ConsoleHarness> {
  const config = loadConfig({
    DATABASE_URL: `sqlite:${dbPath}`,
    SECUTIX_SANDBOX: 'true',
    LOG_LEVEL: 'debug',
    DEFAULT_LOCALE: 'en',
    ...env,
  });
  const logs: string[] = [];
  const logger = createLogger(config.logLevel, { write: (s: string) => void logs.push(s) });
  const core = await createCore(config, logger, opts);
  return {
    core,
    dbPath,
    logs,
    async session(lines, opts = {}) {
      const input = new PassThrough();
      const output = new PassThrough();
      let text = '';
      output.on('data', (c: Buffer) => (text += c.toString('utf8')));
      core.notifiers.console = createConsoleNotifier(output, core.builder);
      input.end(
        Buffer.concat(lines.map((l) => Buffer.concat([Buffer.isBuffer(l) ? l : Buffer.from(String(l), 'utf8'), Buffer.from('\n')]))),
      );
      const started = performance.now();
      const hints = opts.hints === undefined ? demoConsoleHints() : opts.hints;
      const { exitCode } = await runConsole({
        service: core.service,
        builder: core.builder,
        store: core.store,
        health: core.health,
        input,
        output,
        defaultLocale: config.defaultLocale,
        ...(hints ? { hints } : {}),
        user: TEST_USER,
        auditDir: path.join(path.dirname(dbPath), 'audit'),
        databaseFile: dbPath,
      });
      const ms = performance.now() - started;
      await new Promise((r) => setImmediate(r));
      return { exitCode, output: text, ms };
    },
    close: () => core.close(),
  };
}
