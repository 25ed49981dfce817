/**
 * Issue 12: support crosses organisations only from its desk. With the desk in its own workspace
 * (`SECUTIX_SUPPORT_SLACK_CHANNEL=TEAM_ID/CHANNEL_ID`), support's `password_assigned` and the snooze
 * of a support reminder on another organisation's run are accepted only from that workspace: a
 * user of workspace B whose id is the id named in `SUPPORT_USERS` gets the unknown-run answer and
 * nothing changes. Over the real routes (`desk-harness.ts`).
 */
import { buttonsOf } from '../../helpers/slack-drive';
import { A, B, type DeskHarness, HOUR, OPERATOR_A, OPERATOR_B, S, startDesk, SUPPORT, SUPPORT_ID_IN_B } from './desk-harness';

describe("support crosses organisations only from the desk's workspace", () => {
  let h: DeskHarness;
  beforeAll(async () => {
    h = await startDesk();
    for (const ws of [A, B, S]) await h.install(ws.teamId);
  });
  afterAll(async () => {
    await h.close();
  });

  it("a user of B with support's id cannot assign the password or snooze the support reminder of A's run; support in S can", async () => {
    const runA = await h.runToSupport(A, OPERATOR_A, 'DGX1');
    const request = h.deskMessages(runA).find((m) => !m.thread_ts)!;
    expect(buttonsOf(request.blocks).map((b) => b.action_id)).toContain('password_assigned');
    h.clock.now += 5 * HOUR;
    await h.core.service.fireDueReminders();
    expect((await h.core.store.get(runA))?.reminder?.kind).toBe('support');
    // The support reminder's snooze (the service's rule; the Slack reminder shows no button): a
    // click on the request with the button value of password_assigned and the action reminder_snooze.
    const reminder = JSON.parse(JSON.stringify(request).split('"password_assigned"').join('"reminder_snooze"')) as typeof request;
    const before = await h.core.store.get(runA);
    const trail = await h.core.store.audit(runA);
    const logsBefore = h.logs.length;

    await h.press(B, SUPPORT_ID_IN_B, reminder!, 'reminder_snooze');
    await h.press(B, SUPPORT_ID_IN_B, request, 'password_assigned');
    expect(await h.core.store.get(runA)).toEqual(before);
    expect(await h.core.store.audit(runA)).toEqual(trail);
    const refused = h.logs.slice(logsBefore).filter((l) => l.includes('run of another organisation: answered as an unknown run'));
    expect(refused.map((l) => (JSON.parse(l) as { action: string }).action).sort()).toEqual(['password_assigned', 'reminder_snooze']);
    expect(refused.every((l) => l.includes(`slack:${B.teamId}`))).toBe(true);
    // The request is still open in the desk.
    expect(buttonsOf(h.api.messages.get(request.ts)!.blocks).map((b) => b.action_id)).toContain('password_assigned');

    // The same id, from the desk's workspace: both act.
    await h.press(S, SUPPORT, reminder!, 'reminder_snooze');
    expect((await h.core.store.get(runA))?.reminder).toMatchObject({ snoozed: { by: { id: SUPPORT.id } } });
    await h.press(S, SUPPORT, request, 'password_assigned');
    const run = await h.core.store.get(runA);
    expect(run?.currentStep).toBe('verification');
    expect(run?.steps.password_request).toMatchObject({ state: 'done', by: { id: SUPPORT.id } });
  });

  it("on B's own run, a user of B with support's id cannot assign the password either (refused as not support); support in S can", async () => {
    const runB = await h.runToSupport(B, OPERATOR_B, 'DGX2');
    const request = h.deskMessages(runB).find((m) => !m.thread_ts)!;
    const before = await h.core.store.get(runB);
    await h.press(B, SUPPORT_ID_IN_B, request, 'password_assigned');
    expect((await h.core.store.get(runB))?.currentStep).toBe('password_request');
    expect((await h.core.store.get(runB))?.version).toBe(before?.version);
    const trail = await h.core.store.audit(runB);
    expect(trail.at(-1)).toMatchObject({ action: 'password_assigned', outcome: 'refused:not_permitted' });
    await h.press(S, SUPPORT, request, 'password_assigned');
    expect((await h.core.store.get(runB))?.currentStep).toBe('verification');
  });
});
