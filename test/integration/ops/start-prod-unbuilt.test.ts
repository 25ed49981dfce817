/**
 * Issue 11: `npm run start:prod` before `npm run build` says so in one plain line and exits 1,
 * instead of Node's MODULE_NOT_FOUND stack. The real npm runs the script in a copy of the package
 * (package.json only: no dist/).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

test('npm run start:prod without dist/: one plain line naming `npm run build`, exit 1, no stack', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'start-prod-'));
  try {
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
    const r = spawnSync('npm', ['run', 'start:prod', '--silent'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? '', HOME: dir, npm_config_update_notifier: 'false' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe('dist/ is missing: run `npm run build` first');
    expect(r.stdout.trim()).toBe('');
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/MODULE_NOT_FOUND|Cannot find module|\n\s+at /);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 70_000);
