/**
 * The console user is always allowed (local use): with ALLOWED_OPERATORS and SUPPORT_USERS set
 * to other people, a console session still starts a run, acts as SecuTix support, verifies and
 * completes it, through the same `RunService` that refuses those people's strangers on Slack/Teams.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sandboxHints } from '../../../adapters/sandbox';
import { type ConsoleHarness, tempDir, wireConsole } from './console-harness';

const DEMO = sandboxHints('DEMO');

describe('console access', () => {
  let dir: string;
  let h: ConsoleHarness;

  beforeAll(async () => {
    dir = tempDir();
    h = await wireConsole(path.join(dir, 'onboarding.db'), { ALLOWED_OPERATORS: 'U0SOMEONE,S0GROUP', SUPPORT_USERS: 'U0SUPPORT' });
  });
  afterAll(async () => {
    await h.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a full DEMO run completes although the console user is on neither list', async () => {
    const start = ['', '', 'Demo Theatre', 'Camille Martin', 'camille.martin@digitick.example', ''];
    const steps = ['1', '1', '1', '11, 12', '1', DEMO.contactNumber!, '1', '1', '1', '1', '1', DEMO.password, '1'];
    const r = await h.session(['help', ...start, ...steps]);
    expect(r.exitCode).toBe(0);
    expect(r.output).not.toContain('not on the list');
    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run).toMatchObject({ status: 'completed' });
    expect((await h.core.store.audit(run!.id)).filter((a) => a.outcome.startsWith('refused'))).toEqual([]);
  });
});
