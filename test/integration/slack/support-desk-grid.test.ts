/**
 * Issue 12 QA: SecuTix's desk workspace is part of an Enterprise Grid organisation where the app
 * is installed org-wide (`SECUTIX_SUPPORT_SLACK_CHANNEL=ENTERPRISE_ID/TEAM_ID/CHANNEL_ID`). The
 * desk's token lookup finds the organisation's installation: the request is posted in the desk
 * with that token (it used to be blocked for good as "not installed in T0SECUTIX"), support's
 * click there moves the run on in A's thread with A's token, and the request closes.
 */
import { FakeSlackApi } from '../../fakes/fake-slack-api';
import { buttonsOf } from '../../helpers/slack-drive';
import { A, type DeskHarness, OPERATOR_A, S, S_ENTERPRISE, startDesk, SUPPORT } from './desk-harness';

describe('the support desk on an Enterprise Grid org-wide installation', () => {
  let h: DeskHarness;
  beforeAll(async () => {
    h = await startDesk({ deskOrgWide: true });
    await h.install(A.teamId);
    await h.install(S_ENTERPRISE.enterpriseId);
  });
  afterAll(async () => {
    await h.close();
  });

  it('posts the request with the organisation-wide token; the click in the desk moves the run on', async () => {
    const runA = await h.runToSupport(A, OPERATOR_A, 'DGA1');
    await h.core.service.pollOnce();
    expect(await h.core.store.pendingOutbox(100, runA)).toEqual([]);
    const request = h.deskMessages(runA).find((m) => !m.thread_ts);
    expect(request).toBeDefined();
    const post = h.api.callsOf('chat.postMessage').find((c) => c.args.channel === S.channels[0]);
    expect(post && FakeSlackApi.tokenOf(post)).toBe(h.token(S));
    expect(h.logs.filter((l) => l.includes('delivery blocked'))).toEqual([]);

    const mark = h.api.calls.length;
    await h.press(S, SUPPORT, request!, 'password_assigned');
    expect((await h.core.store.get(runA))?.currentStep).toBe('verification');
    expect(buttonsOf(h.api.messages.get(request!.ts)!.blocks)).toEqual([]);
    const inA = h.api.calls.slice(mark).filter((c) => c.method === 'chat.postMessage' && c.args.channel === A.channels[0]);
    expect(inA.length).toBeGreaterThan(0);
    expect(new Set(inA.map((c) => FakeSlackApi.tokenOf(c)))).toEqual(new Set([h.token(A)]));
    expect(h.openMessage(A.channels[0]!, runA, 'verification', 'verify_start')).toBeDefined();
  });
});
