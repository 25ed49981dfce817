/**
 * Issue 12: the support request in SecuTix's own workspace carries no link to the run's thread
 * (a permalink of workspace A opens only in A): it names the workspace and the run id instead;
 * the support reminders and the closed request too. Over the real routes (`desk-harness.ts`).
 */
import { shown } from '../../helpers/slack-drive';
import { A, type DeskHarness, HOUR, OPERATOR_A, S, startDesk, SUPPORT } from './desk-harness';

describe('links across organisations', () => {
  let h: DeskHarness;
  beforeAll(async () => {
    h = await startDesk();
    for (const ws of [A, S]) await h.install(ws.teamId);
  });
  afterAll(async () => {
    await h.close();
  });

  it('the request, its reminder and its close name the workspace and the run, with no link that cannot open', async () => {
    const before = h.api.calls.length;
    const runA = await h.runToSupport(A, OPERATOR_A, 'DGL1');
    const request = h.deskMessages(runA).find((m) => !m.thread_ts)!;
    const text = shown(request);
    expect(text).toContain(`Onboarding run ${runA}, in the Slack workspace Acme Theatre (no link: the run opens only there)`);
    expect(text).not.toContain('fake.slack.test/archives');
    expect(JSON.stringify(request.blocks)).not.toContain('https://');
    // No permalink was even asked for.
    expect(h.api.calls.slice(before).filter((c) => c.method === 'chat.getPermalink')).toEqual([]);

    h.clock.now += 5 * HOUR;
    await h.core.service.fireDueReminders();
    const reminder = h.api.messagesIn(S.channels[0]!).find((m) => m.thread_ts === request.ts)!;
    expect(reminder).toBeDefined();
    expect(shown(reminder)).toContain(`Run ${runA} is in the Slack workspace Acme Theatre (no link: the run opens only there).`);
    expect(JSON.stringify(reminder.blocks)).not.toContain('https://');

    await h.press(S, SUPPORT, request, 'password_assigned');
    const closed = h.api.messages.get(request.ts)!;
    expect(shown(closed)).toContain('Password assigned by');
    expect(shown(closed)).toContain(`Onboarding run ${runA}, in the Slack workspace Acme Theatre`);
    expect(JSON.stringify(closed.blocks)).not.toContain('https://');
  });
});
