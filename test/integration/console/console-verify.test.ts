/**
 * The console's side of issue 8, driven through pipes like `npm start` (`console-harness.ts`: real
 * SQLite file, real SecuTix client over loopback HTTP against the embedded sandbox): a report with
 * checks to confirm and its "Confirm these values" choice, "Edit answers", the password guard,
 * progress lines while SecuTix is slow, and the assumptions' settings reaching the checks.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { defaultFixture, sandboxHints, type SandboxFixture } from '../../../adapters/sandbox';
import { stripMarkup } from '../../../adapters/console/text';
import { BUTTON_WORDS } from '../../../adapters/console/wording';
import { type ConsoleHarness, TEST_USER, tempDir, wireConsole } from './console-harness';

/** A change line starts with the field's name, capitalised. */
const upper = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

const DEMO = sandboxHints('DEMO');

/** Start form: code, channel (default), name, contact name, email, language (default). */
const START = ['DEMO', '', 'Demo Theatre', 'Camille Martin', 'camille.martin@digitick.example', ''];
/** Steps 1 to 8 on DEMO (contingents 11, 12; the authorised contact), then at the verification step. */
const TO_VERIFICATION = ['1', '1', '1', '11, 12', '1', DEMO.contactNumber!, '1', '1', '1', '1'];

/** DEMO with values the assistant does not know: channel state `OPEN`, the pending account's type `WAITING_ACCOUNT`. */
function unlistedFixture(): SandboxFixture {
  const f = defaultFixture();
  const demo = f.institutions.find((i) => i.code === 'DEMO')!;
  demo.posConfig.salesChannelActivityState = 'OPEN';
  demo.posConfig.paymentMethods = demo.posConfig.paymentMethods.map((m) =>
    m.paymentType === 'PENDING_ACCOUNT' ? { ...m, paymentType: 'WAITING_ACCOUNT' } : m,
  );
  return f;
}

/** Every row of the run's tables in the SQLite file, as text (read with SQL, not through the store). */
function storedRows(dbPath: string): string {
  const db = new Database(dbPath, { readonly: true });
  try {
    return ['runs', 'audit', 'outbox', 'refs'].map((t) => JSON.stringify(db.prepare(`SELECT * FROM ${t}`).all())).join('\n');
  } finally {
    db.close();
  }
}

describe('console: checks to confirm, edited answers, the password guard, progress (SQLite, sandbox over HTTP)', () => {
  let dir: string;
  let dbPath: string;
  let h: ConsoleHarness;

  const t = (key: string, view: Record<string, unknown> = {}) => h.core.builder.t('en', key, view);
  const sandbox = () => h.core.sandbox!.instance.state;

  beforeEach(() => {
    dir = tempDir();
    dbPath = path.join(dir, 'onboarding.db');
  });

  afterEach(async () => {
    await h.close().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('checks to confirm (sandbox UNLISTED) show the values seen and offer "Confirm these values" first; choosing it reaches the email draft and the audit names who confirmed what', async () => {
    h = await wireConsole(dbPath);
    const U = sandboxHints('UNLISTED');
    const start = ['UNLISTED', '', 'Unlisted Gallery', 'Camille Martin', 'camille.martin@digitick.example', ''];
    const steps = ['1', '1', '1', U.contingentIds.join(', '), '1', U.contactNumbers[0], '1', '1', '1', '1'];
    const r = await h.session([...start, ...steps, '1', U.password, '1'], { hints: null });
    expect(r.exitCode).toBe(0);
    const out = r.output;

    const report = out.slice(out.indexOf(`== ${t('report.header.to_confirm')} ==`));
    expect(report.length).toBeLessThan(out.length);
    expect(report).not.toMatch(/XX failed/);
    // Each check to confirm, with the values SecuTix gave, marked "to confirm".
    expect(report).toMatch(/\?\? to confirm +Sales channel\n/);
    expect(report).toMatch(/\?\? to confirm +Point of sale\n/);
    expect(report).toMatch(/\?\? to confirm +Technical contact\n/);
    expect(report).toContain('the state OPEN, which this assistant does not know');
    expect(report).toMatch(/DIFFERE.*ACCOUNT_DEFERRED/);
    // Console wording: "choose", no button press, no backticks in the hint.
    expect(report).toContain(stripMarkup(t('report.confirm_hint')));
    expect(report.slice(0, report.indexOf(t('console.choices.title')))).not.toMatch(BUTTON_WORDS);
    // The choices: Confirm first (the primary one), then Edit answers, Verify now, Cancel run.
    const choices = report.slice(report.indexOf(t('console.choices.title')));
    expect(choices).toMatch(/ {2}1\) Confirm these values\n {2}2\) Edit answers\n {2}3\) Verify now\n {2}4\) Cancel run\n/);
    // Choosing 1: the verification step closes as confirmed and the email draft follows.
    const afterChoice = choices.slice(choices.indexOf('Your choice'));
    expect(afterChoice).toContain(`== ${t('prompt.header', { number: 10, title: t('step.email_draft.title') })} ==`);
    expect(afterChoice).toContain(t('console.email.begin'));
    // Once confirmed, the steps whose checks were to confirm (1, 2 and 4) are settled: no "?" left in the bar.
    expect(afterChoice).toMatch(/Progress \[xxxxxxxxx>\] 9\/10 steps settled/);

    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run).toMatchObject({ status: 'open', currentStep: 'email_draft' });
    expect(run.steps.verification).toMatchObject({ state: 'done', reason: 'confirmed', by: TEST_USER });
    const toConfirm = run.verification!.checks.filter((c) => c.outcome === 'to_confirm').map((c) => c.id);
    const confirmed = (await h.core.store.audit(run.id)).filter((e) => e.action === 'verify_confirm');
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]).toMatchObject({ actor: TEST_USER, surface: 'console', step: 'verification', outcome: 'ok' });
    expect(confirmed[0].details).toMatchObject({
      reportAt: run.verification!.at,
      confirmed: expect.arrayContaining([
        expect.objectContaining({ check: 'sales_channel', state: 'OPEN' }),
        expect.objectContaining({ check: 'point_of_sale', methods: expect.stringContaining('ACCOUNT_DEFERRED') }),
        expect.objectContaining({ check: 'technical_contact', contactNumber: U.contactNumbers[0] }),
      ]),
    });
    expect((confirmed[0].details!.confirmed as { check: string }[]).map((c) => c.check)).toEqual(toConfirm);
  });

  test('the assumptions settings reach the checks: with OPEN running and WAITING_ACCOUNT a pending account, the same answers pass (run and check)', async () => {
    h = await wireConsole(dbPath, {
      SECUTIX_RUNNING_STATES: 'RUNNING, OPEN',
      SECUTIX_PENDING_ACCOUNT_TYPES: 'PENDING_ACCOUNT,WAITING_ACCOUNT',
    });
    sandbox().loadFixture(unlistedFixture());

    // `check` at the first prompt (the health check service), then the run's verification.
    const r = await h.session([
      'check',
      'DEMO',
      '',
      DEMO.password,
      '11, 12',
      DEMO.contactNumber!,
      ...START,
      ...TO_VERIFICATION,
      '1',
      DEMO.password,
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain(t('health.header.passed', { institutionCode: 'DEMO', channelCode: 'DGTK', login: 'DEMO_DGTK' }));
    expect(r.output).toContain(`== ${t('report.header.passed')} ==`);
    expect(r.output).not.toContain('to confirm Sales channel');
    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run.verification).toMatchObject({ passed: true });
  });

  test('"Edit answers" asks the questions prefilled (Enter keeps), says a wrong value on its field and asks again; the change is audited and the verification step is offered again', async () => {
    h = await wireConsole(dbPath);
    // First Enter on both questions (nothing changes: back to the choices), then a real edit.
    const r = await h.session([...START, ...TO_VERIFICATION, '2', '', '', '2', '11, twelve', '11', '', '1', DEMO.password]);
    expect(r.exitCode).toBe(0);
    const out = r.output;
    const unchanged = out.slice(out.indexOf(`== ${t('form.answers.title')} ==`), out.lastIndexOf(`== ${t('form.answers.title')} ==`));
    expect(unchanged).toContain(t('console.form.back'));
    expect(unchanged).not.toContain('→');

    const form = out.slice(out.lastIndexOf(`== ${t('form.answers.title')} ==`));
    // Prefilled: the recorded values in brackets.
    const contingentsPrompt = `${t('form.contingents.label')} [11, 12]: `;
    const contactPrompt = `${t('form.contact.label')} [${DEMO.contactNumber}]: `;
    expect(form.startsWith(`== ${t('form.answers.title')} ==`)).toBe(true);
    // The wrong value: its field's message right after the contingents question, then the question again.
    const first = form.indexOf(contingentsPrompt);
    const error = form.indexOf(t('console.form.error', { message: t('error.field.contingent_ids') }));
    const again = form.indexOf(contingentsPrompt, first + 1);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(error).toBeGreaterThan(first);
    expect(again).toBeGreaterThan(error);
    expect(form.indexOf(contactPrompt)).toBeGreaterThan(again);
    // The change (old and new), then the verification step again, which verifies the new answers.
    expect(form).toContain(`${upper(t('answers.field.contingentIds'))}: 11, 12 → 11`);
    expect(form).not.toContain(`${upper(t('answers.field.contactNumber'))}:`);
    const stepAgain = form.indexOf(`== ${t('prompt.header', { number: 9, title: t('step.verification.title') })} ==`);
    expect(stepAgain).toBeGreaterThan(form.indexOf('→ 11'));
    expect(form.slice(stepAgain)).toMatch(/ 1\) Verify now\n {2}2\) Edit answers\n/);
    expect(form.slice(stepAgain)).toContain(`== ${t('report.header.passed')} ==`);

    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run.contingentIds).toEqual([11]);
    const edits = (await h.core.store.audit(run.id)).filter((e) => e.action === 'answers_edit');
    expect(edits).toHaveLength(1);
    expect(edits[0]).toMatchObject({
      actor: TEST_USER,
      step: 'verification',
      outcome: 'ok',
      details: { changes: [{ field: 'contingentIds', from: '11, 12', to: '11' }] },
    });
  });

  test('typing the recorded contact number as the password erases it from the run, audit and outbox (SQLite file) and asks for it again; entered again, the run verifies', async () => {
    h = await wireConsole(dbPath);
    const contact = DEMO.contactNumber!;
    const first = await h.session([...START, ...TO_VERIFICATION, '1', contact]);
    expect(first.exitCode).toBe(0);
    const tail = first.output.slice(first.output.lastIndexOf(`${t('form.password.label')}:`));
    expect(tail).toContain(stripMarkup(t('answers.erased', { fields: t('answers.field.contactNumber') })));
    expect(tail).toMatch(/ 1\) Edit answers\n {2}2\) Cancel run\n/); // verify and skip are refused until it is entered again
    expect(tail).not.toContain(contact);
    expect(tail).not.toContain(t('console.verify.start', { institutionCode: 'DEMO', count: 6 }));

    const [run] = await h.core.store.list({ surface: 'console' });
    expect(run.contactNumber).toBeUndefined();
    expect(run.erasedAnswers).toEqual(['contactNumber']);
    expect(storedRows(dbPath)).not.toContain(contact);
    expect(h.logs.join('\n')).not.toContain(contact);

    // A new session: resume, "Edit answers" (Enter keeps the contingents; the contact has no value to keep), verify.
    await h.close();
    h = await wireConsole(dbPath);
    const second = await h.session(['1', '1', '', contact, '1', DEMO.password]);
    expect(second.exitCode).toBe(0);
    // The step shown on resume says to enter the erased answer first: "Verify now" is not offered yet.
    const resumedStep = second.output.slice(second.output.indexOf('== Step 9/10'), second.output.indexOf('1) Edit answers'));
    expect(resumedStep).toContain('was erased: enter it again with "Edit answers" first');
    expect(resumedStep).not.toContain('Choose "Verify now"');
    expect(second.output).toContain(`${t('form.contact.label')}: `);
    expect(second.output).toContain(`${upper(t('answers.field.contactNumber'))}: entered again (${contact})`);
    expect(second.output).toContain(`== ${t('report.header.passed')} ==`);
    const [after] = await h.core.store.list({ surface: 'console' });
    expect(after).toMatchObject({ contactNumber: contact, currentStep: 'email_draft' });
    expect(after.erasedAnswers).toBeUndefined();
  });

  test('progress lines while SecuTix extracts the catalog: a line per finished check, the time waited at most every 5 s, then "the report follows" before the report', async () => {
    h = await wireConsole(dbPath, {}, { sandboxExtractionMs: 8000 });
    const r = await h.session([...START, ...TO_VERIFICATION, '1', DEMO.password]);
    expect(r.exitCode).toBe(0);
    const out = r.output;
    const start = out.indexOf(t('console.verify.start', { institutionCode: 'DEMO', count: 6 }));
    expect(start).toBeGreaterThan(0);
    const lines = out.slice(start).split('\n');
    const end = lines.findIndex((l) => l === t('console.verify.done.passed'));
    expect(end).toBeGreaterThan(0);
    const progress = lines.slice(1, end);
    const waits = progress.filter((l) => l.startsWith('  .. '));
    // One line per check, each once: the fast ones first, then the waits, then the catalog's checks.
    expect(progress.filter((l) => !l.startsWith('  .. '))).toEqual([
      '  OK Operator login and password: passed',
      '  OK Sales channel: passed',
      '  OK Point of sale: passed',
      '  OK Technical contact: passed',
      '  OK Events on sale: passed',
      '  OK Passes on sale: passed',
    ]);
    expect(progress.indexOf(waits[0])).toBeGreaterThan(progress.indexOf('  OK Point of sale: passed'));
    expect(progress.indexOf(waits[waits.length - 1])).toBeLessThan(progress.indexOf('  OK Events on sale: passed'));
    // The wait: a line when it starts (no "0 s"), then one line per 5 s or more, never one per refresh; then the end of the wait.
    expect(waits[0]).toBe(t('console.verify.catalog_waiting_start', { every: 5 }));
    const seconds = [0, ...waits.slice(1, -1).map((l) => Number(/: (\d+) s waited so far/.exec(l)?.[1]))];
    expect(seconds.length).toBeGreaterThanOrEqual(2);
    seconds.slice(1).forEach((s, i) => expect(s - seconds[i]!).toBeGreaterThanOrEqual(5));
    expect(waits[waits.length - 1]).toMatch(/SecuTix prepared the catalog in \d+ s\.$/);
    // The next message is the report (after the step's closing line and the progress bar); no chat wording.
    expect(lines.slice(end + 1).find((l) => l.startsWith('== '))).toBe(`== ${t('report.header.passed')} ==`);
    expect(
      lines.slice(end + 1, lines.indexOf(`== ${t('report.header.passed')} ==`)).filter((l) => /^ {2}(OK|XX|\?\?|--) /.test(l)),
    ).toEqual([]);
    expect(lines.slice(0, end + 1).join('\n')).not.toMatch(/`|⏳|✅/);
    expect(lines.slice(0, end + 1).join('\n')).not.toMatch(BUTTON_WORDS);
    expect(out).not.toContain(t('notice.verifying', { institutionCode: 'DEMO' }));
  });
  test('BIGCAT (a slow, large catalog; the console demo extracts in 4 s): the wait is shown from its start without "0 s", then when the catalog is ready', async () => {
    const BIG = sandboxHints('BIGCAT');
    h = await wireConsole(dbPath, {}, { sandboxExtractionMs: 4000 });
    const steps = ['1', '1', '1', BIG.contingentIds.join(', '), '1', BIG.contactNumber!, '1', '1', '1', '1'];
    const r = await h.session(['BIGCAT', '', 'Big Cat', 'Dana Smith', 'dana@digitick.example', '', ...steps, '1', BIG.password]);
    expect(r.exitCode).toBe(0);
    const out = r.output.slice(r.output.indexOf(t('console.verify.start', { institutionCode: 'BIGCAT', count: 6 })));
    const waits = out.split('\n').filter((l) => l.startsWith('  .. '));
    expect(waits[0]).toBe(t('console.verify.catalog_waiting_start', { every: 5 }));
    expect(out).not.toContain(' 0 s waited');
    expect(waits[waits.length - 1]).toMatch(/^ {2}\.\. SecuTix prepared the catalog in [1-9]\d* s\.$/);
  }, 60_000);
});
