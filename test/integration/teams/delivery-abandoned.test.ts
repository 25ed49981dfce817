/**
 * A Teams delivery the outbox gives up (DELIVERY_MAX_ATTEMPTS=2) is told to the run's starter, as
 * Slack's notifier does: which message, after how many attempts, why, and how to try again, in
 * the run's language, with a real mention. In the run's conversation; when Teams refuses that too
 * (the app was removed from the team), in a personal chat created with the starter. Through the
 * real `CloudAdapter`, the fake Bot Framework connector on loopback and the real SQLite store.
 */
import { ALEX, actionOf, cardOf, cardText, type Conversation, invokeCard, startTeamsHarness, type TeamsHarness } from './helpers';

let h: TeamsHarness;
beforeEach(async () => {
  h = await startTeamsHarness({ maxDeliveryAttempts: 2 });
});
afterEach(async () => {
  await h.close();
});

/** Starts a run in `conv` from the start card; returns its id. */
async function startRun(conv: Conversation, institution: string, language: string): Promise<string> {
  await h.message(conv, ALEX, 'start', { mention: conv.conversationType === 'channel' });
  const formActivity = h.connector.posted().find((a) => actionOf(cardOf(a), 'onboard_start'))!;
  const started = invokeCard(
    await h.invoke(
      conv,
      ALEX,
      actionOf(cardOf(formActivity), 'onboard_start')!,
      {
        institution_code: institution,
        institution_name: 'Give Up Hall',
        channel_code: 'DGTK',
        digitick_contact_name: 'Camille Martin',
        digitick_contact_email: 'camille.martin@digitick.example',
        language,
      },
      { replyToId: formActivity.id },
    ),
  );
  return /([A-Z0-9]{8})/.exec(String(started.body[0]!.text))![1]!;
}

const resume = (runId: string) => ({
  type: 'Action.Execute',
  verb: 'run_resume',
  data: { verb: 'run_resume', runId, step: 'sales_channel' },
});

type Sent = { type?: string; text?: string; attachments?: { content: Record<string, unknown> }[]; entities?: unknown[] };

test('personal chat: the given-up step message is told in the chat, in French, naming the step, the attempts and why, mentioning the starter', async () => {
  const chat: Conversation = { id: 'a:personal-alex-abandoned', conversationType: 'personal' };
  const runId = await startRun(chat, 'TABANDON', 'fr');
  h.connector.failNext(1, 403, 'BotNotInConversationRoster');
  await h.invoke(chat, ALEX, resume(runId));
  const before = h.connector.requests.length;
  h.connector.failNext(1, 403, 'BotNotInConversationRoster');
  await h.invoke(chat, ALEX, resume(runId));
  await h.surface.idle();

  // The refused post (attempt 2, given up), then the notice in the same chat.
  const after = h.connector.requests.slice(before).filter((r) => r.method === 'POST');
  const notice = after.find((r) => r.conversationId === chat.id && JSON.stringify(r.body).includes("j'ai cessé d'essayer"));
  expect(notice).toBeDefined();
  const body = notice!.body as Sent;
  const card = body.attachments![0]!.content as Parameters<typeof cardText>[0];
  const step = h.builder.t('fr', 'step.sales_channel.title');
  expect(cardText(card)).toBe(
    `<at>Alex Operator</at>\u00a0: parcours ${runId} (TABANDON)\u00a0: j'ai cessé d'essayer de publier le message de l'étape «\u00a0${step}\u00a0» après 2 tentatives. ` +
      `${h.builder.t('fr', 'teams.blocked.not_in_conversation')} Pour réessayer, envoyez resume ${runId}.`,
  );
  expect((card as { msteams?: unknown }).msteams).toEqual({
    entities: [{ type: 'mention', text: '<at>Alex Operator</at>', mentioned: { id: 'aad-alex', name: 'Alex Operator' } }],
  });
  expect(h.connector.requests.some((r) => r.method === 'POST' && r.path === '/v3/conversations')).toBe(false);
});

test('channel whose team removed the app: the notice goes to a personal chat created with the starter, in English', async () => {
  const channel: Conversation = { id: '19:abandon@thread.tacv2', conversationType: 'channel' };
  const runId = await startRun(channel, 'TABCHAN', 'en');
  h.connector.failNext(1, 403, 'BotNotInConversationRoster');
  await h.invoke(channel, ALEX, resume(runId));
  const before = h.connector.requests.length;
  // Attempt 2 of the step message and the notice in the run's thread are both refused.
  h.connector.failNext(2, 403, 'BotNotInConversationRoster');
  await h.invoke(channel, ALEX, resume(runId));
  await h.surface.idle();

  const after = h.connector.requests.slice(before);
  const create = after.find((r) => r.method === 'POST' && r.path === '/v3/conversations');
  expect(create).toBeDefined();
  expect(create!.body).toMatchObject({ isGroup: false, members: [{ id: 'aad-alex' }] });
  const notice = after.find((r) => r.method === 'POST' && r.conversationId?.startsWith('a:conv-'));
  expect(notice).toBeDefined();
  const card = (notice!.body as Sent).attachments![0]!.content as Parameters<typeof cardText>[0];
  expect(cardText(card)).toContain(
    `<at>Alex Operator</at>: run ${runId} (TABCHAN): I stopped trying to post the message of the step “${h.builder.t('en', 'step.sales_channel.title')}” after 2 attempts.`,
  );
  expect(cardText(card)).toContain(h.builder.t('en', 'teams.blocked.not_in_conversation'));
  expect(cardText(card)).toContain(`To try again, send resume ${runId}.`);
});

test('Teams answering 503 for longer than DELIVERY_MAX_ATTEMPTS: nothing given up; once back, the messages go out once, in order', async () => {
  const chat: Conversation = { id: 'a:personal-alex-outage', conversationType: 'personal' };
  const runId = await startRun(chat, 'TOUTAGE', 'en');
  // The connector is overloaded: every post answers 503.
  h.connector.failNext(1000, 503, 'ServiceUnavailable');
  await h.invoke(chat, ALEX, resume(runId));
  await h.surface.idle();
  // Two more drains: three failed tries, more than DELIVERY_MAX_ATTEMPTS (each takes ~5 s: the connector client retries 503s itself).
  for (let i = 0; i < 2; i++) await h.service.drain(runId);
  const pending = await h.store.pendingOutbox(10, runId);
  expect(pending.map((p) => [p.effect.type, p.attempts])).toEqual([
    ['step_prompt', 0],
    ['card', 0],
  ]);
  expect(pending[0]!.lastError).toMatch(/ServiceUnavailable|503/);
  const gaveUp = (r: { body?: unknown }) => JSON.stringify(r.body ?? '').includes('stopped trying');
  expect(h.connector.requests.some(gaveUp)).toBe(false);

  // Teams is back: the next drain posts the step message once.
  h.connector.failNext(0, 503);
  const before = h.connector.requests.length;
  await h.service.drain(runId);
  expect(await h.store.pendingOutbox(10, runId)).toEqual([]);
  const sent = h.connector.requests.slice(before).filter((r) => r.conversationId === chat.id && r.method !== 'GET');
  console.log(`Teams back after 503s: ${sent.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  expect(sent.map((r) => r.method)).toEqual(['POST', 'PUT', 'PUT']); // the step message once, then edits (the older step message, the card)
  expect(h.connector.requests.some(gaveUp)).toBe(false);
}, 30_000);

test('a connector that accepts and never answers: each call times out (not counted), the outbox is not held; once it answers, the messages go out once', async () => {
  await h.close();
  h = await startTeamsHarness({ maxDeliveryAttempts: 2, connectorTimeoutMs: 300 });
  const chat: Conversation = { id: 'a:personal-alex-hang', conversationType: 'personal' };
  const runId = await startRun(chat, 'THANG', 'en');
  h.connector.hangNext(1000);
  await h.invoke(chat, ALEX, resume(runId));
  await h.surface.idle();
  const started = Date.now();
  for (let i = 0; i < 3; i++) await h.service.drain(runId); // more tries than DELIVERY_MAX_ATTEMPTS
  expect(Date.now() - started).toBeLessThan(10_000); // each call gave up after 300 ms, none hung
  const pending = await h.store.pendingOutbox(10, runId);
  expect(pending.length).toBeGreaterThan(0);
  expect(pending.every((p) => p.attempts === 0)).toBe(true);
  expect(pending[0]!.lastError).toMatch(/ETIMEDOUT|did not answer/);

  h.connector.hangNext(0);
  await h.service.drain(runId);
  expect(await h.store.pendingOutbox(10, runId)).toEqual([]);
}, 30_000);
