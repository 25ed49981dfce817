/**
 * A complete Slack run through Bolt's real HTTP receiver (signed requests), the fake Slack Web
 * API over loopback, the real SQLite store, and the real SecuTix client against the real
 * sandbox (DEMO institution): `/digitick-onboard` -> start modal -> every step -> support
 * request -> password_assigned -> verify_start + password -> email draft -> email_sent.
 */
import fs from 'node:fs';
import { demoHints } from '../../../adapters/sandbox';
import type { FakeSlackMessage } from '../../fakes/fake-slack-api';
import { OPERATOR, p50max, RUN_CHANNEL, SUPPORT_CHANNEL, SUPPORT_USER, type SlackHarness, wireSlack } from '../../helpers/slack-wire';

/** posId of the DEMO institution in `adapters/sandbox/fixtures/default.json`. */
const DEMO_POS_ID = 4242;

type Button = { action_id: string; value: string; style?: string; confirm?: unknown };

function buttonsOf(blocks: Record<string, unknown>[] | undefined): Button[] {
  return (blocks ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements as Button[]);
}

function textOf(blocks: Record<string, unknown>[]): string {
  return JSON.stringify(blocks);
}

describe('Slack surface: a complete run', () => {
  let h: SlackHarness;
  const demo = demoHints();
  const started = performance.now();

  beforeAll(async () => {
    h = await wireSlack();
  });
  afterAll(async () => {
    await h.close();
  });

  it('goes from /digitick-onboard to email_sent', async () => {
    // The operator's Slack handle is `alex`; their profile's real name signs the email (as Teams signs with the display name).
    h.api.userProfiles.set(OPERATOR.id, { real_name: 'Alex Operator', display_name: 'alex.o' });
    // Arrange: the command opens the start modal straight after the ack.
    const cmd = await h.command('start demo');
    expect(cmd.status).toBe(200);
    expect(cmd.body).toBe('');
    const startView = h.lastView();
    expect(startView.callback_id).toBe('onboard_start');
    expect(JSON.stringify(startView.blocks)).toContain('"initial_value":"DEMO"');

    // Act: submit the start form.
    const submitted = await h.submit(
      'onboard_start',
      startView.private_metadata,
      {
        institution_code: demo.institutionCode.toLowerCase(),
        institution_name: 'Demo Theatre & Co',
        channel_code: 'DGTK',
        digitick_contact_name: 'Camille Martin',
        digitick_contact_email: 'camille.martin@digitick.example',
        language: 'en',
      },
      { selects: ['language'] },
    );
    expect(submitted.status).toBe(200);
    expect(submitted.body).toBe('');

    // The progress card is the one root message in the channel.
    const roots = () => [...h.api.messages.values()].filter((m) => m.channel === RUN_CHANNEL && !m.thread_ts);
    expect(roots()).toHaveLength(1);
    const card = roots()[0]!;
    const runId = String(card.metadata?.event_payload.run_id);
    expect(runId).toMatch(/^[A-Z0-9]{8}$/);
    expect(card.text).toContain('DEMO');
    expect(textOf(card.blocks)).toContain('Digitick onboarding: Demo Theatre & Co (DEMO)'); // plain_text header: as typed

    const threadMessages = (): FakeSlackMessage[] => h.api.messagesIn(RUN_CHANNEL, card.ts);
    /** The newest message of `step` in the thread that still has buttons. */
    const openStepMessage = (step: string): FakeSlackMessage => {
      const m = threadMessages()
        .filter((x) => x.metadata?.event_payload.step === step && buttonsOf(x.blocks).length > 0)
        .pop();
      if (!m) throw new Error(`no open message for step ${step}`);
      return m;
    };
    const press = async (
      step: string,
      actionId: string,
      opts: { user?: typeof OPERATOR; channel?: string; message?: FakeSlackMessage } = {},
    ) => {
      const msg = opts.message ?? openStepMessage(step);
      const button = buttonsOf(msg.blocks).find((b) => b.action_id === actionId);
      if (!button) throw new Error(`no ${actionId} on step ${step}`);
      const answer = await h.click(actionId, button.value, {
        messageTs: msg.ts,
        channel: opts.channel ?? RUN_CHANNEL,
        ...(opts.user ? { user: opts.user } : {}),
      });
      expect(answer.status).toBe(200);
      return msg;
    };
    const run = async () => {
      const r = await h.core.store.get(runId);
      if (!r) throw new Error(`run ${runId} not stored`);
      return r;
    };

    // Steps 1 and 2: plain "done".
    const firstStepMessage = await press('sales_channel', 'step_done');
    expect((await run()).currentStep).toBe('point_of_sale');
    await press('point_of_sale', 'step_done');

    // Step 3: the button opens the contingents modal; its submit records the ids.
    await press('contingents', 'step_done');
    const cView = h.lastView();
    expect(cView.callback_id).toBe('onboard_contingents');
    await h.submit('onboard_contingents', cView.private_metadata, { contingent_ids: demo.contingentIds.join(',\n ') });
    expect((await run()).contingentIds).toEqual(demo.contingentIds);

    // Step 4: contact modal.
    await press('technical_contact', 'step_done');
    const tView = h.lastView();
    expect(tView.callback_id).toBe('onboard_contact');
    await h.submit('onboard_contact', tView.private_metadata, { contact_number: demo.contactNumbers[0]! });
    expect((await run()).contactNumber).toBe(demo.contactNumbers[0]);

    // Steps 5 to 7.
    await press('event_products', 'step_done');
    await press('pass_products', 'step_done');
    await press('sales_interface', 'step_done');
    expect((await run()).currentStep).toBe('password_request');

    // Step 8: the support request is in the support channel, linking the run thread.
    const supportMsgs = h.api.messagesIn(SUPPORT_CHANNEL);
    expect(supportMsgs).toHaveLength(1);
    const supportMsg = supportMsgs[0]!;
    expect(textOf(supportMsg.blocks)).toContain(`https://fake.slack.test/archives/${RUN_CHANNEL}/p${card.ts.replace('.', '')}`);
    expect(textOf(supportMsg.blocks)).toContain('DEMO_DGTK');
    expect(buttonsOf(supportMsg.blocks).map((b) => [b.action_id, b.style])).toEqual([['password_assigned', 'primary']]);
    await press('password_request', 'password_assigned', { user: SUPPORT_USER, channel: SUPPORT_CHANNEL, message: supportMsg });
    expect(buttonsOf(h.api.messages.get(supportMsg.ts)!.blocks)).toHaveLength(0);
    expect(textOf(h.api.messages.get(supportMsg.ts)!.blocks)).toContain(`<@${SUPPORT_USER.id}>`);
    expect((await run()).currentStep).toBe('verification');

    // Step 9, twice with a wrong password: each failed report carries the live buttons; the older
    // verification messages (the step message, the first report) point to the newest instead.
    const verificationStep = openStepMessage('verification');
    for (let i = 0; i < 2; i++) {
      await press('verification', 'verify_start');
      await h.submit('onboard_password', h.lastView().private_metadata, { operator_password: `wrong-password-${i}` });
      expect((await run()).currentStep).toBe('verification');
    }
    const verificationMessages = threadMessages().filter((m) => m.metadata?.event_payload.step === 'verification');
    const reports = verificationMessages.filter((m) => textOf(m.blocks).includes('Verification failed'));
    expect(reports).toHaveLength(2);
    expect(verificationMessages.filter((m) => buttonsOf(m.blocks).length > 0).map((m) => m.ts)).toEqual([reports[1]!.ts]);
    for (const older of [h.api.messages.get(verificationStep.ts)!, reports[0]!]) {
      expect(textOf(older.blocks)).toContain('A newer verification report is below: use its buttons.');
      expect(textOf(older.blocks)).toContain(`|newest report>`);
    }

    // `resume` posts step 9 again: that copy is now the one live set of buttons of the run, and
    // the failed report's buttons point to it (never two live sets).
    await h.command(`resume ${runId}`);
    const liveNow = threadMessages().filter((m) => buttonsOf(m.blocks).length > 0);
    expect(liveNow).toHaveLength(1);
    expect(liveNow[0]!.metadata?.event_payload.step).toBe('verification');
    expect(liveNow[0]!.ts).not.toBe(reports[1]!.ts);
    const lastReport = h.api.messages.get(reports[1]!.ts)!;
    expect(textOf(lastReport.blocks)).toContain('This step was posted again below: use the buttons there.');
    expect(textOf(lastReport.blocks)).toContain(`|newest copy>`);

    // Step 9: verify_start opens the password modal; the verification runs against the sandbox.
    await press('verification', 'verify_start');
    const pView = h.lastView();
    expect(pView.callback_id).toBe('onboard_password');
    expect(JSON.stringify(pView.blocks)).toContain('not kept');
    const pwAnswer = await h.submit('onboard_password', pView.private_metadata, { operator_password: demo.password });
    expect(pwAnswer.body).toBe(''); // the modal closes on submit
    const after = await run();
    expect(after.verification?.passed).toBe(true);
    expect(after.verification?.posId).toBe(DEMO_POS_ID);
    expect(after.currentStep).toBe('email_draft');

    // Step 10: the email draft.
    const emailMsg = openStepMessage('email_draft');
    const email = textOf(emailMsg.blocks);
    expect(email).toContain('DEMO_DGTK');
    expect(email).toContain('https://demo.ws.secutix.com');
    expect(email).toContain('Demo Theatre &amp; Co');
    expect(email).toContain('Camille Martin');
    expect(email).toContain(String(DEMO_POS_ID));
    expect(email).toContain('```');
    expect(email).toMatch(/Kind regards,(\\n)+Alex Operator/); // the blocks as JSON: `\n` escaped
    expect(email).not.toMatch(/Kind regards,(\\n)+alex\b/);
    await press('email_draft', 'email_sent');

    // The run is completed, and the card says so, edited in place.
    const done = await run();
    expect(done.status).toBe('completed');
    expect(roots()).toHaveLength(1);
    const finalCard = h.api.messages.get(card.ts)!;
    expect(finalCard.updates).toBeGreaterThanOrEqual(10);
    expect(finalCard.metadata?.event_payload).toEqual({ run_id: runId, step: null, state: 'completed' });
    expect(h.api.callsOf('chat.update').filter((c) => c.args.ts === card.ts).length).toBe(finalCard.updates);
    // The card and the last message say the run is complete; nothing still says "once the email is sent".
    expect(textOf(finalCard.blocks)).toContain('*Complete*: email sent, marked by <@U0OPERATOR>');
    const thread = h.api.messagesIn(RUN_CHANNEL, card.ts);
    expect(textOf(thread[thread.length - 1]!.blocks)).toContain(`Run ${runId} is complete: the email to Digitick is sent`);
    for (const m of [finalCard, ...thread]) expect(textOf(m.blocks)).not.toMatch(/once the email is sent/i);

    // Used step messages had their buttons replaced by who did what.
    const first = h.api.messages.get(firstStepMessage.ts)!;
    expect(buttonsOf(first.blocks)).toHaveLength(0);
    expect(textOf(first.blocks)).toContain(`<@${OPERATOR.id}>`);
    const postedWithButtons = h.api
      .callsOf('chat.postMessage')
      .filter((c) => buttonsOf(c.args.blocks as Record<string, unknown>[]).length > 0);
    expect(postedWithButtons.length).toBeGreaterThanOrEqual(11);
    for (const m of h.api.messages.values()) expect(buttonsOf(m.blocks)).toHaveLength(0);

    // Every message posted or edited carries the run metadata; one primary per message with buttons.
    for (const c of [...h.api.callsOf('chat.postMessage'), ...h.api.callsOf('chat.update')]) {
      expect(c.args.metadata).toMatchObject({ event_type: 'digitick_run', event_payload: { run_id: runId } });
      expect(['open', 'completed', 'cancelled']).toContain((c.args.metadata as { event_payload: { state: string } }).event_payload.state);
      const buttons = buttonsOf(c.args.blocks as Record<string, unknown>[]);
      const primaries = buttons.filter((b) => b.style === 'primary').length;
      const nonCancel = buttons.filter((b) => b.action_id !== 'run_cancel').length;
      expect(primaries).toBe(nonCancel > 0 ? 1 : 0);
      for (const b of buttons.filter((x) => x.action_id === 'run_cancel')) expect(b.confirm).toBeDefined();
    }

    // The bot token travels as a Bearer header, and the password goes nowhere.
    expect(h.api.calls.every((c) => c.method === 'response_url' || c.headers.authorization === 'Bearer fakebot-test-token')).toBe(true);
    const everything = [
      JSON.stringify(h.api.calls.map((c) => ({ m: c.method, a: c.args, r: c.raw }))),
      h.logs.join('\n'),
      ...['', '-wal', '-shm'].filter((s) => fs.existsSync(h.dbPath + s)).map((s) => fs.readFileSync(h.dbPath + s).toString('latin1')),
    ].join('\n');
    expect(h.logs.length).toBeGreaterThan(10);
    expect(everything).toContain('DEMO_DGTK');
    expect(everything).not.toContain(demo.password);
    // Bolt's one auth.test also sends the token in its body (Slack accepts both); nothing else may carry it.
    const tokenHolders = [
      JSON.stringify(h.api.calls.filter((c) => c.method !== 'auth.test').map((c) => ({ m: c.method, a: c.args, r: c.raw }))),
      h.logs.join('\n'),
      ...['', '-wal', '-shm'].filter((s) => fs.existsSync(h.dbPath + s)).map((s) => fs.readFileSync(h.dbPath + s).toString('latin1')),
    ].join('\n');
    expect(tokenHolders).not.toContain('fakebot-test-token');

    const kinds = ['command', 'action', 'view'] as const;
    const stats = Object.fromEntries(kinds.map((k) => [k, p50max(h.timings.filter((t) => t.kind === k).map((t) => t.ms))]));
    console.log(
      `slack ack latency (ms) ${JSON.stringify(stats, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}; full run ${Math.round(performance.now() - started)} ms`,
    );
  });
});
