/**
 * Console defects found by a black-box QA of issue 9, each driven through pipes: an internal
 * error never loops back to the start form; one final line after "Email sent" or a cancel; the
 * channel code asked right after the institution code (a duplicate is caught before the other
 * questions); `status RUN` on a cancelled run; the echo of typed lines is cleaned; the password
 * guard through the real process says which answer was erased, offers "Edit answers", and writes
 * no log line to the terminal.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sandboxHints } from '../../../adapters/sandbox';
import { stripMarkup } from '../../../adapters/console/text';
import { type ConsoleHarness, tempDir, wireConsole } from './console-harness';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DEMO = sandboxHints('DEMO');

/** Start form in the console's order: code, channel (default), name, contact name, email, language (default). */
const START = ['DEMO', '', 'Demo Theatre', 'Camille Martin', 'camille.martin@digitick.example', ''];
/** Steps 1 to 8 on DEMO, then at the verification step. */
const TO_VERIFICATION = ['1', '1', '1', '11, 12', '1', DEMO.contactNumber!, '1', '1', '1', '1'];

/** The environment without LOG_LEVEL: the console's own default (warn, to stderr) applies. */
function withoutLogLevel(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { LOG_LEVEL: _ignored, ...rest } = env;
  return rest;
}

function runProcess(dbPath: string, stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'adapters', 'main.ts')],
      {
        cwd: ROOT,
        env: {
          ...withoutLogLevel(process.env),
          SLACK_SIGNING_SECRET: '',
          SLACK_BOT_TOKEN: '',
          TEAMS_ENABLED: '',
          DATABASE_URL: `sqlite:${dbPath}`,
          SECUTIX_SANDBOX: 'true',
          DEFAULT_LOCALE: 'en',
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** The output's last non-empty lines. */
const lastLines = (out: string, n: number): string[] =>
  out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-n);

describe('console QA findings (SQLite, sandbox over HTTP)', () => {
  let dir: string;
  let dbPath: string;
  let h: ConsoleHarness;
  const t = (key: string, view: Record<string, unknown> = {}) => stripMarkup(h.core.builder.t('en', key, view));

  beforeEach(async () => {
    dir = tempDir();
    dbPath = path.join(dir, 'onboarding.db');
    h = await wireConsole(dbPath);
  });

  afterEach(async () => {
    await h.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('an internal error on Resume ends the session with its reference (exit 1), never back to the start form', async () => {
    const first = await h.session([...START, 'quit']);
    expect(first.exitCode).toBe(0);
    await h.close();
    // Any write to the runs table now fails inside SQLite (a real SQLite error, as a read-only file gives).
    const db = new Database(dbPath);
    db.exec("CREATE TRIGGER no_writes BEFORE UPDATE ON runs BEGIN SELECT RAISE(ABORT, 'writes refused for the test'); END");
    db.close();
    h = await wireConsole(dbPath);
    const r = await h.session(['1', ...START, 'quit']);
    expect(r.exitCode).toBe(1);
    const after = r.output.slice(r.output.indexOf('Your choice (1-2): 1'));
    expect(after).toMatch(/give support this reference: [A-Z0-9]+\./);
    expect(after.match(/reference/g)).toHaveLength(1);
    expect(after).not.toContain(t('form.start.title'));
    expect(after).not.toContain('Institution code');
  });

  test('after "Email sent": one final line saying the run is complete, no "once the email is sent"', async () => {
    const r = await h.session([...START, ...TO_VERIFICATION, '1', DEMO.password, '1']);
    expect(r.exitCode).toBe(0);
    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run.status).toBe('completed');
    expect(r.output).not.toContain('once the email is sent');
    expect(lastLines(r.output, 2)[1]).toBe(`Run ${run.id} is complete. Run npm start to start another one.`);
    expect(r.output.match(new RegExp(`Run ${run.id} is complete`, 'g'))).toHaveLength(1);
    expect(r.output).not.toContain(`Run ${run.id} is completed.`);
  });

  test('after a cancel: one final line saying the run is cancelled; `status RUN` then shows the step it stopped at as cancelled, not current', async () => {
    const r = await h.session([...START, '2', 'y']);
    expect(r.exitCode).toBe(0);
    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run.status).toBe('cancelled');
    expect(lastLines(r.output, 1)[0]).toBe(`Run ${run.id} was cancelled. Run npm start again to start a new one.`);
    expect(r.output.match(new RegExp(`Run ${run.id} (was|is) cancelled`, 'g'))).toHaveLength(1);

    const s = await h.session([`status ${run.id}`, 'quit']);
    const card = s.output.slice(s.output.indexOf(`status ${run.id}`));
    expect(card).toMatch(/\[ \] {2}1\. .*\(run cancelled at this step\)/);
    expect(card).not.toMatch(/\[>\] +\d+\./);
  });

  test('the channel code comes right after the institution code: a duplicate is caught before the institution name is asked', async () => {
    const first = await h.session([...START, 'quit']);
    expect(first.exitCode).toBe(0);
    // A new run for the same institution and the default channel: the open one is resumed at once.
    const r = await h.session(['2', 'DEMO', '', 'quit']);
    const form = r.output.slice(r.output.indexOf('Your choice (1-2): 2'));
    const code = form.indexOf('Institution code');
    const channel = form.indexOf('Sales channel code');
    expect(code).toBeGreaterThan(0);
    expect(channel).toBeGreaterThan(code);
    expect(form).toContain('already');
    expect(form).not.toContain('Institution name');
    // The default and the validation of the channel code are kept.
    const bad = await h.session(['2', 'ACME', 'bad channel!', 'DGTK', 'Acme Hall', 'quit']);
    expect(bad.output).toMatch(/Sales channel code \[DGTK\]: bad channel!\n/);
    expect(bad.output).toMatch(/bad channel!\n.+\nSales channel code \[DGTK\]: DGTK\nInstitution name: Acme Hall\n/);
  });

  test('piped input: the echo of a typed line is the cleaned text, without escape codes or control characters', async () => {
    const r = await h.session(['DEMO', '', 'Demo\u001b[31m Theatre\u0007', 'quit']);
    expect(r.output).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
    expect(r.output).toContain(': Demo Theatre\n'); // the escape sequence goes whole, not only its ESC
    expect(r.output).not.toContain('[31m');
  });

  test('real process: the password guard names the erased answer, offers "Edit answers", and no log line reaches the terminal', async () => {
    const typed = [...START, ...TO_VERIFICATION, '1', DEMO.contactNumber!, 'quit'];
    await h.close();
    const { code, stdout, stderr } = await runProcess(dbPath, `${typed.join('\n')}\n`);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).not.toContain('{"level"');
    const tail = stdout.slice(stdout.lastIndexOf('Operator password'));
    expect(tail).toContain(t('answers.erased', { fields: t('answers.field.contactNumber') }));
    expect(tail).toMatch(/ 1\) Edit answers\n/);
  }, 30_000);
});
