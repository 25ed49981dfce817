/**
 * Reminders and escalation on Slack (issue 5), through Bolt's real HTTP receiver (signed
 * requests), the fake Slack Web API on loopback and the real SQLite store, with a clock the test
 * moves (the core's `Clock` port; no fake timers): the poller's work is
 * `RunService.fireDueReminders()`, called here as the timer of `adapters/main.ts` would.
 *
 * - an operator reminder in the run's thread mentioning who started the run, with "Snooze 1 day";
 *   snooze pushes it a day; the run moving on stops it; the step's own button still works;
 * - support reminders as replies to the support request (broadcast to the support channel), at
 *   most 3, then the operator is told in the thread;
 * - a restart between the due time and the firing (new process over the same SQLite file) fires
 *   it once; two replicas on one file firing at the same time send it once.
 */
import type { FakeSlackMessage } from '../../fakes/fake-slack-api';
import { OPERATOR, RUN_CHANNEL, SUPPORT_CHANNEL, type SlackHarness, tempDir, wireSlack } from '../../helpers/slack-wire';
import type { Clock } from '../../../src/ports/clock.port';
import path from 'node:path';

type Button = { action_id: string; value: string };
const buttonsOf = (m: FakeSlackMessage | undefined): Button[] =>
  (m?.blocks ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements as Button[]);

const HOUR = 3_600_000;
/** A clock the test moves; starts at a fixed instant. */
function movableClock(): Clock & { set(hoursFromStart: number): void; start: number } {
  const start = Date.parse('2026-03-02T08:00:00.000Z');
  let now = start;
  return {
    start,
    nowMs: () => now,
    set(hours: number) {
      now = start + Math.round(hours * HOUR);
    },
  };
}

/** Starts a run through the slash command and the start modal; returns its id and card. */
async function startRun(h: SlackHarness, institutionCode: string): Promise<{ runId: string; card: FakeSlackMessage }> {
  await h.command(`start ${institutionCode}`);
  const view = h.lastView();
  await h.submit(
    'onboard_start',
    view.private_metadata,
    {
      institution_code: institutionCode,
      institution_name: `Theatre ${institutionCode}`,
      channel_code: 'DGTK',
      digitick_contact_name: 'Camille Martin',
      digitick_contact_email: 'camille.martin@digitick.example',
      language: 'en',
    },
    { selects: ['language'] },
  );
  const card = [...h.api.messages.values()].find(
    (m) => m.channel === RUN_CHANNEL && !m.thread_ts && JSON.stringify(m.blocks).includes(institutionCode),
  );
  if (!card) throw new Error('no progress card');
  return { runId: String(card.metadata?.event_payload.run_id), card };
}

/** Presses `actionId` on the newest message in the thread that carries it. */
async function press(h: SlackHarness, card: FakeSlackMessage, actionId: string, step?: string): Promise<FakeSlackMessage> {
  const msg = h.api
    .messagesIn(RUN_CHANNEL, card.ts)
    .filter((m) => buttonsOf(m).some((b) => b.action_id === actionId) && (!step || m.metadata?.event_payload.step === step))
    .pop();
  const button = buttonsOf(msg).find((b) => b.action_id === actionId);
  if (!msg || !button) throw new Error(`no ${actionId} button${step ? ` on ${step}` : ''}`);
  const answer = await h.click(actionId, button.value, { messageTs: msg.ts });
  expect(answer.status).toBe(200);
  return msg;
}

const remindersIn = (h: SlackHarness, card: FakeSlackMessage): FakeSlackMessage[] =>
  h.api.messagesIn(RUN_CHANNEL, card.ts).filter((m) => buttonsOf(m).some((b) => b.action_id === 'reminder_snooze'));

describe('Slack reminders: the operator', () => {
  const clock = movableClock();
  let h: SlackHarness;
  beforeAll(async () => {
    h = await wireSlack({ clock, env: { REMIND_AFTER_HOURS: '24', SUPPORT_REMIND_AFTER_HOURS: '4' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('reminds in the thread with a mention and a snooze button; snooze pushes it a day; moving on stops it', async () => {
    clock.set(0);
    const { runId, card } = await startRun(h, 'REMINDA');
    const stepMessage = h.api.messagesIn(RUN_CHANNEL, card.ts).find((m) => m.metadata?.event_payload.step === 'sales_channel');
    expect((await h.core.store.get(runId))?.reminder).toEqual({
      dueAt: new Date(clock.start + 24 * HOUR).toISOString(),
      kind: 'operator',
      count: 0,
    });

    // Not due yet: nothing is posted.
    clock.set(23.9);
    expect(await h.core.service.fireDueReminders()).toEqual([]);
    expect(remindersIn(h, card)).toHaveLength(0);

    // Due: one reminder in the run's thread, mentioning the starter, with the snooze button.
    clock.set(24);
    const t0 = performance.now();
    expect(await h.core.service.fireDueReminders()).toEqual([runId]);
    console.log(`fireDueReminders with one due run (save + Slack post): ${(performance.now() - t0).toFixed(1)} ms`);
    const [reminder] = remindersIn(h, card);
    expect(remindersIn(h, card)).toHaveLength(1);
    expect(reminder!.thread_ts).toBe(card.ts);
    expect(reminder!.text).toContain(`<@${OPERATOR.id}>`);
    expect(reminder!.text).toContain('Sales channel');
    expect(buttonsOf(reminder).map((b) => b.action_id)).toEqual(['reminder_snooze']);
    expect(JSON.stringify(reminder!.blocks)).toContain('Snooze 1 day');
    console.log(`Reminder as posted in the thread (chat.postMessage text):\n${reminder!.text}`);
    // Fired once: a second poll at the same time finds nothing due.
    expect(await h.core.service.fireDueReminders()).toEqual([]);
    expect(remindersIn(h, card)).toHaveLength(1);

    // Snooze 1 day (an hour later): the next reminder is due a day after the click.
    clock.set(25);
    await press(h, card, 'reminder_snooze');
    expect((await h.core.store.get(runId))?.reminder?.dueAt).toBe(new Date(clock.start + 49 * HOUR).toISOString());
    const snoozed = h.api.messagesIn(RUN_CHANNEL, card.ts).filter((m) => /snoozed by/.test(m.text ?? ''));
    expect(snoozed).toHaveLength(1);
    expect(snoozed[0]!.text).toContain(`<@${OPERATOR.id}>`);
    console.log(`Snooze line: ${snoozed[0]!.text}`);
    // The same snooze pressed twice more (at once): nothing changes, each clicker is told who snoozed.
    const ephemeralsBeforeDouble = h.api.callsOf('chat.postEphemeral').length;
    await Promise.all([press(h, card, 'reminder_snooze'), press(h, card, 'reminder_snooze')]);
    expect(h.api.messagesIn(RUN_CHANNEL, card.ts).filter((m) => /snoozed by/.test(m.text ?? ''))).toHaveLength(1);
    const doubles = h.api.callsOf('chat.postEphemeral').slice(ephemeralsBeforeDouble);
    expect(doubles).toHaveLength(2);
    for (const e of doubles) expect(String(e.args.text)).toMatch(/already snoozed/);
    expect((await h.core.store.get(runId))?.reminder?.dueAt).toBe(new Date(clock.start + 49 * HOUR).toISOString());
    clock.set(48.9);
    expect(await h.core.service.fireDueReminders()).toEqual([]);
    clock.set(49);
    expect(await h.core.service.fireDueReminders()).toEqual([runId]);
    expect(remindersIn(h, card)).toHaveLength(2);

    // The step's own button was not made stale by the reminders and the snooze.
    await press(h, card, 'step_done', 'sales_channel');
    const moved = await h.core.store.get(runId);
    expect(moved?.currentStep).toBe('point_of_sale');
    expect(stepMessage).toBeDefined();

    // Moving on replaced the reminder: nothing more about step 1; the next step is a full day away.
    expect(moved?.reminder).toEqual({ dueAt: new Date(clock.start + 73 * HOUR).toISOString(), kind: 'operator', count: 0 });
    clock.set(72.9);
    expect(await h.core.service.fireDueReminders()).toEqual([]);
    expect(remindersIn(h, card)).toHaveLength(2);

    // A snooze pressed on an old reminder (about step 1) is refused to the clicker as stale.
    const ephemeralsBefore = h.api.callsOf('chat.postEphemeral').length;
    await press(h, card, 'reminder_snooze');
    const ephemerals = h.api.callsOf('chat.postEphemeral').slice(ephemeralsBefore);
    expect(ephemerals).toHaveLength(1);
    expect(String(ephemerals[0]!.args.text)).toMatch(/Sales channel/);
    expect((await h.core.store.get(runId))?.reminder?.dueAt).toBe(new Date(clock.start + 73 * HOUR).toISOString());

    // Cancelled: nothing is due any more.
    await press(h, card, 'run_cancel', 'point_of_sale');
    expect((await h.core.store.get(runId))?.status).toBe('cancelled');
    clock.set(200);
    expect(await h.core.service.fireDueReminders()).toEqual([]);
    expect(remindersIn(h, card)).toHaveLength(2);
  });
});

describe('Slack reminders: SecuTix support', () => {
  const clock = movableClock();
  let h: SlackHarness;
  beforeAll(async () => {
    h = await wireSlack({ clock, env: { REMIND_AFTER_HOURS: '24', SUPPORT_REMIND_AFTER_HOURS: '4' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('replies to the support request at most 3 times (broadcast to the channel), then tells the operator', async () => {
    clock.set(0);
    const { runId, card } = await startRun(h, 'REMINDS');
    // Walk to password_request; each step at hour 1 (contingents and contact through their modals).
    clock.set(1);
    for (const step of ['sales_channel', 'point_of_sale', 'contingents', 'technical_contact', 'event_products', 'pass_products']) {
      await press(h, card, 'step_done', step);
      if (step === 'contingents') await h.submit('onboard_contingents', h.lastView().private_metadata, { contingent_ids: '11' });
      if (step === 'technical_contact') await h.submit('onboard_contact', h.lastView().private_metadata, { contact_number: '000123' });
    }
    await press(h, card, 'step_done', 'sales_interface');
    expect((await h.core.store.get(runId))?.currentStep).toBe('password_request');
    const [request] = h.api.messagesIn(SUPPORT_CHANNEL).filter((m) => !m.thread_ts);
    expect(request).toBeDefined();

    const fired: number[] = [];
    for (let hour = 1; hour <= 30; hour += 1) {
      clock.set(hour);
      if ((await h.core.service.fireDueReminders()).length > 0) fired.push(hour);
    }
    expect(fired).toEqual([5, 9, 13, 17]);

    const replies = h.api.messagesIn(SUPPORT_CHANNEL, request!.ts);
    expect(replies.map((m) => m.text?.match(/Reminder (\d) of 3/)?.[1])).toEqual(['1', '2', '3']);
    const posts = h.api.callsOf('chat.postMessage').filter((c) => c.args.channel === SUPPORT_CHANNEL && c.args.thread_ts);
    expect(posts.map((c) => String(c.args.reply_broadcast))).toEqual(['true', 'true', 'true']);
    console.log(`Support reminder: ${replies[0]!.text}`);

    const told = h.api.messagesIn(RUN_CHANNEL, card.ts).filter((m) => /has not answered/.test(m.text ?? ''));
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain(`<@${OPERATOR.id}>`);
    console.log(`Operator told: ${told[0]!.text}`);
    expect((await h.core.store.get(runId))?.reminder).toBeUndefined();
  });
});

describe('Slack reminders: restarts and replicas', () => {
  it('a restart between the due time and the firing still fires it, exactly once', async () => {
    const clock = movableClock();
    const dbPath = path.join(tempDir(), 'runs.db');
    const env = { REMIND_AFTER_HOURS: '0.01', SUPPORT_REMIND_AFTER_HOURS: '4' };
    const first = await wireSlack({ clock, dbPath, env });
    clock.set(0);
    const { runId } = await startRun(first, 'RESTART');
    await first.close(); // the process stops before the due time (36 s with 0.01 h)

    clock.set(0.02); // past the due time while nothing was running
    const second = await wireSlack({ clock, dbPath, env });
    try {
      expect(await second.core.service.fireDueReminders()).toEqual([runId]);
      expect(await second.core.service.fireDueReminders()).toEqual([]);
      const posted = second.api.callsOf('chat.postMessage').filter((c) => String(c.args.text).includes('Reminder'));
      expect(posted).toHaveLength(1);
      expect(String(posted[0]!.args.text)).toContain(`<@${OPERATOR.id}>`);
      const trail = await second.core.store.audit(runId);
      expect(trail.filter((e) => e.action === 'reminder_due').map((e) => e.outcome)).toEqual(['ok']);
    } finally {
      await second.close();
    }
  });

  it('two replicas on one SQLite file polling at the same moment send the reminder once', async () => {
    const clock = movableClock();
    const dbPath = path.join(tempDir(), 'runs.db');
    const env = { REMIND_AFTER_HOURS: '0.01', SUPPORT_REMIND_AFTER_HOURS: '4' };
    const a = await wireSlack({ clock, dbPath, env });
    const b = await wireSlack({ clock, dbPath, env });
    try {
      clock.set(0);
      const { runId } = await startRun(a, 'REPLICA');
      clock.set(0.01);
      const [firedA, firedB] = await Promise.all([a.core.service.fireDueReminders(), b.core.service.fireDueReminders()]);
      expect([...firedA, ...firedB]).toEqual([runId]);
      const reminderPosts = [a, b]
        .flatMap((x) => x.api.callsOf('chat.postMessage'))
        .filter((c) => String(c.args.text).includes('Reminder'));
      expect(reminderPosts).toHaveLength(1);
      expect((await a.core.store.get(runId))?.reminder?.count).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
