/**
 * Issue 12 QA: the product started in Slack OAuth mode with a new INSTALLATION_ENCRYPTION_KEY and
 * no INSTALLATION_ENCRYPTION_KEY_PREVIOUS, over stored installations written with the old key,
 * used to start and then ignore every event of those workspaces. It refuses to start (exit 2),
 * naming the key ids and INSTALLATION_ENCRYPTION_KEY_PREVIOUS; with the previous key set it starts.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../../adapters/logger';
import { openInstallationStore } from '../../../adapters/slack/oauth/open-installation-store';
import { keyIdOf } from '../../../adapters/slack/oauth/token-cipher';
import { openSqliteRunStore } from '../../../adapters/store/sqlite-run-store';
import { teamInstallation } from '../../contract/installation-store.contract';

const ROOT = path.resolve(__dirname, '../../..');

function runMain(env: Record<string, string>, untilLine?: RegExp): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const seen = (c: Buffer) => {
    out += c.toString('utf8');
    if (untilLine?.test(out)) child.kill('SIGTERM');
  };
  child.stdout.on('data', seen);
  child.stderr.on('data', seen);
  const kill = setTimeout(() => child.kill('SIGKILL'), 40_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, out });
    }),
  );
}

describe('Slack OAuth start with stored installations the configured keys cannot read', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'install-key-'));
  const file = path.join(dir, 'runs.db');
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  const idOf = (k: string) => keyIdOf(Buffer.from(k, 'base64'));
  const env = (keys: Record<string, string>) => ({
    SLACK_SIGNING_SECRET: 'install-key-signing-secret',
    SLACK_CLIENT_ID: '7777.8888',
    SLACK_CLIENT_SECRET: 'install-key-client-secret',
    SLACK_STATE_SECRET: 'install-key-state-secret',
    SLACK_API_URL: 'http://127.0.0.1:9/api/',
    SECUTIX_SANDBOX: 'true',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${file}`,
    ...keys,
  });

  beforeAll(async () => {
    const store = openSqliteRunStore(file);
    const installations = await openInstallationStore(store, { encryptionKey: oldKey }, createLogger('silent'));
    await installations.storeInstallation(teamInstallation('T0OLDKEY', 'fakebot-old-key-token'));
    await store.close();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a new key without INSTALLATION_ENCRYPTION_KEY_PREVIOUS: exit 2, naming both key ids and the setting', async () => {
    const r = await runMain(env({ INSTALLATION_ENCRYPTION_KEY: newKey }));
    expect(r.code).toBe(2);
    expect(r.out).toContain(`written with encryption key ${idOf(oldKey)}`);
    expect(r.out).toContain(`INSTALLATION_ENCRYPTION_KEY (key ${idOf(newKey)})`);
    expect(r.out).toContain('set INSTALLATION_ENCRYPTION_KEY_PREVIOUS');
    expect(r.out).not.toContain(oldKey);
    expect(r.out).not.toContain(newKey);
    expect(r.out).not.toContain('fakebot-old-key-token');
  }, 60_000);

  it('INSTALLATION_ENCRYPTION_KEY_PREVIOUS set to the new key too: exit 2, saying it is the same key (not "not set")', async () => {
    const r = await runMain(env({ INSTALLATION_ENCRYPTION_KEY: newKey, INSTALLATION_ENCRYPTION_KEY_PREVIOUS: newKey }));
    expect(r.code).toBe(2);
    expect(r.out).toContain('1 stored Slack installation was written with encryption key');
    expect(r.out).toContain('INSTALLATION_ENCRYPTION_KEY_PREVIOUS is set to the same key');
    expect(r.out).not.toContain('INSTALLATION_ENCRYPTION_KEY_PREVIOUS is not set');
  }, 60_000);

  it('with the old key as INSTALLATION_ENCRYPTION_KEY_PREVIOUS it starts (and re-encrypts)', async () => {
    const r = await runMain(
      env({ INSTALLATION_ENCRYPTION_KEY: newKey, INSTALLATION_ENCRYPTION_KEY_PREVIOUS: oldKey }),
      /slack surface listening/,
    );
    expect(r.out).toContain('slack surface listening');
    expect(r.out).toContain('re-encrypted');
    expect(r.out).not.toContain('refuses to start');
  }, 60_000);
});
