/**
 * Issue 8 on Teams, over loopback: the real `CloudAdapter` behind `POST /api/messages`, the fake
 * Bot Framework connector, the real SQLite store, the real SecuTix client against the sandbox
 * (driven through its admin API over HTTP). Checks to confirm and `verify_confirm`; `answers_edit`
 * and the `onboard_answers` form; the password guard (an answer equal to the password is erased);
 * the verification progress card posted once in the run's thread and updated in place.
 */
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { demoHints, sandboxHints } from '../../../adapters/sandbox';
import { TEAMS_REF } from '../../../adapters/teams';
import { cardProblems } from '../../helpers/teams-card-check';
import {
  ALEX,
  actionOf,
  type Card,
  cardOf,
  cardText,
  type Conversation,
  invokeCard,
  latestWithAction,
  startTeamsHarness,
  type TeamsHarness,
} from './helpers';

const demo = demoHints();
/** UNLISTED (sandbox fixture): values the assistant does not know, so checks to confirm and none failed. */
const unlisted = sandboxHints('UNLISTED');
const PERSONAL: Conversation = { id: 'a:personal-alex', conversationType: 'personal' };
const TEAM_CHANNEL: Conversation = { id: '19:onboarding@thread.tacv2', conversationType: 'channel' };

let h: TeamsHarness;
/** Every card the bot answered an invoke with, in this test. */
let answered: Card[];

beforeEach(async () => {
  h = await startTeamsHarness();
  answered = [];
});

afterEach(async () => {
  try {
    // Every card of the test, answered or sent to the connector (each version), parses as Teams will read it.
    const sent = h.connector.requests
      .map((r) => (r.body as { attachments?: { content: Card }[] } | undefined)?.attachments?.[0]?.content)
      .filter((c): c is Card => c !== undefined);
    expect(sent.length + answered.length).toBeGreaterThan(0);
    for (const card of [...sent, ...answered])
      expect({ card: card.fallbackText, problems: cardProblems(card) }).toEqual({ card: card.fallbackText, problems: [] });
  } finally {
    await h.close();
  }
});

/** The card of an invoke answer, kept for the parse check after the test. */
function answerCard(answer: Parameters<typeof invokeCard>[0]): Card {
  const card = invokeCard(answer);
  answered.push(card);
  return card;
}

/** POSTs to the sandbox's admin API (`/__sandbox/...`). */
async function sandboxAdmin(path: string, body: unknown): Promise<void> {
  const { port } = h.sandbox.server.address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}/__sandbox/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

/** Clicks the latest posted card with `verb` for `step` in `conv`; returns the invoke answer and the clicked activity. */
async function click(conv: Conversation, verb: string, step: string, inputs: Record<string, string> = {}) {
  const target = latestWithAction(h.connector, verb, step);
  const answer = await h.invoke(conv, ALEX, actionOf(cardOf(target), verb)!, inputs, { replyToId: target.id });
  return { card: answerCard(answer), target };
}

/** Starts a run for `institution` in `conv` and answers steps 1 to 8; returns the run id. */
async function toVerification(conv: Conversation, hints = demo): Promise<string> {
  const before = h.connector.posted().length;
  await h.message(conv, ALEX, 'start', { mention: conv.conversationType === 'channel' });
  const formActivity = h.connector
    .posted()
    .slice(before)
    .find((a) => actionOf(cardOf(a), 'onboard_start'))!;
  const started = answerCard(
    await h.invoke(
      conv,
      ALEX,
      actionOf(cardOf(formActivity), 'onboard_start')!,
      {
        institution_code: hints.institutionCode.toLowerCase(),
        institution_name: 'Demo Theatre',
        channel_code: 'DGTK',
        digitick_contact_name: 'Camille Martin',
        digitick_contact_email: 'camille.martin@digitick.example',
        language: 'en',
      },
      { replyToId: formActivity.id },
    ),
  );
  const runId = /Run ([A-Z0-9]{8})/.exec(String(started.body[0].text))![1];
  await click(conv, 'step_done', 'sales_channel');
  await click(conv, 'step_done', 'point_of_sale');
  const contingents = await click(conv, 'step_done', 'contingents');
  await h.invoke(conv, ALEX, actionOf(contingents.card, 'onboard_contingents')!, { contingent_ids: hints.contingentIds.join(', ') });
  const contact = await click(conv, 'step_done', 'technical_contact');
  await h.invoke(conv, ALEX, actionOf(contact.card, 'onboard_contact')!, { contact_number: hints.contactNumbers[0] });
  await click(conv, 'step_done', 'event_products');
  await click(conv, 'step_done', 'pass_products');
  await click(conv, 'step_done', 'sales_interface');
  await click(conv, 'password_assigned', 'password_request');
  expect((await h.store.get(runId))!.currentStep).toBe('verification');
  return runId;
}

/** Opens the password form on the latest verification card and submits `password`; waits for the verification to end. */
async function verify(conv: Conversation, password: string): Promise<{ working: Card; clicked: string; form: Card }> {
  const opened = await click(conv, 'verify_start', 'verification');
  const working = answerCard(
    await h.invoke(
      conv,
      ALEX,
      actionOf(opened.card, 'onboard_password')!,
      { operator_password: password },
      { replyToId: opened.target.id },
    ),
  );
  await h.surface.idle();
  return { working, clicked: opened.target.id, form: opened.card };
}

const verbs = (card: Card): string[] => (card.actions ?? []).map((a) => String(a.verb));

test('a report with checks to confirm carries verify_confirm, answers_edit, verify_start, run_cancel; verify_confirm moves the run on and the audit says who confirmed which values', async () => {
  const runId = await toVerification(PERSONAL, unlisted);
  await verify(PERSONAL, unlisted.password);

  const report = latestWithAction(h.connector, 'verify_confirm', 'verification');
  const reportCard = cardOf(report);
  expect(cardText(reportCard)).toContain('Verification: values to confirm');
  expect(cardText(reportCard)).toContain('🔎');
  expect(cardText(reportCard)).toContain('OPEN');
  expect(verbs(reportCard)).toEqual(['verify_confirm', 'answers_edit', 'verify_start', 'run_cancel']);
  expect(actionOf(reportCard, 'verify_confirm')).toMatchObject({
    style: 'positive',
    data: { runId, step: 'verification', card: 'report' },
  });
  expect(actionOf(reportCard, 'verify_confirm')!.fallback).toMatchObject({
    type: 'Action.Submit',
    data: { verb: 'verify_confirm', runId },
  });
  const run = await h.store.get(runId);
  expect(run!.steps.verification.state).toBe('to_confirm');
  // The progress card shows the sales channel step to confirm, with a pointer to the report.
  const progressCard = h.connector.activities.get(((await h.store.getRefs(runId))[TEAMS_REF.card] as { activityId: string }).activityId)!;
  expect(cardText(cardOf(progressCard))).toMatch(/🔎 1\. .*to confirm after the last verification/);

  // "Back" from the answers form returns the report as it was.
  const form = answerCard(await h.invoke(PERSONAL, ALEX, actionOf(reportCard, 'answers_edit')!, {}, { replyToId: report.id }));
  const back = answerCard(await h.invoke(PERSONAL, ALEX, actionOf(form, 'card_refresh')!, {}, { replyToId: report.id }));
  expect(verbs(back)).toEqual(['verify_confirm', 'answers_edit', 'verify_start', 'run_cancel']);
  expect(cardText(back)).toContain('Verification: values to confirm');

  const confirmed = answerCard(await h.invoke(PERSONAL, ALEX, actionOf(reportCard, 'verify_confirm')!, {}, { replyToId: report.id }));
  expect(cardText(confirmed)).toContain('Verification values confirmed by Alex Operator');
  expect(confirmed.actions ?? []).toHaveLength(0);
  const after = await h.store.get(runId);
  expect(after!.currentStep).toBe('email_draft');
  expect(after!.steps.verification).toMatchObject({ state: 'done', by: { name: 'Alex Operator' } });
  latestWithAction(h.connector, 'email_sent', 'email_draft');
  const entry = (await h.store.audit(runId)).find((e) => e.action === 'verify_confirm' && e.outcome === 'ok');
  expect(entry).toMatchObject({ actor: { name: 'Alex Operator' }, surface: 'teams', step: 'verification' });
  expect(JSON.stringify(entry!.details)).toContain('sales_channel');
  expect(JSON.stringify(entry!.details)).toContain('OPEN');

  // The same click again is stale: the card unchanged with a note, nothing recorded.
  const version = after!.version;
  const stale = answerCard(await h.invoke(PERSONAL, ALEX, actionOf(reportCard, 'verify_confirm')!, {}, { replyToId: report.id }));
  expect(stale.body[0].text).toContain(runId);
  expect(stale.body[1]).toMatchObject({ color: 'accent' });
  expect(String(stale.body[1].text)).toContain('Nothing changed');
  expect(actionOf(stale, 'verify_confirm')).toBeUndefined();
  expect((await h.store.get(runId))!.version).toBe(version);
});

test('answers_edit opens onboard_answers prefilled; a bad value shows the field error; a good submit is audited, posted, and the verification step comes again', async () => {
  const runId = await toVerification(PERSONAL);
  const stepCard = latestWithAction(h.connector, 'answers_edit', 'verification');
  expect(verbs(cardOf(stepCard))).toEqual(['verify_start', 'answers_edit', 'verify_skip', 'run_cancel']);

  const { card: form } = await click(PERSONAL, 'answers_edit', 'verification');
  expect(form.body[0].text).toContain(runId);
  const input = (id: string, card: Card = form) => card.body.find((n) => n.id === id);
  expect(input('contingent_ids')).toMatchObject({ type: 'Input.Text', value: demo.contingentIds.join(', '), isRequired: true });
  expect(input('contact_number')).toMatchObject({ type: 'Input.Text', value: demo.contactNumber, isRequired: true });
  expect(input('contingent_ids')!.errorMessage).toBe('Please fill in "Contingent ids".');
  expect(input('contact_number')!.errorMessage).toBe('Please fill in "Contact number".');
  expect(input('institution_name')).toBeUndefined();
  const submit = actionOf(form, 'onboard_answers')!;
  expect(submit).toMatchObject({ data: { runId, step: 'verification', verb: 'onboard_answers' } });
  expect(submit.fallback).toMatchObject({ type: 'Action.Submit', data: { verb: 'onboard_answers' } });
  expect(actionOf(form, 'card_refresh')).toBeDefined();

  const version = (await h.store.get(runId))!.version;
  const bad = answerCard(await h.invoke(PERSONAL, ALEX, submit, { contingent_ids: '11, x', contact_number: demo.contactNumber! }));
  expect(input('contingent_ids', bad)).toMatchObject({ value: '11, x' });
  expect(String(input('contingent_ids', bad)!.errorMessage)).toContain('positive whole numbers');
  expect(bad.body.some((n) => n.color === 'attention' && String(n.text).includes('positive whole numbers'))).toBe(true);
  expect(input('contact_number', bad)!.errorMessage).toBe('Please fill in "Contact number".');
  expect((await h.store.get(runId))!.version).toBe(version);

  // The same answers again: the form comes back with a note, nothing recorded.
  const same = answerCard(
    await h.invoke(PERSONAL, ALEX, submit, { contingent_ids: demo.contingentIds.join(' '), contact_number: demo.contactNumber! }),
  );
  expect(cardText(same)).toContain('Nothing changed: these are the answers already recorded');
  expect(actionOf(same, 'onboard_answers')).toBeDefined();
  expect((await h.store.get(runId))!.version).toBe(version);

  const stepCardsBefore = h.connector.posted().filter((a) => actionOf(cardOf(a), 'verify_start')).length;
  const done = answerCard(
    await h.invoke(
      PERSONAL,
      ALEX,
      actionOf(bad, 'onboard_answers')!,
      { contingent_ids: '12', contact_number: '000124' },
      { replyToId: stepCard.id },
    ),
  );
  expect(cardText(done)).toContain('Recorded answers changed by Alex Operator');
  expect(cardText(done)).toContain('Contingent ids: 11, 12 → 12');
  expect(cardText(done)).toContain(`Technical contact number: ${demo.contactNumber} → 000124`);
  expect(done.actions ?? []).toHaveLength(0);
  const run = (await h.store.get(runId))!;
  expect(run).toMatchObject({ contingentIds: [12], contactNumber: '000124', currentStep: 'verification' });
  const entry = (await h.store.audit(runId)).find((e) => e.action === 'answers_edit' && e.outcome === 'ok');
  expect(entry).toMatchObject({ actor: { name: 'Alex Operator' }, surface: 'teams' });
  expect(entry!.details).toEqual({
    changes: [
      { field: 'contingentIds', from: '11, 12', to: '12' },
      { field: 'contactNumber', from: demo.contactNumber, to: '000124' },
    ],
  });
  // The change is posted in the run's conversation, and the verification step again.
  const posted = h.connector.posted(PERSONAL.id).map((a) => cardText(cardOf(a)));
  expect(posted.some((t) => t.includes('Recorded answers changed by Alex Operator') && t.includes('→ 000124'))).toBe(true);
  // Posted again: a new step card, the one live set of the run's buttons (the older ones point to it).
  expect(h.connector.posted().filter((a) => /Step 9\/10|posted again below/.test(cardText(cardOf(a)))).length).toBe(stepCardsBefore + 1);
  expect(h.connector.posted().filter((a) => actionOf(cardOf(a), 'verify_start')).length).toBe(1);

  // Contact 000124 is not authorised for the pending account: the failed report offers answers_edit too.
  await verify(PERSONAL, demo.password);
  const failed = latestWithAction(h.connector, 'answers_edit', 'verification');
  expect(cardText(cardOf(failed))).toContain('Verification failed');
  expect(verbs(cardOf(failed))).toEqual(['verify_start', 'answers_edit', 'verify_skip', 'run_cancel']);
  const fromReport = answerCard(await h.invoke(PERSONAL, ALEX, actionOf(cardOf(failed), 'answers_edit')!, {}, { replyToId: failed.id }));
  expect(input('contact_number', fromReport)).toMatchObject({ value: '000124' });
});

test('a password equal to the recorded contact number is erased from the run, audit and outbox, reaches no connector call, and is entered again', async () => {
  const runId = await toVerification(PERSONAL);
  const secret = demo.contactNumber!;
  const { working, clicked, form: passwordForm } = await verify(PERSONAL, secret);
  expect(cardText(working)).toContain('Verifying');
  const run = (await h.store.get(runId))!;
  expect(run.contactNumber).toBeUndefined();
  expect(run.erasedAnswers).toEqual(['contactNumber']);
  expect(run.verification).toBeUndefined();
  // The clicked card says why nothing was verified and points to the notice below; as on Slack, it
  // keeps no verify_start / verify_skip (refused until the answer is entered again).
  const clickedCard = cardOf(h.connector.activities.get(clicked));
  expect(cardText(clickedCard)).toContain('was erased');
  expect(cardText(clickedCard)).toContain('Edit answers');
  expect(cardText(clickedCard)).toContain(h.builder.t('en', 'step.superseded', { runId }));
  expect(verbs(clickedCard)).toEqual([]);
  // Nowhere: audit, outbox (delivered or not), run record, connector traffic.
  expect(JSON.stringify(await h.store.audit(runId))).not.toContain(secret);
  const db = new Database(h.dbPath, { readonly: true });
  try {
    const effects = db.prepare('SELECT effect FROM outbox WHERE run_id = ?').all(runId) as { effect: string }[];
    expect(effects.length).toBeGreaterThan(0);
    for (const e of effects) expect(e.effect).not.toContain(secret);
  } finally {
    db.close();
  }
  expect(JSON.stringify(run)).not.toContain(secret);
  for (const r of h.connector.requests) expect(r.bodyText).not.toContain(secret);

  // The notice carries answers_edit; its form asks for the contact again (empty); Back returns the notice.
  const notice = latestWithAction(h.connector, 'answers_edit', 'verification');
  expect(cardText(cardOf(notice))).toContain('same as the recorded technical contact number');
  expect(verbs(cardOf(notice))).toEqual(['answers_edit']);
  const form = answerCard(await h.invoke(PERSONAL, ALEX, actionOf(cardOf(notice), 'answers_edit')!, {}, { replyToId: notice.id }));
  expect(form.body.find((n) => n.id === 'contact_number')).not.toHaveProperty('value');
  const back = answerCard(await h.invoke(PERSONAL, ALEX, actionOf(form, 'card_refresh')!, {}, { replyToId: notice.id }));
  expect(cardText(back)).toContain('same as the recorded technical contact number');
  expect(verbs(back)).toEqual(['answers_edit']);
  // Verifying before entering it again (the password form still open) is refused with a note; nothing is checked.
  const refused = answerCard(
    await h.invoke(
      PERSONAL,
      ALEX,
      actionOf(passwordForm, 'onboard_password')!,
      { operator_password: demo.password },
      { replyToId: clicked },
    ),
  );
  await h.surface.idle();
  expect(cardText(refused) + cardText(cardOf(h.connector.activities.get(clicked)))).toContain('needs a value first');
  expect((await h.store.get(runId))!.verification).toBeUndefined();

  // Entered again through the Action.Submit fallback (a message activity whose value is the data plus the inputs).
  const fallback = actionOf(form, 'onboard_answers')!.fallback as { type: string; data: Record<string, unknown> };
  expect(fallback.type).toBe('Action.Submit');
  const sent = await h.send({
    type: 'message',
    conversation: { id: PERSONAL.id, conversationType: 'personal' },
    from: ALEX,
    replyToId: notice.id,
    value: { ...fallback.data, contingent_ids: '11, 12', contact_number: secret },
  });
  expect(sent.status).toBe(200);
  await h.surface.idle();
  expect(cardText(cardOf(h.connector.activities.get(notice.id)))).toContain(`Technical contact number: entered again (${secret})`);
  expect((await h.store.get(runId))!).toMatchObject({ contactNumber: secret });
  expect((await h.store.get(runId))!.erasedAnswers).toBeUndefined();
  await verify(PERSONAL, demo.password);
  expect((await h.store.get(runId))!.currentStep).toBe('email_draft');
  for (const r of h.connector.requests) expect(r.bodyText).not.toContain(demo.password);
});

test('after the guard erased an answer, the step card (refreshed, or posted again by resume) offers Edit answers and cancel, never verify or skip', async () => {
  const runId = await toVerification(PERSONAL);
  await verify(PERSONAL, demo.contactNumber!);
  expect((await h.store.get(runId))!.erasedAnswers).toEqual(['contactNumber']);
  // The step card as it stands now (Back / refresh) and the step posted again by resume: Edit answers first, no verify.
  const refreshed = answerCard(
    await h.invoke(PERSONAL, ALEX, {
      type: 'Action.Execute',
      verb: 'card_refresh',
      data: { verb: 'card_refresh', runId, step: 'verification', card: 'step' },
    }),
  );
  expect(verbs(refreshed)).toEqual(['answers_edit', 'run_cancel']);
  await h.invoke(PERSONAL, ALEX, { type: 'Action.Execute', verb: 'run_resume', data: { verb: 'run_resume', runId, step: 'verification' } });
  await h.surface.idle();
  const resumed = h.connector
    .posted()
    .reverse()
    .find((a) => cardText(cardOf(a)).includes(h.builder.t('en', 'step.verification.title')) && verbs(cardOf(a)).length > 0)!;
  expect(verbs(cardOf(resumed))).toEqual(['answers_edit', 'run_cancel']);
  // Once entered again, the step offers verify again.
  const form = answerCard(await h.invoke(PERSONAL, ALEX, actionOf(cardOf(resumed), 'answers_edit')!, {}, { replyToId: resumed.id }));
  answerCard(
    await h.invoke(
      PERSONAL,
      ALEX,
      actionOf(form, 'onboard_answers')!,
      { contingent_ids: demo.contingentIds.join(', '), contact_number: demo.contactNumber! },
      { replyToId: resumed.id },
    ),
  );
  await h.surface.idle();
  expect((await h.store.get(runId))!.erasedAnswers).toBeUndefined();
  const again = answerCard(
    await h.invoke(PERSONAL, ALEX, {
      type: 'Action.Execute',
      verb: 'card_refresh',
      data: { verb: 'card_refresh', runId, step: 'verification', card: 'step' },
    }),
  );
  expect(verbs(again)).toEqual(['verify_start', 'answers_edit', 'verify_skip', 'run_cancel']);
});

test('in a channel, the progress card is posted once in the run thread, updated in place, shows the catalog wait while the sandbox extracts, and ends pointing to the report', async () => {
  await h.close();
  h = await startTeamsHarness({ pollIntervalMs: 250 });
  const runId = await toVerification(TEAM_CHANNEL);
  // SecuTix extracts DEMO's catalog for 3 s: until then it answers only {"statusCode":"in_progress"}.
  await sandboxAdmin('extraction', { ms: 3000, institution: 'DEMO' });
  const before = h.connector.requests.length;
  const t0 = performance.now();
  const { working } = await verify(TEAM_CHANNEL, demo.password);
  console.log(
    `Teams onboard_password answered in ${h.invokeTimes[h.invokeTimes.length - 1]!.toFixed(0)} ms; the verification (3 s catalog extraction) ended after ${(performance.now() - t0).toFixed(0)} ms`,
  );
  expect(cardText(working)).toContain('Verifying');

  const isProgress = (text: string) => text.includes('Verifying the setup of DEMO') || text.includes('Verification of DEMO finished');
  const progress = h.connector.posted().filter((a) => isProgress(cardText(cardOf(a))));
  expect(progress).toHaveLength(1);
  const cardRef = (await h.store.getRefs(runId))[TEAMS_REF.card] as { activityId: string };
  expect(progress[0].conversationId).toBe(`${TEAM_CHANNEL.id};messageid=${cardRef.activityId}`);
  expect(progress[0].replyToId).toBe(cardRef.activityId);
  const id = progress[0].id;
  const calls = h.connector.requests
    .slice(before)
    .filter((r) => r.bodyText.includes('Verifying the setup of DEMO') || r.bodyText.includes('Verification of DEMO finished'));
  expect(calls[0]).toMatchObject({ method: 'POST' });
  const puts = calls.slice(1);
  expect(puts.length).toBeGreaterThanOrEqual(2);
  for (const r of puts) expect(r).toMatchObject({ method: 'PUT', activityId: id });
  // Every edit during the verification showed checks waiting; some showed the catalog wait.
  expect(puts.slice(0, -1).every((r) => r.bodyText.includes('waiting'))).toBe(true);
  expect(puts.some((r) => r.bodyText.includes('SecuTix is still preparing the catalog: waited'))).toBe(true);

  const final = cardText(cardOf(h.connector.activities.get(id)));
  expect(final).toContain('Verification of DEMO finished');
  expect(final).toContain('Every check passed: the report is below.');
  expect(final).not.toContain('still preparing');
  // The report was posted in the same thread before the pointer's final edit.
  const reportIndex = h.connector.requests.findIndex((r) => r.method === 'POST' && r.bodyText.includes('Verification passed'));
  expect(reportIndex).toBeGreaterThan(before);
  expect(h.connector.requests[reportIndex].conversationId).toBe(progress[0].conversationId);
  expect(h.connector.requests.lastIndexOf(puts[puts.length - 1])).toBeGreaterThan(reportIndex);
  expect((await h.store.get(runId))!.currentStep).toBe('email_draft');
});

test('a progress update the connector refuses never throws: it is logged, and the next one is shown; the catalog wait is shown', async () => {
  const runId = await toVerification(PERSONAL);
  const run = (await h.store.get(runId))!;
  const notifier = h.surface.notifier;
  const p = { checks: [{ id: 'credentials' as const, state: 'waiting' as const }], done: false };
  h.connector.failNext(1, 404);
  await expect(notifier.progress!(run, p)).resolves.toBeUndefined();
  expect(h.logLines.some((l) => l.includes('teams verification progress not shown'))).toBe(true);
  const n = h.connector.posted().length;
  await notifier.progress!(run, p);
  expect(h.connector.posted()).toHaveLength(n + 1);
  const id = h.connector.posted()[n].id;
  // While SecuTix extracts the catalog (RunService passes the waited time), the card says so.
  await notifier.progress!(run, { checks: [{ id: 'credentials', state: 'passed' }], catalogWaitedMs: 4200, done: false });
  expect(cardText(cardOf(h.connector.activities.get(id)))).toContain('SecuTix is still preparing the catalog: waited 4 s so far');
  h.connector.failNext(1, 404);
  await expect(notifier.progress!(run, { ...p, checks: [{ id: 'credentials', state: 'passed' }] })).resolves.toBeUndefined();
  await notifier.progress!(run, { checks: [{ id: 'credentials', state: 'passed' }], done: true, outcome: 'passed' });
  expect(h.connector.posted()).toHaveLength(n + 1);
  expect(h.connector.activities.get(id)!.updates).toBe(2);
  const final = cardText(cardOf(h.connector.activities.get(id)));
  expect(final).toContain('Every check passed');
  expect(final).not.toContain('still preparing');
});

test('a restart after a crash mid-verification closes the dead process progress card in place as interrupted (not left "Verifying")', async () => {
  const runId = await toVerification(PERSONAL);
  const run = (await h.store.get(runId))!;
  const n = h.connector.posted().length;
  await h.surface.notifier.progress!(run, { checks: [{ id: 'credentials', state: 'waiting' }], done: false });
  const id = h.connector.posted()[n]!.id;
  expect(cardText(cardOf(h.connector.activities.get(id)))).toContain('Verifying');
  // What a process killed mid-verification leaves: the under-way marker. A new process starts.
  await h.store.putRef(runId, 'core.verifying', { at: new Date(Date.now() - 60_000).toISOString(), by: { id: 'x' } });
  await h.restart();

  expect(await h.service.recoverInterruptedVerifications(0)).toEqual([runId]);
  const closed = cardText(cardOf(h.connector.activities.get(id)));
  expect(closed).toContain('interrupted');
  expect(closed).toContain('nothing was recorded. Verify again.');
  expect(closed).not.toContain('Verifying');
  // Edited in place, then the notice: no second progress card.
  expect(h.connector.posted()).toHaveLength(n + 2);
  expect(cardText(cardOf(h.connector.posted()[n + 1]!))).toMatch(/was interrupted \(the assistant restarted\)/);
  expect((await h.store.getRefs(runId))[TEAMS_REF.progress]).toBeNull();
});

test('QA round 2 (D2): after the guard erased an answer, the old report loses verify_confirm and its click is refused, naming the answer; no audit entry holds the value', async () => {
  const runId = await toVerification(PERSONAL, unlisted);
  await verify(PERSONAL, unlisted.password);
  const report = latestWithAction(h.connector, 'verify_confirm', 'verification');
  const reportCard = cardOf(report);
  const secret = unlisted.contactNumbers[0]!;
  // The contact number typed as the password.
  await verify(PERSONAL, secret);
  const run = (await h.store.get(runId))!;
  expect(run.erasedAnswers).toEqual(['contactNumber']);
  expect(run.steps.verification.state).toBe('current');
  expect(JSON.stringify(run)).not.toContain(secret);
  expect(JSON.stringify(await h.store.getRefs(runId))).not.toContain(secret);
  // The old report card (clicked for that verification) now says why nothing was verified: no verify_confirm, no value.
  const shownNow = cardOf(h.connector.activities.get(report.id));
  expect(verbs(shownNow)).not.toContain('verify_confirm');
  expect(cardText(shownNow)).toContain('was erased');
  expect(cardText(shownNow)).not.toContain(secret);

  // Its verify_confirm, clicked anyway (a card held open): refused, naming the answer to enter again.
  const refused = answerCard(await h.invoke(PERSONAL, ALEX, actionOf(reportCard, 'verify_confirm')!, {}, { replyToId: report.id }));
  expect(cardText(refused)).toContain('technical contact number');
  const after = (await h.store.get(runId))!;
  expect(after.currentStep).toBe('verification');
  const audit = await h.store.audit(runId);
  expect(audit.filter((e) => e.action === 'verify_confirm' && e.outcome === 'ok')).toEqual([]);
  expect(JSON.stringify(audit)).not.toContain(secret);
});
