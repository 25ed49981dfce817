/**
 * Issue 12 QA (HIGH): a Slack OAuth run whose support desk is on Teams showed a thin request
 * ("Requested by u0alex from the Slack workspace T0AAAAAAA"). With the desk elsewhere
 * (`SECUTIX_SUPPORT_DESK=teams`), the Slack side stores who asks when it first delivers in the
 * run's workspace (ref `slack.origin`: workspace name and domain from `auth.test`, requester's
 * name and email from `users.info`, read with that workspace's token; no secret), which the
 * Teams desk shows (`adapters/teams/foreign-support.ts`; rendered in
 * `test/integration/support-desk-across-surfaces.test.ts`).
 */
import { FakeSlackApi } from '../../fakes/fake-slack-api';
import { A, B, type DeskHarness, OPERATOR_A, OPERATOR_B, S, startDesk } from './desk-harness';

describe("the run's Slack origin for a support desk on another platform", () => {
  let h: DeskHarness;
  beforeAll(async () => {
    h = await startDesk({ supportDeskElsewhere: true });
    for (const ws of [A, B, S]) await h.install(ws.teamId);
  });
  afterAll(async () => {
    await h.close();
  });

  it("stores each run's workspace and requester, read in that workspace with its token", async () => {
    const mark = h.api.calls.length;
    const runA = await h.runToSupport(A, OPERATOR_A, 'DGU1');
    const runB = await h.runToSupport(B, OPERATOR_B, 'DGU2');
    expect((await h.core.store.getRefs(runA))['slack.origin']).toEqual({
      teamId: A.teamId,
      workspace: 'Acme Theatre',
      domain: 't0aaaaaaa.slack.test',
      requester: 'Alex Martin',
      email: 'alex.martin@acme.example',
    });
    expect((await h.core.store.getRefs(runB))['slack.origin']).toEqual({
      teamId: B.teamId,
      workspace: 'Bellevue Opera',
      domain: 't0bbbbbbb.slack.test',
      requester: 'Bea Keller',
      email: 'bea@bellevue.example',
    });
    const calls = h.api.calls.slice(mark);
    const usersInfo = (user: string) => calls.filter((c) => c.method === 'users.info' && c.args.user === user);
    expect(usersInfo(OPERATOR_A.id).map((c) => FakeSlackApi.tokenOf(c))).toContain(h.token(A));
    expect(usersInfo(OPERATOR_B.id).map((c) => FakeSlackApi.tokenOf(c))).toContain(h.token(B));
    const stored = JSON.stringify(await h.core.store.getRefs(runA));
    for (const ws of [A, B, S]) expect(stored).not.toContain(h.token(ws));
  });
});
