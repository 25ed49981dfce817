/**
 * Issue 11 (QA): a container started without its settings (NODE_ENV=production, no Slack or Teams
 * variables, no terminal on standard input) must not look like a clean stop: it exits 2 with one
 * clear log line, before opening anything. With a terminal, or outside production, the console
 * still runs (`npm start`, `docker run -it`).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

function runMain(env: Record<string, string>, input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  child.stdin.on('error', () => undefined);
  child.stdin.end(input);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('unconfigured production process', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unconfigured-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 2 with one fatal log line naming what to set, and opens no database', async () => {
    const db = path.join(dir, 'prod.db');
    const { code, stdout, stderr } = await runMain({ NODE_ENV: 'production', DATABASE_URL: `sqlite:${db}` }, '');

    expect({ code, stderr }).toEqual({ code: 2, stderr: '' });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!) as { level: number; msg: string };
    expect(line.level).toBe(60);
    expect(line.msg).toContain('nothing to serve');
    expect(line.msg).toContain('SLACK_BOT_TOKEN');
    expect(line.msg).toContain('TEAMS_ENABLED=true');
    expect(fs.existsSync(db)).toBe(false);
  });

  it('outside production the piped console still runs (the newcomer path)', async () => {
    const { code, stdout } = await runMain({ DATABASE_URL: `sqlite:${path.join(dir, 'dev.db')}` }, 'quit\n');
    expect(code).toBe(0);
    expect(stdout).not.toContain('nothing to serve');
  });
});
