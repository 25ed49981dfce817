/**
 * Issue 8 in Slack: acks stay immediate while a verification waits for SecuTix. The sandbox
 * extracts the catalog asynchronously (`in_progress` for a while); the password modal's submission is acked (closed) before the verification
 * finishes, and a slash command and a click sent during the wait are acked and handled while
 * the catalog call is still pending (ordering asserted, no timing threshold). The progress
 * message shows the wait and ends as the pointer to the report. Bolt's real HTTP receiver
 * (signed requests, sent without waiting for the work after the ack), the fake Slack Web API on
 * loopback, the real SQLite store, the real SecuTix client against the sandbox over HTTP.
 */
import { demoHints } from '../../../adapters/sandbox';
import type { FakeSlackMessage } from '../../fakes/fake-slack-api';
import { buttonsOf, driveToVerification, shown } from '../../helpers/slack-drive';
import { blockActionsPayload, commandBody, interactionBody, postSigned, viewSubmissionPayload } from '../../helpers/slack-signing';
import { OPERATOR, RUN_CHANNEL, SIGNING_SECRET, type SlackHarness, wireSlack } from '../../helpers/slack-wire';

const demo = demoHints();

/** Waits until `cond()` holds (checked every 20 ms); fails after `limitMs` (a hang, not a timing check). */
async function until(cond: () => boolean | Promise<boolean>, what: string, limitMs = 20_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Slack: acks while a verification waits for SecuTix', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    // SecuTix polled every 250 ms (default 5 s) so the extraction below shows several polls.
    h = await wireSlack({ env: { SECUTIX_POLL_INTERVAL_MS: '250' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('acks the password submission, a command and a click while the catalog call is pending; the progress ends as a pointer', async () => {
    const r = await driveToVerification(h);
    const sandbox = h.core.sandbox!.instance.state;
    // SecuTix extracts the catalog asynchronously: `in_progress` (no requestId) for a while, polled by the client.
    sandbox.setExtractionMs(4000, 'DEMO');
    const catalogCalls = () => sandbox.log.filter((c) => c.method === 'getCatalogDetailed');
    const catalogAnswered = () => catalogCalls().some((c) => c.statusCode === 'success');
    const catalogPending = () => catalogCalls().some((c) => c.statusCode === 'in_progress') && !catalogAnswered();
    const events = `${h.baseUrl}/slack/events`;

    await r.press('verification', 'verify_start');
    const pw = await postSigned(
      events,
      interactionBody(
        viewSubmissionPayload({
          user: OPERATOR.id,
          userName: OPERATOR.name,
          callbackId: 'onboard_password',
          privateMetadata: h.lastView().private_metadata,
          values: { operator_password: demo.password },
        }),
      ),
      { secret: SIGNING_SECRET },
    );
    // The modal closed at once: acked before the verification finished.
    expect([pw.status, pw.body]).toEqual([200, '']);
    expect(catalogAnswered()).toBe(false);
    expect((await h.core.store.get(r.runId))?.verification).toBeUndefined();

    await until(catalogPending, 'the catalog call reaches the sandbox');
    // The progress message is posted while the verification waits: the catalog's checks are waiting.
    const progress = (): FakeSlackMessage | undefined => r.thread().find((m) => typeof m.metadata?.event_payload.progress_id === 'string');
    await until(() => shown(progress() ?? { blocks: [] }).includes('Events on sale: waiting'), 'the progress shows the catalog wait');
    expect(shown(progress()!)).toContain('Verifying the setup of DEMO');

    // A slash command during the wait: answered, with its content, while the catalog is still pending.
    const cmd = await postSigned(
      events,
      commandBody({
        text: `status ${r.runId}`,
        user_id: OPERATOR.id,
        user_name: OPERATOR.name,
        channel_id: RUN_CHANNEL,
        response_url: h.api.responseUrl('during-wait'),
      }),
      { secret: SIGNING_SECRET },
    );
    expect(cmd.status).toBe(200);
    expect(JSON.stringify(cmd.json)).toContain(r.runId);
    expect(catalogPending()).toBe(true);

    // A click during the wait: acked, and its work (a modal opened) done, while the catalog is still pending.
    const opened = h.api.callsOf('views.open').length;
    const step = r.openMessage('verification', 'answers_edit');
    const click = await postSigned(
      events,
      interactionBody(
        blockActionsPayload({
          user: OPERATOR.id,
          userName: OPERATOR.name,
          channel: RUN_CHANNEL,
          messageTs: step.ts,
          actionId: 'answers_edit',
          value: buttonsOf(step.blocks).find((b) => b.action_id === 'answers_edit')!.value,
        }),
      ),
      { secret: SIGNING_SECRET },
    );
    expect(click.status).toBe(200);
    await until(() => h.api.callsOf('views.open').length > opened, 'the click opens its modal');
    expect(h.lastView().callback_id).toBe('onboard_answers');
    expect(catalogPending()).toBe(true);
    expect((await h.core.store.get(r.runId))?.verification).toBeUndefined();

    console.log(
      `acks during a catalog extraction (ms, printed, not asserted): password submit ${Math.round(pw.ms)}, command ${Math.round(cmd.ms)}, click ${Math.round(click.ms)}`,
    );
    // Then the verification finishes: the report is posted and the progress message points to it.
    await h.surface.idle();
    const run = await h.core.store.get(r.runId);
    expect(run?.verification?.passed).toBe(true);
    expect(run?.currentStep).toBe('email_draft');
    expect(catalogCalls().filter((c) => c.statusCode === 'in_progress').length).toBeGreaterThanOrEqual(2);
    const progressPost = () => {
      const post = h.api
        .callsOf('chat.postMessage')
        .find((c) => typeof (c.args.metadata as { event_payload?: { progress_id?: unknown } })?.event_payload?.progress_id === 'string')!;
      return { text: String(post.args.text), blocks: post.args.blocks as Record<string, unknown>[] };
    };
    const final = progress()!;
    // Edited in place while SecuTix extracted (the waited time refreshed), then turned into the pointer.
    const edits = h.api.callsOf('chat.update').filter((c) => c.args.ts === final.ts);
    const waits = new Set(edits.map((c) => JSON.stringify(c.args.blocks)).filter((b) => b.includes('preparing the catalog')));
    expect(waits.size + (shown(progressPost()).includes('preparing the catalog') ? 1 : 0)).toBeGreaterThanOrEqual(2);
    expect(shown(final)).toContain('Every check passed: the report is below.');
    expect(
      h.api
        .callsOf('chat.postMessage')
        .filter((c) => typeof (c.args.metadata as { event_payload?: { progress_id?: unknown } })?.event_payload?.progress_id === 'string'),
    ).toHaveLength(1);
    for (const m of h.api.messages.values()) expect(shown(m)).not.toMatch(/Verifying/i);
  });

  it('a lost answer to the progress post is found in the thread, not posted twice; a refused edit does not stop the verification', async () => {
    const h2 = await wireSlack();
    try {
      const r = await driveToVerification(h2);
      h2.core.sandbox!.instance.state.setFaults([{ institution: 'DEMO', method: 'getCatalogDetailed', latencyMs: 2500 }]);
      await r.press('verification', 'verify_start');
      const view = h2.lastView();
      // The progress post lands but its answer is a 500 (Slack may have posted it); the next edit is refused.
      h2.api.fail('chat.postMessage', { kind: 'lands_then_http', status: 500 });
      h2.api.fail('chat.update', { kind: 'slack_error', error: 'cant_update_message' });
      await h2.submit('onboard_password', view.private_metadata, { operator_password: demo.password });
      const run = await h2.core.store.get(r.runId);
      expect(run?.verification?.passed).toBe(true);
      expect(run?.currentStep).toBe('email_draft');
      const progress = r.thread().filter((m) => typeof m.metadata?.event_payload.progress_id === 'string');
      expect(progress).toHaveLength(1);
      expect(h2.api.callsOf('conversations.replies').length).toBeGreaterThanOrEqual(1);
      const edits = h2.api.callsOf('chat.update').filter((c) => c.args.ts === progress[0]!.ts);
      expect(edits.some((c) => c.error === 'cant_update_message')).toBe(true);
      expect(shown(progress[0]!)).toContain('Every check passed: the report is below.');
      for (const m of h2.api.messages.values()) expect(shown(m)).not.toMatch(/Verifying/i);
      expect(h2.logs.some((l) => l.includes('verification progress not shown in Slack'))).toBe(true);
    } finally {
      await h2.close();
    }
  });
});
