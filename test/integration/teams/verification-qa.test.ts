/**
 * Issue 8 on Teams, defects found by a black-box QA around a report "to confirm": `resume` after
 * it, the progress card after `verify_confirm`, a superseded `verify_confirm`, and an
 * `onboard_answers` form submitted while a verification runs. The real `CloudAdapter` behind
 * `POST /api/messages`, the fake Bot Framework connector on loopback, the real SQLite store, the
 * real SecuTix client against the sandbox over HTTP (its UNLISTED institution answers values the
 * assistant does not know: checks to confirm, none failed).
 */
import { sandboxHints } from '../../../adapters/sandbox';
import { TEAMS_REF } from '../../../adapters/teams';
import {
  ALEX,
  actionOf,
  type Card,
  cardOf,
  cardText,
  invokeCard,
  latestWithAction,
  SAM,
  startTeamsHarness,
  type TeamsHarness,
} from './helpers';

const unlisted = sandboxHints('UNLISTED');
const PERSONAL = { id: 'a:personal-alex-qa', conversationType: 'personal' as const };

let h: TeamsHarness;
beforeEach(async () => {
  h = await startTeamsHarness();
});
afterEach(async () => {
  await h.close();
});

const verbs = (card: Card): string[] => (card.actions ?? []).map((a) => String(a.verb));

/** Clicks the latest posted card with `verb` for `step`; returns the invoke answer's card and the clicked activity id. */
async function click(verb: string, step: string, inputs: Record<string, string> = {}, user = ALEX) {
  const target = latestWithAction(h.connector, verb, step);
  const answer = await h.invoke(PERSONAL, user, actionOf(cardOf(target), verb)!, inputs, { replyToId: target.id });
  return { card: invokeCard(answer), id: target.id };
}

/** Starts a run of UNLISTED, answers steps 1 to 8; returns the run id. */
async function toVerification(): Promise<string> {
  await h.message(PERSONAL, ALEX, 'start');
  const form = latestWithAction(h.connector, 'onboard_start');
  const started = invokeCard(
    await h.invoke(
      PERSONAL,
      ALEX,
      actionOf(cardOf(form), 'onboard_start')!,
      {
        institution_code: unlisted.institutionCode.toLowerCase(),
        institution_name: 'Unlisted Gallery',
        channel_code: 'DGTK',
        digitick_contact_name: 'Camille Martin',
        digitick_contact_email: 'camille.martin@digitick.example',
        language: 'en',
      },
      { replyToId: form.id },
    ),
  );
  const runId = /Run ([A-Z0-9]{8})/.exec(String(started.body[0].text))![1]!;
  await click('step_done', 'sales_channel');
  await click('step_done', 'point_of_sale');
  const contingents = await click('step_done', 'contingents');
  await h.invoke(PERSONAL, ALEX, actionOf(contingents.card, 'onboard_contingents')!, { contingent_ids: unlisted.contingentIds.join(', ') });
  const contact = await click('step_done', 'technical_contact');
  await h.invoke(PERSONAL, ALEX, actionOf(contact.card, 'onboard_contact')!, { contact_number: unlisted.contactNumbers[0]! });
  await click('step_done', 'event_products');
  await click('step_done', 'pass_products');
  await click('step_done', 'sales_interface');
  await click('password_assigned', 'password_request', {}, SAM);
  expect((await h.store.get(runId))!.currentStep).toBe('verification');
  return runId;
}

/** Verifies from the latest verification card; waits for the report. */
async function verify(): Promise<void> {
  const opened = await click('verify_start', 'verification');
  await h.invoke(
    PERSONAL,
    ALEX,
    actionOf(opened.card, 'onboard_password')!,
    { operator_password: unlisted.password },
    { replyToId: opened.id },
  );
  await h.surface.idle();
}

test('resume after a report with checks to confirm: the step posted again offers verify_confirm (primary), and it works', async () => {
  const runId = await toVerification();
  await verify();
  expect((await h.store.get(runId))!.steps.verification.state).toBe('to_confirm');
  const report = latestWithAction(h.connector, 'verify_confirm', 'verification');
  await h.message(PERSONAL, ALEX, `resume ${runId}`);
  await h.surface.idle();
  const copy = latestWithAction(h.connector, 'verify_start', 'verification');
  expect(copy.id).not.toBe(report.id);
  const card = cardOf(copy);
  expect(verbs(card)).toEqual(['verify_confirm', 'answers_edit', 'verify_start', 'run_cancel']);
  expect(actionOf(card, 'verify_confirm')).toMatchObject({ style: 'positive', data: { runId, step: 'verification' } });
  const confirmed = invokeCard(await h.invoke(PERSONAL, ALEX, actionOf(card, 'verify_confirm')!, {}, { replyToId: copy.id }));
  expect(cardText(confirmed)).toContain('Verification values confirmed by Alex Operator');
  expect((await h.store.get(runId))!.currentStep).toBe('email_draft');
});

test('after verify_confirm, the progress card marks the steps whose values were confirmed as confirmed, not "to confirm"', async () => {
  const runId = await toVerification();
  await verify();
  const progress = async (): Promise<string> => {
    const ref = (await h.store.getRefs(runId))[TEAMS_REF.card] as { activityId: string };
    return cardText(cardOf(h.connector.activities.get(ref.activityId)));
  };
  expect(await progress()).toMatch(/🔎 1\. .*to confirm after the last verification/);
  await click('verify_confirm', 'verification');
  await h.surface.idle();
  const text = await progress();
  expect(text).not.toContain('🔎');
  expect(text).not.toContain('to confirm');
  expect(text).toMatch(/✅ 1\. .*values confirmed by Alex Operator/);
});

test('a verify_confirm from a report superseded by changed answers: the note says so, and the answered card has no confirm button', async () => {
  const runId = await toVerification();
  await verify();
  const report = latestWithAction(h.connector, 'verify_confirm', 'verification');
  const confirm = actionOf(cardOf(report), 'verify_confirm')!;
  const edit = await click('answers_edit', 'verification');
  const changed = invokeCard(
    await h.invoke(
      PERSONAL,
      ALEX,
      actionOf(edit.card, 'onboard_answers')!,
      { contingent_ids: String(unlisted.contingentIds[0]), contact_number: unlisted.contactNumbers[0]! },
      { replyToId: edit.id },
    ),
  );
  expect(cardText(changed)).toContain('Recorded answers changed');
  const version = (await h.store.get(runId))!.version;
  const answered = invokeCard(await h.invoke(PERSONAL, ALEX, confirm, {}, { replyToId: report.id }));
  const text = cardText(answered);
  expect(text).toContain('that report was superseded by a newer verification or by changed answers');
  expect(text).not.toContain('does not apply');
  expect(verbs(answered)).toEqual([]);
  expect((await h.store.get(runId))!.version).toBe(version);
});

test('onboard_answers submitted while a verification runs: the form comes back with the inputs as typed and the reason on the field; nothing changes', async () => {
  await h.close();
  h = await startTeamsHarness({ pollIntervalMs: 250 });
  const runId = await toVerification();
  h.sandbox.state.setExtractionMs(2000, unlisted.institutionCode);
  const edit = await click('answers_edit', 'verification');
  const submit = actionOf(edit.card, 'onboard_answers')!;
  const opened = await click('verify_start', 'verification');
  await h.invoke(
    PERSONAL,
    ALEX,
    actionOf(opened.card, 'onboard_password')!,
    { operator_password: unlisted.password },
    { replyToId: opened.id },
  );
  const pending = () => h.sandbox.state.log.some((c) => c.method === 'getCatalogDetailed' && c.statusCode === 'in_progress');
  for (let i = 0; i < 1000 && !pending(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(pending()).toBe(true);
  const before = (await h.store.get(runId))!;
  const typed = { contingent_ids: '11', contact_number: '000777' };
  const answered = invokeCard(await h.invoke(PERSONAL, ALEX, submit, typed, { replyToId: edit.id }));
  const input = (id: string) => answered.body.find((n) => n.id === id);
  expect(input('contingent_ids')).toMatchObject({ value: '11' });
  expect(String(input('contingent_ids')!.errorMessage)).toContain('A verification of this run is running');
  expect(input('contact_number')).toMatchObject({ value: '000777' });
  expect(actionOf(answered, 'onboard_answers')).toBeDefined();
  await h.surface.idle();
  const after = (await h.store.get(runId))!;
  expect(after.verification).toBeDefined();
  expect(after.contingentIds).toEqual(before.contingentIds);
  expect(after.contactNumber).toBe(before.contactNumber);
});

test('onboard_answers submitted by someone not in ALLOWED_OPERATORS: the form card stays as it was (inputs as typed) with the refusal note; nothing changes', async () => {
  await h.close();
  h = await startTeamsHarness({ access: { operators: ['aad-alex'], support: ['aad-sam'] } });
  const runId = await toVerification();
  const edit = await click('answers_edit', 'verification');
  const submit = actionOf(edit.card, 'onboard_answers')!;
  const before = (await h.store.get(runId))!;
  const eve = { id: '29:eve', name: 'Eve Outsider', aadObjectId: 'aad-eve' };
  const typed = { contingent_ids: '1', contact_number: '000777' };
  const answered = invokeCard(await h.invoke(PERSONAL, eve, submit, typed, { replyToId: edit.id }));
  const text = cardText(answered);
  expect(text).toContain(h.builder.t('en', 'refusal.not_permitted.operator'));
  // The form card, not the step card: its submit still there, what was typed kept, no step buttons.
  expect(verbs(answered)).toContain('onboard_answers');
  expect(verbs(answered)).not.toContain('verify_start');
  const input = (id: string) => answered.body.find((n) => n.id === id);
  expect(input('contingent_ids')).toMatchObject({ value: '1' });
  expect(input('contact_number')).toMatchObject({ value: '000777' });
  const after = (await h.store.get(runId))!;
  expect(after.version).toBe(before.version);
  expect(after.contingentIds).toEqual(before.contingentIds);
});
