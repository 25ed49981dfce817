/**
 * Where the console's logs go. The terminal is the console's: a JSON log line must never show
 * between its questions (QA, issue 9). `LOG_FILE` when set; else stderr when stderr is not a
 * terminal (redirected: `npm start 2>console.log`, a test's pipe); else the file
 * `digitick-onboard.log` next to the SQLite database (the system's temporary folder for
 * PostgreSQL or `:memory:`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';

/** The log file's name next to the database. */
export const CONSOLE_LOG_FILE = 'digitick-onboard.log';

export type ConsoleLogTarget = { kind: 'stderr' } | { kind: 'file'; path: string };

/** Where console mode writes its logs (see the module doc). */
export function consoleLogTarget(o: { logFile?: string; stderrIsTTY: boolean; databaseFile?: string; tmpDir?: string }): ConsoleLogTarget {
  if (o.logFile) return { kind: 'file', path: o.logFile };
  if (!o.stderrIsTTY) return { kind: 'stderr' };
  const folder = o.databaseFile ? path.dirname(path.resolve(o.databaseFile)) : (o.tmpDir ?? os.tmpdir());
  return { kind: 'file', path: path.join(folder, CONSOLE_LOG_FILE) };
}

/**
 * The pino destination of `target`, opened now (appending). A file that cannot be opened (a
 * read-only or missing folder) falls back to the temporary folder's log file, then to nothing:
 * the terminal is never used while it is one.
 */
export function openConsoleLogDestination(target: ConsoleLogTarget): pino.DestinationStream {
  if (target.kind === 'stderr') return pino.destination(2);
  for (const file of [target.path, path.join(os.tmpdir(), CONSOLE_LOG_FILE)]) {
    try {
      fs.appendFileSync(file, '', { mode: 0o600 });
      return pino.destination({ dest: file, append: true, sync: true });
    } catch {
      // next candidate
    }
  }
  return { write: () => undefined };
}
