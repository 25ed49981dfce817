/**
 * The console as a real process on a pipe (`printf '...' | npm start`, the real entry point
 * `adapters/main.ts` with nothing configured): all input arrives at
 * once, is queued, and the end of input ends the process with status 0 and the run saved.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSqliteRunStore } from '../../../adapters/store/sqlite-run-store';
import { tempDir } from './console-harness';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function runProcess(dbPath: string, stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'adapters', 'main.ts')],
      {
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

test('piped input: the process answers every queued line, saves the run, and exits 0 at end of input', async () => {
  const dir = tempDir();
  const dbPath = path.join(dir, 'onboarding.db');
  try {
    const started = performance.now();
    const r = await runProcess(dbPath, '\n\nDemo Theatre\nCamille Martin\ncamille@digitick.example\n\n1\n1\n1\n11,12\n');
    console.log(`console process (tsx start, 3 steps, end of input): ${(performance.now() - started).toFixed(0)} ms`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('== Step 4/10: Technical contact ==');
    expect(r.stdout).toMatch(/Saved: run [A-Z0-9]{8} waits at step 4\/10 \(Technical contact\)\. Run npm start to resume\./);
    const store = openSqliteRunStore(dbPath);
    const [run] = await store.list({ surface: 'console' });
    await store.close();
    expect(run).toMatchObject({ status: 'open', currentStep: 'technical_contact', contingentIds: [11, 12] });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
