/**
 * Issue 12, uninstalled workspace, twice: the desk's "told once" record is re-armed when a
 * reinstall lets the run's waiting messages out, so a second uninstall of the same workspace in
 * the same run is reported again (once). All through the real routes: `app_uninstalled` events,
 * the OAuth install routes, support's click in the desk, a reminder.
 */
import { shown } from '../../helpers/slack-drive';
import { A, type DeskHarness, HOUR, OPERATOR_A, S, startDesk, SUPPORT } from './desk-harness';

describe('a workspace that uninstalls the app, is reinstalled, and uninstalls it again', () => {
  let h: DeskHarness;
  beforeAll(async () => {
    h = await startDesk({ env: { REMIND_AFTER_HOURS: '24' } });
    for (const ws of [A, S]) await h.install(ws.teamId);
  });
  afterAll(async () => {
    await h.close();
  });

  it('the desk hears each loss once: two uninstalls, two notices', async () => {
    const runA = await h.runToSupport(A, OPERATOR_A, 'DGU3');
    const request = h.deskMessages(runA).find((m) => !m.thread_ts)!;
    const notices = () =>
      h.api.messagesIn(S.channels[0]!).filter((m) => (m.text ?? '').includes('no longer installed') && shown(m).includes(runA));

    await h.uninstall(A, 'Ev0AGAIN0001');
    await h.press(S, SUPPORT, request, 'password_assigned');
    for (let i = 0; i < 3; i++) await h.core.service.pollOnce();
    expect(notices()).toHaveLength(1);

    // Reinstall: what waited goes out; no new notice.
    await h.install(A.teamId);
    await h.core.service.pollOnce();
    expect(await h.core.store.pendingOutbox(100, runA)).toEqual([]);
    expect(notices()).toHaveLength(1);

    // Uninstalled again: the next blocked delivery (a reminder) is reported again, once.
    await h.uninstall(A, 'Ev0AGAIN0002');
    h.clock.now += 25 * HOUR;
    await h.core.service.fireDueReminders();
    for (let i = 0; i < 5; i++) await h.core.service.pollOnce();
    const held = await h.core.store.pendingOutbox(100, runA);
    expect(held.map((i) => i.effect.type)).toContain('reminder');
    expect(notices()).toHaveLength(2);
    const run = (await h.core.store.get(runA))!;
    await h.core.notifiers.slack!.deliveryBlocked!(run, held[0]!.effect, { reason: 'not_installed' });
    expect(notices()).toHaveLength(2);
    expect(shown(notices()[1]!)).toContain('Slack workspace Acme Theatre (T0AAAAAAA)');
  });
});
