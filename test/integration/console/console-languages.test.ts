/**
 * Issue 9 follow-up: the console answers about one run (its audit, status, refusals) in that
 * run's language, as Slack and Teams do; what is not about one run (help, the list of runs, an
 * unknown run id) stays in the console's language (`DEFAULT_LOCALE`, here en), whatever run is
 * current. Driven through pipes with the real SQLite store and the sandbox over HTTP.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type ConsoleHarness, tempDir, wireConsole } from './console-harness';

const startAnswers = (code: string, name: string, language: string): string[] => [
  code,
  '',
  name,
  'Camille Martin',
  'camille.martin@digitick.example',
  language,
];

describe('console: the run language for one run, the console language for the rest', () => {
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

  it('with a French run current: help and an unknown id in English, audit of a German run in German, of the French run in French', async () => {
    // A German run, left open.
    await h.session(startAnswers('DEMO', 'Demo Theater', 'de'));
    const [german] = await h.core.store.list({ surface: 'console' });
    expect(german!.details.language).toBe('de');

    // A second session: "start a new run" (choice 2, after the German one), a French run, then commands at its first step.
    const r = await h.session([
      '2',
      ...startAnswers('UNLISTED', 'Galerie', 'fr'),
      'help',
      'status NOSUCHRN',
      `audit ${german!.id}`,
      'audit',
    ]);
    const french = (await h.core.store.list({ surface: 'console' })).find((x) => x.id !== german!.id)!;
    expect(french.details.language).toBe('fr');
    const out = r.output;
    const afterStart = out.slice(out.lastIndexOf('== Digitick onboarding assistant =='));
    expect(afterStart.length).toBeLessThan(out.length); // help, in the console's language (en)
    expect(afterStart).not.toContain("== Assistant d'intégration Digitick ==");
    expect(afterStart).toContain('I know no run NOSUCHRN.');
    expect(afterStart).not.toContain('Je ne connais pas de parcours NOSUCHRN');
    expect(afterStart).toMatch(new RegExp(`Protokoll des Vorgangs ${german!.id} \\(\\d+ Eintr(?:ag|äge)\\) geschrieben nach `));
    expect(afterStart).toMatch(new RegExp(`Historique du parcours ${french.id} \\(\\d+ entrées?\\) écrit dans `));
  });

  it('a second start for the institution and channel of an open German run: the duplicate answer is in German', async () => {
    await h.session(startAnswers('DEMO', 'Demo Theater', 'de'));
    const [german] = await h.core.store.list({ surface: 'console' });
    expect(german!.details.language).toBe('de');

    // "Start a new run" in the English console, for the same institution and channel.
    const r = await h.session(['2', 'DEMO', '']);
    expect(r.output).toContain(
      `Für DEMO / DGTK ist bereits ein Onboarding-Vorgang offen: Vorgang ${german!.id}, bei Schritt „Verkaufskanal“.`,
    );
    expect(r.output).not.toContain('An onboarding run is already open');
    expect(await h.core.store.list({ surface: 'console' })).toHaveLength(1);
  });
});
