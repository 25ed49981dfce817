/**
 * Teams notes (refusals, usage hints, unknown runs) over the real `CloudAdapter` and the fake
 * connector: TextBlock text is Markdown, so a value people typed shows as typed (`*x*_y_` is no
 * italics, `**ZZ**` no bold), the catalog's backticks (no inline code in a TextBlock) are not
 * shown raw, a Teams user is told the words to type (no `digitick-onboard` prefix), and a typed
 * id ending with "." is not followed by a second one.
 */
import { ALEX, type Card, cardOf, cardText, type Conversation, startTeamsHarness, type TeamsHarness } from './helpers';

const PERSONAL: Conversation = { id: 'a:personal-notes', conversationType: 'personal' };

let h: TeamsHarness;
beforeAll(async () => {
  h = await startTeamsHarness({});
});
afterAll(async () => {
  await h.close();
});

async function replyTo(text: string): Promise<Card> {
  const before = h.connector.posted().length;
  const answer = await h.message(PERSONAL, ALEX, text);
  expect(answer.status).toBe(200);
  const posted = h.connector.posted().slice(before);
  expect(posted).toHaveLength(1);
  return cardOf(posted[0]);
}

test('product *x*_y_: the typed code is escaped, not italics', async () => {
  const text = cardText(await replyTo('product *x*_y_'));
  expect(text).toContain('\\*x\\*\\_y\\_');
  expect(text).not.toContain('*x*_y_');
});

test('resume **ZZ**: the typed id is no bold; the status hint has no raw backticks', async () => {
  const text = cardText(await replyTo('resume **ZZ**'));
  expect(text).toContain('I know no run \\*\\*ZZ\\*\\*.');
  expect(text).not.toContain('`');
  expect(text).toContain('Send status to the bot');
});

test('check without an institution: the words a Teams user types, no slash-command prefix, no backticks', async () => {
  const text = cardText(await replyTo('check'));
  expect(text).toContain('Say which institution to check: check INSTITUTION \\[CHANNEL\\]');
  expect(text).not.toContain('digitick-onboard');
  expect(text).not.toContain('`');
});

test('audit 1.: one period after the typed id', async () => {
  const text = cardText(await replyTo('audit 1.'));
  expect(text).toContain('I know no run 1. ');
  expect(text).not.toContain('1..');
});
