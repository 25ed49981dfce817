/**
 * Teams "My runs" (issue 5): `status` in personal chat answers with the same content as the Slack
 * App Home, as an Adaptive Card: the sender's open Teams runs, each with a `run_resume`
 * `Action.Execute` in an action set under its line, and their last 10 completed Teams runs.
 * Through the real `CloudAdapter` and a fake Bot Framework connector; runs started with real
 * cards, completed runs written to the real SQLite store.
 */
import { STEP_IDS, type StepId } from '../../../src/domain/ids';
import type { Actor, Run, StepRecord } from '../../../src/workflow/types';
import { dummyRun } from '../../fixtures/dummy-run';
import {
  ALEX,
  actionOf,
  cardOf,
  cardText,
  type Card,
  type Conversation,
  invokeCard,
  type Node,
  SAM,
  startTeamsHarness,
  type TeamsHarness,
} from './helpers';

const ALEX_CHAT: Conversation = { id: 'a:personal-alex', conversationType: 'personal' };
const SAM_CHAT: Conversation = { id: 'a:personal-sam', conversationType: 'personal' };
const CHANNEL: Conversation = { id: '19:onboarding@thread.tacv2', conversationType: 'channel' };

const inputs = (code: string) => ({
  institution_code: code,
  institution_name: `${code} Theatre`,
  channel_code: 'DGTK',
  digitick_contact_name: 'Camille Martin',
  digitick_contact_email: 'camille.martin@digitick.example',
  language: 'en',
});

let h: TeamsHarness;
beforeAll(async () => {
  h = await startTeamsHarness();
});
afterAll(async () => {
  await h.close();
});

/** Starts a run for `code` as `user` in `conv` and returns its id. */
async function startRun(conv: Conversation, user: typeof ALEX, code: string): Promise<string> {
  const before = h.connector.posted().length;
  await h.message(conv, user, 'start', { mention: conv.conversationType === 'channel' });
  const formActivity = h.connector
    .posted()
    .slice(before)
    .find((a) => actionOf(cardOf(a), 'onboard_start'))!;
  const answer = invokeCard(
    await h.invoke(conv, user, actionOf(cardOf(formActivity), 'onboard_start')!, inputs(code), { replyToId: formActivity.id }),
  );
  return /Run ([A-Z0-9]{8})/.exec(String(answer.body[0]!.text))![1]!;
}

/** A completed Teams run as the workflow leaves it. */
function completedRun(id: string, code: string, startedBy: Actor, endedAt: string): Run {
  const steps = Object.fromEntries(STEP_IDS.map((s): [StepId, StepRecord] => [s, { state: 'done', by: startedBy, at: endedAt }])) as Record<
    StepId,
    StepRecord
  >;
  const base = dummyRun();
  return dummyRun({
    id,
    surface: 'teams',
    channelId: ALEX_CHAT.id,
    details: { ...base.details, institutionCode: code, institutionName: `${code} Hall`, language: 'en' },
    status: 'completed',
    currentStep: null,
    steps,
    startedBy,
    endedBy: startedBy,
    endedAt,
    createdAt: endedAt,
    updatedAt: endedAt,
  });
}

/** The `run_resume` actions of a card's action sets, with the text just above each. */
function resumeLines(card: Card): { text: string; action: Node }[] {
  const out: { text: string; action: Node }[] = [];
  card.body.forEach((n, i) => {
    if (n.type !== 'ActionSet') return;
    for (const a of n.actions as Node[]) if (a.verb === 'run_resume') out.push({ text: String(card.body[i - 1]?.text), action: a });
  });
  return out;
}

/** Sends `status` as `user` in `conv` and returns the card answered there. */
async function status(conv: Conversation, user: typeof ALEX, locale = 'en-US'): Promise<Card> {
  const before = h.connector.posted(conv.id).length;
  const answer = await h.send({
    type: 'message',
    conversation: {
      id: conv.id,
      conversationType: conv.conversationType,
      tenantId: 'tenant-1',
      isGroup: conv.conversationType !== 'personal',
    },
    from: user,
    text: conv.conversationType === 'channel' ? '<at>Digitick</at> status' : 'status',
    ...(conv.conversationType === 'channel'
      ? { entities: [{ type: 'mention', mentioned: { id: '28:digitick-bot', name: 'Digitick' }, text: '<at>Digitick</at>' }] }
      : {}),
    locale,
  });
  expect(answer.status).toBe(200);
  const posted = h.connector.posted(conv.id).slice(before);
  expect(posted).toHaveLength(1);
  return cardOf(posted[0]);
}

test('status in personal chat: my open runs with a Resume action each, my last 10 completed, nobody else’s; Resume posts the step again', async () => {
  const a = await startRun(ALEX_CHAT, ALEX, 'TMSA');
  const b = await startRun(CHANNEL, ALEX, 'TMSB');
  const theirs = await startRun(SAM_CHAT, SAM, 'TMSC');
  const alex: Actor = { id: ALEX.aadObjectId, name: ALEX.name };
  for (let i = 0; i < 11; i += 1)
    await h.store.create(
      completedRun(`TDON${String(i).padStart(4, '0')}`, `TDON${i}`, alex, new Date(Date.UTC(2026, 2, 3, i)).toISOString()),
      [],
      [],
    );
  await h.store.create(completedRun('TSAM0001', 'SAMDONE', { id: SAM.aadObjectId, name: SAM.name }, '2026-03-03T12:00:00.000Z'), [], []);

  const card = await status(ALEX_CHAT, ALEX);
  const text = cardText(card);
  console.log(
    `Teams "My runs" card of ${ALEX.name}:\n${text}\n(actions: ${resumeLines(card)
      .map((l) => l.action.title)
      .join(', ')})`,
  );
  const lines = resumeLines(card);
  expect(lines.map((l) => (l.action.data as { runId: string }).runId).sort()).toEqual([a, b].sort());
  for (const l of lines) {
    expect(l.text).toMatch(/^`?[A-Z0-9]{8}`? \*\*TMS[AB] Theatre\*\* \(TMS[AB]\), channel DGTK\n\nStep 1\/10: /);
    expect(l.action).toMatchObject({
      type: 'Action.Execute',
      verb: 'run_resume',
      title: 'Resume',
      data: { verb: 'run_resume', step: 'sales_channel' },
    });
  }
  expect(text).not.toContain(theirs);
  expect(text).not.toContain('SAMDONE');
  const done = text.split('\n').filter((l) => l.includes(': completed '));
  expect(done).toHaveLength(10);
  expect(done[0]).toContain('(TDON10)');
  expect(done[0]).toContain('completed 2026-03-03 at 10:00 UTC by Alex Operator');
  expect(text).not.toContain('(TDON0)');

  // Resume from the card: the run's step is posted again in its own conversation (the channel).
  // Posted step cards of run b (an older copy now points to the newest: one live set of buttons).
  const stepsOfB = (live: boolean) =>
    h.connector
      .posted()
      .filter(
        (x) =>
          x.conversationId.startsWith(CHANNEL.id) &&
          cardText(cardOf(x)).includes(`Run ${b}`) &&
          (live ? actionOf(cardOf(x), 'step_done') !== undefined : /Step 1\/10|posted again below/.test(cardText(cardOf(x)))),
      ).length;
  const before = stepsOfB(false);
  const resumeB = lines.find((l) => (l.action.data as { runId: string }).runId === b)!.action;
  const resumed = invokeCard(await h.invoke(ALEX_CHAT, ALEX, resumeB));
  expect(cardText(resumed)).toContain(b);
  expect(cardText(resumed)).toContain('its current step was posted again');
  expect(stepsOfB(false)).toBe(before + 1);
  expect(stepsOfB(true)).toBe(1);

  // Resume when the connector refuses the post (403, the app was removed from the conversation):
  // not "posted again", but that it is not yet, why and what to do, in plain words (no raw code).
  h.connector.failNext(1, 403, 'BotNotInConversationRoster');
  const refused = invokeCard(await h.invoke(ALEX_CHAT, ALEX, resumeB));
  expect(cardText(refused)).toContain(
    `Run ${b}: its current step could not be posted yet. I am no longer a member of the run's conversation`,
  );
  expect(cardText(refused)).toContain('add the Digitick onboarding app to it again');
  expect(cardText(refused)).not.toMatch(/BotNotInConversationRoster|injected failure|RestError/);
  expect(cardText(refused)).not.toContain('posted again');
  expect(stepsOfB(false)).toBe(before + 1);
  expect(stepsOfB(true)).toBe(1);
});

test('status follows the sender’s Teams locale; in a channel it stays the short open-runs list', async () => {
  const fr = await status(ALEX_CHAT, ALEX, 'fr-FR');
  expect(cardText(fr)).toContain(h.builder.t('fr', 'home.header'));
  expect(cardText(fr)).toContain('Étape 1/10');
  expect(resumeLines(fr)[0]!.action.title).toBe('Reprendre');

  const inChannel = await status(CHANNEL, ALEX);
  expect(cardText(inChannel)).toContain(h.builder.t('en', 'status.header'));
  expect(resumeLines(inChannel)).toHaveLength(0);
});
