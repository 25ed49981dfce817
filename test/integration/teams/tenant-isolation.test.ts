/**
 * Issue 12, "Teams: several tenants": a multi-tenant bot registration (`MICROSOFT_APP_TYPE=
 * MultiTenant`, multi-organisation mode) over loopback: the real `CloudAdapter` behind
 * `POST /api/messages`, the fake Bot Framework connector, the real SQLite store. A user of tenant
 * B naming tenant A's run (commands, card buttons) gets exactly the answer of an unknown run id,
 * and nothing changes; B's own run for the same codes works; `ALLOWED_TENANTS` still filters;
 * the same activity id from two tenants is two activities.
 */
import { loadConfig } from '../../../adapters/config';
import {
  actionOf,
  ALEX,
  type Card,
  cardOf,
  cardText,
  type Conversation,
  invokeCard,
  latestWithAction,
  startTeamsHarness,
  type TeamsHarness,
} from './helpers';

const PERSONAL: Conversation = { id: 'a:personal-same-id', conversationType: 'personal' };
/** Tenant B's user: the very same ids as Alex (the test is about ids colliding across tenants). */
const BEA = { ...ALEX, name: 'Bea Bellevue' };
const UNKNOWN_ID = 'ZZZZ9999';
const inputs = (name: string) => ({
  institution_code: 'TISO',
  institution_name: name,
  channel_code: 'DGTK',
  digitick_contact_name: 'Camille Martin',
  digitick_contact_email: 'camille.martin@digitick.example',
  language: 'en',
});

let h: TeamsHarness;

beforeEach(async () => {
  h = await startTeamsHarness({ multiOrg: true, appType: 'MultiTenant', allowedTenants: ['tenant-a', 'tenant-b'] });
});

afterEach(async () => {
  await h.close();
});

async function startRun(tenant: string, name: string): Promise<string> {
  const before = h.connector.posted().length;
  expect((await h.message(PERSONAL, ALEX, 'start', { tenant })).status).toBe(200);
  const form = h.connector
    .posted()
    .slice(before)
    .find((a) => actionOf(cardOf(a), 'onboard_start'))!;
  const started = invokeCard(
    await h.invoke(PERSONAL, tenant === 'tenant-a' ? ALEX : BEA, actionOf(cardOf(form), 'onboard_start')!, inputs(name), {
      replyToId: form.id,
      tenant,
    }),
  );
  return /Run ([A-Z0-9]{8})/.exec(String(started.body[0]!.text))![1]!;
}

/** The texts of the cards posted since `from`, with `id` replaced. */
const postedSince = (from: number, id: string): string[] =>
  h.connector
    .posted()
    .slice(from)
    .map((a) => cardText(cardOf(a)).split(id).join('<id>'));

test('MICROSOFT_APP_TYPE=MultiTenant turns multi-organisation mode on; SingleTenant and the default do not', () => {
  const base = { TEAMS_ENABLED: 'true', MICROSOFT_APP_ID: 'app-id', MICROSOFT_APP_PASSWORD: 'pw', DATABASE_URL: 'sqlite::memory:' };
  expect(loadConfig({ ...base, MICROSOFT_APP_TYPE: 'MultiTenant' }).multiOrg).toBe(true);
  expect(loadConfig({ ...base, MICROSOFT_APP_TYPE: 'SingleTenant', MICROSOFT_APP_TENANT_ID: 't1' }).multiOrg).toBe(false);
  expect(loadConfig(base).multiOrg).toBe(false);
});

test("tenant B naming tenant A's run gets the answer of an unknown run, for commands and card buttons, and nothing changes", async () => {
  const runA = await startRun('tenant-a', 'Acme Private Theatre');
  expect((await h.store.get(runA))?.org).toBe('teams:tenant-a');
  const before = await h.store.get(runA);
  const trail = await h.store.audit(runA);

  for (const word of ['status', 'resume', 'cancel', 'audit']) {
    const answers: string[][] = [];
    for (const id of [runA, UNKNOWN_ID]) {
      const mark = h.connector.posted().length;
      expect((await h.message(PERSONAL, BEA, `${word} ${id}`, { tenant: 'tenant-b' })).status).toBe(200);
      answers.push(postedSince(mark, id));
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]!.join('\n')).toContain('<id>');
    expect(answers[0]!.join('\n')).not.toContain('Acme Private Theatre');
  }

  const step = latestWithAction(h.connector, 'step_done', 'sales_channel');
  for (const verb of ['step_done', 'run_cancel']) {
    const action = actionOf(cardOf(step), verb)!;
    const data = action.data as Record<string, unknown>;
    const cards: Card[] = [];
    for (const runId of [runA, UNKNOWN_ID]) {
      const answer = await h.invoke(PERSONAL, BEA, { ...action, data: { ...data, runId } }, {}, { replyToId: step.id, tenant: 'tenant-b' });
      cards.push(invokeCard(answer));
    }
    expect(JSON.stringify(cards[0]).split(runA).join('<id>')).toBe(JSON.stringify(cards[1]).split(UNKNOWN_ID).join('<id>'));
    expect(JSON.stringify(cards[0])).not.toContain('Acme Private Theatre');
  }

  expect(await h.store.get(runA)).toEqual(before);
  expect(await h.store.audit(runA)).toEqual(trail);
  // Tenant A itself still reaches it.
  const mark = h.connector.posted().length;
  await h.message(PERSONAL, ALEX, `status ${runA}`, { tenant: 'tenant-a' });
  expect(postedSince(mark, runA).join('\n')).toContain('Acme Private Theatre');
});

test('tenant B runs its own run for the same codes; status lists each tenant its own; ALLOWED_TENANTS still filters', async () => {
  const runA = await startRun('tenant-a', 'Acme Private Theatre');
  const runB = await startRun('tenant-b', 'Bellevue Opera House');
  expect(runB).not.toBe(runA);
  expect((await h.store.get(runB))?.org).toBe('teams:tenant-b');
  const step = latestWithAction(h.connector, 'step_done', 'sales_channel');
  expect((step.activity.attachments as unknown[]).length).toBeGreaterThan(0);
  const moved = await h.invoke(PERSONAL, BEA, actionOf(cardOf(step), 'step_done')!, {}, { replyToId: step.id, tenant: 'tenant-b' });
  expect(moved.status).toBe(200);
  expect((await h.store.get(runB))?.currentStep).toBe('point_of_sale');
  expect((await h.store.get(runA))?.currentStep).toBe('sales_channel');

  const status = async (tenant: string) => {
    const mark = h.connector.posted().length;
    await h.message(PERSONAL, ALEX, 'status', { tenant });
    return postedSince(mark, '\u0000').join('\n');
  };
  const seenByB = await status('tenant-b');
  expect(seenByB).toContain(runB);
  expect(seenByB).not.toContain(runA);
  const seenByA = await status('tenant-a');
  expect(seenByA).toContain(runA);
  expect(seenByA).not.toContain(runB);

  const refused = await h.message(PERSONAL, ALEX, 'status', { tenant: 'tenant-c' });
  expect(refused.status).toBe(403);
});

test('the same activity id from two tenants is handled for each (dedupe keys per tenant); a redelivery in one tenant is not', async () => {
  const replies = async (tenant: string) => {
    const mark = h.connector.posted().length;
    expect((await h.message(PERSONAL, ALEX, 'help', { tenant, id: 'same-activity-id' })).status).toBe(200);
    return h.connector.posted().length - mark;
  };
  expect(await replies('tenant-a')).toBe(1);
  expect(await replies('tenant-b')).toBe(1);
  expect(await replies('tenant-a')).toBe(0);
});

test('single-tenant mode (default): the tenant is recorded on the run, not enforced (unchanged behaviour)', async () => {
  const single = await startTeamsHarness();
  try {
    expect(single.service.multiOrg).toBe(false);
    const before = single.connector.posted().length;
    await single.message(PERSONAL, ALEX, 'start', { tenant: 'tenant-a' });
    const form = single.connector
      .posted()
      .slice(before)
      .find((a) => actionOf(cardOf(a), 'onboard_start'))!;
    const started = invokeCard(
      await single.invoke(PERSONAL, ALEX, actionOf(cardOf(form), 'onboard_start')!, inputs('Acme Private Theatre'), {
        replyToId: form.id,
        tenant: 'tenant-a',
      }),
    );
    const runId = /Run ([A-Z0-9]{8})/.exec(String(started.body[0]!.text))![1]!;
    expect((await single.store.get(runId))?.org).toBe('teams:tenant-a');
    const mark = single.connector.posted().length;
    await single.message(PERSONAL, BEA, `status ${runId}`, { tenant: 'tenant-b' });
    const text = single.connector
      .posted()
      .slice(mark)
      .map((a) => cardText(cardOf(a)))
      .join('\n');
    expect(text).toContain('Acme Private Theatre');
  } finally {
    await single.close();
  }
});
