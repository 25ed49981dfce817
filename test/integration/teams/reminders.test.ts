/**
 * Reminders on Teams (issue 5), over loopback: the real `CloudAdapter` behind `POST /api/messages`,
 * the fake Bot Framework connector, the real SQLite store, and a clock the test moves (the run
 * service's `Clock` port). `RunService.fireDueReminders()` is what the timer of `adapters/main.ts`
 * calls.
 *
 * - the operator reminder is posted in the run's conversation with a real mention of who started
 *   the run (`<at>…</at>` + `msteams.entities`) and the snooze verb; pressing it answers in place;
 * - support reminders go to the registered support channel, as replies to the support request.
 */
import { TEAMS_REF } from '../../../adapters/teams';
import type { Clock } from '../../../src/ports/clock.port';
import {
  ALEX,
  actionOf,
  cardOf,
  cardText,
  type Conversation,
  invokeCard,
  latestWithAction,
  SAM,
  startTeamsHarness,
  type TeamsHarness,
} from './helpers';

const PERSONAL: Conversation = { id: 'a:personal-alex', conversationType: 'personal' };
const SUPPORT: Conversation = { id: '19:support@thread.tacv2', conversationType: 'channel' };
const HOUR = 3_600_000;
const START = Date.parse('2026-03-02T08:00:00.000Z');
let now = START;
const clock: Clock = { nowMs: () => now };
const at = (hours: number): void => {
  now = START + hours * HOUR;
};

let h: TeamsHarness;
beforeEach(async () => {
  now = START;
  h = await startTeamsHarness({ clock, reminders: { remindAfterHours: 24, supportRemindAfterHours: 4 } });
});
afterEach(async () => {
  await h.close();
});

/** Starts a run from the personal chat and returns its id. */
async function startRun(code: string): Promise<string> {
  const before = h.connector.posted().length;
  await h.message(PERSONAL, ALEX, 'digitick-onboard start');
  const formActivity = h.connector
    .posted()
    .slice(before)
    .find((a) => actionOf(cardOf(a), 'onboard_start'));
  const inputs = {
    institution_code: code,
    institution_name: `Theatre ${code}`,
    channel_code: 'DGTK',
    digitick_contact_name: 'Camille Martin',
    digitick_contact_email: 'camille.martin@digitick.example',
    language: 'en',
  };
  const answer = invokeCard(await h.invoke(PERSONAL, ALEX, actionOf(cardOf(formActivity), 'onboard_start')!, inputs));
  const runId = /Run ([A-Z0-9]{8})/.exec(String(answer.body[0]!.text))?.[1];
  if (!runId) throw new Error('no run started');
  return runId;
}

/** Presses `verb` on the latest card of `step` in the personal chat (with form inputs when the answer is a form). */
async function click(verb: string, step: string, inputs: Record<string, string> = {}): Promise<ReturnType<typeof invokeCard>> {
  const target = latestWithAction(h.connector, verb, step, PERSONAL.id);
  return invokeCard(await h.invoke(PERSONAL, ALEX, actionOf(cardOf(target), verb)!, inputs, { replyToId: target.id }));
}

test('the operator reminder mentions the starter for real and its snooze pushes it a day', async () => {
  const runId = await startRun('TREMIND');
  at(23.5);
  expect(await h.service.fireDueReminders()).toEqual([]);
  at(24);
  expect(await h.service.fireDueReminders()).toEqual([runId]);

  const reminder = latestWithAction(h.connector, 'reminder_snooze', 'sales_channel', PERSONAL.id);
  const card = cardOf(reminder) as ReturnType<typeof cardOf> & { msteams?: { entities: unknown[] } };
  expect(cardText(card)).toContain('<at>Alex Operator</at>');
  expect(card.msteams?.entities).toEqual([
    { type: 'mention', text: '<at>Alex Operator</at>', mentioned: { id: ALEX.aadObjectId, name: 'Alex Operator' } },
  ]);
  console.log(`Teams operator reminder card text:\n${cardText(card)}`);

  at(25);
  const answer = await click('reminder_snooze', 'sales_channel');
  expect(cardText(answer)).toMatch(/snoozed by Alex Operator until 2026-03-04 at 09:00 UTC/);
  expect((await h.store.get(runId))?.reminder?.dueAt).toBe(new Date(START + 49 * HOUR).toISOString());
  // The step card's own button still works after the snooze.
  await click('step_done', 'sales_channel');
  expect((await h.store.get(runId))?.currentStep).toBe('point_of_sale');
});

test('support reminders go to the registered support channel, as replies to the request', async () => {
  await h.message(SUPPORT, SAM, 'support-channel here', { mention: true });
  const runId = await startRun('TSUPPORT');
  at(1);
  await click('step_done', 'sales_channel');
  await click('step_done', 'point_of_sale');
  const contingents = await click('step_done', 'contingents');
  const target = latestWithAction(h.connector, 'step_done', 'contingents', PERSONAL.id);
  await h.invoke(PERSONAL, ALEX, actionOf(contingents, 'onboard_contingents')!, { contingent_ids: '11' }, { replyToId: target.id });
  const contact = await click('step_done', 'technical_contact');
  const target2 = latestWithAction(h.connector, 'step_done', 'technical_contact', PERSONAL.id);
  await h.invoke(PERSONAL, ALEX, actionOf(contact, 'onboard_contact')!, { contact_number: '000123' }, { replyToId: target2.id });
  for (const step of ['event_products', 'pass_products', 'sales_interface']) await click('step_done', step);
  expect((await h.store.get(runId))?.currentStep).toBe('password_request');
  const request = (await h.store.getRefs(runId))[TEAMS_REF.support] as { activityId: string; conversationId: string };
  expect(request.conversationId).toBe(SUPPORT.id);

  at(5);
  expect(await h.service.fireDueReminders()).toEqual([runId]);
  const thread = `${SUPPORT.id};messageid=${request.activityId}`;
  const replies = h.connector.posted(thread);
  expect(replies).toHaveLength(1);
  expect(replies[0]!.replyToId).toBe(request.activityId);
  expect(cardText(cardOf(replies[0]))).toContain('Reminder 1 of 3 to SecuTix support');
  expect(cardText(cardOf(replies[0]))).toContain('TSUPPORT_DGTK');
  console.log(`Teams support reminder (in ${thread}):\n${cardText(cardOf(replies[0]))}`);
  // Nothing of it in the operator's chat.
  expect(h.connector.posted(PERSONAL.id).filter((a) => cardText(cardOf(a)).includes('to SecuTix support'))).toHaveLength(0);
});
