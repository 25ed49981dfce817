/**
 * The console as a real process (`npm start` with nothing configured, the real entry point
 * `adapters/main.ts`): SIGTERM says where the run is saved; a database file that is not a
 * database, is damaged or read-only gets a message naming the file and what to do, and never
 * "your run is saved".
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteRunStore } from '../../../adapters/store/sqlite-run-store';
import { sqliteProblemOf } from '../../../adapters/store/sqlite-probe';
import { sandboxHints } from '../../../adapters/sandbox';
import { tempDir, wireConsole } from './console-harness';

const ROOT = path.resolve(__dirname, '..', '..', '..');

interface Proc {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Runs the entry point; `asNobody` (only when the test runs as root) runs it as the user `nobody`. */
function start(dbPath: string, opts: { asNobody?: boolean } = {}): Proc {
  // As `npm start` runs it (`node --import tsx`): no tsx CLI in between, whose signal relay raced
  // the app's own SIGTERM handler under load (the process then died with 143 instead of exiting 0).
  const argv = [process.execPath, '--import', 'tsx', path.join(ROOT, 'adapters', 'main.ts')];
  const [cmd, ...args] = opts.asNobody ? ['runuser', '-u', 'nobody', '--', ...argv] : argv;
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      SLACK_SIGNING_SECRET: '',
      SLACK_BOT_TOKEN: '',
      TEAMS_ENABLED: '',
      DATABASE_URL: `sqlite:${dbPath}`,
      SECUTIX_SANDBOX: 'true',
      LOG_LEVEL: 'warn',
      DEFAULT_LOCALE: 'en',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
  return { child, stdout: () => stdout, closed };
}

async function waitFor(p: Proc, text: string): Promise<void> {
  for (let i = 0; i < 3000 && !p.stdout().includes(text); i++) await new Promise((r) => setTimeout(r, 10));
  expect(p.stdout()).toContain(text);
}

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('SIGTERM while waiting for a choice: the process says the run is saved at its step and exits 0', async () => {
  const dbPath = path.join(dir, 'onboarding.db');
  const p = start(dbPath);
  p.child.stdin.write('DEMO\n\nDemo Theatre\nCamille Martin\ncamille@digitick.example\n\n1\n');
  await waitFor(p, '== Step 2/10: Point of sale ==');
  await waitFor(p, 'Your choice (1-2): ');
  p.child.kill('SIGTERM');
  const { code, stderr } = await p.closed;
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(p.stdout()).toContain('Stopped (SIGTERM).');
  expect(p.stdout()).toMatch(/Saved: run [A-Z0-9]{8} waits at step 2\/10 \(Point of sale\)\. Run npm start to resume\./);
  const store = openSqliteRunStore(dbPath);
  const [run] = await store.list({ surface: 'console' });
  await store.close();
  expect(run).toMatchObject({ status: 'open', currentStep: 'point_of_sale' });
});

test('a file that is not a database: named, what is wrong, what to do; nothing claims to be saved', async () => {
  const dbPath = path.join(dir, 'onboarding.db');
  fs.writeFileSync(dbPath, 'these are my notes, not a database\n'.repeat(100));
  const p = start(dbPath);
  p.child.stdin.end('DEMO\n');
  const { code } = await p.closed;
  expect(code).toBe(1);
  const out = p.stdout();
  expect(out).toContain(`The database file ${dbPath} is not a SQLite database (SQLite says: file is not a database).`);
  expect(out).toContain(`move the file aside (for example: mv ${dbPath} ${dbPath}.broken)`);
  expect(out).toContain('restore it there');
  expect(out).not.toMatch(/is saved|Saved:/);
  expect(out).not.toContain('Institution code');
  // The file is left as it was.
  expect(fs.readFileSync(dbPath, 'utf8')).toContain('these are my notes');
});

test('a directory given as the database: said to be a directory, with a file path to use instead', async () => {
  const dbPath = path.join(dir, 'onboarding.db');
  fs.mkdirSync(dbPath);
  const p = start(dbPath);
  p.child.stdin.end('DEMO\n');
  const { code } = await p.closed;
  expect(code).toBe(1);
  const out = p.stdout();
  expect(out).toContain(`${dbPath} is a directory, not a database file.`);
  expect(out).toContain(`DATABASE_URL=sqlite:${path.join(dbPath, 'onboarding.db')}`);
  expect(out).not.toContain('check that its folder exists');
  expect(out).not.toMatch(/is saved|Saved:/);
});

test('a damaged database: named, restore a backup or move it aside', async () => {
  const dbPath = path.join(dir, 'onboarding.db');
  const store = openSqliteRunStore(dbPath);
  await store.close();
  const db = new Database(dbPath);
  db.exec('CREATE TABLE filler (x TEXT)');
  const insert = db.prepare('INSERT INTO filler VALUES (?)');
  for (let i = 0; i < 500; i++) insert.run('y'.repeat(200));
  db.pragma('journal_mode = DELETE');
  db.close();
  const bytes = fs.readFileSync(dbPath);
  bytes.fill(0x41, 4096, bytes.length - 1); // keep the header page, damage the rest
  fs.writeFileSync(dbPath, bytes);

  const p = start(dbPath);
  p.child.stdin.end('DEMO\n');
  const { code } = await p.closed;
  expect(code).toBe(1);
  expect(p.stdout()).toContain(`The database file ${dbPath} is damaged (SQLite says:`);
  expect(p.stdout()).toContain('Restore it from a backup; otherwise move it aside');
  expect(p.stdout()).not.toMatch(/is saved|Saved:/);
});

test('a read-only database (root owns it, the process runs as nobody; folder writable): said at start with what to do, never a raw log line', async () => {
  const dbPath = path.join(dir, 'onboarding.db');
  const store = openSqliteRunStore(dbPath);
  await store.close();
  // The real error a write into a read-only database gives.
  const ro = new Database(dbPath, { readonly: true });
  let error: unknown;
  try {
    ro.exec('CREATE TABLE t (x)');
  } catch (err) {
    error = err;
  } finally {
    ro.close();
  }
  expect(sqliteProblemOf(error)).toMatchObject({ kind: 'read_only' });

  // An existing run in it, as in the QA report (Resume then failed with SQLITE_READONLY).
  const seeded = await wireConsole(dbPath);
  await seeded.session(['DEMO', '', 'Demo Theatre', 'Camille Martin', 'camille@digitick.example', '', 'quit']);
  await seeded.close();
  const root = process.getuid?.() === 0;
  // The folder stays writable (as /tmp is): SQLite then even takes the write lock through a new
  // -shm file, and only the first real write fails. Root owns the file; the process runs as nobody.
  fs.chmodSync(dir, 0o1777);
  fs.chmodSync(dbPath, root ? 0o644 : 0o444);
  const p = start(dbPath, { asNobody: root });
  p.child.stdin.end('1\n');
  const { code, stderr } = await p.closed;
  expect(stderr).toBe('');
  expect(code).toBe(1);
  const out = p.stdout();
  expect(out).toContain(`The database file ${dbPath} cannot be written`);
  expect(out).toContain('chmod u+w');
  expect(out).not.toMatch(/is saved|Saved:|Something went wrong|Institution code/);
});

test("a database whose folder only is read-only (the file writable): the folder is named with the folder's fix, not chmod of the file", async () => {
  const sub = path.join(dir, 'ro-folder');
  fs.mkdirSync(sub);
  const dbPath = path.join(sub, 'onboarding.db');
  const store = openSqliteRunStore(dbPath);
  await store.close();
  const root = process.getuid?.() === 0;
  fs.chmodSync(dbPath, 0o666);
  fs.chmodSync(dir, 0o755); // nobody may reach the folder
  fs.chmodSync(sub, root ? 0o755 : 0o555); // root owns it; the process runs as nobody
  try {
    const p = start(dbPath, { asNobody: root });
    p.child.stdin.end('1\n');
    const { code, stderr } = await p.closed;
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const out = p.stdout();
    expect(out).toContain(`The folder ${sub} of the database file ${dbPath} cannot be written`);
    expect(out).toContain(`chmod u+w ${sub}`);
    expect(out).not.toContain(`chmod u+w ${dbPath}`);
    expect(out).not.toMatch(/is saved|Saved:|Something went wrong|Institution code/);
  } finally {
    fs.chmodSync(sub, 0o755);
  }
});

test('SIGTERM during the catalog extraction: stops at once, nothing printed after the stop message, the run left at verification', async () => {
  const demo = sandboxHints('DEMO');
  const dbPath = path.join(dir, 'onboarding.db');
  const p = start(dbPath);
  const toVerification = ['1', '1', '1', '11, 12', '1', demo.contactNumber!, '1', '1', '1', '1'];
  p.child.stdin.write(
    ['DEMO', '', 'Demo Theatre', 'Camille Martin', 'camille@digitick.example', '', ...toVerification, '1', demo.password, ''].join('\n'),
  );
  await waitFor(p, 'Verifying the setup of DEMO with the SecuTix web services');
  const stoppedAt = performance.now();
  p.child.kill('SIGTERM');
  const { code } = await p.closed;
  const took = performance.now() - stoppedAt;
  console.log(`console SIGTERM during the extraction: exited in ${Math.round(took)} ms`);
  expect(code).toBe(0);
  // The process did not wait for the extraction: no report, no email, no result saved (below).
  // How long it took is printed, not asserted (timed assertions fail on a loaded machine).
  const out = p.stdout();
  const after = out.slice(out.indexOf('Stopped (SIGTERM).'));
  expect(after).toMatch(
    /^Stopped \(SIGTERM\)\.\n\nSaved: run [A-Z0-9]{8} waits at step 9\/10 \(Verification\)\. Run npm start to resume\.\n$/,
  );
  expect(out).not.toContain('To:');
  const store = openSqliteRunStore(dbPath);
  const [run] = await store.list({ surface: 'console' });
  await store.close();
  expect(run).toMatchObject({ status: 'open', currentStep: 'verification' });
  expect(run!.verification).toBeUndefined();
});
