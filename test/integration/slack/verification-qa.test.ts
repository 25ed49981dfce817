/**
 * Issue 8, defects found by a black-box QA of the Slack surface around a report "to confirm":
 * `resume` after it, the progress card after `verify_confirm`, a superseded `verify_confirm`, and
 * an `onboard_answers` form submitted while a verification runs. Bolt's real HTTP receiver
 * (signed requests), the fake Slack Web API on loopback, the real SQLite store, the real SecuTix
 * client against the embedded sandbox over HTTP (DEMO's sales channel state set to `OPEN`, a value
 * nobody published, so its check is "to confirm").
 */
import { demoHints } from '../../../adapters/sandbox';
import { buttonsOf, type DrivenRun, driveToVerification, shown } from '../../helpers/slack-drive';
import { interactionBody, postSigned, viewSubmissionPayload } from '../../helpers/slack-signing';
import { OPERATOR, SIGNING_SECRET, type SlackHarness, SUPPORT_USER, wireSlack } from '../../helpers/slack-wire';

const demo = demoHints();

/** A harness whose run sits at a verification report "to confirm". */
async function atReportToConfirm(): Promise<{ h: SlackHarness; r: DrivenRun }> {
  const h = await wireSlack({ env: { ALLOWED_OPERATORS: OPERATOR.id, SUPPORT_USERS: SUPPORT_USER.id } });
  h.core.sandbox!.instance.state.institutions.get('DEMO')!.posConfig.salesChannelActivityState = 'OPEN';
  const r = await driveToVerification(h);
  await r.press('verification', 'verify_start');
  await h.submit('onboard_password', h.lastView().private_metadata, { operator_password: demo.password });
  expect((await h.core.store.get(r.runId))?.steps.verification.state).toBe('to_confirm');
  return { h, r };
}

describe('Slack: resume after a report with checks to confirm', () => {
  let h: SlackHarness;
  let r: DrivenRun;
  beforeAll(async () => {
    ({ h, r } = await atReportToConfirm());
  });
  afterAll(async () => {
    await h.close();
  });

  it('the step posted again offers what the report offered (verify_confirm primary), and confirming there works', async () => {
    const report = r.openMessage('verification', 'verify_confirm');
    await h.command(`resume ${r.runId}`);
    // The report points to the copy below and lost its buttons: the copy is the one live set.
    const live = r.thread().filter((m) => buttonsOf(m.blocks).length > 0);
    expect(live).toHaveLength(1);
    expect(live[0]!.ts).not.toBe(report.ts);
    expect(shown(h.api.messages.get(report.ts)!)).toContain('This step was posted again below');
    const buttons = buttonsOf(live[0]!.blocks);
    expect(buttons.map((b) => b.action_id)).toEqual(['verify_confirm', 'answers_edit', 'verify_start', 'run_cancel']);
    expect(buttons.filter((b) => b.style === 'primary').map((b) => b.action_id)).toEqual(['verify_confirm']);
    await r.press('verification', 'verify_confirm', { message: live[0]! });
    const run = await h.core.store.get(r.runId);
    expect(run?.currentStep).toBe('email_draft');
    expect(run?.steps.verification).toMatchObject({ state: 'done', reason: 'confirmed', by: { id: OPERATOR.id } });
  });
});

describe('Slack: the progress card after verify_confirm', () => {
  let h: SlackHarness;
  let r: DrivenRun;
  beforeAll(async () => {
    ({ h, r } = await atReportToConfirm());
  });
  afterAll(async () => {
    await h.close();
  });

  it('marks the step whose values were confirmed as confirmed by who did it, not "to confirm"', async () => {
    expect(shown(h.api.messages.get(r.card.ts)!)).toMatch(/:mag: 1\. [^\n"]*: to confirm/);
    await r.press('verification', 'verify_confirm');
    expect((await h.core.store.get(r.runId))?.currentStep).toBe('email_draft');
    const card = shown(h.api.messages.get(r.card.ts)!);
    expect(card).not.toContain(':mag:');
    expect(card).not.toContain('to confirm');
    expect(card).toMatch(new RegExp(`:white_check_mark: 1\\. [^\\n"]*values confirmed by <@${OPERATOR.id}>`));
  });
});

describe('Slack: a verify_confirm from a report that was superseded', () => {
  let h: SlackHarness;
  let r: DrivenRun;
  beforeAll(async () => {
    ({ h, r } = await atReportToConfirm());
  });
  afterAll(async () => {
    await h.close();
  });

  it('after changed answers, says the report was superseded (not "does not apply"), and changes nothing', async () => {
    const report = r.openMessage('verification', 'verify_confirm');
    const value = buttonsOf(report.blocks).find((b) => b.action_id === 'verify_confirm')!.value;
    await r.press('verification', 'answers_edit', { message: report });
    await h.submit('onboard_answers', h.lastView().private_metadata, {
      contingent_ids: demo.contingentIds.join(', '),
      contact_number: demo.contactNumbers[1] ?? '000999',
    });
    const version = (await h.core.store.get(r.runId))!.version;
    const before = h.api.callsOf('chat.postEphemeral').length;
    await h.click('verify_confirm', value, { messageTs: report.ts });
    const told = h.api.callsOf('chat.postEphemeral').slice(before);
    expect(told.map((c) => c.args.user)).toEqual([OPERATOR.id]);
    expect(String(told[0]!.args.text)).toContain('that report was superseded by a newer verification or by changed answers');
    expect(String(told[0]!.args.text)).not.toContain('does not apply');
    const run = (await h.core.store.get(r.runId))!;
    expect(run.version).toBe(version);
    expect(run.currentStep).toBe('verification');
  });
});

/** Waits until `cond()` holds (checked every 20 ms); fails after `limitMs` (a hang, not a timing check). */
async function until(cond: () => boolean | Promise<boolean>, what: string, limitMs = 20_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Slack: onboard_answers submitted while a verification runs', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await wireSlack({ env: { ALLOWED_OPERATORS: OPERATOR.id, SUPPORT_USERS: SUPPORT_USER.id, SECUTIX_POLL_INTERVAL_MS: '250' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('answers with an error on the form (the modal stays open with what was typed), nothing changes; after the report the same submit works', async () => {
    const r = await driveToVerification(h);
    const sandbox = h.core.sandbox!.instance.state;
    sandbox.setExtractionMs(2000, 'DEMO');
    // Checks to confirm: the run stays at the verification step after the report.
    sandbox.institutions.get('DEMO')!.posConfig.salesChannelActivityState = 'OPEN';
    await r.press('verification', 'answers_edit');
    const answersView = h.lastView();
    expect(answersView.callback_id).toBe('onboard_answers');
    await r.press('verification', 'verify_start');
    const verifying = postSigned(
      `${h.baseUrl}/slack/events`,
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
    await until(
      () => sandbox.log.some((c) => c.method === 'getCatalogDetailed' && c.statusCode === 'in_progress'),
      'the catalog extraction',
    );
    const typed = { contingent_ids: '11', contact_number: '000124' };
    const answer = await h.submit('onboard_answers', answersView.private_metadata, typed);
    expect(answer.json).toEqual({
      response_action: 'errors',
      errors: { contingent_ids: expect.stringContaining('A verification of this run is running') },
    });
    expect((await verifying).body).toBe('');
    await until(async () => (await h.core.store.get(r.runId))?.verification !== undefined, 'the report');
    const run = (await h.core.store.get(r.runId))!;
    expect(run.contingentIds).toEqual(demo.contingentIds);
    expect(run.contactNumber).toBe(demo.contactNumbers[0]);
    expect((await h.core.store.audit(r.runId)).filter((e) => e.action === 'answers_edit')).toHaveLength(0);
    // Once the report is in, the same values go through (the modal closes).
    const again = await h.submit('onboard_answers', answersView.private_metadata, typed);
    expect(again.body).toBe('');
    expect((await h.core.store.get(r.runId))!).toMatchObject({ contingentIds: [11], contactNumber: '000124' });
  });
});

describe('Slack: a failed report, then a verification that passes (issue 9, QA round 2)', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await wireSlack({ env: { ALLOWED_OPERATORS: OPERATOR.id, SUPPORT_USERS: SUPPORT_USER.id } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('the failed report only points to the newest report: no "passed (verified by)" under its failed lines', async () => {
    const r = await driveToVerification(h);
    await r.press('verification', 'verify_start');
    await h.submit('onboard_password', h.lastView().private_metadata, { operator_password: 'wrong-password' });
    const failed = r.openMessage('verification', 'verify_start');
    expect(shown(failed)).toContain('Verification failed');

    // A forged verify_confirm on it (QA round 4; a failed report has no such button): refused, saying
    // a check failed, not that the report was superseded; nothing changes.
    const version = (await h.core.store.get(r.runId))!.version;
    const before = h.api.callsOf('chat.postEphemeral').length;
    await h.click('verify_confirm', `${r.runId}:verification`, { messageTs: failed.ts });
    const told = h.api.callsOf('chat.postEphemeral').slice(before);
    expect(told.map((c) => c.args.user)).toEqual([OPERATOR.id]);
    expect(String(told[0]!.args.text)).toContain('the last verification has a check that failed or could not be done');
    expect(String(told[0]!.args.text)).not.toContain('superseded');
    expect((await h.core.store.get(r.runId))!.version).toBe(version);

    await r.press('verification', 'verify_start', { message: failed });
    await h.submit('onboard_password', h.lastView().private_metadata, { operator_password: demo.password });
    expect((await h.core.store.get(r.runId))?.currentStep).toBe('email_draft');

    const older = shown(h.api.messages.get(failed.ts)!);
    expect(older).toContain('A newer verification report is below.');
    expect(older).toContain('|newest report>');
    expect(older).not.toContain('use its buttons');
    expect(older).not.toContain('Verification passed (verified by');
    expect(buttonsOf(h.api.messages.get(failed.ts)!.blocks)).toHaveLength(0);
  });
});

describe('Slack: a verification that passes at once (QA round 4 of issue 8)', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await wireSlack({ env: { ALLOWED_OPERATORS: OPERATOR.id, SUPPORT_USERS: SUPPORT_USER.id } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('a run whose verification passes at once says "passed (verified by X)", not "confirmed by" (nobody pressed verify_confirm)', async () => {
    const r = await driveToVerification(h);
    await r.press('verification', 'verify_start');
    await h.submit('onboard_password', h.lastView().private_metadata, { operator_password: demo.password });
    expect((await h.core.store.get(r.runId))?.currentStep).toBe('email_draft');
    const thread = r
      .thread()
      .map((m) => shown(m))
      .join('\n');
    expect(thread).toContain(`Verification passed (verified by <@${OPERATOR.id}>`);
    expect(thread).not.toMatch(/confirmed by/);
  });
});
