/**
 * Issue 9 follow-up in Teams: one live set of buttons per run. `resume` of a run whose newest
 * failed verification report has live buttons posts the step again; that copy is then the only
 * card with live actions, and the report points to it (as Slack does). The real `CloudAdapter`
 * behind `POST /api/messages`, the fake Bot Framework connector, the real SQLite store, the real
 * SecuTix client against the sandbox (a wrong password: a failed report).
 */
import { demoHints } from '../../../adapters/sandbox';
import {
  ALEX,
  actionOf,
  cardOf,
  cardText,
  type Conversation,
  invokeCard,
  latestWithAction,
  startTeamsHarness,
  type TeamsHarness,
} from './helpers';
import type { StepId } from '../../../src/domain/ids';

const demo = demoHints();
const PERSONAL: Conversation = { id: 'a:personal-resume', conversationType: 'personal' };
const LIVE_VERBS = ['verify_start', 'answers_edit', 'verify_skip', 'verify_confirm', 'run_cancel'];

let h: TeamsHarness;
beforeEach(async () => {
  h = await startTeamsHarness();
});
afterEach(async () => {
  await h.close();
});

/** The cards of the conversation (their latest content) that still carry an action of the verification step. */
function liveVerificationCards() {
  return h.connector.posted(PERSONAL.id).filter((a) => {
    try {
      const card = cardOf(h.connector.activities.get(a.id) ?? a);
      return LIVE_VERBS.some((v) => (actionOf(card, v)?.data as { step?: string } | undefined)?.step === 'verification');
    } catch {
      return false;
    }
  });
}

/** A run at step 9 whose step card and failed report (a wrong password) are posted; the report has the live buttons. */
async function failedReport() {
  const form = await h.message(PERSONAL, ALEX, 'digitick-onboard start');
  expect(form.status).toBe(200);
  const formActivity = latestWithAction(h.connector, 'onboard_start', undefined, PERSONAL.id);
  const started = invokeCard(
    await h.invoke(
      PERSONAL,
      ALEX,
      actionOf(cardOf(formActivity), 'onboard_start')!,
      {
        institution_code: 'demo',
        institution_name: 'Demo Theatre',
        channel_code: 'DGTK',
        digitick_contact_name: 'Camille Martin',
        digitick_contact_email: 'camille.martin@digitick.example',
        language: 'en',
      },
      { replyToId: formActivity.id },
    ),
  );
  const runId = /Run ([A-Z0-9]{8})/.exec(String(started.body[0]!.text))![1]!;
  // Steps 1 to 8 through the service (the Teams notifier posts each step card).
  const actor = { id: ALEX.aadObjectId, name: ALEX.name };
  const step = async (s: StepId, action: 'step_done' | 'password_assigned', extra: Record<string, unknown> = {}) => {
    const r = await h.service.act({ runId, step: s, action, actor, surface: 'teams', ...extra });
    expect(r.ok).toBe(true);
  };
  await step('sales_channel', 'step_done');
  await step('point_of_sale', 'step_done');
  await step('contingents', 'step_done', { contingentIds: demo.contingentIds });
  await step('technical_contact', 'step_done', { contactNumber: demo.contactNumbers[0] });
  await step('event_products', 'step_done');
  await step('pass_products', 'step_done');
  await step('sales_interface', 'step_done');
  await step('password_request', 'password_assigned');
  await h.surface.idle();

  // A wrong password: the failed report carries the live buttons.
  const stepCard = latestWithAction(h.connector, 'verify_start', 'verification', PERSONAL.id);
  const stepText = textOf(stepCard.id);
  const passwordForm = invokeCard(
    await h.invoke(PERSONAL, ALEX, actionOf(cardOf(stepCard), 'verify_start')!, {}, { replyToId: stepCard.id }),
  );
  await h.invoke(
    PERSONAL,
    ALEX,
    actionOf(passwordForm, 'onboard_password')!,
    { operator_password: 'wrong-password' },
    { replyToId: stepCard.id },
  );
  await h.surface.idle();
  const before = liveVerificationCards();
  expect(before).toHaveLength(1);
  const report = before[0]!;
  const reportText = textOf(report.id);
  expect(reportText).toContain('Verification failed');
  expect(reportText).toContain('SecuTix refused the login DEMO_DGTK');
  return { runId, stepCard, stepText, report, reportText };
}

/** The text of a posted activity's latest card. */
const textOf = (id: string): string => cardText(cardOf(h.connector.activities.get(id)!));

/** `older` still holds every line of `text` (the card kept its content), then `pointer`. */
function keptWithPointer(id: string, text: string, pointer: string): void {
  const now = textOf(id);
  for (const line of text.split('\n').filter((l) => l.trim() !== '')) expect(now).toContain(line);
  expect(now).toContain(pointer);
  expect(LIVE_VERBS.filter((v) => actionOf(cardOf(h.connector.activities.get(id)!), v))).toEqual([]);
}

test('resume after a failed verification report leaves exactly one live set of buttons; the report keeps its text and points to the new copy', async () => {
  const { runId, report, reportText } = await failedReport();

  // resume: the step is posted again; it is now the one live set, the report points to it.
  const resumed = await h.message(PERSONAL, ALEX, `digitick-onboard resume ${runId}`);
  expect(resumed.status).toBe(200);
  await h.surface.idle();
  const after = liveVerificationCards();
  expect(after).toHaveLength(1);
  expect(after[0]!.id).not.toBe(report.id);
  // Every check result and fix text stays; only the buttons became the pointer.
  keptWithPointer(report.id, reportText, 'This step was posted again below: use the buttons there.');
  expect(textOf(report.id)).toContain('Not checked: the login and password could not be verified first.');

  // The live copy works: a click on it opens the password form.
  const live = cardOf(h.connector.activities.get(after[0]!.id)!);
  const again = invokeCard(await h.invoke(PERSONAL, ALEX, actionOf(live, 'verify_start')!, {}, { replyToId: after[0]!.id }));
  expect(actionOf(again, 'onboard_password')).toBeDefined();
});

test('a second "Verify now" from a failed report: the older report and the step card keep their text, their buttons point to the newest report', async () => {
  const { stepCard, stepText, report, reportText } = await failedReport();
  // The step card already lost its buttons to the first report, and kept its text.
  keptWithPointer(stepCard.id, stepText, 'A newer verification report is below: use its buttons.');

  const pf = invokeCard(
    await h.invoke(PERSONAL, ALEX, actionOf(cardOf(h.connector.activities.get(report.id)!), 'verify_start')!, {}, { replyToId: report.id }),
  );
  await h.invoke(PERSONAL, ALEX, actionOf(pf, 'onboard_password')!, { operator_password: 'wrong-2' }, { replyToId: report.id });
  await h.surface.idle();
  const live = liveVerificationCards();
  expect(live).toHaveLength(1);
  expect(live[0]!.id).not.toBe(report.id);
  keptWithPointer(report.id, reportText, 'A newer verification report is below: use its buttons.');
  keptWithPointer(stepCard.id, stepText, 'A newer verification report is below: use its buttons.');
});
