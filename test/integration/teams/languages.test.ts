/**
 * Languages on Teams, over loopback (real `CloudAdapter`, fake connector, SQLite, sandbox): what
 * only the user sees follows `activity.locale` (`de-DE` -> German, `fr-CA` -> French, a language
 * we do not speak -> `DEFAULT_LOCALE`), and a run started in German keeps German cards whoever
 * asks.
 */
import {
  ALEX,
  actionOf,
  cardOf,
  cardText,
  type Conversation,
  invokeCard,
  startTeamsHarness,
  type TeamsHarness,
  type TeamsUser,
} from './helpers';

const PERSONAL: Conversation = { id: 'a:personal-languages', conversationType: 'personal' };
const conversation = { id: PERSONAL.id, conversationType: 'personal', tenantId: 'tenant-1', isGroup: false };

let h: TeamsHarness;

beforeAll(async () => {
  h = await startTeamsHarness();
});
afterAll(async () => {
  await h.close();
});

/** Cards posted in answer to a message of `user` with `locale`. */
async function say(text: string, locale: string, user: TeamsUser = ALEX) {
  const before = h.connector.posted().length;
  const answer = await h.send({ type: 'message', conversation, from: user, text, locale });
  expect(answer.status).toBe(200);
  return h.connector
    .posted()
    .slice(before)
    .map((a) => cardOf(a));
}

test('help follows activity.locale: de-DE German, fr-CA French, es-ES the default (English)', async () => {
  const [de] = await say('help', 'de-DE');
  expect(cardText(de!)).toContain('Digitick-Onboarding-Assistent');
  expect(cardText(de!)).toContain('Befehle');
  expect(cardText(de!)).toContain('einen Onboarding-Vorgang starten');
  expect(cardText(de!)).toContain('persönlichen Chat');
  expect(cardText(de!)).not.toContain('Commands');

  const [fr] = await say('help', 'fr-CA');
  expect(cardText(fr!)).toContain("Assistant d'intégration Digitick");

  const [es] = await say('help', 'es-ES');
  expect(cardText(es!)).toContain('Digitick onboarding assistant');
});

test('a German user: start form and its field errors in German; the German run keeps German cards for an English user', async () => {
  const cards = await say('start', 'de-DE');
  const form = cards.find((c) => actionOf(c, 'onboard_start'))!;
  expect(form).toBeDefined();
  expect(JSON.stringify(form)).toContain('Sprache des Vorgangs und der E-Mail');
  expect(form.body.find((n) => n.id === 'language')).toMatchObject({ value: 'de' });

  const submit = async (inputs: Record<string, string>, card = form) => {
    const action = actionOf(card, 'onboard_start')!;
    return invokeCard(
      await h.send({
        type: 'invoke',
        name: 'adaptiveCard/action',
        conversation,
        from: ALEX,
        locale: 'de-DE',
        value: {
          action: { type: 'Action.Execute', verb: action.verb, data: { ...(action.data as object), ...inputs } },
          trigger: 'manual',
        },
      }),
    );
  };
  const inputs = {
    institution_code: 'demo',
    institution_name: 'Theater Demo',
    channel_code: 'DGTK',
    digitick_contact_name: 'Camille Martin',
    digitick_contact_email: 'keine-adresse',
    language: 'de',
  };
  const rejected = await submit(inputs);
  expect(cardText(rejected)).toContain('Das ist keine gültige E-Mail-Adresse.');

  const started = await submit({ ...inputs, digitick_contact_email: 'camille.martin@digitick.example' }, rejected);
  const runId = /Vorgang ([A-Z0-9]{8})/.exec(cardText(started))?.[1];
  expect(runId).toBeDefined();
  expect((await h.store.get(runId!))?.details.language).toBe('de');
  const progress = h.connector.posted(PERSONAL.id).map((a) => cardText(cardOf(a)));
  expect(progress.some((t) => t.includes('Digitick-Onboarding: Theater Demo (DEMO)'))).toBe(true);
  expect(progress.some((t) => t.includes('Schritt 1/10: Verkaufskanal'))).toBe(true);

  // An English user asks for the German run's card: their answer frame is English, the card German.
  const [status] = await say(`status ${runId}`, 'en-US');
  expect(cardText(status!)).toContain('In Bearbeitung**: Schritt 1 von 10, Verkaufskanal');

  // An English user's start form for the same institution and channel: the answer is about the open
  // German run, so it is German (text and button), not the form's English.
  const [enForm] = (await say('start', 'en-US')).filter((c) => actionOf(c, 'onboard_start'));
  const enAction = actionOf(enForm!, 'onboard_start')!;
  const duplicate = invokeCard(
    await h.send({
      type: 'invoke',
      name: 'adaptiveCard/action',
      conversation,
      from: ALEX,
      locale: 'en-US',
      value: {
        action: {
          type: 'Action.Execute',
          verb: enAction.verb,
          data: { ...(enAction.data as object), ...inputs, digitick_contact_email: 'camille.martin@digitick.example', language: 'en' },
        },
        trigger: 'manual',
      },
    }),
  );
  expect(cardText(duplicate)).toContain(`Für DEMO / DGTK ist bereits ein Onboarding-Vorgang offen: Vorgang ${runId}`);
  expect(cardText(duplicate)).not.toContain('already open');
  // The whole answer in the run's language (QA round 2): header, text and button.
  expect(String(duplicate.body[0]!.text)).toBe(`Vorgang ${runId}`);
  expect(cardText(duplicate)).not.toMatch(/\bRun\b|\bresume\b|Teams user/);
  expect(actionOf(duplicate, 'run_resume')?.title).toBe('Offenen Vorgang fortsetzen');
});
