/**
 * Issue 12 (QA round 2): two workspaces may use the same user id without mixing anything. A user
 * of B with the id of A's operator starts a run in B after A's operator started one in A: B's run
 * is named after B's person (their Slack profile, read with B's token), not after A's person
 * whose profile was read (and cached) first. Over the real routes (`desk-harness.ts`).
 */
import { A, B, type DeskHarness, OPERATOR_A, S, startDesk } from './desk-harness';

/** B's user with the same id as A's operator (another person). */
const SAME_ID_IN_B = { id: OPERATOR_A.id, name: 'bea-k' };

describe('the same user id in two workspaces', () => {
  let h: DeskHarness;
  beforeAll(async () => {
    (B.users as Record<string, { realName: string; email: string }>)[OPERATOR_A.id] = {
      realName: 'Bea Keller',
      email: 'bea@bellevue.example',
    };
    h = await startDesk();
    for (const ws of [A, B, S]) await h.install(ws.teamId);
  });
  afterAll(async () => {
    await h.close();
  });

  it("each run is named after its own workspace's person, and the desk's request names the right one", async () => {
    const runA = await h.runToSupport(A, OPERATOR_A, 'DGS1');
    const runB = await h.runToSupport(B, SAME_ID_IN_B, 'DGS2');
    expect((await h.core.store.get(runA))?.startedBy.name).toBe('Alex Martin');
    expect((await h.core.store.get(runB))?.startedBy.name).toBe('Bea Keller');
    const request = h.deskMessages(runB).find((m) => !m.thread_ts)!;
    const text = JSON.stringify(request.blocks);
    expect(text).toContain('Bea Keller');
    expect(text).not.toContain('Alex Martin');
  });
});
