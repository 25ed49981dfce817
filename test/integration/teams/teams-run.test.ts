/**
 * A complete Teams run over loopback: the real `CloudAdapter` behind `POST /api/messages` (auth
 * off), a fake Bot Framework connector as `serviceUrl`, the real SQLite store, the real SecuTix
 * client against the sandbox (DEMO). The client knows only chat-contract.md: command words,
 * input ids, verbs, and the data carried by `Action.Execute`.
 */
import fs from 'node:fs';
import { demoHints } from '../../../adapters/sandbox';
import { TEAMS_GLOBAL_REF_OWNER, TEAMS_REF } from '../../../adapters/teams';
import { STEP_IDS } from '../../../src/domain/ids';
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

const demo = demoHints();
const PERSONAL: Conversation = { id: 'a:personal-alex', conversationType: 'personal' };
const SUPPORT: Conversation = { id: '19:support@thread.tacv2', conversationType: 'channel' };
const TEAM_CHANNEL: Conversation = { id: '19:onboarding@thread.tacv2', conversationType: 'channel' };

const startInputs = {
  institution_code: 'demo',
  institution_name: 'Demo Theatre',
  channel_code: 'DGTK',
  digitick_contact_name: 'Camille Martin',
  digitick_contact_email: 'camille.martin@digitick.example',
  language: 'en',
};

let h: TeamsHarness;

beforeEach(async () => {
  h = await startTeamsHarness();
});

afterEach(async () => {
  await h.close();
});

/** Starts a DEMO run from `conv` and returns its id (the first TextBlock of the progress card). */
async function startRun(conv: Conversation, inputs: Record<string, string> = startInputs): Promise<string> {
  const before = h.connector.posted().length;
  const m = await h.message(conv, ALEX, 'digitick-onboard start', { mention: conv.conversationType === 'channel' });
  expect(m.status).toBe(200);
  const formActivity = h.connector
    .posted()
    .slice(before)
    .find((a) => actionOf(cardOf(a), 'onboard_start'));
  expect(formActivity).toBeDefined();
  const form = cardOf(formActivity);
  const inputIds = form.body.filter((n) => n.type.startsWith('Input.')).map((n) => n.id);
  expect(inputIds).toEqual([
    'institution_code',
    'institution_name',
    'channel_code',
    'digitick_contact_name',
    'digitick_contact_email',
    'language',
  ]);
  const answer = invokeCard(await h.invoke(conv, ALEX, actionOf(form, 'onboard_start')!, inputs, { replyToId: formActivity!.id }));
  const runId = /Run ([A-Z0-9]{8})/.exec(String(answer.body[0].text))?.[1];
  expect(runId).toBeDefined();
  return runId!;
}

test('a complete Teams run from the first message to email_sent, support request in the registered channel, password nowhere', async () => {
  // Support registers its channel.
  const reg = await h.message(SUPPORT, SAM, 'support-channel here', { mention: true });
  expect(reg.status).toBe(200);
  expect(await h.store.getRefs(TEAMS_GLOBAL_REF_OWNER)).toHaveProperty('support_channel');

  const runId = await startRun(PERSONAL);
  const progress = h.connector.posted(PERSONAL.id).find((a) => cardText(cardOf(a)).includes('Digitick onboarding:'));
  expect(progress).toBeDefined();
  expect(String(cardOf(progress).body[0].text)).toContain(runId);

  const click = async (verb: string, step: string, inputs: Record<string, string> = {}) => {
    const target = latestWithAction(h.connector, verb, step, PERSONAL.id);
    const action = actionOf(cardOf(target), verb)!;
    expect(action.data).toMatchObject({ runId, step, verb });
    expect(action.fallback).toMatchObject({ type: 'Action.Submit', data: action.data });
    return { card: invokeCard(await h.invoke(PERSONAL, ALEX, action, inputs, { replyToId: target.id })), target };
  };

  await click('step_done', 'sales_channel');
  await click('step_done', 'point_of_sale');
  // contingents: the button opens the form in place; a bad value comes back on the field.
  const { card: contingentsForm, target: contingentsCard } = await click('step_done', 'contingents');
  const input = contingentsForm.body.find((n) => n.id === 'contingent_ids');
  expect(input).toMatchObject({ type: 'Input.Text', isMultiline: true });
  const submit = actionOf(contingentsForm, 'onboard_contingents')!;
  const bad = invokeCard(await h.invoke(PERSONAL, ALEX, submit, { contingent_ids: '11, x' }, { replyToId: contingentsCard.id }));
  expect(bad.body.find((n) => n.id === 'contingent_ids')).toMatchObject({ value: '11, x' });
  expect(bad.body.some((n) => n.color === 'attention' && String(n.text).includes('positive whole numbers'))).toBe(true);
  const ok = invokeCard(
    await h.invoke(
      PERSONAL,
      ALEX,
      actionOf(bad, 'onboard_contingents')!,
      { contingent_ids: demo.contingentIds.join(', ') },
      { replyToId: contingentsCard.id },
    ),
  );
  expect(cardText(ok)).toContain('done by Alex Operator');

  const { card: contactForm, target: contactCard } = await click('step_done', 'technical_contact');
  invokeCard(
    await h.invoke(
      PERSONAL,
      ALEX,
      actionOf(contactForm, 'onboard_contact')!,
      { contact_number: demo.contactNumber! },
      { replyToId: contactCard.id },
    ),
  );
  await click('step_done', 'event_products');
  await click('step_done', 'pass_products');
  await click('step_done', 'sales_interface');

  // The support request went to the registered support channel, with the password_assigned button.
  const request = latestWithAction(h.connector, 'password_assigned', 'password_request');
  expect(request.conversationId).toBe(SUPPORT.id);
  expect(cardText(cardOf(request))).toContain('DEMO_DGTK');
  const assigned = invokeCard(await h.invoke(SUPPORT, SAM, actionOf(cardOf(request), 'password_assigned')!, {}, { replyToId: request.id }));
  expect(cardText(assigned)).toContain('Password assigned by Sam Support');
  expect(h.connector.activities.get(request.id)!.updates).toBeGreaterThanOrEqual(1);
  // A support click never moves the run's conversation to the support channel.
  expect((await h.store.getRefs(runId))[TEAMS_REF.conversation]).toMatchObject({ conversation: { id: PERSONAL.id } });

  // A wrong password first: the failed report carries the live buttons, the step card points to it.
  const { card: wrongForm, target: stepCard } = await click('verify_start', 'verification');
  invokeCard(
    await h.invoke(
      PERSONAL,
      ALEX,
      actionOf(wrongForm, 'onboard_password')!,
      { operator_password: 'wrong-password-1' },
      { replyToId: stepCard.id },
    ),
  );
  await h.surface.idle();
  const stepNow = cardOf(h.connector.activities.get(stepCard.id)!);
  expect(cardText(stepNow)).toContain('A newer verification report is below: use its buttons.');
  expect(actionOf(stepNow, 'verify_start')).toBeUndefined();
  expect(latestWithAction(h.connector, 'verify_start', 'verification', PERSONAL.id).id).not.toBe(stepCard.id);

  // Verification: the password form (style password), answered at once with a working card.
  const { card: passwordForm, target: verifyCard } = await click('verify_start', 'verification');
  expect(passwordForm.body.find((n) => n.id === 'operator_password')).toMatchObject({ type: 'Input.Text', style: 'password' });
  const working = invokeCard(
    await h.invoke(
      PERSONAL,
      ALEX,
      actionOf(passwordForm, 'onboard_password')!,
      { operator_password: demo.password },
      { replyToId: verifyCard.id },
    ),
  );
  expect(cardText(working)).toContain('Verifying');
  await h.surface.idle();
  const report = h.connector.posted(PERSONAL.id).find((a) => cardText(cardOf(a)).includes('Verification passed'));
  expect(report).toBeDefined();
  expect(cardText(cardOf(h.connector.activities.get(verifyCard.id)!))).toContain('Verification passed (verified by Alex Operator');

  // The email draft: monospace, filled in, with the password placeholder.
  const email = latestWithAction(h.connector, 'email_sent', 'email_draft', PERSONAL.id);
  const draft = cardOf(email).body.find((n) => n.type === 'Container' && n.style === 'emphasis');
  expect(draft).toBeDefined();
  const text = cardText({ type: 'AdaptiveCard', version: '1.5', body: [draft!] });
  expect(text).toContain('camille.martin@digitick.example');
  expect(text).toContain('Camille Martin');
  expect(text).toContain('DEMO_DGTK');
  expect(text).toContain('https://demo.ws.secutix.com');
  expect(text).toContain('4242');
  expect(text).toContain('[[PASSWORD PROVIDED BY SECUTIX');
  const done = await click('email_sent', 'email_draft');
  expect(cardText(done.card)).toContain('The run is complete');

  const run = await h.store.get(runId);
  expect(run).toMatchObject({ status: 'completed', surface: 'teams', channelId: PERSONAL.id });
  for (const s of STEP_IDS) expect(['done', 'skipped']).toContain(run!.steps[s].state);
  // The progress card is one activity, edited in place.
  const card = h.connector.activities.get(((await h.store.getRefs(runId))[TEAMS_REF.card] as { activityId: string }).activityId)!;
  expect(card.updates).toBeGreaterThanOrEqual(10);
  expect(cardText(cardOf(card))).toContain('Complete**: email sent, marked by Alex Operator');

  // The password is nowhere: connector traffic, logs, database file.
  for (const r of h.connector.requests) expect(r.bodyText).not.toContain(demo.password);
  expect(h.logLines.join('')).not.toContain(demo.password);
  await h.store.close(); // flushes the WAL; closing again in afterEach is harmless
  for (const f of [h.dbPath, `${h.dbPath}-wal`]) if (fs.existsSync(f)) expect(fs.readFileSync(f).includes(demo.password)).toBe(false);

  const times = [...h.invokeTimes].sort((a, b) => a - b);
  console.log(
    `Teams invoke answer times on loopback (${times.length} invokes): min ${times[0].toFixed(1)} ms, median ${times[Math.floor(times.length / 2)].toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms`,
  );
  for (const t of times) expect(t).toBeLessThan(5000);
});

test('in a channel, step cards are replies in the progress card thread; stale and duplicate actions answer the current card with a note', async () => {
  const runId = await startRun(TEAM_CHANNEL);
  const cardRef = (await h.store.getRefs(runId))[TEAMS_REF.card] as { activityId: string; conversationId: string };
  expect(cardRef.conversationId).toBe(TEAM_CHANNEL.id);
  const step1 = latestWithAction(h.connector, 'step_done', 'sales_channel');
  expect(step1.conversationId).toBe(`${TEAM_CHANNEL.id};messageid=${cardRef.activityId}`);
  expect(step1.replyToId).toBe(cardRef.activityId);

  const action = actionOf(cardOf(step1), 'step_done')!;
  const first = await h.invoke(TEAM_CHANNEL, ALEX, action, {}, { replyToId: step1.id, id: 'invoke-dup-1' });
  expect(cardText(invokeCard(first))).toContain('done by Alex Operator');
  // The same delivery again: same answer, nothing runs twice.
  const again = await h.invoke(TEAM_CHANNEL, ALEX, action, {}, { replyToId: step1.id, id: 'invoke-dup-1' });
  expect(again.body).toEqual(first.body);
  expect((await h.store.get(runId))!.version).toBe(2);
  // A new click on the used button: stale, answered with the current card and a note, in the
  // information colour (a late click is not an error: nothing is wrong).
  const stale = invokeCard(await h.invoke(TEAM_CHANNEL, ALEX, action, {}, { replyToId: step1.id }));
  expect(stale.body[0].text).toContain(runId);
  expect(stale.body[1]).toMatchObject({ color: 'accent' });
  expect(String(stale.body[1].text)).toContain('Nothing changed');
  expect(actionOf(stale, 'step_done')).toBeUndefined();
  expect((await h.store.get(runId))!.version).toBe(2);
});

test('a restarted bot still edits the run cards from the stored conversation reference; cancel asks first', async () => {
  const runId = await startRun(PERSONAL);
  await h.restart();
  const step1 = latestWithAction(h.connector, 'step_done', 'sales_channel');
  const cancel = actionOf(cardOf(step1), 'run_cancel')!;
  const confirm = invokeCard(await h.invoke(PERSONAL, ALEX, cancel, {}, { replyToId: step1.id }));
  expect((await h.store.get(runId))!.status).toBe('open');
  const yes = actionOf(confirm, 'run_cancel')!;
  expect(yes.data).toMatchObject({ confirmed: true, runId, step: 'sales_channel' });
  const cancelled = invokeCard(await h.invoke(PERSONAL, ALEX, yes, {}, { replyToId: step1.id }));
  expect(cardText(cancelled)).toContain('Run cancelled by Alex Operator');
  expect((await h.store.get(runId))!.status).toBe('cancelled');
  const cardId = ((await h.store.getRefs(runId))[TEAMS_REF.card] as { activityId: string }).activityId;
  expect(cardText(cardOf(h.connector.activities.get(cardId)))).toContain('Cancelled** by Alex Operator');
});

test('commands: help says Teams runs only, status lists Teams runs, unknown command, Action.Submit fallback edits the card', async () => {
  const before = h.connector.posted().length;
  await h.message(PERSONAL, ALEX, 'help');
  const help = cardText(cardOf(h.connector.posted()[before]));
  expect(help).toContain('Teams runs only');
  // The words alone, as Teams users type them: no Slack command prefix.
  expect(help).not.toContain('digitick-onboard');
  expect(help).toMatch(/^start \\\[INSTITUTION\\\]: start/m);
  expect(help).toMatch(/^status \\\[RUN\\\]: /m);
  expect(help).toMatch(/^check INSTITUTION \\\[CHANNEL\\\]: /m);
  const runId = await startRun(PERSONAL);
  const n = h.connector.posted().length;
  await h.message(PERSONAL, ALEX, 'status');
  expect(cardText(cardOf(h.connector.posted()[n]))).toContain(runId);
  await h.message(PERSONAL, ALEX, 'frobnicate');
  expect(cardText(cardOf(h.connector.posted()[n + 1]))).toContain('frobnicate');

  // Action.Submit fallback: a message activity with value = data (verb included), replying to the card.
  const step1 = latestWithAction(h.connector, 'step_done', 'sales_channel');
  const fallback = actionOf(cardOf(step1), 'step_done')!.fallback as { data: Record<string, unknown> };
  const r = await h.send({
    type: 'message',
    conversation: { id: PERSONAL.id, conversationType: 'personal' },
    from: ALEX,
    replyToId: step1.id,
    value: fallback.data,
  });
  expect(r.status).toBe(200);
  expect((await h.store.get(runId))!.currentStep).toBe('point_of_sale');
  expect(cardText(cardOf(h.connector.activities.get(step1.id)))).toContain('done by Alex Operator');
});

test('malformed requests are refused before the adapter: {} and no serviceUrl answer 400, /healthz answers', async () => {
  expect((await h.postRaw('{}')).status).toBe(400);
  expect((await h.postRaw('not json')).status).toBe(400);
  const noServiceUrl = await h.postRaw(
    JSON.stringify({
      type: 'message',
      id: 'x1',
      channelId: 'msteams',
      conversation: { id: 'c' },
      from: ALEX,
      recipient: { id: 'b' },
      text: 'help',
    }),
  );
  expect(noServiceUrl.status).toBe(400);
  expect(JSON.stringify(noServiceUrl.body)).toContain('serviceUrl');
  expect(h.connector.requests).toHaveLength(0);
  const health = await fetch(`${h.url}/healthz`);
  expect(health.status).toBe(200);
});

test('with an allowlist, another serviceUrl is refused with 403', async () => {
  await h.close();
  h = await startTeamsHarness({ allowlist: ['https://smba.trafficmanager.net/'] });
  const r = await h.message(PERSONAL, ALEX, 'help');
  expect(r.status).toBe(403);
  expect(h.connector.requests).toHaveLength(0);
});

test('with an app id, authentication is on: an activity without a Bot Framework token answers 401 and nothing is sent', async () => {
  await h.close();
  h = await startTeamsHarness({ appId: '11111111-2222-3333-4444-555555555555' });
  const r = await h.message(PERSONAL, ALEX, 'help');
  expect(r.status).toBe(401);
  expect(h.connector.requests).toHaveLength(0);
  expect(h.logLines.join('')).not.toContain('authentication is OFF');
});

test('without an app id a warning says authentication is off', () => {
  expect(h.logLines.some((l) => l.includes('Teams authentication is OFF'))).toBe(true);
});

test('a message activity delivered again after a restart is ignored (durable dedupe on activity.id)', async () => {
  const first = await h.message(PERSONAL, ALEX, 'help', { id: 'activity-dup-1' });
  expect(first.status).toBe(200);
  const afterFirst = h.connector.posted(PERSONAL.id).length;
  expect(afterFirst).toBeGreaterThan(0);
  await h.restart();
  const again = await h.message(PERSONAL, ALEX, 'help', { id: 'activity-dup-1' });
  expect(again.status).toBe(200);
  expect(h.connector.posted(PERSONAL.id).length).toBe(afterFirst);
  // A new activity id is answered as usual.
  await h.message(PERSONAL, ALEX, 'help', { id: 'activity-dup-2' });
  expect(h.connector.posted(PERSONAL.id).length).toBe(afterFirst + 1);
});

test('a second run for the same institution answers with the open run and a run_resume action that posts its step again', async () => {
  const runId = await startRun(PERSONAL);
  const m = await h.message(PERSONAL, ALEX, 'start', {});
  expect(m.status).toBe(200);
  const formActivity = h.connector
    .posted(PERSONAL.id)
    .filter((a) => actionOf(cardOf(a), 'onboard_start'))
    .pop()!;
  const answer = invokeCard(
    await h.invoke(PERSONAL, ALEX, actionOf(cardOf(formActivity), 'onboard_start')!, startInputs, { replyToId: formActivity.id }),
  );
  expect(cardText(answer)).toContain(runId);
  const resume = actionOf(answer, 'run_resume');
  expect(resume?.data).toMatchObject({ runId, step: 'sales_channel', verb: 'run_resume' });
  expect(await h.store.list({ institutionCode: 'DEMO' })).toHaveLength(1);
  // Step cards posted (their latest content: an older copy points to the newest), and the live ones.
  const stepCards = () => h.connector.posted(PERSONAL.id).filter((a) => /Step 1\/10|posted again below/.test(cardText(cardOf(a)))).length;
  const liveCards = () => h.connector.posted(PERSONAL.id).filter((a) => actionOf(cardOf(a), 'step_done')).length;
  const before = stepCards();
  const resumed = invokeCard(await h.invoke(PERSONAL, ALEX, resume!, {}, { replyToId: formActivity.id }));
  expect(cardText(resumed)).toContain(runId);
  expect(stepCards()).toBe(before + 1);
  expect(liveCards()).toBe(1); // one live set of buttons per run
});
