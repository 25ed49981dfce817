/**
 * Who may do what, through Bolt's real HTTP receiver (signed requests), the fake Slack Web API
 * on loopback and the real SQLite store: `ALLOWED_OPERATORS` (users and a user group) may start
 * runs and press step buttons, `SUPPORT_USERS` alone may press `password_assigned`, an operator
 * may cancel only their own runs unless they are support; refusals are ephemeral, change
 * nothing and are audited (`refused:not_permitted`); `help` lists only what the caller may use.
 */
import type { FakeSlackMessage } from '../../fakes/fake-slack-api';
import { p50max, RUN_CHANNEL, SUPPORT_CHANNEL, type SlackHarness, wireSlack } from '../../helpers/slack-wire';

const ALEX = { id: 'U0ALEXOP', name: 'alex' }; // operator
const BLAKE = { id: 'U0BLAKEOP', name: 'blake' }; // operator
const SAM = { id: 'U0SAMSUP', name: 'sam' }; // support, not an operator
const GALE = { id: 'U0GALEGRP', name: 'gale' }; // operator through the user group
const OLIVER = { id: 'U0OLIVER', name: 'oliver' }; // nobody
const OPS_GROUP = 'S0OPSTEAM';

type Button = { action_id: string; value: string };
const buttonsOf = (blocks: Record<string, unknown>[] | undefined): Button[] =>
  (blocks ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements as Button[]);

const START_VALUES = (code: string) => ({
  institution_code: code,
  institution_name: `${code} Theatre`,
  channel_code: '',
  digitick_contact_name: 'Camille Martin',
  digitick_contact_email: 'camille.martin@digitick.example',
  language: 'en',
});

describe('Slack surface: who may do what', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await wireSlack({
      env: { ALLOWED_OPERATORS: `${ALEX.id},${BLAKE.id},${OPS_GROUP}`, SUPPORT_USERS: SAM.id },
      userGroups: { [OPS_GROUP]: [GALE.id, 'U0SOMEONE'] },
    });
  });
  afterAll(async () => {
    const acks = Object.fromEntries(
      (['command', 'action', 'view'] as const).map((k) => [k, p50max(h.timings.filter((t) => t.kind === k).map((t) => t.ms))]),
    );
    console.log(
      `slack ack latency with access checks (ms) ${JSON.stringify(acks, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}`,
    );
    await h.close();
  });

  const ephemeralsTo = (user: string) => h.api.callsOf('chat.postEphemeral').filter((c) => c.args.user === user);
  const lastEphemeralTo = (user: string) => String(ephemeralsTo(user).pop()?.args.text ?? '');
  const responsesTo = (id: string) => h.api.callsOf('response_url').filter((c) => c.args.id === id);

  /** Starts a run for `code` as `user` through the command and the start modal. */
  async function startRun(code: string, user: typeof ALEX): Promise<{ runId: string; card: FakeSlackMessage }> {
    const before = new Set(h.api.messages.keys());
    await h.command(`start ${code}`, { user });
    await h.submit('onboard_start', h.lastView().private_metadata, START_VALUES(code), { user, selects: ['language'] });
    const card = [...h.api.messages.values()].find((m) => !before.has(m.ts) && m.channel === RUN_CHANNEL && !m.thread_ts);
    if (!card) throw new Error(`no card posted for ${code}`);
    return { runId: String(card.metadata!.event_payload.run_id), card };
  }
  const stepMessage = (card: FakeSlackMessage, step: string) => {
    const m = h.api
      .messagesIn(RUN_CHANNEL, card.ts)
      .filter((x) => x.metadata?.event_payload.step === step && buttonsOf(x.blocks).length > 0)
      .pop();
    if (!m) throw new Error(`no open message for ${step}`);
    return m;
  };
  const valueOf = (m: FakeSlackMessage, actionId: string) => {
    const b = buttonsOf(m.blocks).find((x) => x.action_id === actionId);
    if (!b) throw new Error(`no ${actionId} button`);
    return b.value;
  };
  const refusedAudit = async (runId: string) =>
    (await h.core.store.audit(runId)).filter((a) => a.outcome === 'refused:not_permitted').map((a) => [a.actor.id, a.action]);

  it('a user not allowed cannot start: ephemeral refusal, no form, no run (even with a forged start form)', async () => {
    const viewsBefore = h.api.callsOf('views.open').length;
    await h.command('start nope', { user: OLIVER, responseUrl: h.api.responseUrl('oliver-start') });
    expect(h.api.callsOf('views.open')).toHaveLength(viewsBefore);
    expect(String(responsesTo('oliver-start')[0]?.args.text)).toContain('not on the list');
    expect(responsesTo('oliver-start')[0]?.args.response_type).toBe('ephemeral');

    // A start form submitted anyway (an old modal, a forged payload) is refused by the core.
    const meta = JSON.stringify({ c: RUN_CHANNEL, r: h.api.responseUrl('oliver-form') });
    await h.submit('onboard_start', meta, START_VALUES('NOPE'), { user: OLIVER, selects: ['language'] });
    expect(String(responsesTo('oliver-form')[0]?.args.text)).toContain('not on the list');
    expect(await h.core.store.list({ institutionCode: 'NOPE' })).toHaveLength(0);
    expect(h.logs.some((l) => l.includes('"outcome":"refused:not_permitted"') && l.includes(OLIVER.id))).toBe(true);
  });

  it('a user not allowed cannot press step_done: ephemeral refusal, run unchanged, refusal audited', async () => {
    const { runId, card } = await startRun('ACCA', ALEX);
    const before = (await h.core.store.get(runId))!;
    const msg = stepMessage(card, 'sales_channel');

    await h.click('step_done', valueOf(msg, 'step_done'), { user: OLIVER, messageTs: msg.ts });

    expect(lastEphemeralTo(OLIVER.id)).toContain('not on the list');
    const after = (await h.core.store.get(runId))!;
    expect(after.version).toBe(before.version);
    expect(after.currentStep).toBe('sales_channel');
    expect(buttonsOf(h.api.messages.get(msg.ts)!.blocks).length).toBeGreaterThan(0);
    expect(await refusedAudit(runId)).toEqual([[OLIVER.id, 'step_done']]);

    // A button that opens a form (contingents) opens nothing for them either.
    await h.click('step_done', valueOf(msg, 'step_done'), { user: ALEX, messageTs: msg.ts });
    await h.click('step_done', valueOf(stepMessage(card, 'point_of_sale'), 'step_done'), { user: ALEX });
    const views = h.api.callsOf('views.open').length;
    await h.click('step_done', valueOf(stepMessage(card, 'contingents'), 'step_done'), { user: OLIVER });
    expect(h.api.callsOf('views.open')).toHaveLength(views);
    expect(await refusedAudit(runId)).toEqual([
      [OLIVER.id, 'step_done'],
      [OLIVER.id, 'step_done'],
    ]);
  });

  it('only SUPPORT_USERS can press password_assigned', async () => {
    const { runId } = await startRun('ACCB', ALEX);
    // Arrange: steps 1 to 7 done by the operator (through the core: not what this test is about).
    const op = { actor: { id: ALEX.id }, surface: 'slack' as const, runId };
    for (const step of ['sales_channel', 'point_of_sale'] as const) await h.core.service.act({ ...op, step, action: 'step_done' });
    await h.core.service.act({ ...op, step: 'contingents', action: 'step_done', contingentIds: [11] });
    await h.core.service.act({ ...op, step: 'technical_contact', action: 'step_done', contactNumber: '000123' });
    for (const step of ['event_products', 'pass_products', 'sales_interface'] as const)
      expect((await h.core.service.act({ ...op, step, action: 'step_done' })).ok).toBe(true);
    const request = h.api.messagesIn(SUPPORT_CHANNEL).find((m) => m.metadata?.event_payload.run_id === runId)!;
    const value = valueOf(request, 'password_assigned');

    // Act: the operator who started the run presses it, then support does.
    await h.click('password_assigned', value, { user: ALEX, channel: SUPPORT_CHANNEL, messageTs: request.ts });
    expect(lastEphemeralTo(ALEX.id)).toContain('only SecuTix support');
    expect((await h.core.store.get(runId))!.currentStep).toBe('password_request');
    expect(await refusedAudit(runId)).toEqual([[ALEX.id, 'password_assigned']]);

    await h.click('password_assigned', value, { user: SAM, channel: SUPPORT_CHANNEL, messageTs: request.ts });
    const run = (await h.core.store.get(runId))!;
    expect(run.currentStep).toBe('verification');
    expect(run.steps.password_request.by?.id).toBe(SAM.id);
  });

  it("an operator cannot cancel someone else's run (button or command), support can, and an operator can cancel their own", async () => {
    const { runId, card } = await startRun('ACCC', BLAKE);
    const msg = stepMessage(card, 'sales_channel');

    await h.click('run_cancel', valueOf(msg, 'run_cancel'), { user: ALEX, messageTs: msg.ts });
    expect(lastEphemeralTo(ALEX.id)).toContain('only the runs you started');
    expect(lastEphemeralTo(ALEX.id)).toContain(`<@${BLAKE.id}>`);
    const cmd = await h.command(`cancel ${runId}`, { user: ALEX });
    expect(cmd.body).toContain('only the runs you started');
    expect(cmd.body).not.toContain('run_cancel'); // no confirm button offered
    expect((await h.core.store.get(runId))!.status).toBe('open');
    expect(await refusedAudit(runId)).toEqual([
      [ALEX.id, 'run_cancel'],
      [ALEX.id, 'run_cancel'],
    ]);

    await h.click('run_cancel', valueOf(msg, 'run_cancel'), { user: SAM, messageTs: msg.ts });
    expect((await h.core.store.get(runId))!).toMatchObject({ status: 'cancelled', endedBy: { id: SAM.id } });

    const own = await startRun('ACCD', ALEX);
    const ownMsg = stepMessage(own.card, 'sales_channel');
    await h.click('run_cancel', valueOf(ownMsg, 'run_cancel'), { user: ALEX, messageTs: ownMsg.ts });
    expect((await h.core.store.get(own.runId))!.status).toBe('cancelled');
  });

  it('a user in an allowed user group may start and press step buttons (membership read with usergroups.users.list)', async () => {
    const { runId, card } = await startRun('ACCE', GALE);
    const msg = stepMessage(card, 'sales_channel');
    await h.click('step_done', valueOf(msg, 'step_done'), { user: GALE, messageTs: msg.ts });
    expect((await h.core.store.get(runId))!.currentStep).toBe('point_of_sale');
    const calls = h.api.callsOf('usergroups.users.list');
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.args.usergroup === OPS_GROUP)).toBe(true);
    // The membership is passed beside the actor, never stored with the run.
    expect(JSON.stringify(await h.core.store.get(runId))).not.toContain(OPS_GROUP);
    console.log(`usergroups.users.list calls over the access tests so far: ${calls.length} (cached for 5 minutes)`);
  });

  it('help lists only the commands the caller may use', async () => {
    const help = async (user: typeof ALEX) => (await h.command('help', { user })).body;
    const operator = await help(ALEX);
    for (const c of ['start', 'status', 'resume', 'cancel', 'product']) expect(operator).toContain(`/digitick-onboard ${c}`);
    const support = await help(SAM);
    expect(support).not.toContain('/digitick-onboard start');
    expect(support).not.toContain('/digitick-onboard resume');
    expect(support).toContain('/digitick-onboard cancel');
    expect(support).toContain('/digitick-onboard status');
    const nobody = await help(OLIVER);
    for (const c of ['start', 'status', 'resume', 'cancel']) expect(nobody).not.toContain(`/digitick-onboard ${c}`);
    expect(nobody).toContain('/digitick-onboard product');
    expect(await help(GALE)).toContain('/digitick-onboard start');

    // And status is refused to them.
    expect((await h.command('status', { user: OLIVER })).body).toContain('not on the list');
  });
});
