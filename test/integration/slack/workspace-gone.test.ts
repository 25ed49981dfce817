/**
 * Issue 12, uninstalled workspace: workspace A uninstalls the app mid-run (`app_uninstalled`
 * through the real events route); support's click in the desk (S) and a later reminder produce
 * deliveries for A that are blocked: they stay in the outbox, are not retried in a loop, and the
 * desk hears it once (which organisation, which run, what waits, that a reinstall sends it).
 * Reinstalling A through the real OAuth routes sends the waiting messages in order, once.
 * The desk's own messages (the close of the request, in S with S's token) do not wait on A's
 * installation: the outbox keeps the order per destination (the run's thread, the desk).
 */
import { FakeSlackApi } from '../../fakes/fake-slack-api';
import { buttonsOf, shown } from '../../helpers/slack-drive';
import { A, type DeskHarness, HOUR, OPERATOR_A, S, startDesk, SUPPORT } from './desk-harness';

describe('a workspace that uninstalls the app mid-run', () => {
  let h: DeskHarness;
  beforeAll(async () => {
    h = await startDesk({ env: { REMIND_AFTER_HOURS: '24' } });
    for (const ws of [A, S]) await h.install(ws.teamId);
  });
  afterAll(async () => {
    await h.close();
  });

  it('blocked deliveries are kept and reported to the desk once; a reinstall sends them in order, once', async () => {
    const runA = await h.runToSupport(A, OPERATOR_A, 'DGU1');
    const request = h.deskMessages(runA).find((m) => !m.thread_ts)!;
    const oldTokenA = h.token(A);
    await h.uninstall(A, 'Ev0GONE0001');
    const notices = () => h.api.messagesIn(S.channels[0]!).filter((m) => (m.text ?? '').includes('no longer installed'));
    expect(notices()).toHaveLength(0);

    // Support's click: the run moves on (saved), its messages for A wait.
    const before = h.api.calls.length;
    await h.press(S, SUPPORT, request, 'password_assigned');
    expect((await h.core.store.get(runA))?.currentStep).toBe('verification');
    const waiting = await h.core.store.pendingOutbox(100, runA);
    expect(waiting.length).toBeGreaterThan(0);
    // The close of the request went out at once, in S with S's token: only A's messages wait.
    expect(waiting.map((i) => i.effect.type)).not.toContain('support_closed');
    expect(buttonsOf(h.api.messages.get(request.ts)!.blocks)).toEqual([]);
    const closeCall = h.api.calls
      .slice(before)
      .find((c) => c.method === 'chat.update' && c.args.channel === S.channels[0] && c.args.ts === request.ts);
    expect(closeCall && FakeSlackApi.tokenOf(closeCall)).toBe(h.token(S));
    const [notice] = notices();
    expect(notices()).toHaveLength(1);
    const text = shown(notice!);
    expect(text).toContain('Slack workspace Acme Theatre (T0AAAAAAA)');
    expect(text).toContain(runA);
    expect(text).toContain(`${waiting.length} messages are waiting`);
    expect(text).toContain('reinstalling the assistant in that workspace (/slack/install) sends them, in order');
    const noticeCall = h.api.calls.slice(before).find((c) => c.method === 'chat.postMessage' && c.args.channel === S.channels[0]);
    expect(noticeCall && FakeSlackApi.tokenOf(noticeCall)).toBe(h.token(S));

    // Polls and a reminder: still blocked, nothing sent for A, no loop, no second notice.
    h.clock.now += 25 * HOUR;
    await h.core.service.fireDueReminders();
    for (let i = 0; i < 5; i++) await h.core.service.pollOnce();
    const after = h.api.calls.slice(before);
    expect(after.filter((c) => c.args.channel === A.channels[0])).toEqual([]);
    expect(after.filter((c) => FakeSlackApi.tokenOf(c) === oldTokenA)).toEqual([]);
    expect(notices()).toHaveLength(1);
    const held = await h.core.store.pendingOutbox(100, runA);
    expect(held.length).toBeGreaterThan(waiting.length); // the reminder waits behind them
    expect(held.map((i) => i.effect.type)).toContain('reminder');
    expect(h.logs.filter((l) => l.includes('delivery blocked') && l.includes(runA)).length).toBe(1);
    // A restarted process or another replica meets the same blocked delivery: the desk was told already.
    const run = (await h.core.store.get(runA))!;
    await h.core.notifiers.slack!.deliveryBlocked!(run, held[0]!.effect, { reason: 'not_installed' });
    expect(notices()).toHaveLength(1);

    // Reinstall A: everything waiting goes out, in order, once, with A's new token.
    const mark = h.api.calls.length;
    await h.install(A.teamId);
    await h.core.service.pollOnce();
    expect(await h.core.store.pendingOutbox(100, runA)).toEqual([]);
    const sent = h.api.calls.slice(mark).filter((c) => c.method === 'chat.postMessage' && c.args.channel === A.channels[0]);
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent.map((c) => FakeSlackApi.tokenOf(c)))).toEqual(new Set([h.token(A)]));
    const deliveryIds = h.api
      .messagesIn(A.channels[0]!)
      .map((m) => m.metadata?.event_payload.delivery_id)
      .filter((id): id is number => typeof id === 'number');
    expect(new Set(deliveryIds).size).toBe(deliveryIds.length); // nothing twice
    const released = held.map((i) => i.id).filter((id) => deliveryIds.includes(id));
    const order = deliveryIds.filter((id) => released.includes(id));
    expect(order.length).toBeGreaterThanOrEqual(2);
    expect(order).toEqual([...order].sort((a, b) => a - b)); // in order
    const prompts = h.api
      .messagesIn(A.channels[0]!)
      .filter((m) => m.metadata?.event_payload.run_id === runA && m.metadata.event_payload.step === 'verification')
      .filter((m) => buttonsOf(m.blocks).some((b) => b.action_id === 'verify_start'));
    expect(prompts).toHaveLength(1);
    // The request in the desk is closed; still one notice.
    expect(buttonsOf(h.api.messages.get(request.ts)!.blocks)).toEqual([]);
    expect(notices()).toHaveLength(1);
  });
});
