/**
 * Issue 12: support crosses tenants only from its desk. A multi-tenant registration
 * (`MICROSOFT_APP_TYPE=MultiTenant`, multi-organisation mode) over the real CloudAdapter and the
 * fake connector: support registers its channel with `support-channel here` in its own tenant; a
 * run of tenant A posts its password request there. The same AAD object id acting from tenant B
 * gets the unknown-run answer and nothing changes; from the desk's tenant the click advances A's run.
 */
import { demoHints } from '../../../adapters/sandbox';
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
} from './helpers';

const PERSONAL: Conversation = { id: 'a:personal-desk-tenant', conversationType: 'personal' };
const DESK: Conversation = { id: '19:desk-tenant@thread.tacv2', conversationType: 'channel' };
const demo = demoHints();

let h: TeamsHarness;
afterEach(async () => {
  await h.close();
});

async function runToSupport(tenant: string): Promise<string> {
  const before = h.connector.posted().length;
  await h.message(PERSONAL, ALEX, 'start', { tenant });
  const form = h.connector
    .posted()
    .slice(before)
    .find((a) => actionOf(cardOf(a), 'onboard_start'))!;
  const started = invokeCard(
    await h.invoke(
      PERSONAL,
      ALEX,
      actionOf(cardOf(form), 'onboard_start')!,
      {
        institution_code: 'demo',
        institution_name: 'Demo Theatre',
        channel_code: 'DGTK',
        digitick_contact_name: 'Camille Martin',
        digitick_contact_email: 'camille.martin@digitick.example',
        language: 'en',
      },
      { replyToId: form.id, tenant },
    ),
  );
  const runId = /Run ([A-Z0-9]{8})/.exec(String(started.body[0]!.text))![1]!;
  const click = async (verb: string, stepId: string, inputs: Record<string, string> = {}) => {
    const target = latestWithAction(h.connector, verb, stepId, PERSONAL.id);
    return invokeCard(await h.invoke(PERSONAL, ALEX, actionOf(cardOf(target), verb)!, inputs, { replyToId: target.id, tenant }));
  };
  await click('step_done', 'sales_channel');
  await click('step_done', 'point_of_sale');
  const contingents = await click('step_done', 'contingents');
  const cTarget = latestWithAction(h.connector, 'step_done', 'contingents', PERSONAL.id);
  await h.invoke(
    PERSONAL,
    ALEX,
    actionOf(contingents, 'onboard_contingents')!,
    { contingent_ids: demo.contingentIds.join(', ') },
    {
      replyToId: cTarget.id,
      tenant,
    },
  );
  const contact = await click('step_done', 'technical_contact');
  const tTarget = latestWithAction(h.connector, 'step_done', 'technical_contact', PERSONAL.id);
  await h.invoke(
    PERSONAL,
    ALEX,
    actionOf(contact, 'onboard_contact')!,
    { contact_number: demo.contactNumber! },
    {
      replyToId: tTarget.id,
      tenant,
    },
  );
  await click('step_done', 'event_products');
  await click('step_done', 'pass_products');
  await click('step_done', 'sales_interface');
  await h.service.drain(runId);
  expect((await h.store.get(runId))?.currentStep).toBe('password_request');
  return runId;
}

test("the same AAD id from another tenant than the desk's does not cross; from the desk's tenant it does", async () => {
  h = await startTeamsHarness({
    multiOrg: true,
    appType: 'MultiTenant',
    allowedTenants: ['tenant-a', 'tenant-b', 'tenant-desk'],
    access: { operators: [], support: [SAM.aadObjectId!] },
  });
  expect((await h.message(DESK, SAM, 'support-channel here', { mention: true, tenant: 'tenant-desk' })).status).toBe(200);
  const runA = await runToSupport('tenant-a');
  const request = latestWithAction(h.connector, 'password_assigned', 'password_request', DESK.id);
  expect(cardText(cardOf(request))).toContain(runA);
  // The desk sits in another tenant: the request names the run's tenant and flags its first request.
  expect(cardText(cardOf(request))).toContain('from the Microsoft Teams tenant tenant-a');
  expect(cardText(cardOf(request))).toContain('First request for DEMO from this tenant');
  const assign = actionOf(cardOf(request), 'password_assigned')!;
  const before = await h.store.get(runA);
  const trail = await h.store.audit(runA);

  const fromB = invokeCard(await h.invoke(DESK, SAM, assign, {}, { replyToId: request.id, tenant: 'tenant-b' }));
  expect(cardText(fromB)).not.toContain('Demo Theatre');
  expect(await h.store.get(runA)).toEqual(before);
  expect(await h.store.audit(runA)).toEqual(trail);
  expect(h.logLines.some((l) => l.includes('run of another organisation') && l.includes('teams:tenant-b'))).toBe(true);

  invokeCard(await h.invoke(DESK, SAM, assign, {}, { replyToId: request.id, tenant: 'tenant-desk' }));
  const run = await h.store.get(runA);
  expect(run?.currentStep).toBe('verification');
  // The closed request keeps naming the tenant.
  const closed = h.connector.activities.get(request.id)!;
  expect(closed.updates).toBeGreaterThan(0);
  expect(cardText(cardOf(closed))).toContain('from the Microsoft Teams tenant tenant-a');
  expect(run?.steps.password_request).toMatchObject({ state: 'done', by: { name: 'Sam Support' } });
});

test("with several tenants, an empty SUPPORT_USERS lets no one register the support desk (it would receive every tenant's requests)", async () => {
  h = await startTeamsHarness({
    multiOrg: true,
    appType: 'MultiTenant',
    allowedTenants: ['tenant-a', 'tenant-b'],
    access: { operators: [], support: [] },
  });
  const before = h.connector.posted().length;
  expect((await h.message(DESK, ALEX, 'support-channel here', { mention: true, tenant: 'tenant-b' })).status).toBe(200);
  expect(await h.store.getRefs('__teams__')).not.toHaveProperty('support_channel');
  const answer = h.connector
    .posted()
    .slice(before)
    .map((a) => JSON.stringify(a))
    .join('\n');
  expect(answer).toContain('only SecuTix support (SUPPORT_USERS)');
  // Single-tenant mode keeps "empty list = everyone is support".
  await h.close();
  h = await startTeamsHarness({ access: { operators: [], support: [] } });
  await h.message(DESK, ALEX, 'support-channel here', { mention: true });
  expect(await h.store.getRefs('__teams__')).toHaveProperty('support_channel');
});

test("a listed support id in another tenant neither reads the desk's queue (same conversation id) nor moves the desk", async () => {
  h = await startTeamsHarness({
    multiOrg: true,
    appType: 'MultiTenant',
    allowedTenants: ['tenant-a', 'tenant-b', 'tenant-desk'],
    access: { operators: [], support: [SAM.aadObjectId!] },
  });
  expect((await h.message(DESK, SAM, 'support-channel here', { mention: true, tenant: 'tenant-desk' })).status).toBe(200);
  const runA = await runToSupport('tenant-a');
  const said = async (tenant: string, conv: Conversation, words: string): Promise<string> => {
    const before = h.connector.posted().length;
    await h.message(conv, SAM, words, { mention: true, tenant });
    return h.connector
      .posted()
      .slice(before)
      .map((a) => JSON.stringify(a.activity))
      .join('\n');
  };
  // From the desk's tenant: the queue lists A's run.
  expect(await said('tenant-desk', DESK, 'status')).toContain(runA);
  // The same AAD id and conversation id from tenant-b: no queue.
  expect(await said('tenant-b', DESK, 'status')).not.toContain(runA);
  // Moving the desk from tenant-b: refused, the desk stays where it is.
  const OTHER: Conversation = { id: '19:other-desk@thread.tacv2', conversationType: 'channel' };
  expect(await said('tenant-b', OTHER, 'support-channel here')).toContain('registered in another Microsoft Teams tenant');
  const desk = (await h.store.getRefs('__teams__')).support_channel as { conversation?: { id?: string } };
  expect(desk.conversation?.id).toBe(DESK.id);
});
