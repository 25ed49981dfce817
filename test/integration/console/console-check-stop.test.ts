/**
 * Issue 11 (QA): SIGTERM to the console while `check` waits for a SecuTix that never answers stops
 * the process at once (it took 38 s, the call's timeout and retries, then printed the whole report).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

test('SIGTERM during a hung SecuTix call of `check`: stopped within seconds, no report printed', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-stop-'));
  // A SecuTix that accepts connections and never answers.
  const held: net.Socket[] = [];
  const secutix = net.createServer((c) => void held.push(c));
  await new Promise<void>((r) => secutix.listen(0, '127.0.0.1', () => r()));
  const port = (secutix.address() as net.AddressInfo).port;
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SECUTIX_SANDBOX: 'false',
      SECUTIX_BASE_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: `sqlite:${path.join(dir, 'onboarding.db')}`,
      DEFAULT_LOCALE: 'en',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    child.stdin.write('check\nDEMO\n\nnot-the-password\n\n\n');
    for (let i = 0; i < 1000 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(held.length).toBeGreaterThan(0); // the check's first SecuTix call is under way
    const signalled = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    expect(Date.now() - signalled).toBeLessThan(5000);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('Stopped (SIGTERM).');
    expect(stdout).not.toContain('Health check of DEMO');
    expect(stdout).not.toContain('not-the-password');
  } finally {
    child.kill('SIGKILL');
    for (const c of held) c.destroy();
    await new Promise<void>((r) => secutix.close(() => r()));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
