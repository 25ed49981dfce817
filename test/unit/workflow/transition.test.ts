import { STEP_IDS, type StepId } from '../../../src/domain/ids';
import { createRun, transition } from '../../../src/workflow/transition';
import type { Actor, Effect, Run, RunEvent, VerificationReport } from '../../../src/workflow/types';

const op: Actor = { id: 'U1', name: 'Ola Operator' };
const support: Actor = { id: 'U9', name: 'Sam Support' };
const T0 = '2026-11-29T10:00:00.000Z';
let tick = 0;
const at = (): string => new Date(Date.parse(T0) + ++tick * 1000).toISOString();

const details = {
  institutionCode: 'ACME',
  institutionName: 'Acme Theatre',
  channelCode: 'DGTK',
  digitickContactName: 'Dana Digitick',
  digitickContactEmail: 'dana@digitick.example',
  language: 'en' as const,
};

const fresh = (): Run => createRun({ id: 'RUN00001', surface: 'slack', channelId: 'C1', details, actor: op, at: T0 }).run;

const passedReport = (): VerificationReport => ({
  checks: ['credentials', 'sales_channel', 'point_of_sale', 'event_products', 'pass_products', 'technical_contact'].map((id) => ({
    id: id as never,
    outcome: 'passed' as const,
  })),
  posId: 4242,
  passed: true,
  at: T0,
});
const failedReport = (): VerificationReport => ({
  checks: [
    { id: 'credentials', outcome: 'passed' },
    { id: 'sales_channel', outcome: 'failed', reason: { code: 'channel_not_running', params: { state: 'SUSPENDED' } } },
  ],
  posId: 4242,
  passed: false,
  at: T0,
});

/** The event that moves `step` forward in the happy path. */
function forward(step: StepId): RunEvent {
  switch (step) {
    case 'contingents':
      return { type: 'step_done', step, actor: op, at: at(), contingentIds: [11, 12] };
    case 'technical_contact':
      return { type: 'step_done', step, actor: op, at: at(), contactNumber: '000123' };
    case 'password_request':
      return { type: 'password_assigned', actor: support, at: at() };
    case 'verification':
      return { type: 'verification_result', report: passedReport(), actor: op, at: at() };
    case 'email_draft':
      return { type: 'email_sent', actor: op, at: at() };
    default:
      return { type: 'step_done', step, actor: op, at: at() };
  }
}

function ok(run: Run, event: RunEvent): { run: Run; effects: Effect[] } {
  const r = transition(run, event);
  if (!r.ok) throw new Error(`refused ${event.type}: ${r.refusal.code}`);
  return r;
}

/** The run advanced through the happy path until `step` is current. */
function runAt(step: StepId): Run {
  let run = fresh();
  while (run.currentStep !== step) run = ok(run, forward(run.currentStep!)).run;
  return run;
}

describe('createRun', () => {
  it('opens at step 1 with version 1, announcing the card and the first step', () => {
    const { run, effects } = createRun({ id: 'R1', surface: 'slack', channelId: 'C1', details, actor: op, at: T0 });
    expect(run.version).toBe(1);
    expect(run.status).toBe('open');
    expect(run.currentStep).toBe('sales_channel');
    expect(run.steps.sales_channel.state).toBe('current');
    expect(STEP_IDS.slice(1).every((s) => run.steps[s].state === 'todo')).toBe(true);
    expect(effects).toEqual([{ type: 'card' }, { type: 'step_prompt', step: 'sales_channel' }]);
  });
});

describe('transition: the happy path, step by step', () => {
  it('walks the ten steps in order to completed, one version per transition', () => {
    let run = fresh();
    const seen: StepId[] = [];
    while (run.status === 'open') {
      const step = run.currentStep!;
      seen.push(step);
      const before = run.version;
      const r = ok(run, forward(step));
      expect(r.run.version).toBe(before + 1);
      expect(r.run.steps[step].state).toBe('done');
      expect(r.effects).toContainEqual({ type: 'card' });
      expect(r.effects.find((e) => e.type === 'step_closed')).toMatchObject({ step });
      run = r.run;
    }
    expect(seen).toEqual([...STEP_IDS]);
    expect(run.status).toBe('completed');
    expect(run.currentStep).toBeNull();
    expect(run.endedBy).toEqual(op);
    expect(run.contingentIds).toEqual([11, 12]);
    expect(run.contactNumber).toBe('000123');
    expect(run.verification?.posId).toBe(4242);
  });

  it.each(STEP_IDS.slice(0, 7).map((s) => [s]))('step %s done prompts the next step after the card', (step) => {
    const r = ok(runAt(step), forward(step));
    const types = r.effects.map((e) => e.type);
    expect(types.indexOf('step_closed')).toBeLessThan(types.indexOf('card'));
    expect(types.indexOf('card')).toBeLessThan(types.indexOf('step_prompt'));
    const next = STEP_IDS[STEP_IDS.indexOf(step) + 1];
    expect(r.effects).toContainEqual({ type: 'step_prompt', step: next });
    expect(r.run.steps[next].state).toBe('current');
  });

  it('entering password_request asks support', () => {
    const r = ok(runAt('sales_interface'), forward('sales_interface'));
    expect(r.effects).toContainEqual({ type: 'support_request' });
  });

  it('password_assigned records who assigned and closes the support request', () => {
    const ev = forward('password_request');
    const r = ok(runAt('password_request'), ev);
    expect(r.run.steps.password_request).toEqual({ state: 'done', by: support, at: ev.at });
    expect(r.effects[0]).toEqual({ type: 'support_closed', outcome: 'assigned', by: support, at: ev.at });
    expect(r.run.currentStep).toBe('verification');
  });

  it('contingents and contact need their input', () => {
    const c = transition(runAt('contingents'), { type: 'step_done', step: 'contingents', actor: op, at: at() });
    expect(c).toEqual({ ok: false, refusal: { code: 'input_required' } });
    const e = transition(runAt('contingents'), { type: 'step_done', step: 'contingents', actor: op, at: at(), contingentIds: [] });
    expect(e.ok).toBe(false);
    const t = transition(runAt('technical_contact'), { type: 'step_done', step: 'technical_contact', actor: op, at: at() });
    expect(t).toEqual({ ok: false, refusal: { code: 'input_required' } });
  });

  it.each([['event_products'], ['pass_products']] as const)('%s can be skipped', (step) => {
    const r = ok(runAt(step), { type: 'step_skip', step, actor: op, at: at() });
    expect(r.run.steps[step].state).toBe('skipped');
    expect(r.effects[0]).toMatchObject({ type: 'step_closed', step, outcome: 'skipped' });
  });

  it('a failed verification keeps the run at verification with the report', () => {
    const r = ok(runAt('verification'), { type: 'verification_result', report: failedReport(), actor: op, at: at() });
    expect(r.run.currentStep).toBe('verification');
    expect(r.run.steps.verification.state).toBe('failed');
    expect(r.run.verification?.passed).toBe(false);
    expect(r.effects.map((e) => e.type)).toEqual(['card', 'verification_report']);
    // and can be retried: a passing report then moves on
    const again = ok(r.run, { type: 'verification_result', report: passedReport(), actor: op, at: at() });
    expect(again.run.currentStep).toBe('email_draft');
    expect(again.effects).toContainEqual({ type: 'verification_report' });
  });

  it('verification can be skipped with a reason, not without', () => {
    const run = runAt('verification');
    expect(transition(run, { type: 'verify_skip', reason: '   ', actor: op, at: at() })).toEqual({
      ok: false,
      refusal: { code: 'input_required' },
    });
    const r = ok(run, { type: 'verify_skip', reason: 'operator on leave', actor: op, at: at() });
    expect(r.run.steps.verification).toMatchObject({ state: 'skipped', reason: 'operator on leave' });
    expect(r.run.currentStep).toBe('email_draft');
  });

  it('never mutates its input', () => {
    const run = runAt('contingents');
    const snapshot = JSON.stringify(run);
    ok(run, forward('contingents'));
    expect(JSON.stringify(run)).toBe(snapshot);
  });
});

describe('transition: every state x event pair is handled or refused on purpose', () => {
  const eventsFor = (step: StepId): RunEvent[] => [
    { type: 'step_done', step, actor: op, at: at(), contingentIds: [1], contactNumber: 'X1' },
    { type: 'step_skip', step, actor: op, at: at() },
    { type: 'password_assigned', actor: support, at: at() },
    { type: 'verification_result', report: passedReport(), actor: op, at: at() },
    { type: 'verify_skip', reason: 'because', actor: op, at: at() },
    { type: 'email_sent', actor: op, at: at() },
    { type: 'cancel', actor: op, at: at() },
    { type: 'resume', actor: op, at: at() },
    { type: 'reminder_due', at: at() },
    { type: 'reminder_snooze', step, actor: op, at: at() },
    { type: 'verify_confirm', actor: op, at: at() },
    { type: 'answers_edit', actor: op, at: at(), answers: { contactNumber: 'NEW-1' } },
    { type: 'answers_erase', fields: ['contactNumber'], actor: op, at: at() },
  ];
  const kindOf = (s: StepId): string =>
    s === 'password_request' ? 'support' : s === 'verification' ? 'verification' : s === 'email_draft' ? 'email' : 'back_office';

  /** The expected outcome: 'ok' or a refusal code. */
  function expected(current: StepId, ev: RunEvent): string {
    if (ev.type === 'cancel' || ev.type === 'resume') return 'ok';
    const kind = kindOf(current);
    switch (ev.type) {
      case 'step_done':
        return ev.step !== current ? 'stale_step' : kind === 'back_office' ? 'ok' : 'not_allowed_here';
      case 'step_skip':
        return ev.step !== current ? 'stale_step' : current === 'event_products' || current === 'pass_products' ? 'ok' : 'not_skippable';
      case 'password_assigned':
        return current === 'password_request' ? 'ok' : 'stale_step';
      case 'verification_result':
      case 'verify_skip':
        return current === 'verification' ? 'ok' : 'stale_step';
      case 'email_sent':
        return current === 'email_draft' ? 'ok' : 'stale_step';
      // These runs have no reminder scheduled (no settings): nothing is due, nothing to snooze.
      case 'reminder_due':
        return 'not_allowed_here';
      case 'reminder_snooze':
        return ev.step !== current ? 'stale_step' : 'not_allowed_here';
      // No report with checks to confirm here: nothing to confirm.
      case 'verify_confirm':
        return current === 'verification' ? 'not_allowed_here' : 'stale_step';
      case 'answers_edit':
      case 'answers_erase':
        return current === 'verification' ? 'ok' : 'stale_step';
    }
  }

  it.each(STEP_IDS.map((s) => [s]))('open run at %s', (current) => {
    const run = runAt(current);
    for (const target of STEP_IDS) {
      for (const ev of eventsFor(target)) {
        if (!('step' in ev) && target !== STEP_IDS[0]) continue; // step-less events once per state
        const r = transition(run, ev);
        const want = expected(current, ev);
        expect({ ev: ev.type, target, got: r.ok ? 'ok' : r.refusal.code }).toEqual({ ev: ev.type, target, got: want });
        if (r.ok) expect(r.run.version).toBe(run.version + 1);
      }
    }
  });

  it.each([['completed'], ['cancelled']] as const)('a %s run refuses every event with who ended it', (status) => {
    let run = runAt('email_draft');
    run = ok(run, status === 'completed' ? forward('email_draft') : { type: 'cancel', actor: op, at: at() }).run;
    expect(run.status).toBe(status);
    for (const ev of eventsFor('email_draft')) {
      const r = transition(run, ev);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.refusal.code).toBe('run_not_open');
        expect(r.refusal.last).toMatchObject({ by: op, state: status });
      }
    }
  });

  it('a stale click says who did the step and when', () => {
    const run = runAt('sales_channel');
    const first = forward('sales_channel');
    const after = ok(run, first).run;
    const r = transition(after, { type: 'step_done', step: 'sales_channel', actor: support, at: at() });
    expect(r).toEqual({ ok: false, refusal: { code: 'stale_step', last: { by: op, at: first.at, state: 'done', step: 'sales_channel' } } });
  });

  it('cancel at password_request also closes the support request', () => {
    const r = ok(runAt('password_request'), { type: 'cancel', actor: op, at: at() });
    expect(r.effects.map((e) => e.type)).toEqual(['step_closed', 'card', 'support_closed', 'notice']);
    expect(r.run.status).toBe('cancelled');
  });

  it('a cancel button of an old step message is stale; the current one cancels', () => {
    const run = runAt('point_of_sale');
    expect(transition(run, { type: 'cancel', step: 'sales_channel', actor: op, at: at() })).toMatchObject({
      ok: false,
      refusal: { code: 'stale_step' },
    });
    expect(transition(run, { type: 'cancel', step: 'point_of_sale', actor: op, at: at() })).toMatchObject({
      ok: true,
      run: { status: 'cancelled' },
    });
  });

  it('resume re-posts the current step without changing any step', () => {
    const run = runAt('pass_products');
    const r = ok(run, { type: 'resume', actor: op, at: at() });
    expect(r.effects).toEqual([{ type: 'step_prompt', step: 'pass_products' }, { type: 'card' }]);
    expect(r.run.steps).toEqual(run.steps);
  });
});

describe('transition: checks to confirm, verify_confirm, answers_edit, answers_erase', () => {
  const toConfirmReport = (): VerificationReport => ({
    checks: [
      { id: 'credentials', outcome: 'passed' },
      {
        id: 'sales_channel',
        outcome: 'to_confirm',
        reason: { code: 'channel_state_unknown', params: { state: 'OPEN', channelCode: 'DGTK' } },
      },
    ],
    posId: 4242,
    passed: false,
    toConfirm: true,
    at: T0,
  });

  it('a report to confirm keeps the run at verification (step to_confirm); verify_confirm then moves it to the email', () => {
    const r1 = ok(runAt('verification'), { type: 'verification_result', report: toConfirmReport(), actor: op, at: at() });
    expect(r1.run.currentStep).toBe('verification');
    expect(r1.run.steps.verification.state).toBe('to_confirm');
    expect(r1.effects.map((e) => e.type)).toEqual(['card', 'verification_report']);
    const r2 = ok(r1.run, { type: 'verify_confirm', actor: support, at: at() });
    expect(r2.run.currentStep).toBe('email_draft');
    expect(r2.run.steps.verification).toMatchObject({ state: 'done', by: support, reason: 'confirmed' });
    expect(r2.effects).toContainEqual(expect.objectContaining({ type: 'step_closed', step: 'verification', outcome: 'confirmed' }));
    // A second confirm (a double click) is stale.
    const again = transition(r2.run, { type: 'verify_confirm', actor: op, at: at() });
    expect(again.ok ? 'ok' : again.refusal.code).toBe('stale_step');
  });

  it('verify_confirm is refused after a failed report, saying a check failed (not "superseded")', () => {
    const r1 = ok(runAt('verification'), { type: 'verification_result', report: failedReport(), actor: op, at: at() });
    const r = transition(r1.run, { type: 'verify_confirm', actor: op, at: at() });
    expect(r.ok ? 'ok' : r.refusal.code).toBe('report_not_confirmable');
  });

  it('verify_confirm from a report to confirm is refused as superseded once the answers changed', () => {
    const r1 = ok(runAt('verification'), { type: 'verification_result', report: toConfirmReport(), actor: op, at: at() });
    const r2 = ok(r1.run, { type: 'answers_edit', actor: op, at: at(), answers: { contactNumber: 'NEW-1' } });
    const r = transition(r2.run, { type: 'verify_confirm', actor: op, at: at() });
    expect(r.ok ? 'ok' : r.refusal.code).toBe('report_superseded');
  });

  it('a report with checks not checked (SecuTix too slow) leaves the step current, not failed; verify_confirm is refused', () => {
    const notChecked: VerificationReport = {
      ...toConfirmReport(),
      checks: [
        ...toConfirmReport().checks,
        {
          id: 'event_products',
          outcome: 'not_checked',
          reason: { code: 'secutix_extraction_timeout', params: { method: 'getCatalogDetailed' } },
        },
      ],
      toConfirm: undefined,
      notChecked: true,
    };
    delete notChecked.toConfirm;
    const r1 = ok(runAt('verification'), { type: 'verification_result', report: notChecked, actor: op, at: at() });
    expect(r1.run.currentStep).toBe('verification');
    expect(r1.run.steps.verification).toMatchObject({ state: 'current', reason: 'checks_not_checked' });
    expect(r1.effects.map((e) => e.type)).toEqual(['card', 'verification_report']);
    const r = transition(r1.run, { type: 'verify_confirm', actor: op, at: at() });
    expect(r.ok ? 'ok' : r.refusal.code).toBe('report_not_confirmable');
    // Even a report marked to confirm is not confirmable while a check is not checked.
    const forced = {
      ...r1.run,
      verification: { ...notChecked, toConfirm: true },
      steps: { ...r1.run.steps, verification: { state: 'to_confirm' as const } },
    };
    const r3 = transition(forced, { type: 'verify_confirm', actor: op, at: at() });
    expect(r3.ok ? 'ok' : r3.refusal.code).toBe('report_not_confirmable');
  });

  it('answers_edit changes the recorded values (old and new in the effect) and offers the verification again', () => {
    const run = runAt('verification');
    expect(run.contactNumber).toBe('000123');
    const r = ok(run, { type: 'answers_edit', actor: op, at: at(), answers: { contingentIds: [11, 13], contactNumber: '000123' } });
    expect(r.run.contingentIds).toEqual([11, 13]);
    expect(r.effects[1]).toMatchObject({ type: 'answers_changed', changes: [{ field: 'contingentIds', from: '11, 12', to: '11, 13' }] });
    expect(r.effects.map((e) => e.type)).toEqual(['card', 'answers_changed', 'step_prompt']);
    // Nothing changed: refused, nothing recorded.
    const same = transition(r.run, { type: 'answers_edit', actor: op, at: at(), answers: { contingentIds: [11, 13] } });
    expect(same.ok ? 'ok' : same.refusal.code).toBe('nothing_changed');
    const empty = transition(r.run, { type: 'answers_edit', actor: op, at: at(), answers: { contingentIds: [] } });
    expect(empty.ok ? 'ok' : empty.refusal.code).toBe('input_required');
  });

  it('answers_erase erases the value from the last report, leaves nothing to confirm, and refuses verify_confirm and verify_skip until entered again', () => {
    const report = toConfirmReport();
    report.checks.push({
      id: 'technical_contact',
      outcome: 'to_confirm',
      reason: { code: 'contact_no_flag', params: { contactNumber: '000123', name: 'Tech Digitick (000123)' } },
      warnings: [{ code: 'w', params: { contactNumber: '000123' } }],
      moreReasons: [{ code: 'm', params: { contactNumber: '000123' } }],
    });
    const r1 = ok(runAt('verification'), { type: 'verification_result', report, actor: op, at: at() });
    expect(JSON.stringify(r1.run)).toContain('000123');
    const r2 = ok(r1.run, { type: 'answers_erase', fields: ['contactNumber'], actor: op, at: at() });
    expect(JSON.stringify(r2.run)).not.toContain('000123');
    expect(r2.run.verification?.checks[2]?.reason?.params).toEqual({ contactNumber: '[erased]', name: 'Tech Digitick ([erased])' });
    expect(r2.run.steps.verification.state).toBe('current');
    for (const ev of [
      { type: 'verify_confirm', actor: op, at: at() },
      { type: 'verify_skip', reason: 'later', actor: op, at: at() },
    ] as const) {
      const r = transition(r2.run, ev);
      expect(r.ok ? 'ok' : r.refusal.code).toBe('answers_erased');
    }
    // Entered again: skipping is possible; the old report still cannot be confirmed (it checked other answers).
    const r3 = ok(r2.run, { type: 'answers_edit', actor: op, at: at(), answers: { contactNumber: '000777' } });
    expect(transition(r3.run, { type: 'verify_skip', reason: 'later', actor: op, at: at() }).ok).toBe(true);
    const c = transition(r3.run, { type: 'verify_confirm', actor: op, at: at() });
    expect(c.ok ? 'ok' : c.refusal.code).toBe('report_superseded');
  });

  it('answers_erase empties the answers and lists them to enter again; answers_edit fills them back', () => {
    const run = runAt('verification');
    const r = ok(run, { type: 'answers_erase', fields: ['contactNumber', 'digitickContactName'], actor: op, at: at() });
    expect(r.run.contactNumber).toBeUndefined();
    expect(r.run.details.digitickContactName).toBe('');
    expect(r.run.erasedAnswers).toEqual(['contactNumber', 'digitickContactName']);
    expect(JSON.stringify(r.run)).not.toContain('000123');
    const back = ok(r.run, {
      type: 'answers_edit',
      actor: op,
      at: at(),
      answers: { contactNumber: '000777', digitickContactName: 'Dana D.' },
    });
    expect(back.run.erasedAnswers).toBeUndefined();
    expect(back.run.contactNumber).toBe('000777');
    expect(back.effects[1]).toMatchObject({
      type: 'answers_changed',
      changes: [
        { field: 'contactNumber', from: '', to: '000777' },
        { field: 'digitickContactName', from: '', to: 'Dana D.' },
      ],
    });
  });
});
