/**
 * Who may do what on Teams, over loopback: the real `CloudAdapter` behind `POST /api/messages`,
 * the fake Bot Framework connector, the real SQLite store. `ALLOWED_TENANTS` refuses other
 * tenants with 403 before any handler (no connector traffic); `ALLOWED_OPERATORS` and
 * `SUPPORT_USERS` name AAD object ids (`from.aadObjectId`, else `from.id`); a refused action
 * answers the current card with a note and is audited; `help` lists only the caller's commands.
 */
import {
  actionOf,
  ALEX,
  cardOf,
  cardText,
  type Conversation,
  invokeCard,
  latestWithAction,
  SAM,
  startTeamsHarness,
  type TeamsHarness,
  type TeamsUser,
} from './helpers';

const PERSONAL: Conversation = { id: 'a:personal-access', conversationType: 'personal' };
const MALLORY: TeamsUser = { id: '29:mallory', name: 'Mallory Nobody', aadObjectId: 'aad-mallory' };
/** A user Teams sends without `aadObjectId`: known by the channel account id. */
const NO_AAD = { id: '29:legacy-op', name: 'Legacy Operator' };

const startInputs = {
  institution_code: 'TACC',
  institution_name: 'Teams Access Theatre',
  channel_code: 'DGTK',
  digitick_contact_name: 'Camille Martin',
  digitick_contact_email: 'camille.martin@digitick.example',
  language: 'en',
};

let h: TeamsHarness;

beforeEach(async () => {
  h = await startTeamsHarness({
    access: { operators: [ALEX.aadObjectId, NO_AAD.id], support: [SAM.aadObjectId] },
    allowedTenants: ['tenant-1'],
  });
});

afterEach(async () => {
  await h.close();
});

/** The start form posted after `start`, or undefined. */
async function startForm(user: TeamsUser | typeof NO_AAD) {
  const before = h.connector.posted().length;
  const answer = await h.send({
    type: 'message',
    conversation: { id: PERSONAL.id, conversationType: 'personal', tenantId: 'tenant-1' },
    from: user,
    text: 'digitick-onboard start',
  });
  expect(answer.status).toBe(200);
  const posted = h.connector.posted().slice(before);
  return { posted, form: posted.find((a) => actionOf(cardOf(a), 'onboard_start')) };
}

test('an activity from a tenant not in ALLOWED_TENANTS is answered 403 before any handler: no connector traffic, no run', async () => {
  const requests = h.connector.requests.length;
  const conversation = { id: PERSONAL.id, conversationType: 'personal', tenantId: 'tenant-evil' };
  const msg = await h.send({ type: 'message', conversation, from: ALEX, text: 'digitick-onboard help' });
  expect(msg.status).toBe(403);
  expect(msg.body).toEqual({ error: 'tenant tenant-evil is not allowed' });
  const invoke = await h.send({
    type: 'invoke',
    name: 'adaptiveCard/action',
    conversation,
    from: ALEX,
    value: { action: { type: 'Action.Execute', verb: 'onboard_start', data: { ...startInputs, locale: 'en' } }, trigger: 'manual' },
  });
  expect(invoke.status).toBe(403);
  const noTenant = await h.send({ type: 'message', conversation: { id: PERSONAL.id }, from: ALEX, text: 'help' });
  expect(noTenant.status).toBe(403);
  expect(noTenant.body).toEqual({ error: 'activity names no tenant' });

  expect(h.connector.requests).toHaveLength(requests);
  expect(await h.store.list({})).toHaveLength(0);
  expect(h.logLines.filter((l) => l.includes('tenant not in ALLOWED_TENANTS'))).toHaveLength(3);

  // The same activity from the allowed tenant is served.
  const ok = await h.message(PERSONAL, ALEX, 'help');
  expect(ok.status).toBe(200);
  expect(h.connector.requests.length).toBeGreaterThan(requests);
});

test('a user whose AAD object id is not allowed gets no start form, and their click answers the current card with a note, changing nothing', async () => {
  const refused = await startForm(MALLORY);
  expect(refused.form).toBeUndefined();
  expect(cardText(cardOf(refused.posted[0]))).toContain('not on the list');

  // Alex starts a run; Mallory presses "Done" on its first step.
  const { form } = await startForm(ALEX);
  const started = invokeCard(
    await h.invoke(PERSONAL, ALEX, actionOf(cardOf(form), 'onboard_start')!, startInputs, { replyToId: form!.id }),
  );
  const runId = /Run ([A-Z0-9]{8})/.exec(String(started.body[0]!.text))![1]!;
  const step = latestWithAction(h.connector, 'step_done', 'sales_channel');
  const before = (await h.store.get(runId))!;

  const answer = invokeCard(await h.invoke(PERSONAL, MALLORY, actionOf(cardOf(step), 'step_done')!, {}, { replyToId: step.id }));

  expect(cardText(answer)).toContain('not on the list');
  expect(actionOf(answer, 'step_done')).toBeDefined(); // the current card, buttons kept
  const after = (await h.store.get(runId))!;
  expect(after.version).toBe(before.version);
  expect(after.currentStep).toBe('sales_channel');
  const audit = await h.store.audit(runId);
  expect(audit.filter((a) => a.outcome === 'refused:not_permitted').map((a) => [a.actor.id, a.action])).toEqual([
    [MALLORY.aadObjectId, 'step_done'],
  ]);

  // Alex may press it.
  await h.invoke(PERSONAL, ALEX, actionOf(cardOf(step), 'step_done')!, {}, { replyToId: step.id });
  expect((await h.store.get(runId))!.currentStep).toBe('point_of_sale');
});

test('without aadObjectId the channel account id (from.id) is the identity that is checked', async () => {
  expect((await startForm(NO_AAD)).form).toBeDefined();
});

test('help lists only the commands the caller may use', async () => {
  const helpOf = async (user: TeamsUser) => {
    const before = h.connector.posted().length;
    await h.message(PERSONAL, user, 'help');
    return cardText(cardOf(h.connector.posted()[before]));
  };
  // Teams users type the words alone: each command's line starts with its word.
  const lists = (help: string, c: string) => help.split('\n').some((l) => l.startsWith(`${c} `));
  const operator = await helpOf(ALEX);
  for (const c of ['start', 'status', 'resume', 'cancel', 'product']) expect(lists(operator, c)).toBe(true);
  const support = await helpOf(SAM);
  expect(lists(support, 'start')).toBe(false);
  expect(lists(support, 'cancel')).toBe(true);
  const nobody = await helpOf(MALLORY);
  for (const c of ['start', 'status', 'resume', 'cancel']) expect(lists(nobody, c)).toBe(false);
  expect(lists(nobody, 'product')).toBe(true);
  expect(operator + support + nobody).not.toContain('digitick-onboard');
});

test('only SecuTix support may register the support channel', async () => {
  const SUPPORT: Conversation = { id: '19:support-access@thread.tacv2', conversationType: 'channel' };
  const refused = await h.message(SUPPORT, MALLORY, 'support-channel here', { mention: true });
  expect(refused.status).toBe(200);
  expect(await h.store.getRefs('__teams__')).not.toHaveProperty('support_channel');
  expect(
    h.connector
      .posted(SUPPORT.id)
      .map((a) => JSON.stringify(a))
      .join(''),
  ).toContain('only SecuTix support');
  await h.message(SUPPORT, SAM, 'support-channel here', { mention: true });
  expect(await h.store.getRefs('__teams__')).toHaveProperty('support_channel');
});
