/**
 * The console demo as `npm start` wires it: the banner lists every sandbox institution from the
 * fixture with what it shows, and a DEMO run passes its verification while the sandbox extracts
 * the catalog asynchronously (`in_progress` without a `requestId`, polled until ready).
 */
import fs from 'node:fs';
import path from 'node:path';
import { consoleHintsFrom } from '../../../adapters/console';
import { allSandboxHints, sandboxHints } from '../../../adapters/sandbox';
import { type ConsoleHarness, tempDir, wireConsole } from './console-harness';

const DEMO = sandboxHints('DEMO');
const startAnswers = ['', '', 'Demo Theatre', 'Camille Martin', 'camille.martin@digitick.example', ''];
const STEPS_1_TO_8 = ['1', '1', '1', '11, 12', '1', DEMO.contactNumber!, '1', '1', '1', '1'];

describe('console demo (sandbox institutions, asynchronous catalog)', () => {
  let dir: string;
  let h: ConsoleHarness;

  beforeEach(async () => {
    dir = tempDir();
    h = await wireConsole(path.join(dir, 'onboarding.db'), { SECUTIX_POLL_INTERVAL_MS: '50' }, { sandboxExtractionMs: 300 });
  });
  afterEach(async () => {
    await h.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the banner lists every fixture institution with what it shows, its password, contingents and contact', async () => {
    const r = await h.session([], { hints: consoleHintsFrom(allSandboxHints())! });
    const banner = r.output.slice(0, r.output.lastIndexOf('='.repeat(64)));
    expect(banner).toContain('one institution per line');
    for (const inst of allSandboxHints()) {
      const line = banner.split('\n').find((l) => l.startsWith(`  ${inst.institutionCode}: `));
      expect(line).toBeDefined();
      expect(line).toContain(`operator password ${inst.password}`);
      expect(line).toContain(`contingents ${inst.contingentIds.join(', ')}`);
      expect(line).toContain(`technical contact ${inst.contactNumbers[0]}`);
    }
    expect(banner).toMatch(/ {2}DEMO: every check passes;/);
    expect(banner).toMatch(/ {2}FAULTY: checks fail/);
    expect(banner).toMatch(/ {2}UNLISTED: checks to confirm/);
    expect(banner).toMatch(/ {2}BIGCAT: a large catalog/);
  });

  test('a DEMO run passes its verification while the sandbox extracts the catalog (polled without requestId)', async () => {
    const r = await h.session([...startAnswers, ...STEPS_1_TO_8, '1', DEMO.password, '1']);
    console.log(`console DEMO run with a 300 ms catalog extraction: ${r.ms.toFixed(0)} ms`);
    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run.verification).toMatchObject({ passed: true });
    const catalog = h.core.sandbox!.instance.state.log.filter((c) => c.method === 'getCatalogDetailed');
    expect(catalog[0]).toMatchObject({ statusCode: 'in_progress' });
    expect(catalog.every((c) => c.requestId === undefined)).toBe(true);
    expect(catalog.at(-1)).toMatchObject({ statusCode: 'success' });
  });
});
