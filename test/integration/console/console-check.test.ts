/**
 * `check` in the console (issue 5, "Health check of an existing setup"), through pipes, wired like
 * the composition root (SQLite store, SecuTix client over loopback HTTP against the sandbox): typed
 * at any prompt, it asks the institution, the channel and the check form's questions (the password
 * without echo; optional values may be left empty), prints the report with where to fix each
 * failure, creates no run, and never writes the password anywhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sandboxHints } from '../../../adapters/sandbox';
import { type ConsoleHarness, tempDir, wireConsole } from './console-harness';

const FAULTY = sandboxHints('FAULTY');
const DEMO = sandboxHints('DEMO');

describe('console: check without a run', () => {
  let dir: string;
  let h: ConsoleHarness;
  beforeEach(async () => {
    dir = tempDir();
    h = await wireConsole(path.join(dir, 'onboarding.db'));
  });
  afterEach(async () => {
    await h.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('check FAULTY at the first prompt: the report names the broken checks and the screens; then the start question comes back', async () => {
    const r = await h.session(['check', 'faulty', '', FAULTY.password, String(FAULTY.contingentIds[0]), FAULTY.contactNumber!]);
    console.log(`console check (FAULTY, verification over HTTP): ${r.ms.toFixed(0)} ms`);
    expect(r.exitCode).toBe(0);
    expect(r.output).toMatch(/Health check of FAULTY \(DGTK\): \d problems/);
    expect(r.output).not.toContain('Where to fix it');
    expect(r.output).toContain('Where: Institution > Initialisation > Sales channels');
    expect(r.output).not.toMatch(/run's contingents/);
    expect(r.output).not.toContain(FAULTY.password);
    expect(r.output.split('Institution code').length).toBeGreaterThan(2); // asked again after the report
    expect(await h.core.store.list({})).toEqual([]);
    const db = fs
      .readdirSync(dir)
      .map((f) => fs.readFileSync(path.join(dir, f)).toString('latin1'))
      .join('\n');
    expect(db).not.toContain(FAULTY.password);
    expect(h.logs.join('\n')).not.toContain(FAULTY.password);
  });

  test('check DEMO with the optional values left empty: passes, the skipped checks say why', async () => {
    const r = await h.session(['check', 'DEMO', 'DGTK', DEMO.password, '', ''], { hints: null }); // no banner hints: they print the demo password
    expect(r.output).toContain('Health check of DEMO (DGTK): nothing broken');
    expect(r.output).toContain('Not checked: no contingent ids were given.');
    expect(r.output).toContain('Not checked: no technical contact number was given.');
    expect(r.output).not.toContain(DEMO.password);
  });
});
