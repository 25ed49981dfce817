/**
 * Issue 8 in Slack: a verification whose checks are "to confirm" (SecuTix answers a value the
 * assistant does not know), its progress message, and `verify_confirm`. Bolt's real HTTP
 * receiver (signed requests), the fake Slack Web API on loopback, the real SQLite store, the real
 * SecuTix client against the embedded sandbox over HTTP (its DEMO institution given a sales
 * channel state nobody published, `OPEN`).
 */
import { demoHints } from '../../../adapters/sandbox';
import type { FakeSlackCall, FakeSlackMessage } from '../../fakes/fake-slack-api';
import { buttonsOf, type DrivenRun, driveToVerification, shown } from '../../helpers/slack-drive';
import { OPERATOR, RUN_CHANNEL, type SlackHarness, SUPPORT_USER, wireSlack } from '../../helpers/slack-wire';

const demo = demoHints();
/** An operator whose Slack locale is French (answers only they see are in French). */
const FRENCH = { id: 'U0FRANCOIS', name: 'francois' };

/** Progress messages of a run: posts tagged with a `progress_id` in their metadata. */
function progressPosts(h: SlackHarness, runId: string): FakeSlackCall[] {
  return h.api.callsOf('chat.postMessage').filter((c) => {
    const payload = (c.args.metadata as { event_payload?: Record<string, unknown> } | undefined)?.event_payload;
    return payload?.run_id === runId && typeof payload.progress_id === 'string';
  });
}

describe('Slack: a verification with checks to confirm', () => {
  let h: SlackHarness;
  let r: DrivenRun;

  beforeAll(async () => {
    h = await wireSlack({ env: { ALLOWED_OPERATORS: `${OPERATOR.id},${FRENCH.id}`, SUPPORT_USERS: SUPPORT_USER.id } });
    // A sales channel state SecuTix did not publish: the check is "to confirm", not failed.
    h.core.sandbox!.instance.state.institutions.get('DEMO')!.posConfig.salesChannelActivityState = 'OPEN';
    r = await driveToVerification(h);
    await r.press('verification', 'verify_start');
    const answer = await h.submit('onboard_password', h.lastView().private_metadata, { operator_password: demo.password });
    expect(answer.body).toBe(''); // the modal closed on submit
  });
  afterAll(async () => {
    await h.close();
  });

  const report = (): FakeSlackMessage => r.openMessage('verification', 'verify_confirm');
  /** The report's verify_confirm button, as it was before the click (for a stale click). */
  let confirmed: { ts: string; value: string };

  it('posts a report naming the value seen, with verify_confirm (primary), answers_edit, verify_start, run_cancel', async () => {
    const run = await h.core.store.get(r.runId);
    expect(run?.verification?.toConfirm).toBe(true);
    expect(run?.steps.verification.state).toBe('to_confirm');
    const m = report();
    expect(buttonsOf(m.blocks).map((b) => b.action_id)).toEqual(['verify_confirm', 'answers_edit', 'verify_start', 'run_cancel']);
    expect(
      buttonsOf(m.blocks)
        .filter((b) => b.style === 'primary')
        .map((b) => b.action_id),
    ).toEqual(['verify_confirm']);
    expect(buttonsOf(m.blocks).find((b) => b.action_id === 'run_cancel')?.confirm).toBeDefined();
    const text = shown(m);
    expect(text).toContain('OPEN'); // the value SecuTix answered
    expect(text).toContain(':mag: *Sales channel*: to confirm');
    // The card marks the step whose check is to confirm, with a word, not a green tick.
    const card = h.api.messages.get(r.card.ts)!;
    expect(shown(card)).toMatch(/:mag: 1\. [^\n"]*: to confirm/);
  });

  it('shows the progress in one message edited in place, ending as a pointer to the report', () => {
    const posts = progressPosts(h, r.runId);
    expect(posts).toHaveLength(1);
    const post = posts[0]!;
    expect(post.args.thread_ts).toBe(r.card.ts);
    expect(post.args.channel).toBe(RUN_CHANNEL);
    const tag = (post.args.metadata as { event_payload: { progress_id: string } }).event_payload.progress_id;
    const ts = [...h.api.messages.values()].find((m) => m.metadata?.event_payload.progress_id === tag)!.ts;
    const edits = h.api.callsOf('chat.update').filter((c) => c.args.ts === ts);
    expect(edits.length).toBeGreaterThanOrEqual(1);
    expect(edits.every((c) => c.args.channel === RUN_CHANNEL)).toBe(true);
    const final = h.api.messages.get(ts)!;
    expect(final.metadata?.event_payload).toMatchObject({ run_id: r.runId, step: 'verification', state: 'open' });
    expect(shown(final)).toContain('Verification of DEMO finished');
    expect(shown(final)).toContain('see the report below');
    // The report is below the progress message in the thread.
    const thread = r.thread();
    expect(thread.findIndex((m) => m.ts === ts)).toBeLessThan(thread.findIndex((m) => m.ts === report().ts));
    // No message is left saying "Verifying".
    for (const m of h.api.messages.values()) expect(shown(m)).not.toMatch(/Verifying/i);
  });

  it('refuses verify_confirm from someone not allowed, and tells them so', async () => {
    const before = h.api.callsOf('chat.postEphemeral').length;
    await r.press('verification', 'verify_confirm', { user: { id: 'U0STRANGER', name: 'kim' }, message: report() });
    const ephemeral = h.api.callsOf('chat.postEphemeral').slice(before);
    expect(ephemeral.map((c) => c.args.user)).toEqual(['U0STRANGER']);
    expect(String(ephemeral[0]!.args.text)).toContain('not on the list');
    expect((await h.core.store.get(r.runId))?.currentStep).toBe('verification');
  });

  it('verify_confirm moves the run to the email draft; the audit says who confirmed which values; the report shows who did it', async () => {
    const m = report();
    confirmed = { ts: m.ts, value: buttonsOf(m.blocks).find((b) => b.action_id === 'verify_confirm')!.value };
    await r.press('verification', 'verify_confirm', { message: m });
    const run = await h.core.store.get(r.runId);
    expect(run?.currentStep).toBe('email_draft');
    expect(run?.steps.verification).toMatchObject({ state: 'done', by: { id: OPERATOR.id } });
    const audit = (await h.core.store.audit(r.runId)).filter((e) => e.action === 'verify_confirm' && e.outcome === 'ok');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor.id).toBe(OPERATOR.id);
    expect(audit[0]!.details).toMatchObject({
      confirmed: [expect.objectContaining({ check: 'sales_channel', code: 'channel_state_unknown', state: 'OPEN' })],
    });
    // The report's buttons are replaced by who did what; so are the step message's.
    const closed = h.api.messages.get(m.ts)!;
    expect(buttonsOf(closed.blocks)).toHaveLength(0);
    expect(shown(closed)).toContain(`Verification values confirmed by <@${OPERATOR.id}>`);
    for (const x of r.thread().filter((t) => t.metadata?.event_payload.step === 'verification'))
      expect(buttonsOf(x.blocks)).toHaveLength(0);
    expect(r.openMessage('email_draft', 'email_sent')).toBeDefined();
  });

  it('a stale verify_confirm click changes nothing and tells the clicker who confirmed', async () => {
    const before = h.api.callsOf('chat.postEphemeral').length;
    const auditBefore = (await h.core.store.audit(r.runId)).length;
    await h.click('verify_confirm', confirmed.value, { messageTs: confirmed.ts });
    const told = h.api.callsOf('chat.postEphemeral').slice(before);
    expect(told).toHaveLength(1);
    expect(told[0]!.args.user).toBe(OPERATOR.id);
    expect(String(told[0]!.args.text)).toContain('Nothing changed');
    expect(String(told[0]!.args.text)).toContain(`<@${OPERATOR.id}>`);
    expect((await h.core.store.get(r.runId))?.currentStep).toBe('email_draft');
    expect((await h.core.store.audit(r.runId)).filter((e) => e.action === 'verify_confirm' && e.outcome === 'ok')).toHaveLength(1);
    expect((await h.core.store.audit(r.runId)).length).toBeGreaterThanOrEqual(auditBefore);
  });

  it('check DEMO (no run) shows the value to confirm with an emoji and a word in the user language', async () => {
    h.api.userLocales.set(FRENCH.id, 'fr-FR');
    await h.command('check demo', { user: FRENCH });
    const view = h.lastView();
    expect(view.callback_id).toBe('onboard_check');
    const before = h.api.callsOf('chat.postEphemeral').length;
    await h.submit(
      'onboard_check',
      view.private_metadata,
      { operator_password: demo.password, contingent_ids: null, contact_number: null },
      { user: FRENCH },
    );
    const answers = h.api.callsOf('chat.postEphemeral').slice(before);
    expect(answers.map((c) => c.args.user)).toEqual([FRENCH.id]);
    const text = shown({ text: String(answers[0]!.args.text), blocks: answers[0]!.args.blocks as Record<string, unknown>[] });
    expect(text).toMatch(/rien de cassé, 1 valeur à confirmer/);
    expect(text).toMatch(/:mag: \*[^*]+\*\s?: à confirmer/);
    expect(text).toContain('OPEN');
  });
});
