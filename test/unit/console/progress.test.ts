/** `ConsoleNotifier.progress`: a verification's progress as terminal lines (issue 8). */
import { PassThrough } from 'node:stream';
import { createConsoleNotifier } from '../../../adapters/console';
import { loadTemplates } from '../../../adapters/templates-loader';
import { MessageBuilder } from '../../../src/messages/builder';
import { Renderer } from '../../../src/messages/renderer';
import {
  CHECK_IDS,
  type CheckProgressState,
  type Run,
  type VerificationProgress,
  type VerificationReport,
} from '../../../src/workflow/types';
import { dummyRun } from '../../fixtures/dummy-run';

const builder = new MessageBuilder(new Renderer(loadTemplates()), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'en',
});
const AT = '2026-01-02T03:04:05.000Z';

function setup() {
  const output = new PassThrough();
  let text = '';
  output.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const notifier = createConsoleNotifier(output, builder);
  return {
    notifier,
    take: () => {
      const t = text;
      text = '';
      return t;
    },
  };
}

function atVerification(): Run {
  const run = dummyRun({ surface: 'console', channelId: 'console', currentStep: 'verification' });
  run.details = { ...run.details, language: 'en' };
  for (const id of Object.keys(run.steps) as (keyof Run['steps'])[]) run.steps[id] = { state: 'done', at: AT };
  run.steps.verification = { state: 'current', at: AT };
  run.steps.email_draft = { state: 'todo' };
  return run;
}

/** Progress with the given states (in CHECK_IDS order; missing ones waiting). */
function progress(states: CheckProgressState[], extra: Partial<VerificationProgress> = {}): VerificationProgress {
  return { checks: CHECK_IDS.map((id, i) => ({ id, state: states[i] ?? 'waiting' })), done: false, ...extra };
}

const report = (outcomes: VerificationReport['checks'][number]['outcome'][], at = AT): VerificationReport => {
  const checks = CHECK_IDS.map((id, i) => ({ id, outcome: outcomes[i] ?? 'passed' }));
  const failed = checks.some((c) => c.outcome === 'failed');
  const toConfirm = !failed && checks.some((c) => c.outcome === 'to_confirm');
  return { checks, passed: !failed && !toConfirm, ...(toConfirm ? { toConfirm } : {}), at, durationMs: 5 };
};

test('a header once, then a line only for a check whose state changed; an update that changes nothing prints nothing', async () => {
  const { notifier, take } = setup();
  const run = atVerification();
  await notifier.progress!(run, progress([]));
  expect(take()).toBe('\nVerifying the setup of ACME with the SecuTix web services (6 checks); each check is listed as it finishes.\n');
  await notifier.progress!(run, progress(['passed', 'passed', 'to_confirm']));
  expect(take()).toBe(
    ['  OK Operator login and password: passed', '  OK Sales channel: passed', '  ?? Point of sale: to confirm', ''].join('\n'),
  );
  await notifier.progress!(run, progress(['passed', 'passed', 'to_confirm']));
  expect(take()).toBe('');
  await notifier.progress!(run, progress(['passed', 'passed', 'to_confirm', 'waiting', 'waiting', 'failed']));
  expect(take()).toBe('  XX Technical contact: failed\n');
});

test('while SecuTix extracts the catalog: a waited-time line at most every 5 s, however often the service refreshes', async () => {
  const { notifier, take } = setup();
  const run = atVerification();
  const base: CheckProgressState[] = ['passed', 'passed', 'passed'];
  await notifier.progress!(run, progress(base));
  take();
  const printed: string[] = [];
  // The run service refreshes every 2 s (extrapolating the wait between SecuTix's answers).
  for (const ms of [400, 2400, 4400, 5300, 6400, 8400, 10400, 11000, 12400]) {
    await notifier.progress!(run, progress(base, { catalogWaitedMs: ms }));
    printed.push(take());
  }
  const lines = printed.filter((p) => p !== '');
  expect(lines).toEqual([
    '  .. SecuTix is preparing the catalog (this can take a few minutes); the time waited is shown every 5 s.\n',
    '  .. SecuTix is still preparing the catalog: 5 s waited so far (this can take a few minutes).\n',
    '  .. SecuTix is still preparing the catalog: 10 s waited so far (this can take a few minutes).\n',
  ]);
  expect(lines.join('')).not.toMatch(/`|[Pp]ress|button/);
  // The extraction ends: said with its length, then the catalog's checks follow as lines.
  await notifier.progress!(run, progress([...base, 'passed', 'skipped']));
  expect(take()).toBe('  .. SecuTix prepared the catalog in 12 s.\n  OK Events on sale: passed\n  -- Passes on sale: skipped\n');
});

test('the report ends the progress first (checks not shown yet, then "the report follows"); the final update and late refreshes then print nothing', async () => {
  const { notifier, take } = setup();
  const run = atVerification();
  await notifier.progress!(run, progress(['passed', 'passed', 'passed']));
  take();
  const reported: Run = {
    ...run,
    steps: { ...run.steps, verification: { state: 'to_confirm', at: AT } },
    verification: report(['passed', 'to_confirm']),
  };
  await notifier.deliver(reported, { type: 'verification_report' });
  const out = take();
  const lines = out.split('\n');
  expect(lines.slice(0, 5)).toEqual([
    '  ?? Sales channel: to confirm',
    '  OK Events on sale: passed',
    '  OK Passes on sale: passed',
    '  OK Technical contact: passed',
    'Verification finished: nothing failed, 1 check to confirm. The report follows, with the values SecuTix gave.',
  ]);
  expect(out.indexOf('== Verification: values to confirm ==')).toBeGreaterThan(out.indexOf('The report follows'));
  // The choices of a report to confirm: Confirm first.
  expect(notifier.channel.choicesFor(reported).map((c) => c.action)).toEqual([
    'verify_confirm',
    'answers_edit',
    'verify_start',
    'run_cancel',
  ]);
  // The service's final update (after the report) and a late refresh: nothing more.
  await notifier.progress!(run, {
    ...progress(['passed', 'to_confirm', 'passed', 'passed', 'passed', 'passed']),
    done: true,
    outcome: 'to_confirm',
  });
  await notifier.progress!(run, progress(['passed', 'passed', 'passed'], { catalogWaitedMs: 9000 }));
  expect(take()).toBe('');
  // The next verification (the run now carries the first report) starts with its own header.
  await notifier.progress!(reported, progress([]));
  expect(take()).toContain('Verifying the setup of ACME');
});

test('without a report on the run (the final update comes first), the final update ends the progress with its outcome', async () => {
  const { notifier, take } = setup();
  const run = atVerification();
  await notifier.progress!(run, progress(['failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']));
  take();
  await notifier.progress!(run, {
    ...progress(['failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']),
    done: true,
    outcome: 'failed',
  });
  expect(take()).toBe('Verification finished: 1 check failed. The report follows, with what to fix and where.\n');
});

test('checks not checked (SecuTix still extracting when the wait ran out): plain words, not "failed", no confirm choice', async () => {
  const { notifier, take } = setup();
  const run = atVerification();
  await notifier.progress!(run, progress(['passed', 'passed', 'passed']));
  take();
  const rep: VerificationReport = {
    checks: CHECK_IDS.map((id) =>
      id === 'event_products' || id === 'pass_products'
        ? { id, outcome: 'not_checked', reason: { code: 'secutix_extraction_timeout', params: { method: 'getCatalogDetailed' } } }
        : { id, outcome: 'passed' },
    ),
    passed: false,
    notChecked: true,
    at: AT,
  };
  const reported: Run = { ...run, steps: { ...run.steps, verification: { state: 'current', at: AT } }, verification: rep };
  await notifier.deliver(reported, { type: 'verification_report' });
  const out = take();
  expect(out).toContain('  ~~ Events on sale: not checked\n  ~~ Passes on sale: not checked\n');
  expect(out).toContain('Verification finished: nothing failed, 2 checks not done (SecuTix gave no usable answer: each line says why).');
  expect(out).toContain('== Verification: not finished, SecuTix gave no usable answer ==');
  expect(out).toContain('SecuTix was still preparing the catalog (getCatalogDetailed) when the wait ran out: not checked');
  expect(out).not.toMatch(/: failed|XX |failed {2}/);
  const choices = notifier.channel.choicesFor(reported).map((c) => c.action);
  expect(choices).toContain('verify_start');
  expect(choices).not.toContain('verify_confirm');
});
