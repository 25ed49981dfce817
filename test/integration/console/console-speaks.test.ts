/**
 * The console speaks console (issue 9): choices wording and no backticks in every language,
 * duplicate runs caught early, finished runs reachable by `status` and `audit RUN`, a second
 * terminal on the same run, cleaned answers, limits named, `quit` at the resume offer. Driven
 * through pipes with the real SQLite store and the sandbox over HTTP (`console-harness.ts`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { sandboxHints } from '../../../adapters/sandbox';
import { createConsoleNotifier, runConsole } from '../../../adapters/console';
import { BUTTON_WORDS } from '../../../adapters/console/wording';
import { type ConsoleHarness, TEST_USER, demoConsoleHints, tempDir, wireConsole } from './console-harness';

const DEMO = sandboxHints('DEMO');

const startAnswers = (code: string, name: string, language = ''): string[] => [
  code,
  '',
  name,
  'Camille Martin',
  'camille.martin@digitick.example',
  language,
];
const DEMO_STEPS_1_TO_8 = ['1', '1', '1', '11, 12', '1', DEMO.contactNumber!, '1', '1', '1', '1'];

/**
 * The console's own text: the output without the email draft (shown verbatim, it is the user's
 * to copy) and without the echo of what was typed after each prompt.
 */
function consoleText(out: string, begin: string, end: string, typed: string[]): string {
  const emailStart = out.indexOf(begin);
  const withoutEmail = emailStart >= 0 ? out.slice(0, emailStart) + out.slice(out.indexOf(end) + end.length) : out;
  return withoutEmail
    .split('\n')
    .map((line) => {
      for (const t of typed) if (t && line.endsWith(`: ${t}`)) return line.slice(0, -t.length);
      return line;
    })
    .join('\n');
}

describe('the console speaks console', () => {
  let dir: string;
  let dbPath: string;
  let h: ConsoleHarness;

  beforeEach(async () => {
    dir = tempDir();
    dbPath = path.join(dir, 'onboarding.db');
    h = await wireConsole(dbPath);
  });

  afterEach(async () => {
    await h.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(['en', 'fr', 'de'] as const)(
    'a whole %s run (help, a failed then a passed verification, the email) never says "press the button" nor shows backticks',
    async (language) => {
      const typed = [
        ...startAnswers('DEMO', 'Demo Theatre', language),
        'help',
        ...DEMO_STEPS_1_TO_8,
        '1',
        'wrong-password',
        '1',
        DEMO.password,
        '1',
      ];
      const r = await h.session(typed);
      expect(r.exitCode).toBe(0);
      const [run] = await h.core.store.list({ surface: 'console' });
      expect(run!.status).toBe('completed');
      const t = (key: string) => h.core.builder.t(language, key);
      const text = consoleText(r.output, t('console.email.begin'), t('console.email.end'), typed);
      // The failed report's retry hint and every step guide went through the console wording.
      expect(text).toContain(t('report.header.failed'));
      expect(text.match(BUTTON_WORDS)?.[0]).toBeUndefined();
      expect(text).not.toContain('`');
      // Chat wording would have matched: the check can fail.
      expect(h.core.builder.t(language, 'step.contingents.guide', { channelCode: 'DGTK' })).toMatch(BUTTON_WORDS);
    },
  );

  it('a duplicate run is caught as soon as institution and channel are typed, before the other questions, and resumed', async () => {
    const first = await h.session(startAnswers('DEMO', 'Demo Theatre'));
    const [open] = await h.core.store.list({ surface: 'console' });
    expect(first.exitCode).toBe(0);

    // Second session: start a new run for the same institution and channel.
    const r = await h.session(['2', 'demo', 'Another name', '', '1']);
    const second = r.output;
    const dup = second.indexOf(`An onboarding run is already open for DEMO / DGTK: run ${open!.id}`);
    expect(dup).toBeGreaterThan(second.indexOf('Sales channel code [DGTK]: '));
    // The questions after the channel were not asked; the open run was resumed and step 1 done.
    expect(second).not.toContain('Digitick contact name: ');
    expect(second).not.toContain('Another name (');
    const runs = await h.core.store.list({ surface: 'console' });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: open!.id, currentStep: 'point_of_sale' });
  });

  it('status lists finished runs; status RUN and audit RUN work for a cancelled run in a later session', async () => {
    await h.session([...startAnswers('DEMO', 'Demo Theatre'), '2', 'y']);
    const [done] = await h.core.store.list({ surface: 'console' });
    expect(done!.status).toBe('cancelled');

    const r = await h.session(['status', `status ${done!.id.toLowerCase()}`, `audit ${done!.id}`, 'audit NOSUCHRN']);
    expect(r.output).toContain('Recently finished runs (status RUN shows one, audit RUN writes its trail):');
    expect(r.output).toContain(`Run ${done!.id} DEMO/DGTK: cancelled`);
    expect(r.output).toContain(`Cancelled by ${TEST_USER.name}`);
    const written = new RegExp(`Audit trail of run ${done!.id} \\((\\d+) entries\\) written to (\\S+)`).exec(r.output);
    expect(written).not.toBeNull();
    expect(Number(written![1])).toBeGreaterThanOrEqual(2);
    expect(fs.readFileSync(written![2]!, 'utf8')).toContain('run_cancel');
    expect(r.output).toContain('I know no run NOSUCHRN.');
    // An answer that merely starts with a command word is an answer, not a command.
    const s = await h.session(['Status Quo Theatre'], { hints: demoConsoleHints() });
    expect(s.output).not.toContain('Recently finished runs');
  });

  it('a second console on the same run sees the current step before it is offered choices', async () => {
    await h.session(startAnswers('DEMO', 'Demo Theatre'));
    const [run] = await h.core.store.list({ surface: 'console' });

    // Console A resumes the run and waits at step 1's choices.
    const input = new PassThrough();
    const output = new PassThrough();
    let a = '';
    output.on('data', (c: Buffer) => (a += c.toString('utf8')));
    h.core.notifiers.console = createConsoleNotifier(output, h.core.builder);
    const waitFor = async (text: string, from = 0): Promise<number> => {
      for (let i = 0; i < 500 && a.indexOf(text, from) < 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(a.slice(from)).toContain(text);
      return a.indexOf(text, from);
    };
    const session = runConsole({
      service: h.core.service,
      builder: h.core.builder,
      store: h.core.store,
      input,
      output,
      defaultLocale: 'en',
      user: TEST_USER,
    });
    input.write('1\n');
    const choices = await waitFor('Your choice (1-2): ', (await waitFor('== Step 1/10: Sales channel ==')) + 1);

    // Console B (another process: its own core on the same database file) does step 1.
    const other = await wireConsole(dbPath);
    try {
      await other.session(['1', '1']);
    } finally {
      await other.close();
    }
    expect((await h.core.store.get(run!.id))?.currentStep).toBe('point_of_sale');

    // A picks "Done" for step 1: nothing changes, and A is shown step 2 before its choices.
    input.write('1\n');
    const changed = await waitFor(
      `Run ${run!.id} was changed elsewhere (another terminal?) since your last choice: it is now at step 2/10 (Point of sale).`,
      choices,
    );
    const prompt = await waitFor('== Step 2/10: Point of sale ==', changed);
    await waitFor('Your choice (1-2): ', prompt);
    expect(a.slice(choices, changed)).toContain('Nothing changed');
    input.end();
    expect(await session).toEqual({ exitCode: 0 });
    expect((await h.core.store.get(run!.id))?.currentStep).toBe('point_of_sale');
  });

  it('control characters and invalid UTF-8 are removed from saved text, and the user is told', async () => {
    const name = Buffer.concat([Buffer.from('Demo\u0007 The', 'utf8'), Buffer.from([0xff, 0xfe]), Buffer.from('atre\u001b', 'utf8')]);
    const r = await h.session(['DEMO', '', name, 'Camille\u0000 Martin', 'camille.martin@digitick.example', '']);
    expect(r.output).toContain('4 control characters or invalid bytes were removed from your answer; it now reads: Demo Theatre');
    expect(r.output).toContain('1 control character or invalid byte was removed from your answer; it now reads: Camille Martin');
    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run!.details).toMatchObject({ institutionName: 'Demo Theatre', digitickContactName: 'Camille Martin' });
  });

  it('an answer made only of control characters is said to be empty, never "saved", then the field asks again', async () => {
    const r = await h.session(['DEMO', '', '\u0007\u0001\u001b', 'Demo Theatre', 'Camille Martin', 'camille.martin@digitick.example', '']);
    expect(r.output).toContain('3 control characters or invalid bytes were removed from your answer: nothing is left of it.');
    expect(r.output).not.toMatch(/it now reads: *\n/);
    expect(r.output).toContain('This field is required');
    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run!.details).toMatchObject({ institutionName: 'Demo Theatre' });
  });

  it('a tab becomes a space, an escape sequence goes whole, and no double space is left (words are neither joined nor doubled)', async () => {
    const r = await h.session(['DEMO', '', 'Bad\u0001Name\u001b[31m  Theatre', 'Dana\tX', 'camille.martin@digitick.example', '']);
    expect(r.output).toContain('it now reads: BadName Theatre');
    expect(r.output).toContain('1 control character or invalid byte was removed from your answer; it now reads: Dana X');
    expect(r.output).not.toContain('[31m');
    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run!.details).toMatchObject({ institutionName: 'BadName Theatre', digitickContactName: 'Dana X' });
  });

  it('"too long" names the limit', async () => {
    const r = await h.session([
      'DEMO',
      '',
      'x'.repeat(121),
      'Demo Theatre',
      'Camille Martin',
      'c'.repeat(250) + '@d.example',
      'camille@digitick.example',
      '',
    ]);
    expect(r.output).toContain('  ! This value is too long: at most 120 characters.');
    expect(r.output).toContain('  ! This value is too long: at most 254 characters.');
    const fr = h.core.builder.t('fr', 'error.field.too_long.skip_reason');
    expect(fr).toBe('Cette valeur est trop longue\u00a0: 500 caractères au plus.');
  });

  it('quit at the resume offer says the open run stays saved (not "nothing started")', async () => {
    await h.session(startAnswers('DEMO', 'Demo Theatre'));
    const [run] = await h.core.store.list({ surface: 'console' });
    const r = await h.session(['quit']);
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain(`Nothing changed: run ${run!.id} stays saved where it was. Run npm start to resume it.`);
    expect(r.output).not.toContain('Nothing started');
  });
});
