/**
 * Checks without a run on Teams, over loopback: the real `CloudAdapter` behind `POST /api/messages`,
 * the fake Bot Framework connector, the real SecuTix client against the sandbox over HTTP, the real
 * SQLite store (issue 5, "Health check of an existing setup"). `check INSTITUTION` answers an
 * Adaptive Card form; its submit (an `adaptiveCard/action` invoke) answers the report card, which
 * replaces the form for the asker only (nothing is posted to the conversation); `product CODE`
 * answers the guide with a check action, then a form, then the product report. The password never
 * reaches the connector, the logs or the database.
 */
import fs from 'node:fs';
import {
  actionOf,
  ALEX,
  type Card,
  cardOf,
  cardText,
  type Conversation,
  invokeCard,
  SAM,
  startTeamsHarness,
  type TeamsHarness,
  type TeamsUser,
} from './helpers';

const PERSONAL: Conversation = { id: 'a:personal-checks', conversationType: 'personal' };
const CHANNEL: Conversation = { id: '19:checks@thread.tacv2', conversationType: 'channel' };
const MALLORY: TeamsUser = { id: '29:mallory', name: 'Mallory Nobody', aadObjectId: 'aad-mallory' };
const DEMO_PASSWORD = 'demo-password-2026';
const FAULTY_PASSWORD = 'faulty-password-2026';

let h: TeamsHarness;
beforeAll(async () => {
  h = await startTeamsHarness({ access: { operators: [ALEX.aadObjectId], support: [SAM.aadObjectId] } });
});
afterAll(async () => {
  console.log(`teams check invokes (ms): ${h.invokeTimes.map((ms) => Math.round(ms)).join('/')}`);
  await h.close();
});

/** Sends `text` and returns the one card the bot replied with. */
async function replyTo(text: string, user: TeamsUser = ALEX, conv: Conversation = PERSONAL): Promise<Card> {
  const before = h.connector.posted().length;
  const answer = await h.message(conv, user, text, { mention: conv.conversationType === 'channel' });
  expect(answer.status).toBe(200);
  const posted = h.connector.posted().slice(before);
  expect(posted).toHaveLength(1);
  return cardOf(posted[0]);
}

/** Submits a form card's action with `inputs`; returns the card answered (nothing is posted). */
async function submit(card: Card, verb: string, inputs: Record<string, string>, user: TeamsUser = ALEX, conv: Conversation = PERSONAL) {
  const action = actionOf(card, verb);
  if (!action) throw new Error(`no ${verb} action`);
  const before = h.connector.posted().length;
  const answer = invokeCard(await h.invoke(conv, user, action, inputs));
  expect(h.connector.posted().length).toBe(before);
  return answer;
}

const inputIds = (card: Card) => card.body.filter((n) => n.type.startsWith('Input.')).map((n) => String(n.id));

test('check DEMO: an Adaptive Card form (masked password, optional values), then the report card; no run', async () => {
  const form = await replyTo('digitick-onboard check demo');
  expect(inputIds(form)).toEqual(['operator_password', 'contingent_ids', 'contact_number']);
  const password = form.body.find((n) => n.id === 'operator_password')!;
  expect(password).toMatchObject({ type: 'Input.Text', style: 'password', isRequired: true });
  expect(form.body.find((n) => n.id === 'contingent_ids')).toMatchObject({ isRequired: false });
  expect(actionOf(form, 'onboard_check')?.data).toMatchObject({ institutionCode: 'DEMO', channelCode: 'DGTK' });

  const report = await submit(form, 'onboard_check', {
    operator_password: DEMO_PASSWORD,
    contingent_ids: '11, 12',
    contact_number: '000123',
  });
  const text = cardText(report);
  expect(text).toContain('Health check of DEMO (DGTK): nothing broken');
  expect(text.match(/✅/g)?.length).toBe(6);
  expect(text).not.toContain(DEMO_PASSWORD);
  expect(await h.store.list({})).toEqual([]);
});

test('check FAULTY in a channel: the form says a personal chat is better; the report names the screens to fix', async () => {
  const form = await replyTo('check FAULTY', ALEX, CHANNEL);
  expect(cardText(form)).toContain('a personal chat with me is the better place for a password');
  const report = await submit(
    form,
    'onboard_check',
    { operator_password: FAULTY_PASSWORD, contingent_ids: '21', contact_number: '000789' },
    ALEX,
    CHANNEL,
  );
  const text = cardText(report);
  expect(text).toMatch(/Health check of FAULTY \(DGTK\): \d problems/);
  expect(text).not.toContain('Where to fix it');
  expect(text).toContain('**Where:** Institution > Initialisation > Sales channels');
  expect(text).toContain('**Where:** the payment methods of the point of sale');
  expect(text).not.toMatch(/run's contingents/);
});

test('field errors come back on the form without the password; a refused user gets a note and no form', async () => {
  const form = await replyTo('check DEMO');
  const again = await submit(form, 'onboard_check', {
    operator_password: 'secret-typed-once',
    contingent_ids: 'eleven',
    contact_number: '',
  });
  expect(inputIds(again)).toEqual(['operator_password', 'contingent_ids', 'contact_number']);
  expect(again.body.find((n) => n.id === 'contingent_ids')).toMatchObject({ value: 'eleven', errorMessage: expect.any(String) });
  expect(JSON.stringify(again)).not.toContain('secret-typed-once');

  const refused = await replyTo('check DEMO', MALLORY);
  expect(inputIds(refused)).toEqual([]);
  expect(cardText(refused)).toContain('not on the list');
  // A forged submit by the refused user is refused by the core too.
  const forged = await submit(form, 'onboard_check', { operator_password: DEMO_PASSWORD }, MALLORY);
  expect(cardText(forged)).toContain('not on the list');
  // Support may.
  expect(inputIds(await replyTo('check DEMO', SAM))).toContain('operator_password');
});

test('product CONC01: the guide with a check action, the form, the report; EXPO03 has no seats; an unknown code is not on sale', async () => {
  const run = async (code: string, contingents: string) => {
    const guide = await replyTo(`product ${code}`);
    expect(cardText(guide)).toContain('Put a product on sale on Digitick');
    const open = actionOf(guide, 'product_check');
    if (!open) throw new Error('no product_check action');
    const form = invokeCard(await h.invoke(PERSONAL, ALEX, open, {}));
    expect(inputIds(form)).toEqual(['institution_code', 'channel_code', 'operator_password', 'contingent_ids']);
    return cardText(
      await submit(form, 'onboard_product_check', {
        institution_code: 'DEMO',
        channel_code: 'DGTK',
        operator_password: DEMO_PASSWORD,
        contingent_ids: contingents,
      }),
    );
  };
  const conc = await run('CONC01', '11,12');
  expect(conc).toContain('Product CONC01: Digitick can sell it');
  expect(conc).toContain('Seats available in the contingents 11, 12: 155');
  const expo = await run('expo03', '11,12');
  expect(expo).toContain('Product EXPO03: Digitick cannot sell it yet');
  expect(expo).toContain('No seats available in the contingents 11, 12');
  const unknown = await run('NOPE99', '11');
  expect(unknown).toContain('SecuTix lists no product NOPE99 on the sales channel DGTK');
});

test('the passwords never reach the connector, the logs or the database', async () => {
  const sent = JSON.stringify(h.connector.requests);
  const logs = h.logLines.join('\n');
  const db =
    fs.readFileSync(h.dbPath).toString('latin1') +
    (fs.existsSync(`${h.dbPath}-wal`) ? fs.readFileSync(`${h.dbPath}-wal`).toString('latin1') : '');
  for (const secret of [DEMO_PASSWORD, FAULTY_PASSWORD, 'secret-typed-once']) {
    expect([secret, sent.includes(secret), logs.includes(secret), db.includes(secret)]).toEqual([secret, false, false, false]);
  }
  expect(logs).toContain('health check finished');
});
