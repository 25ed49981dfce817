/**
 * QA round 4 (issue 9): a rate-limited `users.info` (the user's language and name) must not hold
 * back the other Web API calls. A WebClient waiting out a 429 pauses every call it makes, so the
 * start form's `views.open` went out 20 s after the command, long after its 3 s trigger expired.
 * The look-ups now have their own client that rejects a 429 at once (default language, handle).
 */
import { OPERATOR, type SlackHarness, SUPPORT_USER, wireSlack } from '../../helpers/slack-wire';

let h: SlackHarness;
afterEach(async () => {
  await h.close();
});

test('users.info answering 429 (Retry-After 20 s): the start form still opens at once, in the default language', async () => {
  h = await wireSlack({ env: { ALLOWED_OPERATORS: OPERATOR.id, SUPPORT_USERS: SUPPORT_USER.id } });
  h.api.fail('users.info', { kind: 'rate_limited', retryAfterSeconds: 20, times: 50 });
  const sent = Date.now();
  const answer = await h.command('start demo');
  expect(answer.status).toBe(200);
  const open = await waitForCall(h, 'views.open', 10_000);
  // Slack's trigger_id lives 3 s: the form must be opened well within it.
  expect(open.at - sent).toBeLessThan(3000);
  expect(h.lastView().callback_id).toBe('onboard_start');
  expect(h.api.callsOf('users.info').some((c) => c.status === 429)).toBe(true);
});

async function waitForCall(w: SlackHarness, method: string, timeoutMs: number): Promise<{ at: number }> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const call = w.api.callsOf(method)[0];
    if (call) return call;
    if (Date.now() > end) throw new Error(`no ${method} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
