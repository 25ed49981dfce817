/**
 * Issue 9, "Checks that keep it so": every Teams card of a full run (posts, updates and invoke
 * answers; see `card-scenario.ts`) parsed by the official `adaptivecards` package (schema 1.5,
 * jsdom as its DOM) with no warning, its text rendered as Markdown as Teams does, the email
 * draft's lines still apart, and no table cell read as a list.
 */
import { cardProblems, LIST_MARKER, renderedLines, valueProblems } from '../../helpers/teams-card-check';
import { type CapturedCard, runCardScenario } from './card-scenario';
import { startTeamsHarness, type TeamsHarness } from './helpers';

let h: TeamsHarness;
let cards: CapturedCard[];
let emailDraft: string;

beforeAll(async () => {
  h = await startTeamsHarness();
  ({ cards, emailDraft } = await runCardScenario(h));
});

afterAll(async () => {
  await h.close();
});

test('the scenario produced the cards it is meant to show', () => {
  const all = JSON.stringify(cards.map((c) => c.card));
  for (const verb of ['onboard_start', 'step_done', 'onboard_contingents', 'password_assigned', 'verify_start', 'email_sent'])
    expect(all).toContain(`"verb":"${verb}"`);
  expect(cards.some((c) => JSON.stringify(c.card).includes('"type":"Table"'))).toBe(true);
  expect(cards.length).toBeGreaterThan(40);
});

test('every card parses with adaptivecards (schema 1.5) without a warning and keeps the house rules', () => {
  const problems = cards.flatMap((c) => cardProblems(c.card).map((p) => `${c.label}: ${p}`));
  expect(problems).toEqual([]);
});

test('every posted or updated card activity carries a summary for notifications', () => {
  const missing = cards
    .filter((c) => c.activity && !(typeof c.activity.summary === 'string' && c.activity.summary.trim()))
    .map((c) => c.label);
  expect(missing).toEqual([]);
});

test('the email draft keeps every line, the address in brackets, once Teams renders it', () => {
  const lines = emailDraft
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  expect(lines.length).toBeGreaterThan(8);
  expect(emailDraft).toContain('<camille.martin@digitick.example>');
  const emailCards = cards.filter((c) => JSON.stringify(c.card).includes('"verb":"email_sent"'));
  expect(emailCards.length).toBeGreaterThan(0);
  for (const c of emailCards) expect(lines.filter((l) => !renderedLines(c.card).includes(l))).toEqual([]);
});

test('after "Email sent" the card keeps the draft and says who sent it', () => {
  const closed = cards.filter((c) => c.label.startsWith('invoke email_sent'));
  expect(closed).toHaveLength(1);
  const shown = renderedLines(closed[0].card);
  expect(shown).toContain('Subject: SecuTix web services access for Demo Theatre');
  expect(shown.join('\n')).toMatch(/Alex Operator/);
});

test('no audit table cell reads as a list, and the table shows names and words, not ids', () => {
  const tables = cards.filter((c) => JSON.stringify(c.card).includes('"type":"Table"'));
  expect(tables.length).toBeGreaterThan(0);
  for (const t of tables) {
    const cells = JSON.stringify(t.card);
    expect(cells).not.toMatch(/aad-alex|aad-sam|step_done|password_assigned|email_sent/);
    const texts = [...cells.matchAll(/"type":"TableCell","items":\[\{"type":"TextBlock","text":"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
    expect(texts.length).toBeGreaterThan(10);
    expect(texts.filter((s) => LIST_MARKER.test(s))).toEqual([]);
    const lines = renderedLines(t.card);
    expect(lines.some((l) => l.includes('Alex Operator'))).toBe(true);
  }
});

test('a hostile institution name (Markdown, HTML, a list marker) shows as typed on every card of a run', async () => {
  const hostile = '1. Théâtre <b>*gras*</b> & _x_';
  const run = await runCardScenario(h, 'fr', hostile);
  const showing = run.cards.filter((c) => renderedLines(c.card).some((l) => l.includes('Théâtre')));
  expect(showing.length).toBeGreaterThan(3);
  const problems = run.cards.flatMap((c) =>
    [...cardProblems(c.card), ...valueProblems(c.card, hostile, 'Théâtre')].map((p) => `${c.label}: ${p}`),
  );
  expect(problems).toEqual([]);
});
