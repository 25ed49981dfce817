/** `createConsoleNotifier` and `ConsoleChannel`: what each effect prints, and the choices it offers. */
import { PassThrough } from 'node:stream';
import { consoleChannel, createConsoleNotifier } from '../../../adapters/console';
import { loadTemplates } from '../../../adapters/templates-loader';
import { MessageBuilder } from '../../../src/messages/builder';
import { Renderer } from '../../../src/messages/renderer';
import type { Run } from '../../../src/workflow/types';
import { dummyRun } from '../../fixtures/dummy-run';

const builder = new MessageBuilder(new Renderer(loadTemplates()), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'en',
});
const AT = '2026-01-02T03:04:05.000Z';
const actor = { id: 'u1', name: 'Ann' };

function setup() {
  const output = new PassThrough();
  let text = '';
  output.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const notifier = createConsoleNotifier(output, builder);
  return {
    output,
    notifier,
    take: () => {
      const t = text;
      text = '';
      return t;
    },
  };
}

const consoleRun = (overrides: Partial<Run> = {}): Run =>
  dummyRun({ surface: 'console', channelId: 'console', details: { ...dummyRun().details, language: 'en' }, ...overrides });

function atStep(step: Run['currentStep'] & string): Run {
  const run = consoleRun({ currentStep: step });
  for (const id of Object.keys(run.steps) as (keyof Run['steps'])[]) run.steps[id] = { state: 'todo' };
  run.steps[step] = { state: 'current', at: AT };
  return run;
}

test('the notifier and the console loop share one channel per output stream', () => {
  const { output, notifier } = setup();
  expect(consoleChannel(output, builder)).toBe(notifier.channel);
  expect(consoleChannel(new PassThrough(), builder)).not.toBe(notifier.channel);
});

test('a first step prompt prints the full card, then the prompt, and offers the step buttons (primary first)', async () => {
  const { notifier, take } = setup();
  const run = consoleRun();
  await notifier.deliver(run, { type: 'step_prompt', step: 'sales_channel' });
  const out = take();
  expect(out.indexOf('== Digitick onboarding: Théâtre Acme (ACME) ==')).toBeLessThan(out.indexOf('== Step 1/10: Sales channel =='));
  expect(out).toContain('[x] done  [>] current');
  expect(notifier.channel.choicesFor(run).map((c) => [c.action, c.primary])).toEqual([
    ['step_done', true],
    ['run_cancel', false],
  ]);
  // The card effect that follows (same states) prints nothing more.
  await notifier.deliver(run, { type: 'card' });
  expect(take()).toBe('');
});

test('later card updates are one progress line; an ended run gets the full card with its outcome', async () => {
  const { notifier, take } = setup();
  const run = consoleRun();
  await notifier.deliver(run, { type: 'card' });
  take();
  const next = atStep('point_of_sale');
  next.steps.sales_channel = { state: 'done', by: actor, at: AT };
  await notifier.deliver(next, { type: 'card' });
  expect(take()).toBe('Progress [x>........] 1/10 steps settled, now at step 2: Point of sale\n');
  const done = consoleRun({ status: 'cancelled', currentStep: null, endedBy: actor, endedAt: AT });
  await notifier.deliver(done, { type: 'card' });
  const out = take();
  expect(out).toContain('Cancelled by Ann on 2026-01-02 at 03:04 UTC.');
  expect(notifier.channel.choicesFor(done)).toEqual([]);
});

test('at the password request the support answer is choice 1, before cancel', async () => {
  const { notifier, take } = setup();
  const run = atStep('password_request');
  await notifier.deliver(run, { type: 'step_prompt', step: 'password_request' });
  await notifier.deliver(run, { type: 'support_request' });
  const out = take();
  expect(out).toContain('== Password request for Digitick ==');
  expect(out).toContain('Please assign a password to the operator ACME_DGTK');
  expect(out).not.toContain('**');
  expect(notifier.channel.choicesFor(run).map((c) => c.label)).toEqual(['Act as SecuTix support: password assigned', 'Cancel run']);
});

test('a failed report prints every check and offers verify again, skip, cancel', async () => {
  const { notifier, take } = setup();
  const run = atStep('verification');
  run.steps.verification = { state: 'failed', at: AT };
  run.verification = {
    passed: false,
    at: AT,
    checks: [
      { id: 'credentials', outcome: 'failed', reason: { code: 'credentials_rejected', params: { login: 'ACME_DGTK' } } },
      { id: 'sales_channel', outcome: 'skipped', reason: { code: 'credentials_failed' } },
    ],
  };
  await notifier.deliver(run, { type: 'verification_report' });
  const out = take();
  expect(out).toContain('== Verification failed ==');
  expect(out).toMatch(/XX failed +Operator login and password\n +SecuTix refused the login ACME_DGTK/);
  expect(out).toMatch(/-- skipped +Sales channel\n/);
  expect(notifier.channel.choicesFor(run).map((c) => c.action)).toEqual(['verify_start', 'answers_edit', 'verify_skip', 'run_cancel']);
});

test('step closed, support closed and notices are single lines; the cancelled notice names the console command', async () => {
  const { notifier, take } = setup();
  const run = consoleRun();
  await notifier.deliver(run, { type: 'step_closed', step: 'sales_channel', outcome: 'done', by: actor, at: AT });
  await notifier.deliver(run, { type: 'support_closed', outcome: 'assigned', by: actor, at: AT });
  await notifier.deliver(run, { type: 'notice', code: 'cancelled' });
  await notifier.deliver(run, { type: 'notice', code: 'verifying' });
  expect(take().split('\n')).toEqual([
    '  Step 1 (Sales channel) done by Ann on 2026-01-02 at 03:04 UTC.',
    '  Password assigned by Ann on 2026-01-02 at 03:04 UTC.',
    'Run RUN0ACME was cancelled. Run npm start again to start a new one.',
    'Verifying the setup of ACME with the SecuTix web services...',
    '',
  ]);
});
