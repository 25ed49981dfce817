/**
 * Reminders in the pure transition (issue 5): the due time is set on landing on a step (operator
 * delay, or the support delay on `password_request`), cleared on completion and cancel, pushed
 * by snooze; `reminder_due` sends what is due and schedules the next, support at most 3 times
 * then the operator is told. Times come in the events: no clock here.
 */
import { STEP_IDS, type StepId } from '../../../src/domain/ids';
import { addHours, createRun, transition } from '../../../src/workflow/transition';
import type { Actor, Effect, ReminderSettings, Run, RunEvent, VerificationReport } from '../../../src/workflow/types';

const op: Actor = { id: 'U1', name: 'Ola Operator' };
const support: Actor = { id: 'U9', name: 'Sam Support' };
const T0 = '2026-11-29T10:00:00.000Z';
/** ISO time `h` hours after T0. */
const h = (hours: number): string => addHours(T0, hours);
const SETTINGS: ReminderSettings = { remindAfterHours: 24, supportRemindAfterHours: 4 };

const details = {
  institutionCode: 'ACME',
  institutionName: 'Acme Theatre',
  channelCode: 'DGTK',
  digitickContactName: 'Dana Digitick',
  digitickContactEmail: 'dana@digitick.example',
  language: 'en' as const,
};

/** A new run at T0; `null`: without reminder settings. */
const fresh = (settings: ReminderSettings | null = SETTINGS): Run =>
  createRun({ id: 'RUN00001', surface: 'slack', channelId: 'C1', details, actor: op, at: T0, ...(settings ? { reminders: settings } : {}) })
    .run;

function ok(run: Run, event: RunEvent, settings: ReminderSettings | undefined = SETTINGS): { run: Run; effects: Effect[] } {
  const r = transition(run, event, settings);
  if (!r.ok) throw new Error(`refused ${event.type}: ${r.refusal.code}`);
  return r;
}

const report = (passed: boolean): VerificationReport => ({
  checks: [{ id: 'credentials', outcome: passed ? 'passed' : 'failed' }],
  passed,
  at: T0,
});

/** The event that moves `step` forward at `when`. */
function forward(step: StepId, when: string): RunEvent {
  switch (step) {
    case 'contingents':
      return { type: 'step_done', step, actor: op, at: when, contingentIds: [11] };
    case 'technical_contact':
      return { type: 'step_done', step, actor: op, at: when, contactNumber: '000123' };
    case 'password_request':
      return { type: 'password_assigned', actor: support, at: when };
    case 'verification':
      return { type: 'verification_result', report: report(true), actor: op, at: when };
    case 'email_draft':
      return { type: 'email_sent', actor: op, at: when };
    default:
      return { type: 'step_done', step, actor: op, at: when };
  }
}

/** A run walked forward to `target`, the step landed on at `h(1)`. */
function runAt(target: StepId): Run {
  let run = fresh();
  for (const step of STEP_IDS) {
    if (step === target) break;
    run = ok(run, forward(step, h(1))).run;
  }
  return run;
}

describe('reminders: due time set per step kind', () => {
  it('a new run reminds its starter REMIND_AFTER_HOURS after the start', () => {
    expect(fresh().reminder).toEqual({ dueAt: h(24), kind: 'operator', count: 0 });
  });

  it.each(STEP_IDS.filter((s) => s !== 'sales_channel').map((s) => [s]))('landing on %s sets the delay of its kind', (step) => {
    const run = runAt(step);
    expect(run.currentStep).toBe(step);
    expect(run.reminder).toEqual(
      step === 'password_request' ? { dueAt: h(1 + 4), kind: 'support', count: 0 } : { dueAt: h(1 + 24), kind: 'operator', count: 0 },
    );
  });

  it('accepts fractions of hours (0.01 h = 36 s)', () => {
    const run = fresh({ remindAfterHours: 0.01, supportRemindAfterHours: 0.01 });
    expect(run.reminder?.dueAt).toBe('2026-11-29T10:00:36.000Z');
  });

  it('schedules nothing without settings, or with a delay of 0 (that kind off)', () => {
    expect(fresh(null).reminder).toBeUndefined();
    expect(fresh({ remindAfterHours: 0, supportRemindAfterHours: 4 }).reminder).toBeUndefined();
    const noSupport: ReminderSettings = { remindAfterHours: 24, supportRemindAfterHours: 0 };
    let run = fresh(noSupport);
    for (const step of STEP_IDS.slice(0, 7)) run = ok(run, forward(step, h(1)), noSupport).run;
    expect(run.currentStep).toBe('password_request');
    expect(run.reminder).toBeUndefined();
  });

  it('a failed verification starts the operator delay again; a snooze does not touch the step', () => {
    const run = runAt('verification');
    const failed = ok(run, { type: 'verification_result', report: report(false), actor: op, at: h(3) }).run;
    expect(failed.reminder).toEqual({ dueAt: h(27), kind: 'operator', count: 0 });
  });
});

describe('reminders: cleared when the run ends', () => {
  it('completion clears it', () => {
    const done = ok(runAt('email_draft'), forward('email_draft', h(2))).run;
    expect(done.status).toBe('completed');
    expect(done).not.toHaveProperty('reminder');
  });

  it.each([['sales_channel'], ['password_request'], ['verification']] as const)('cancel at %s clears it', (step) => {
    const cancelled = ok(runAt(step), { type: 'cancel', actor: op, at: h(2) }).run;
    expect(cancelled).not.toHaveProperty('reminder');
  });
});

describe('reminders: reminder_due', () => {
  it('is refused before the due time and when nothing is scheduled', () => {
    expect(transition(fresh(), { type: 'reminder_due', at: h(23.99) }, SETTINGS)).toEqual({
      ok: false,
      refusal: { code: 'not_allowed_here' },
    });
    expect(transition(fresh(null), { type: 'reminder_due', at: h(100) })).toMatchObject({ ok: false });
  });

  it('sends the operator reminder about the current step and schedules the next a delay later, nothing else', () => {
    const run = fresh();
    const r = ok(run, { type: 'reminder_due', at: h(24) });
    expect(r.effects).toEqual([{ type: 'reminder', kind: 'operator', step: 'sales_channel', count: 1 }]);
    expect(r.run.reminder).toEqual({ dueAt: h(48), kind: 'operator', count: 1 });
    expect(r.run.version).toBe(run.version + 1);
    // Not a change of step: the step, its record and the step buttons stay as they were.
    expect(r.run.currentStep).toBe('sales_channel');
    expect(r.run.steps).toEqual(run.steps);
    const again = ok(r.run, { type: 'reminder_due', at: h(48) });
    expect(again.effects).toEqual([{ type: 'reminder', kind: 'operator', step: 'sales_channel', count: 2 }]);
  });

  it('a late poll (after a restart) fires once and schedules from the firing time', () => {
    const r = ok(fresh(), { type: 'reminder_due', at: h(30) });
    expect(r.run.reminder?.dueAt).toBe(h(54));
    expect(transition(r.run, { type: 'reminder_due', at: h(30) }, SETTINGS).ok).toBe(false);
  });

  it('reminds support at most 3 times, then tells the operator once and stops', () => {
    let run = runAt('password_request'); // landed at h(1): due h(5)
    const effects: Effect[] = [];
    const fired: string[] = [];
    for (let t = 1; t <= 40; t += 0.5) {
      const r = transition(run, { type: 'reminder_due', at: h(t) }, SETTINGS);
      if (!r.ok) continue;
      run = r.run;
      effects.push(...r.effects);
      fired.push(`${t}h`);
    }
    expect(fired).toEqual(['5h', '9h', '13h', '17h']);
    expect(effects).toEqual([
      { type: 'reminder', kind: 'support', step: 'password_request', count: 1 },
      { type: 'reminder', kind: 'support', step: 'password_request', count: 2 },
      { type: 'reminder', kind: 'support', step: 'password_request', count: 3 },
      { type: 'reminder', kind: 'support_unanswered', step: 'password_request', count: 3 },
    ]);
    expect(run).not.toHaveProperty('reminder');
    expect(run.currentStep).toBe('password_request');
    // Support answering later still moves the run on, and the next step is reminded again.
    const assigned = ok(run, forward('password_request', h(50))).run;
    expect(assigned.reminder).toEqual({ dueAt: h(74), kind: 'operator', count: 0 });
  });

  it('the run moving on replaces the due reminder: the next step starts from count 0', () => {
    const reminded = ok(fresh(), { type: 'reminder_due', at: h(24) }).run;
    const moved = ok(reminded, forward('sales_channel', h(25))).run;
    expect(moved.reminder).toEqual({ dueAt: h(49), kind: 'operator', count: 0 });
    expect(transition(moved, { type: 'reminder_due', at: h(48) }, SETTINGS).ok).toBe(false);
  });
});

describe('reminders: reminder_snooze', () => {
  it('pushes the reminder 24 h from the click, keeps its kind and count, and says who snoozed', () => {
    const reminded = ok(fresh(), { type: 'reminder_due', at: h(24) }).run;
    const r = ok(reminded, { type: 'reminder_snooze', step: 'sales_channel', actor: op, at: h(25) });
    expect(r.run.reminder).toEqual({ dueAt: h(49), kind: 'operator', count: 1, snoozed: { by: op, at: h(25) } });
    expect(r.effects).toEqual([{ type: 'reminder_snoozed', by: op, at: h(25), until: h(49) }]);
    expect(transition(r.run, { type: 'reminder_due', at: h(48) }, SETTINGS).ok).toBe(false);
    expect(ok(r.run, { type: 'reminder_due', at: h(49) }).effects).toHaveLength(1);
  });

  it('snoozes once per pending reminder: a second click is refused with who snoozed; the next reminder can be snoozed again', () => {
    const reminded = ok(fresh(), { type: 'reminder_due', at: h(24) }).run;
    const once = ok(reminded, { type: 'reminder_snooze', step: 'sales_channel', actor: op, at: h(25) }).run;
    const again = transition(once, { type: 'reminder_snooze', step: 'sales_channel', actor: op, at: h(25) }, SETTINGS);
    expect(again).toEqual({
      ok: false,
      refusal: { code: 'already_snoozed', last: { by: op, at: h(25), state: 'current', step: 'sales_channel' } },
    });
    const next = ok(once, { type: 'reminder_due', at: h(49) }).run;
    expect(next.reminder?.snoozed).toBeUndefined();
    expect(transition(next, { type: 'reminder_snooze', step: 'sales_channel', actor: op, at: h(50) }, SETTINGS).ok).toBe(true);
  });

  it('never makes a step button stale: the step is still done with the button of its message', () => {
    const snoozed = ok(fresh(), { type: 'reminder_snooze', step: 'sales_channel', actor: op, at: h(1) }).run;
    expect(snoozed.currentStep).toBe('sales_channel');
    expect(transition(snoozed, forward('sales_channel', h(2)), SETTINGS).ok).toBe(true);
  });

  it('a snooze from a reminder about an earlier step is stale; on an ended run it is refused', () => {
    const moved = ok(fresh(), forward('sales_channel', h(1))).run;
    const stale = transition(moved, { type: 'reminder_snooze', step: 'sales_channel', actor: op, at: h(2) }, SETTINGS);
    expect(stale).toMatchObject({ ok: false, refusal: { code: 'stale_step', last: { state: 'done', by: op } } });
    const cancelled = ok(moved, { type: 'cancel', actor: op, at: h(3) }).run;
    const late = transition(cancelled, { type: 'reminder_snooze', step: 'point_of_sale', actor: op, at: h(4) }, SETTINGS);
    expect(late).toMatchObject({ ok: false, refusal: { code: 'run_not_open' } });
  });
});
