/**
 * Issue 11: SIGTERM to `npm start` stops the server within 10 s. npm forwards SIGTERM to its
 * child, the `sh -c` of the script; the script `exec`s node, so the signal reaches the app (a
 * plain `tsx adapters/main.ts` left the shell and tsx's node child serving after npm exited).
 * `npm run start:prod` is checked the same way on the compiled app by `scripts/smoke-prod.sh`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../process/product-process';

const ROOT = path.resolve(__dirname, '../../..');

/** True while `pid` exists. */
const exists = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('SIGTERM through npm', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sigterm-'));
  let npm: ChildProcess | undefined;
  let children: number[] = [];
  afterAll(() => {
    // Whatever outlived the test (the failure this test is about) is killed, so Jest can exit.
    for (const pid of [npm?.pid, ...children]) if (pid && exists(pid)) process.kill(pid, 'SIGKILL');
    npm?.stdout?.destroy();
    npm?.stderr?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('npm start: the app gets the signal, logs it, stops serving and every process of the tree exits', async () => {
    const logs: string[] = [];
    npm = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? dir,
        TEAMS_ENABLED: 'true',
        PORT: '0',
        HOST: '127.0.0.1',
        SECUTIX_SANDBOX: 'true',
        DATABASE_URL: `sqlite:${path.join(dir, 'runs.db')}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    npm.stdout!.on('data', (c: Buffer) => logs.push(...c.toString('utf8').split('\n').filter(Boolean)));
    const exited = new Promise<number | null>((resolve) => npm!.once('exit', (code) => resolve(code)));
    const line = await waitFor(
      'the app to listen',
      () =>
        logs
          .map((l) => (l.startsWith('{') ? (JSON.parse(l) as { msg?: string; port?: number }) : {}))
          .find((j) => j.msg?.startsWith('serving Teams')),
      30_000,
    );
    const base = `http://127.0.0.1:${line.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // The app's pid and its own children, from the process tree: npm -> (sh replaced by) node.
    const childrenOf = (pid: number): number[] => {
      const direct = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      return direct.flatMap((c) => [c, ...(exists(c) ? childrenOf(c) : [])]);
    };
    children = childrenOf(npm.pid!);

    npm.kill('SIGTERM');
    const code = await exited;

    expect(code).not.toBeNull();
    expect(logs.some((l) => l.includes('"signal":"SIGTERM"'))).toBe(true);
    await waitFor('the app process to exit', () => children.every((pid) => !exists(pid)), 10_000);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
