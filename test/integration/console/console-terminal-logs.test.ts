/**
 * The console in a real terminal (a pseudo-terminal from `script`, so stdout and stderr are one
 * screen, as for a person who types `npm start`): a log line is never shown there as JSON. QA
 * round 3 (issue 9): after a process killed mid-verification, the next start printed pino's
 * "an interrupted verification was found" warning between the console's lines. Console logs go
 * to a file (`digitick-onboard.log` next to the database, or `LOG_FILE`) when stderr is a terminal.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sandboxHints } from '../../../adapters/sandbox';
import { TEST_USER, tempDir, wireConsole } from './console-harness';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DEMO = sandboxHints('DEMO');
const DEMO_STEPS_1_TO_8 = ['1', '1', '1', '11, 12', '1', DEMO.contactNumber!, '1', '1', '1', '1'];
const hasScript = spawnSync('script', ['--version']).status === 0;

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `npm start`'s entry point under `script` (a pseudo-terminal on stdin, stdout and stderr). */
function startInTerminal(
  dbPath: string,
  env: Record<string, string> = {},
): { child: ChildProcessWithoutNullStreams; screen: () => string } {
  const cmd = [process.execPath, '--import', 'tsx', path.join(ROOT, 'adapters', 'main.ts')].map((a) => `'${a}'`).join(' ');
  const inherited = { ...process.env };
  // As a person starts it: no log settings of the test run.
  delete inherited.LOG_LEVEL;
  delete inherited.LOG_FILE;
  const child = spawn('script', ['-qec', cmd, '/dev/null'], {
    cwd: ROOT,
    env: {
      ...inherited,
      SLACK_SIGNING_SECRET: '',
      SLACK_BOT_TOKEN: '',
      TEAMS_ENABLED: '',
      DATABASE_URL: `sqlite:${dbPath}`,
      SECUTIX_SANDBOX: 'true',
      DEFAULT_LOCALE: 'en',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.on('data', (c: Buffer) => (screen += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (screen += c.toString('utf8')));
  return { child, screen: () => screen };
}

async function waitFor(screen: () => string, text: string): Promise<void> {
  for (let i = 0; i < 3000 && !screen().includes(text); i++) await new Promise((r) => setTimeout(r, 10));
  if (!screen().includes(text)) fs.writeFileSync('/tmp/h9e-screen.txt', screen());
  expect(screen()).toContain(text);
}

(hasScript ? test : test.skip)(
  'after a verification cut by a crash, the next start in a terminal says so in words and shows no JSON log line; the warning is in the log file',
  async () => {
    const dbPath = path.join(dir, 'onboarding.db');
    // A run at step 9 whose verification marker a killed process left behind.
    const h = await wireConsole(dbPath);
    const first = await h.session([
      'DEMO',
      '',
      'Demo Theatre',
      'Camille Martin',
      'camille.martin@digitick.example',
      '',
      ...DEMO_STEPS_1_TO_8,
    ]);
    expect(first.exitCode).toBe(0);
    const [saved] = await h.core.store.list({ surface: 'console' });
    await h.core.store.putRef(saved!.id, 'core.verifying', { at: new Date(Date.now() - 60_000).toISOString(), by: TEST_USER });
    await h.close();

    const p = startInTerminal(dbPath);
    const closed = new Promise<number | null>((resolve) => p.child.on('close', resolve));
    await waitFor(p.screen, 'Your choice');
    p.child.stdin.write('1\n');
    await waitFor(p.screen, 'was interrupted');
    await waitFor(p.screen, '== Step 9/10');
    p.child.stdin.write('quit\n');
    await closed;
    expect(p.screen()).not.toMatch(/\{"level"|"msg":/);
    const log = fs.readFileSync(path.join(dir, 'digitick-onboard.log'), 'utf8');
    expect(log).toContain('an interrupted verification was found');
    expect(JSON.parse(log.trim().split('\n').pop()!)).toMatchObject({ level: 40, runId: saved!.id });
  },
  90_000,
);
