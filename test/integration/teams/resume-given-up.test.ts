/**
 * Teams `resume` whose post fails and is then given up (DELIVERY_MAX_ATTEMPTS=2): the answer says
 * the step was not posted and why, never "posted again". Through the real `CloudAdapter`, the fake
 * Bot Framework connector on loopback (HTTP 403 `BotNotInConversationRoster`: not retried by the
 * connector client, unlike 5xx) and the real SQLite store.
 */
import { ALEX, actionOf, cardOf, cardText, type Conversation, invokeCard, startTeamsHarness, type TeamsHarness } from './helpers';

const ALEX_CHAT: Conversation = { id: 'a:personal-alex-given-up', conversationType: 'personal' };

let h: TeamsHarness;
beforeAll(async () => {
  h = await startTeamsHarness({ maxDeliveryAttempts: 2 });
});
afterAll(async () => {
  await h.close();
});

test('resume: a post retried once then given up is answered as not posted, with the reason, in the run language', async () => {
  // Arrange: a French run started from the card; its step is posted.
  await h.message(ALEX_CHAT, ALEX, 'start');
  const formActivity = h.connector.posted().find((a) => actionOf(cardOf(a), 'onboard_start'))!;
  const started = invokeCard(
    await h.invoke(
      ALEX_CHAT,
      ALEX,
      actionOf(cardOf(formActivity), 'onboard_start')!,
      {
        institution_code: 'TGIVEUP',
        institution_name: 'Give Up Hall',
        channel_code: 'DGTK',
        digitick_contact_name: 'Camille Martin',
        digitick_contact_email: 'camille.martin@digitick.example',
        language: 'fr',
      },
      { replyToId: formActivity.id },
    ),
  );
  const runId = /([A-Z0-9]{8})/.exec(String(started.body[0]!.text))![1]!;
  const resume = { type: 'Action.Execute', verb: 'run_resume', data: { verb: 'run_resume', runId, step: 'sales_channel' } };
  expect(await h.store.pendingOutbox(100, runId)).toEqual([]);

  // Act: resume; the connector refuses it (attempt 1), then resume again (attempt 2, given up).
  h.connector.failNext(1, 403, 'BotNotInConversationRoster');
  const first = cardText(invokeCard(await h.invoke(ALEX_CHAT, ALEX, resume)));
  h.connector.failNext(1, 403, 'BotNotInConversationRoster');
  const second = cardText(invokeCard(await h.invoke(ALEX_CHAT, ALEX, resume)));

  // Assert: first "not yet, retried"; second "not posted, stopped trying", never "republiée".
  expect(first).toContain(`Parcours ${runId}\u00a0: son étape en cours n'a pas encore pu être publiée.`);
  expect(await h.store.pendingOutbox(100, runId)).toEqual([]);
  expect(second).not.toContain('republiée');
  expect(second).toContain(`Parcours ${runId}\u00a0: son étape en cours n'a pas été publiée à nouveau.`);
  expect(second).toContain('Je ne suis plus membre de la conversation du parcours');
  expect(second).toContain(`pour réessayer, envoyez resume ${runId}`);

  // And once the connector answers again, resume posts it and says so.
  const third = cardText(invokeCard(await h.invoke(ALEX_CHAT, ALEX, resume)));
  expect(third).toContain('republiée');
});
