/**
 * Issue 12 QA: workspace A's token stops working without any `tokens_revoked` / `app_uninstalled`
 * event (Slack answers `invalid_auth` with it). The first delivery refused that way makes A
 * unavailable, as an uninstall does: the items stay in the outbox, are not retried in a loop (no
 * more calls with the refused token), the desk is told once, the desk's own messages go on, and
 * a reinstall of A through the real OAuth routes sends what waits, once, in order.
 */
import { FakeSlackApi } from '../../fakes/fake-slack-api';
import { buttonsOf } from '../../helpers/slack-drive';
import { A, type DeskHarness, HOUR, OPERATOR_A, S, startDesk, SUPPORT } from './desk-harness';

describe('a workspace whose token Slack refuses, without an uninstall event', () => {
  let h: DeskHarness;
  beforeAll(async () => {
    h = await startDesk({ env: { REMIND_AFTER_HOURS: '24' } });
    for (const ws of [A, S]) await h.install(ws.teamId);
  });
  afterAll(async () => {
    await h.close();
  });

  it('is blocked (kept, not retried, desk told once, token dropped) and released by a reinstall', async () => {
    const runA = await h.runToSupport(A, OPERATOR_A, 'DGU1');
    const request = h.deskMessages(runA).find((m) => !m.thread_ts)!;
    const oldTokenA = h.token(A);
    h.api.revokeTokensOf(A.teamId); // Slack side only: no event reaches the app
    const notices = () => h.api.messagesIn(S.channels[0]!).filter((m) => (m.text ?? '').includes('no longer installed'));

    const before = h.api.calls.length;
    await h.press(S, SUPPORT, request, 'password_assigned');
    expect((await h.core.store.get(runA))?.currentStep).toBe('verification');
    const refusedCalls = () => h.api.calls.slice(before).filter((c) => FakeSlackApi.tokenOf(c) === oldTokenA);
    expect(refusedCalls()).toHaveLength(1); // one attempt, answered invalid_auth
    expect(refusedCalls()[0]!.error).toBe('invalid_auth');
    const waiting = await h.core.store.pendingOutbox(100, runA);
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting.every((i) => i.attempts === 0)).toBe(true); // not counted toward a give-up
    expect(notices()).toHaveLength(1);
    expect(buttonsOf(h.api.messages.get(request.ts)!.blocks)).toEqual([]); // the desk's close went out

    // Polls, a reminder, many hours: no call with the refused token, no give-up, no second notice.
    for (let i = 0; i < 12; i++) {
      h.clock.now += 3 * HOUR;
      await h.core.service.fireDueReminders();
      await h.core.service.pollOnce();
    }
    expect(refusedCalls()).toHaveLength(1);
    expect(notices()).toHaveLength(1);
    const held = await h.core.store.pendingOutbox(100, runA);
    expect(held.length).toBeGreaterThanOrEqual(waiting.length);
    expect(held.every((i) => i.attempts === 0)).toBe(true);
    expect(h.logs.filter((l) => l.includes('delivery given up'))).toEqual([]);
    expect(h.logs.join('\n')).not.toContain(oldTokenA);

    // Reinstall A: what waits goes out with the new token, once, in order.
    const mark = h.api.calls.length;
    await h.install(A.teamId);
    await h.core.service.pollOnce();
    expect(await h.core.store.pendingOutbox(100, runA)).toEqual([]);
    const sent = h.api.calls.slice(mark).filter((c) => c.method === 'chat.postMessage' && c.args.channel === A.channels[0]);
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent.map((c) => FakeSlackApi.tokenOf(c)))).toEqual(new Set([h.token(A)]));
    const ids = h.api
      .messagesIn(A.channels[0]!)
      .map((m) => m.metadata?.event_payload.delivery_id)
      .filter((id): id is number => typeof id === 'number');
    expect(new Set(ids).size).toBe(ids.length);
    const released = ids.filter((id) => held.some((i) => i.id === id));
    expect(released).toEqual([...released].sort((a, b) => a - b));
    expect(notices()).toHaveLength(1);
  });
});
