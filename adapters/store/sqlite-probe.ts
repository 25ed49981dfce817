/**
 * A look at a SQLite database file before the run store opens it (console mode), so that a file
 * that is not a database, is damaged or cannot be written gets a message naming the file and
 * what to do, instead of a stack trace or, worse, "your run is saved".
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * What is wrong with a database file; `detail` is SQLite's own words. `read_only_folder`: the file
 * may be written but not its folder, where SQLite creates its journal (the fix is the folder's).
 */
export type SqliteProblem = {
  kind: 'not_a_database' | 'corrupt' | 'read_only' | 'read_only_folder' | 'cannot_open' | 'directory';
  detail: string;
};

/**
 * The problem a SQLite error (from better-sqlite3: `code` such as `SQLITE_NOTADB`) stands for,
 * or `null` when it is not about the database file itself.
 */
export function sqliteProblemOf(err: unknown): SqliteProblem | null {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  const detail = err instanceof Error ? err.message : code;
  if (code === 'SQLITE_NOTADB') return { kind: 'not_a_database', detail };
  if (code.startsWith('SQLITE_CORRUPT')) return { kind: 'corrupt', detail };
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') return { kind: 'read_only', detail };
  if (code.startsWith('SQLITE_CANTOPEN')) return { kind: 'cannot_open', detail };
  return null;
}

/**
 * Opens `file` (when it exists), runs SQLite's `quick_check` and takes the write lock for a
 * moment (`BEGIN IMMEDIATE`, rolled back: nothing is written) after checking write access to it. A missing file is fine (the
 * store creates it). Never throws.
 * @returns `null` when the file can be used, otherwise what is wrong with it.
 */
export function probeSqliteFile(file: string): SqliteProblem | null {
  if (file === ':memory:' || !fs.existsSync(file)) return null;
  // A directory (a path given without the file name): said so, not "cannot be opened".
  if (isDirectory(file)) return { kind: 'directory', detail: `${file} is a directory` };
  let db: Database.Database | undefined;
  try {
    // SQLite opens a file it may not write read-only without a word, and in WAL mode even takes
    // the write lock (BEGIN IMMEDIATE) through a writable -shm file: the first real write fails
    // much later. So the file and its WAL companions are checked for write access first.
    const unwritable = [file, `${file}-wal`, `${file}-shm`, `${file}-journal`].find((f) => fs.existsSync(f) && !canWrite(f));
    if (unwritable) return { kind: 'read_only', detail: `${unwritable} is not writable for this user` };
    const folder = path.dirname(file);
    if (!canWrite(folder)) return { kind: 'read_only_folder', detail: `${folder} is not writable for this user` };
    db = new Database(file, { fileMustExist: true });
    const rows = db.prepare('PRAGMA quick_check').pluck().all() as string[];
    if (rows.length !== 1 || rows[0] !== 'ok') return { kind: 'corrupt', detail: rows.slice(0, 3).join('; ') };
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
    return null;
  } catch (err) {
    return sqliteProblemOf(err) ?? { kind: 'cannot_open', detail: err instanceof Error ? err.message : String(err) };
  } finally {
    try {
      db?.close();
    } catch {
      // closing a connection that failed half-way: nothing more to report
    }
  }
}

/** True when this process may write `file` (permissions and read-only mounts). */
function canWrite(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when `file` is a directory (false when it cannot be looked at). */
function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}
