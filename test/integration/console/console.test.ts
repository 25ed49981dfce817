/**
 * The console surface driven through pipes, end to end: real SQLite store (temp file), real
 * SecuTix client over loopback HTTP against the embedded sandbox (DEMO and FAULTY), wired like
 * the composition root (`console-harness.ts`). Each session's input is written before it starts
 * reading (lines arrive early and are queued), then ends.
 */
import fs from 'node:fs';
import path from 'node:path';
import { STEP_IDS } from '../../../src/domain/ids';
import { sandboxHints } from '../../../adapters/sandbox';
import { type ConsoleHarness, demoConsoleHints, TEST_USER, tempDir, wireConsole } from './console-harness';

const DEMO = sandboxHints('DEMO');
const FAULTY = sandboxHints('FAULTY');

/** Answers to the start form, in the console's order: code, channel (default), name, contact name, email, language (default). */
const startAnswers = (code: string, name: string, language = ''): string[] => [
  code,
  '',
  name,
  'Camille Martin',
  'camille.martin@digitick.example',
  language,
];

/** Steps 1 to 8 on DEMO: done, done, contingents, contact, events, passes, interface, support. */
const DEMO_STEPS_1_TO_8 = ['1', '1', '1', '11, 12', '1', DEMO.contactNumber!, '1', '1', '1', '1'];

/** Every file of the database directory (SQLite file, WAL, SHM), concatenated. */
function dbBytes(dir: string): string {
  return fs
    .readdirSync(dir)
    .map((f) => fs.readFileSync(path.join(dir, f)).toString('latin1'))
    .join('\n');
}

const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;

describe('console surface (SQLite store, SecuTix client, sandbox over HTTP)', () => {
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

  test('(a) a new user completes a DEMO run: every step, support choice, passed report, email draft; the password is never shown, stored or logged', async () => {
    const t = (key: string, view: Record<string, unknown> = {}) => h.core.builder.t('en', key, view);

    const r = await h.session([...startAnswers('', 'Demo Theatre'), ...DEMO_STEPS_1_TO_8, '1', DEMO.password, '1']);
    console.log(`full console run (DEMO, 10 steps, verification over HTTP): ${r.ms.toFixed(0)} ms`);

    expect(r.exitCode).toBe(0);
    const out = r.output;
    // Each step is shown, in order.
    let at = 0;
    STEP_IDS.forEach((id, i) => {
      const header = `== ${t('prompt.header', { number: i + 1, title: t(`step.${id}.title`) })} ==`;
      const pos = out.indexOf(header, at);
      expect(pos).toBeGreaterThan(at);
      at = pos;
    });
    // The support request appears as choice 1 at step 8.
    expect(out).toMatch(/ 1\) Act as SecuTix support: password assigned\n/i);
    expect(out).toContain('Please assign a password to the operator DEMO_DGTK');
    // The verification report: every check passed.
    expect(out).toContain(`== ${t('report.header.passed')} ==`);
    for (const check of ['credentials', 'sales_channel', 'point_of_sale', 'event_products', 'pass_products', 'technical_contact']) {
      expect(out).toMatch(new RegExp(`OK passed +${t(`check.name.${check}`)}\\n`));
    }
    expect(out).not.toMatch(/XX failed/);
    // The email draft, verbatim between the rules, filled in.
    const email = out.slice(out.indexOf(t('console.email.begin')), out.indexOf(t('console.email.end')));
    expect(email).toContain('To: Camille Martin <camille.martin@digitick.example>');
    expect(email).toContain('Hello Camille Martin,');
    expect(email).toContain('on behalf of Demo Theatre');
    expect(email).toContain('https://demo.ws.secutix.com');
    expect(email).toContain('Login: DEMO_DGTK');
    expect(email).toContain('The pointOfSalesId is 4242.');
    expect(email).toContain('[[PASSWORD PROVIDED BY SECUTIX');
    // Markup: bold markers stripped, code kept.
    expect(out).not.toContain('**');
    expect(out).toContain('with the code DGTK.');

    // The run is completed in the store.
    const runs = await h.core.store.list({ surface: 'console' });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'completed', currentStep: null, contingentIds: [11, 12], contactNumber: DEMO.contactNumber });
    expect(runs[0].verification).toMatchObject({ passed: true, posId: 4242 });
    expect(runs[0].steps.password_request.by?.name).toContain('SecuTix support');
    expect(out).toContain(`Run ${runs[0].id} is complete. Run npm start to start another one.`);

    // The password: printed once, in the sandbox hints at the top (a demo value), nowhere else.
    expect(count(out, DEMO.password)).toBe(1);
    const banner = out.slice(0, out.indexOf('== Digitick onboarding =='));
    expect(banner).toContain(`operator password ${DEMO.password}`);
    expect(out.slice(banner.length)).not.toContain(DEMO.password);
    expect(out).toContain('Operator password: (hidden)\n');
    // Not in the database (file, WAL) nor in the logs (which do record the verification).
    expect(dbBytes(dir)).not.toContain(DEMO.password);
    expect(h.logs.join('\n')).toContain('verification finished');
    expect(h.logs.join('\n')).not.toContain(DEMO.password);
    await h.close();
    expect(dbBytes(dir)).not.toContain(DEMO.password);
  });

  test('(a) without hints the typed password appears nowhere in the output', async () => {
    const r = await h.session([...startAnswers('DEMO', 'Demo Theatre'), ...DEMO_STEPS_1_TO_8, '1', DEMO.password, '1'], { hints: null });
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('Verification passed');
    expect(r.output).not.toContain(DEMO.password);
    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run.status).toBe('completed');
  });

  test('(b) end of input mid-run saves the run at its step; a second session offers to resume it and finishes it', async () => {
    const first = await h.session([...startAnswers('DEMO', 'Demo Theatre'), '1', '1']);
    expect(first.exitCode).toBe(0);
    const [saved] = await h.core.store.list({ surface: 'console' });
    expect(saved).toMatchObject({ status: 'open', currentStep: 'contingents' });
    expect(first.output).toContain(`Saved: run ${saved.id} waits at step 3/10 (Contingents). Run npm start to resume.`);

    // A new process: new core on the same database file.
    await h.close();
    h = await wireConsole(dbPath);
    const second = await h.session(['1', '1', '11 12', ...DEMO_STEPS_1_TO_8.slice(4), '1', DEMO.password, '1']);
    expect(second.exitCode).toBe(0);
    expect(second.output).toContain('You have an unfinished onboarding run:');
    expect(second.output).toContain(`1) Resume run ${saved.id} (DEMO, step 3/10)`);
    expect(second.output).toContain('2) Start a new run');
    // No start form in the second session.
    expect(second.output).not.toContain('Institution code (SecuTix)');
    expect(second.output).toContain('== Step 3/10: Contingents ==');
    const runs = await h.core.store.list({ surface: 'console' });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: saved.id, status: 'completed' });
    const audit = await h.core.store.audit(saved.id);
    expect(audit.map((a) => a.action)).toContain('resume');
  });

  test('(b) a verification cut by a crash (its marker left in the database): resuming the run says so, verify again', async () => {
    const first = await h.session([...startAnswers('DEMO', 'Demo Theatre'), ...DEMO_STEPS_1_TO_8]);
    expect(first.exitCode).toBe(0);
    const [saved] = await h.core.store.list({ surface: 'console' });
    expect(saved).toMatchObject({ status: 'open', currentStep: 'verification' });
    // What a process killed mid-verification leaves behind: the under-way marker, no report.
    await h.core.store.putRef(saved.id, 'core.verifying', { at: new Date(Date.now() - 60_000).toISOString(), by: TEST_USER });

    await h.close();
    h = await wireConsole(dbPath);
    const second = await h.session(['1']);
    expect(second.exitCode).toBe(0);
    expect(second.output).toContain(
      `The verification of run ${saved.id} was interrupted (the assistant restarted) and nothing was recorded.`,
    );
    expect(second.output.indexOf('was interrupted')).toBeLessThan(second.output.indexOf('== Step 9/10'));
    expect((await h.core.store.getRefs(saved.id))['core.verifying']).toBeNull();
  });

  test('at the password prompt `quit` asks first, then stops with the run saved at step 9; nothing is sent to SecuTix', async () => {
    const r = await h.session([...startAnswers('DEMO', 'Demo Theatre'), ...DEMO_STEPS_1_TO_8, '1', 'quit', 'y']);
    expect(r.exitCode).toBe(0);
    const afterPrompt = r.output.slice(r.output.lastIndexOf('Operator password'));
    expect(afterPrompt).toContain('"quit" is a command: run it? Answer n to send it as the password instead. (y/n) ');
    expect(afterPrompt).toMatch(/waits at step 9\/10 \(Verification\)/);
    expect(afterPrompt).not.toMatch(/SecuTix refused/);
    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run).toMatchObject({ currentStep: 'verification' });
    expect(run!.verification).toBeFalsy();
  });

  test('at the password prompt `help` runs (an empty answer is yes), then the password is asked again and verifies', async () => {
    const r = await h.session([...startAnswers('DEMO', 'Demo Theatre'), ...DEMO_STEPS_1_TO_8, '1', 'help', '', DEMO.password]);
    expect(r.exitCode).toBe(0);
    const afterPrompt = r.output.slice(r.output.indexOf('"help" is a command'));
    expect(afterPrompt).toContain(h.core.builder.t('en', 'console.help.notes'));
    expect(afterPrompt).toContain('Operator password: (hidden)\n');
    expect(afterPrompt).toContain('Verification passed');
  });

  test.each(['status', 'audit', 'quit'])(
    'a password that really is `%s`: answering n sends it to SecuTix as the password',
    async (word) => {
      const r = await h.session([...startAnswers('DEMO', 'Demo Theatre'), ...DEMO_STEPS_1_TO_8, '1', word, 'n']);
      expect(r.exitCode).toBe(0);
      const afterPrompt = r.output.slice(r.output.lastIndexOf('Operator password'));
      // Sent to SecuTix as the password (refused there), not run as a command.
      expect(afterPrompt).toMatch(/SecuTix refused the login DEMO_DGTK with this password/);
      expect(afterPrompt).not.toMatch(/written to \S+\.csv/);
      expect(afterPrompt).not.toContain('Your open onboarding runs');
    },
  );

  test("a command with a malformed argument answers as a command at any prompt, never as the field's answer", async () => {
    // At the institution code prompt: `status xxxx`, `audit 12`, `product a$b` are commands that say what is wrong.
    const r = await h.session([
      'status xxxx',
      'audit 12',
      'product a$b',
      'DEMO',
      '',
      'Demo Theatre',
      'Camille Martin',
      'camille.martin@digitick.example',
      '',
      'quit',
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('I know no run XXXX.');
    expect(r.output).toContain('I know no run 12.');
    expect(r.output).toContain('"a$b" is not a product code (letters, digits, - and _, at most 30).');
    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run!.details.institutionName).toBe('Demo Theatre');
  });

  test('at a name prompt, a name that starts with a command word ("Product Lab", "Status Quo") is the answer; a run id after status is still a command', async () => {
    const r = await h.session(['DEMO', '', 'status ABCDEFGH', 'Product Lab', 'Status Quo', 'camille.martin@digitick.example', '', 'quit']);
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('I know no run ABCDEFGH.');
    expect(r.output).not.toContain('== Check a product ==');
    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run!.details.institutionName).toBe('Product Lab');
    expect(run!.details.digitickContactName).toBe('Status Quo');
  });

  test('`product CODE` at a prompt checks that product with SecuTix (institution, channel, password asked), then the question comes back', async () => {
    const product = 'CONC01';
    const r = await h.session([
      `product ${product}`,
      'DEMO',
      '',
      DEMO.password,
      '11, 12',
      'DEMO',
      '',
      'Demo Theatre',
      'Camille Martin',
      'camille.martin@digitick.example',
      '',
      'quit',
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('== Check a product ==');
    expect(r.output).toMatch(new RegExp(`Product ${product}: Digitick can sell it`));
    // The password prompt names the operator of the institution and channel just given.
    expect(r.output).toContain('Password of operator DEMO_DGTK');
    expect(r.output).not.toContain('INSTITUTION_CHANNEL');
    expect(r.output.slice(r.output.indexOf('== Check a product =='))).not.toContain(DEMO.password);
    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run!.details.institutionName).toBe('Demo Theatre');
  });

  test("`audit` writes the current run's trail as CSV, every transition in order, no password", async () => {
    const r = await h.session(['audit', ...startAnswers('DEMO', 'Demo Theatre'), '1', '1', 'audit']);
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain(h.core.builder.t('en', 'console.audit.none'));
    const [run] = await h.core.store.list({ surface: 'console' });
    const file = /written to (\S+\.csv)/.exec(r.output)?.[1];
    expect(file).toBeDefined();
    const csv = fs.readFileSync(file!, 'utf8');
    const lines = csv.trim().split(/\r\n/);
    expect(lines[0]).toContain('seq,time_utc,time_local');
    expect(lines.slice(1).map((l) => l.split(',')[8])).toEqual(['start', 'step_done', 'step_done']);
    expect(file).toContain(run.id);
    expect(lines[1]).toContain('tester');
    expect(csv).not.toContain(DEMO.password);
  });

  test('(b) `quit` stops with exit code 0 and the run saved; choosing 2 at the resume offer starts a new run', async () => {
    const first = await h.session([...startAnswers('DEMO', 'Demo Theatre'), '1', 'quit', '1']);
    expect(first.exitCode).toBe(0);
    const [saved] = await h.core.store.list({ surface: 'console' });
    expect(saved.currentStep).toBe('point_of_sale');
    expect(first.output).toContain('waits at step 2/10 (Point of sale)');

    const second = await h.session(['2', ...startAnswers('FAULTY', 'Faulty Museum'), '1']);
    expect(second.exitCode).toBe(0);
    const runs = await h.core.store.list({ surface: 'console' });
    expect(runs.map((r) => [r.details.institutionCode, r.currentStep]).sort()).toEqual([
      ['DEMO', 'point_of_sale'],
      ['FAULTY', 'point_of_sale'],
    ]);
  });

  test('(c) bad inputs: an invalid institution code and email are explained and asked again; invalid choices and empty lines change nothing', async () => {
    const t = (key: string) => h.core.builder.t('en', key);
    const r = await h.session([
      'A!',
      'x',
      'ACME',
      'DG-TK',
      '',
      'Acme Theatre',
      'Camille Martin',
      'not-an-email',
      'camille.martin@digitick.example',
      'es',
      '',
      // step 1: empty lines, a number out of range, a word
      '',
      '',
      '7',
      'done',
      '1',
      // step 2: done; step 3: a bad contingent list, then an empty line goes back
      '1',
      '1',
      'eleven',
      '',
      '1',
      '0, 11',
      '11, 11, 12',
    ]);
    expect(r.exitCode).toBe(0);
    const out = r.output;
    expect(count(out, 'Institution code (SecuTix) [DEMO]: ')).toBe(3);
    expect(count(out, `  ! ${t('error.field.institution_code')}`)).toBe(2);
    expect(out).toContain(`  ! ${t('error.field.channel_code')}`);
    expect(out).toContain(`  ! ${t('error.field.email')}`);
    expect(out).toContain(`  ! ${t('error.field.language')}`);
    // Whatever was typed is not echoed back (a misplaced password must never be printed).
    expect(count(out, 'That is not a choice: type a number from 1 to 2')).toBeGreaterThanOrEqual(2);
    expect(out).not.toContain('"done"');
    expect(count(out, `  ! ${t('error.field.contingent_ids')}`)).toBe(2);
    expect(out).toContain(t('console.form.back'));

    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run.details).toMatchObject({
      institutionCode: 'ACME',
      channelCode: 'DGTK',
      digitickContactEmail: 'camille.martin@digitick.example',
      language: 'en',
    });
    expect(run.steps.sales_channel.state).toBe('done');
    expect(run.contingentIds).toEqual([11, 12]);
    expect(run.currentStep).toBe('technical_contact');
    // Step 1 was done exactly once despite the noise (one audit line per transition).
    const audit = await h.core.store.audit(run.id);
    expect(audit.filter((a) => a.step === 'sales_channel' && a.outcome === 'ok')).toHaveLength(1);
  });

  test('(c) cancel asks y/n: "n" keeps the run, "y" cancels it', async () => {
    const r = await h.session([...startAnswers('DEMO', 'Demo Theatre'), '2', 'maybe', 'n', '2', 'y']);
    expect(r.exitCode).toBe(0);
    // The question comes first; what happens on yes is said inside it, not before it as a fact.
    const [cancelled] = await h.core.store.list({ surface: 'console' });
    const question = `Cancel run ${cancelled!.id} (DEMO)? If you answer yes, it stops at step 1/10 (Sales channel); what was recorded stays in its audit trail. (y/n) `;
    expect(r.output).toContain(question);
    expect(r.output).not.toMatch(/stops here/);
    expect(r.output).toContain('Answer y (yes) or n (no).');
    expect(r.output).toContain('The run goes on.');
    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run.status).toBe('cancelled');
    expect(r.output).toContain(`Run ${run.id} was cancelled. Run npm start again to start a new one.`);
  });

  test('help, status and product at any prompt, then the question is asked again', async () => {
    const r = await h.session([
      'help',
      'DEMO',
      '',
      'product',
      'Demo Theatre',
      'Camille Martin',
      'camille.martin@digitick.example',
      '',
      'status',
      '1',
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('== Digitick onboarding assistant ==');
    expect(r.output).toContain('Digitick uses no mappings');
    expect(r.output).toContain('== Put a product on sale on Digitick ==');
    expect(count(r.output, 'Institution code (SecuTix) [DEMO]: ')).toBe(2);
    expect(count(r.output, 'Institution name: ')).toBe(2);
    // status shows the card again (with the legend), then the same choices.
    expect(count(r.output, '[x] done  [>] current')).toBeGreaterThanOrEqual(2);
    // The compact card: run id once, status in words.
    expect(r.output).toMatch(/Run [A-Z0-9]{8} · started by .* · channel DGTK, operator DEMO_DGTK/);
    expect(r.output).toContain('In progress: step 1 of 10, Sales channel.');
    expect(count(r.output, 'Your choice (1-2): ')).toBe(3);
    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run.currentStep).toBe('point_of_sale');
  });

  test('(d) FAULTY: failed checks are listed with reasons, retry is offered; retrying then skipping with a reason reaches the email (with the pointOfSalesId, since the credentials passed)', async () => {
    const t = (key: string) => h.core.builder.t('en', key);
    const r = await h.session([
      ...startAnswers('FAULTY', 'Faulty Museum'),
      '1',
      '1',
      '1',
      FAULTY.contingentIds.join(','),
      '1',
      FAULTY.contactNumbers[0],
      '1',
      '1',
      '1',
      '1',
      '1',
      FAULTY.password,
      '1',
      FAULTY.password,
      '3',
      'known sandbox faults',
    ]);
    expect(r.exitCode).toBe(0);
    const out = r.output;
    expect(count(out, `== ${t('report.header.failed')} ==`)).toBe(2);
    expect(out).toMatch(
      new RegExp(`XX failed +${t('check.name.sales_channel')}\\n +The sales channel DGTK is not active \\(state SUSPENDED\\)`),
    );
    expect(out).toMatch(new RegExp(`XX failed +${t('check.name.point_of_sale')}\\n +The point of sale DGTKPOS has no Pending account`));
    expect(out).toMatch(new RegExp(`XX failed +${t('check.name.technical_contact')}\\n +The contact .*000789.* is not authorised`));
    expect(out).toMatch(new RegExp(`OK passed +${t('check.name.credentials')}\\n`));
    // After a failed report, the retry choices.
    const afterReport = out.slice(out.indexOf(`== ${t('report.header.failed')} ==`));
    expect(afterReport).toMatch(
      /What next\?\n {2}1\) Verify now\n {2}2\) Edit answers\n {2}3\) Go on without verification\n {2}4\) Cancel run\n/,
    );
    expect(out).toContain('== Step 10/10: Email to Digitick ==');
    expect(out).toContain('The pointOfSalesId is 5151.');
    expect(out).not.toContain(FAULTY.password);

    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run).toMatchObject({ status: 'open', currentStep: 'email_draft' });
    expect(run.steps.verification).toMatchObject({ state: 'skipped', reason: 'known sandbox faults' });
    const audit = await h.core.store.audit(run.id);
    expect(audit.filter((a) => a.action === 'verify')).toHaveLength(2);
    expect(dbBytes(dir)).not.toContain(FAULTY.password);
    expect(h.logs.join('\n')).not.toContain(FAULTY.password);
  });

  test('a French run: questions in the default language, the steps and the email in French', async () => {
    const r = await h.session([...startAnswers('DEMO', 'Théâtre Démo', 'fr'), '1'], { hints: demoConsoleHints() });
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('Language of the run and the email (en = English, fr = French, de = German) [en]: fr');
    expect(r.output).toContain('== Étape 1/10\u00a0: Canal de vente ==');
    expect(r.output).toContain('Votre choix (1-2)\u00a0: ');
    expect(r.output).toContain('Enregistré\u00a0: le parcours');
  });
});
