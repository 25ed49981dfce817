/**
 * Adaptive Card rendering of every message and form of the catalog, in both languages, within
 * Teams' limits (28 KB, 6 actions), with the contract's verbs, data, input ids and fallbacks.
 */
import { cardProblems } from '../../helpers/teams-card-check';
import { loadTemplates } from '../../../adapters/templates-loader';
import {
  type AcNode,
  type AdaptiveCard,
  cardBytes,
  MAX_CARD_ACTIONS,
  MAX_CARD_BYTES,
  REFRESH_VERB,
  renderForm,
  renderMessage,
  toTeamsMarkdown,
} from '../../../adapters/teams/cards';
import { RunCards } from '../../../adapters/teams/run-cards';
import { withMention } from '../../../adapters/teams/notifier';
import { CHECK_REASON_CODES, CHECK_WARNING_CODES } from '../../../src/app/verification';
import type { ServiceError } from '../../../src/app/run-service';
import { ALL_ACTION_IDS, ALL_FORM_IDS, INPUT_IDS, LOCALES, type Locale, STEP_IDS, type StepId } from '../../../src/domain/ids';
import { MessageBuilder } from '../../../src/messages/builder';
import type { FieldErrors, FormModel, Message } from '../../../src/messages/model';
import { Renderer } from '../../../src/messages/renderer';
import { CHECK_IDS, type Run, type StepOutcome, type StepRecord, type VerificationReport } from '../../../src/workflow/types';
import { dummyRun } from '../../fixtures/dummy-run';

const builder = new MessageBuilder(new Renderer(loadTemplates()), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'en',
});
const cards = new RunCards(builder);
const ALEX = { id: 'aad-alex', name: 'Alex Operator' };
const AT = '2025-01-15T10:00:00.000Z';
const VERBS = new Set<string>([...ALL_ACTION_IDS, ...ALL_FORM_IDS, REFRESH_VERB]);
const INPUTS = new Set<string>(Object.values(INPUT_IDS));
const EVERY_PARAM = {
  login: 'ACME_DGTK',
  expected: 'DGTK',
  actual: 'WEB',
  channelCode: 'DGTK',
  state: 'SUSPENDED',
  posCode: 'POS1',
  contingents: '11, 12',
  contactNumber: '000123',
  name: 'Jo Contact',
  method: 'getPOSConfig',
  field: 'posId',
  statusCode: 'error.x',
  statusDetail: 'detail',
  product: 'Hamlet',
  code: 'HAMLET',
};

function runAt(locale: Locale, step: StepId | null, extra: Partial<Run> = {}): Run {
  const base = dummyRun({ surface: 'teams', channelId: 'a:personal', version: 7 });
  const idx = step ? STEP_IDS.indexOf(step) : STEP_IDS.length;
  const steps = Object.fromEntries(
    STEP_IDS.map((s, i): [StepId, StepRecord] => [
      s,
      i < idx ? { state: 'done', by: ALEX, at: AT } : i === idx ? { state: 'current', at: AT } : { state: 'todo' },
    ]),
  ) as Record<StepId, StepRecord>;
  return {
    ...base,
    details: { ...base.details, language: locale },
    currentStep: step,
    steps,
    contingentIds: [11, 12],
    contactNumber: '000123',
    ...extra,
  };
}

function report(passed: boolean): VerificationReport {
  const reasons = [...CHECK_REASON_CODES];
  return {
    passed,
    at: AT,
    posId: 4242,
    checks: CHECK_IDS.map((id, i) =>
      passed
        ? { id, outcome: 'passed' as const, warnings: CHECK_WARNING_CODES.map((code) => ({ code, params: EVERY_PARAM })) }
        : { id, outcome: 'failed' as const, reason: { code: reasons[i % reasons.length], params: EVERY_PARAM } },
    ),
  };
}

/** Every Message of the catalog for a locale, named. */
function everyMessage(L: Locale): [string, Message][] {
  const out: [string, Message][] = [];
  for (const s of STEP_IDS) {
    const run = runAt(L, s);
    out.push([`card@${s}`, builder.card(run)], [`prompt@${s}`, builder.stepPrompt(run, s)]);
  }
  const verified = runAt(L, 'email_draft', { verification: report(true) });
  out.push(['prompt@email_draft verified', builder.stepPrompt(verified, 'email_draft')]);
  const done = runAt(L, null, { status: 'completed', endedBy: ALEX, endedAt: AT, verification: report(true) });
  const cancelled = runAt(L, null, { status: 'cancelled', endedBy: ALEX, endedAt: AT });
  out.push(['card completed', builder.card(done)], ['card cancelled', builder.card(cancelled)]);
  const outcomes: StepOutcome[] = ['done', 'skipped', 'cancelled', 'verified', 'completed'];
  for (const o of outcomes)
    out.push([`closed ${o}`, builder.stepClosed(done, { type: 'step_closed', step: 'verification', outcome: o, by: ALEX, at: AT })]);
  const waiting = runAt(L, 'password_request');
  out.push(['support request', builder.supportRequest(waiting)]);
  for (const o of ['assigned', 'cancelled'] as const)
    out.push([`support closed ${o}`, builder.supportClosed(waiting, { type: 'support_closed', outcome: o, by: ALEX, at: AT })]);
  out.push(['report passed', builder.report(runAt(L, 'email_draft', { verification: report(true) }))]);
  out.push(['report failed', builder.report(runAt(L, 'verification', { verification: report(false) }))]);
  for (const code of ['completed', 'cancelled', 'verifying']) out.push([`notice ${code}`, builder.notice(done, code)]);
  out.push(['help', builder.help(L, 'teams')], ['product', builder.productGuide(L)]);
  out.push(
    ['status empty', builder.statusList(L, [])],
    ['status list', builder.statusList(L, [runAt(L, 'contingents'), runAt(L, 'verification')])],
  );
  const errors: ServiceError[] = [
    { code: 'refused', refusal: { code: 'stale_step', last: { by: ALEX, at: AT, state: 'done', step: 'sales_channel' } }, run: waiting },
    { code: 'refused', refusal: { code: 'run_not_open' }, run: done },
    { code: 'refused', refusal: { code: 'not_skippable' }, run: waiting },
    { code: 'unknown_run', runId: 'ZZZZ9999' },
    { code: 'other_surface', run: dummyRun() },
    { code: 'duplicate_run', run: waiting },
    { code: 'conflict', run: waiting },
    { code: 'verification_running', run: waiting },
    { code: 'internal', correlationId: 'E123' },
  ];
  for (const e of errors) out.push([`error ${e.code}`, builder.textMessage('error', L, builder.describeError(e, L))]);
  return out;
}

function everyForm(L: Locale): [string, FormModel][] {
  const run = runAt(L, 'verification');
  return [
    ['start', builder.startForm(L, '', { institutionCode: 'ACME' })],
    ...(['onboard_contingents', 'onboard_contact', 'onboard_password', 'onboard_verify_skip'] as const).map((id): [string, FormModel] => [
      id,
      builder.runForm(run, id, ''),
    ]),
  ];
}

function walk(nodes: AcNode[], visit: (n: AcNode) => void): void {
  for (const n of nodes) {
    visit(n);
    if (Array.isArray(n.items)) walk(n.items as AcNode[], visit);
  }
}

/** The checks every card must pass. */
function checkCard(card: AdaptiveCard, runId?: string): void {
  expect(card.type).toBe('AdaptiveCard');
  expect(card.version).toBe('1.5');
  expect(cardBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
  expect((card.actions ?? []).length).toBeLessThanOrEqual(MAX_CARD_ACTIONS);
  expect(card.body[0].type).toBe('TextBlock');
  if (runId) expect(String(card.body[0].text)).toContain(runId);
  // The official parser (schema 1.5) and the house rules of issue 9 (Markdown, colours, inputs).
  expect(cardProblems(card)).toEqual([]);
  walk(card.body, (n) => {
    if (n.type === 'TextBlock') expect(String(n.text).trim().length).toBeGreaterThan(0);
    if (n.type.startsWith('Input.')) expect(INPUTS.has(String(n.id))).toBe(true);
  });
  for (const a of card.actions ?? []) {
    expect(a.type).toBe('Action.Execute');
    expect(VERBS.has(String(a.verb))).toBe(true);
    expect(String(a.title).length).toBeGreaterThan(0);
    const data = a.data as Record<string, unknown>;
    expect(data.verb).toBe(a.verb);
    if (runId) expect(data).toMatchObject({ runId, step: expect.any(String), version: expect.any(Number) });
    expect(a.fallback).toEqual(expect.objectContaining({ type: 'Action.Submit', title: a.title, data }));
  }
}

describe.each(LOCALES)('every message of the catalog as an Adaptive Card (%s)', (L) => {
  test.each(everyMessage(L))('%s', (_name, msg) => {
    const card = renderMessage(msg, msg.run ? { runLabel: cards.runLabel(runAt(L, 'sales_channel')) } : {});
    checkCard(card, msg.run?.runId);
    // One action per button, exactly one positive when there are buttons besides cancel.
    expect((card.actions ?? []).length).toBe(msg.actions.length);
    if (msg.actions.some((b) => b.style === 'primary')) expect((card.actions ?? []).filter((a) => a.style === 'positive')).toHaveLength(1);
  });

  test.each(everyForm(L))('form %s, empty and with an error on every field', (name, form) => {
    const runId = name === 'start' ? undefined : 'RUN0ACME';
    const data = runId ? { runId, step: 'verification' as const, version: 7 } : { locale: L };
    const empty = renderForm(form, {
      data,
      ...(runId ? { runLabel: `Run ${runId}` } : {}),
      backLabel: 'Back',
      requiredMessage: (label) => builder.t(L, 'teams.form.required', { label }),
    });
    checkCard(empty, runId);
    expect(empty.body.filter((n) => n.type.startsWith('Input.')).map((n) => n.id)).toEqual(form.inputs.map((i) => i.id));
    expect(empty.actions![0]).toMatchObject({ verb: form.id, style: 'positive' });
    const errors: FieldErrors = Object.fromEntries(form.inputs.map((i) => [i.id, builder.t(L, 'error.field.required')]));
    const values = Object.fromEntries(form.inputs.map((i) => [i.id, `typed-${i.id}`]));
    const withErrors = renderForm(form, {
      data,
      errors,
      values,
      ...(runId ? { runLabel: `Run ${runId}` } : {}),
      requiredMessage: (label) => builder.t(L, 'teams.form.required', { label }),
    });
    checkCard(withErrors, runId);
    for (const input of form.inputs) {
      const i = withErrors.body.findIndex((n) => n.id === input.id);
      const el = withErrors.body[i];
      expect(
        withErrors.body.slice(i + 1, i + 3).some((n) => n.type === 'TextBlock' && n.color === 'attention' && n.text === errors[input.id]),
      ).toBe(true);
      if (input.kind === 'password') {
        expect(el).toMatchObject({ type: 'Input.Text', style: 'password' });
        expect(el.value).toBeUndefined(); // never echoed back
      } else if (input.kind === 'select') {
        expect(el).toMatchObject({ type: 'Input.ChoiceSet', value: `typed-${input.id}` });
        expect((el.choices as { value: string }[]).map((c) => c.value)).toEqual(['en', 'fr', 'de']);
      } else {
        expect(el).toMatchObject({
          type: 'Input.Text',
          value: `typed-${input.id}`,
          ...(input.kind === 'multiline' ? { isMultiline: true } : {}),
        });
      }
    }
  });

  test('stale, refused and confirmation cards keep the run id first and the note in attention colour', () => {
    const run = runAt(L, 'contingents');
    const stale = cards.current(run, 'step', 'sales_channel', 'Nothing changed');
    checkCard(stale, run.id);
    expect(stale.body[1]).toMatchObject({ color: 'attention', text: 'Nothing changed' });
    expect(stale.actions).toBeUndefined();
    const live = cards.current(run, 'step', 'contingents', 'note');
    expect(live.actions!.map((a) => a.verb)).toEqual(['step_done', 'run_cancel']);
    const confirm = cards.cancelConfirm(run, 'step', 'contingents');
    checkCard(confirm, run.id);
    expect(confirm.actions!.map((a) => [a.verb, (a.data as { confirmed?: boolean }).confirmed])).toEqual([
      ['run_cancel', true],
      [REFRESH_VERB, undefined],
    ]);
  });
});

test('the email draft is shown verbatim: one monospace RichTextBlock per line, never read as Markdown', () => {
  const run = runAt('en', 'email_draft', { verification: report(true) });
  const msg = builder.stepPrompt(run, 'email_draft');
  const card = renderMessage(msg, { runLabel: cards.runLabel(run) });
  const draft = card.body.filter((n) => n.type === 'Container' && n.style === 'emphasis');
  expect(draft).toHaveLength(1);
  const lines = (draft[0].items as { type: string; inlines: { type: string; text: string; fontType: string }[] }[]).map((b) => {
    expect(b.type).toBe('RichTextBlock');
    expect(b.inlines).toEqual([expect.objectContaining({ type: 'TextRun', fontType: 'Monospace' })]);
    return b.inlines[0].text;
  });
  expect(lines).toEqual(
    builder
      .emailDraft(run)
      .split('\n')
      .filter((l) => l.trim() !== ''),
  );
  expect(lines[0]).toMatch(/^To: .+ <.+@.+>$/);
});

test('markup: bold kept, backticks dropped, single line breaks shown', () => {
  expect(toTeamsMarkdown('**a** `b`\nc')).toBe('**a** b\n\nc');
});

test("a value's *, _, ~ and a lone backtick show literally (escaped); identifiers stay as typed", () => {
  expect(toTeamsMarkdown('**Sales channel**: state *OPEN* _x_ ~~y~~ DEMO_DGTK a`b')).toBe(
    '**Sales channel**: state \\*OPEN\\* \\_x\\_ \\~\\~y\\~\\~ DEMO_DGTK a\\`b',
  );
});

describe('Teams report: each check says its outcome in words, as on Slack', () => {
  const outcomes = ['passed', 'failed', 'to_confirm', 'skipped', 'not_checked', 'passed'] as const;
  const mixed: VerificationReport = {
    passed: false,
    at: AT,
    posId: 4242,
    checks: CHECK_IDS.map((id, i) => ({
      id,
      outcome: outcomes[i]!,
      ...(outcomes[i] === 'passed'
        ? {}
        : outcomes[i] === 'to_confirm'
          ? { reason: { code: 'pos_state_unknown', params: { state: 'OPEN', posCode: 'DGTKPOS' } } }
          : { reason: { code: 'step_skipped' } }),
    })),
  };
  const expected: Record<Locale, string[]> = {
    en: [
      '✅ **Operator login and password**: passed',
      '❌ **Sales channel**: failed',
      '🔎 **Point of sale**: to confirm',
      '⏭️ **Events on sale**: skipped',
      '⌛ **Passes on sale**: not checked',
      '✅ **Technical contact**: passed',
    ],
    fr: [
      "✅ **Identifiant et mot de passe de l'opérateur**\u00a0: réussi",
      '❌ **Canal de vente**\u00a0: en échec',
      '🔎 **Point de vente**\u00a0: à confirmer',
      '⏭️ **Événements en vente**\u00a0: ignoré',
      '⌛ **Abonnements en vente**\u00a0: non vérifié',
      '✅ **Contact technique**\u00a0: réussi',
    ],
    de: [
      '✅ **Operator-Login und Passwort**: bestanden',
      '❌ **Verkaufskanal**: fehlgeschlagen',
      '🔎 **Verkaufsstelle**: zu bestätigen',
      '⏭️ **Veranstaltungen im Verkauf**: übersprungen',
      '⌛ **Pässe im Verkauf**: nicht geprüft',
      '✅ **Technischer Kontakt**: bestanden',
    ],
  };
  it.each(LOCALES)('%s', (L) => {
    const card = renderMessage(builder.report(runAt(L, 'verification', { verification: mixed })));
    const lines: string[] = [];
    walk(card.body, (n) => {
      if (n.type === 'TextBlock' && /^(✅|❌|🔎|⏭️|⌛) /.test(String(n.text))) lines.push(String(n.text));
    });
    expect(lines).toEqual(expected[L]);
  });
});

describe('people named on Teams cards (QA round 3, issue 9: `**` in a display name rendered bold)', () => {
  const BOSS = { id: 'aad-boss', name: '**Boss** [x](http://evil.example) _u_ # h' };
  const ESCAPED = '\\*\\*Boss\\*\\* \\[x\\](http://evil.example) \\_u\\_ # h';
  const texts = (card: AdaptiveCard): string => JSON.stringify(card.body);

  test('a name with Markdown is shown as typed (escaped) in a step line, on the progress card and in the runs list', () => {
    const run = dummyRun({ surface: 'teams', startedBy: BOSS, details: { ...dummyRun().details, language: 'en' } });
    const closed = cards.stepClosed(run, { type: 'step_closed', step: 'sales_channel', outcome: 'done', by: BOSS, at: AT });
    expect(texts(closed)).toContain(JSON.stringify(ESCAPED).slice(1, -1));
    expect(texts(closed)).not.toContain('**Boss**');
    const progress = cards.progress(run);
    expect(texts(progress)).not.toContain('**Boss**');
    expect(texts(progress)).toContain(JSON.stringify(ESCAPED).slice(1, -1));
    const done = { ...run, status: 'completed' as const, endedBy: BOSS, endedAt: AT };
    const list = renderMessage(builder.myRuns('teams', 'en', { open: [], moreOpen: 0, completed: [done] }, cards.mention(run)));
    expect(texts(list)).not.toContain('**Boss**');
    // The plain fallback (notification text) shows the name without escapes or markers.
    expect(closed.fallbackText).toContain('**Boss** [x](http://evil.example) _u_ # h');
  });

  test('a real mention (`<at>`) names the person without Markdown characters, the same in the text and the entity', () => {
    const card = withMention(
      renderMessage({
        kind: 'notice',
        locale: 'en',
        text: 'x',
        blocks: [{ type: 'text', text: '<at>Boss x httpevil.example u  h</at>' }],
        actions: [],
      }),
      BOSS,
      'Teams user',
    );
    const entity = (card.msteams as { entities: { text: string; mentioned: { name: string } }[] }).entities[0]!;
    expect(entity.text).not.toMatch(/[*_[\]`]/);
    expect(entity.mentioned.name).toBe(entity.text.slice(4, -5));
  });
});
