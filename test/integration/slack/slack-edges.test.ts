/**
 * Edge cases of the Slack surface through Bolt's real HTTP receiver and the fake Slack Web API:
 * signatures, field errors, double and stale clicks, duplicate runs, command answers, garbage
 * payloads, a channel the bot is not in, rate limits, the support channel unset, a bad token.
 */
import { createLogger } from '../../../adapters/logger';
import { createSlackSurface, SlackStartError } from '../../../adapters/slack';
import { FakeSlackApi, type FakeSlackMessage } from '../../fakes/fake-slack-api';
import { commandBody, interactionBody, postSigned } from '../../helpers/slack-signing';
import { OPERATOR, p50max, RUN_CHANNEL, SIGNING_SECRET, SUPPORT_USER, type SlackHarness, wireSlack } from '../../helpers/slack-wire';

type Button = { action_id: string; value: string; style?: string; confirm?: unknown };
const buttonsOf = (blocks: Record<string, unknown>[] | undefined): Button[] =>
  (blocks ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements as Button[]);

const START_VALUES = (code: string, language = 'en') => ({
  institution_code: code,
  institution_name: `${code} Theatre`,
  channel_code: '',
  digitick_contact_name: 'Camille Martin',
  digitick_contact_email: 'camille.martin@digitick.example',
  language,
});

describe('Slack surface: edges', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await wireSlack();
  });
  afterAll(async () => {
    const stats = Object.fromEntries(
      (['command', 'action', 'view'] as const).map((k) => [k, p50max(h.timings.filter((t) => t.kind === k).map((t) => t.ms))]),
    );
    console.log(
      `slack ack latency over the edge tests (ms) ${JSON.stringify(stats, (_k, v: unknown) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}`,
    );
    await h.close();
  });

  /** Starts a run for `code` in `channel` and returns its id and card. */
  async function startRun(
    code: string,
    opts: { channel?: string; language?: string } = {},
  ): Promise<{ runId: string; card: FakeSlackMessage }> {
    const channel = opts.channel ?? RUN_CHANNEL;
    await h.command(`start ${code}`, { channel });
    const view = h.lastView();
    const before = new Set(h.api.messages.keys());
    await h.submit('onboard_start', view.private_metadata, START_VALUES(code, opts.language), { selects: ['language'] });
    const card = [...h.api.messages.values()].find((m) => !before.has(m.ts) && m.channel === channel && !m.thread_ts);
    if (!card) throw new Error('no card posted');
    return { runId: String(card.metadata!.event_payload.run_id), card };
  }
  const stepMessages = (card: FakeSlackMessage, step: string) =>
    h.api.messagesIn(card.channel, card.ts).filter((m) => m.metadata?.event_payload.step === step && buttonsOf(m.blocks).length > 0);
  const valueOf = (m: FakeSlackMessage, actionId: string) => buttonsOf(m.blocks).find((b) => b.action_id === actionId)!.value;
  const ephemeralsTo = (user: string) => h.api.callsOf('chat.postEphemeral').filter((c) => c.args.user === user);
  const responses = () => h.api.callsOf('response_url');

  it('acknowledges the interactions the app does not use (view_closed, global and message shortcuts) at once, with no error', async () => {
    // Real-shaped payloads (Slack's interaction reference). Bolt with no listener for them
    // would leave the request open 3 s, then answer 404 and log "not acknowledged".
    const user = { id: OPERATOR.id, username: OPERATOR.name, name: OPERATOR.name, team_id: 'T0TEAM001' };
    const team = { id: 'T0TEAM001', domain: 'fake' };
    const payloads = [
      {
        type: 'view_closed',
        team,
        user,
        api_app_id: 'A0APP0001',
        is_cleared: false,
        view: { id: 'V0CLOSED1', type: 'modal', callback_id: 'onboard_start', private_metadata: '{}', state: { values: {} }, hash: 'h' },
      },
      {
        type: 'view_closed',
        team,
        user,
        api_app_id: 'A0APP0001',
        is_cleared: true,
        view: { id: 'V0CLOSED2', type: 'modal', callback_id: 'someone_else' },
      },
      {
        type: 'shortcut',
        team,
        user,
        api_app_id: 'A0APP0001',
        token: 't',
        callback_id: 'open_something',
        trigger_id: 'trigger.sc-1',
        action_ts: '1700000000.1',
      },
      {
        type: 'message_action',
        team,
        user,
        api_app_id: 'A0APP0001',
        token: 't',
        callback_id: 'share_message',
        trigger_id: 'trigger.ma-1',
        action_ts: '1700000000.2',
        message_ts: '1700000000.000001',
        channel: { id: RUN_CHANNEL, name: 'runs' },
        message: { type: 'message', ts: '1700000000.000001', text: 'hello' },
        response_url: h.api.responseUrl('message-action'),
      },
    ];
    const logsBefore = h.logs.length;
    for (const payload of payloads) {
      const answer = await postSigned(`${h.baseUrl}/slack/events`, interactionBody(payload), { secret: SIGNING_SECRET });
      expect({ type: payload.type, status: answer.status }).toEqual({ type: payload.type, status: 200 });
    }
    await h.surface.idle();
    const errors = h.logs.slice(logsBefore).filter((l) => /"level":(50|60)|not acknowledged/.test(l));
    expect(errors).toEqual([]);
  });

  it('(b) answers 401 to a forged signature and to a stale timestamp, and serves /healthz', async () => {
    const body = commandBody({ text: 'help', user_id: OPERATOR.id, channel_id: RUN_CHANNEL });
    const forged = await postSigned(`${h.baseUrl}/slack/events`, body, { secret: 'not-the-secret' });
    const stale = await postSigned(`${h.baseUrl}/slack/events`, body, {
      secret: SIGNING_SECRET,
      timestampSec: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    const good = await postSigned(`${h.baseUrl}/slack/events`, body, { secret: SIGNING_SECRET });
    const future = await postSigned(`${h.baseUrl}/slack/events`, body, {
      secret: SIGNING_SECRET,
      timestampSec: Math.floor(Date.now() / 1000) + 6 * 60,
    });
    expect(forged.status).toBe(401);
    expect(stale.status).toBe(401);
    expect(future.status).toBe(401);
    expect(good.status).toBe(200);
    const health = await fetch(`${h.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
  });

  it('(c) answers bad modal values with response_action errors keyed by block_id, in the run language', async () => {
    await h.command('');
    const view = h.lastView();
    const bad = await h.submit(
      'onboard_start',
      view.private_metadata,
      { ...START_VALUES('A!'), institution_name: '', digitick_contact_email: 'not-an-email' },
      { selects: ['language'] },
    );
    expect(bad.json).toEqual({
      response_action: 'errors',
      errors: {
        institution_code: h.core.builder.t('en', 'error.field.institution_code'),
        institution_name: h.core.builder.t('en', 'error.field.required'),
        digitick_contact_email: h.core.builder.t('en', 'error.field.email'),
      },
    });
    expect(await h.core.service.openRuns('slack')).toHaveLength(0);

    const { runId, card } = await startRun('BADVALS', { language: 'fr' });
    for (const step of ['sales_channel', 'point_of_sale']) await h.click('step_done', valueOf(stepMessages(card, step)[0]!, 'step_done'));
    await h.click('step_done', valueOf(stepMessages(card, 'contingents')[0]!, 'step_done'));
    const cView = h.lastView();
    const badIds = await h.submit('onboard_contingents', cView.private_metadata, { contingent_ids: '11, abc, -3' });
    expect(badIds.json).toEqual({
      response_action: 'errors',
      errors: { contingent_ids: h.core.builder.t('fr', 'error.field.contingent_ids') },
    });
    expect(h.core.builder.t('fr', 'error.field.contingent_ids')).not.toEqual(h.core.builder.t('en', 'error.field.contingent_ids'));
    await h.submit('onboard_contingents', cView.private_metadata, { contingent_ids: '11 12 11' });
    expect((await h.core.store.get(runId))!.contingentIds).toEqual([11, 12]);

    await h.click('step_done', valueOf(stepMessages(card, 'technical_contact')[0]!, 'step_done'));
    const tView = h.lastView();
    const empty = await h.submit('onboard_contact', tView.private_metadata, { contact_number: null });
    expect(empty.json).toEqual({ response_action: 'errors', errors: { contact_number: h.core.builder.t('fr', 'error.field.required') } });
    expect((await h.core.store.get(runId))!.currentStep).toBe('technical_contact');
  });

  it('(d) a double click on the same step_done advances once; the second click is told who did it', async () => {
    const { runId, card } = await startRun('DOUBLE');
    const value = valueOf(stepMessages(card, 'sales_channel')[0]!, 'step_done');
    const before = h.api.callsOf('chat.postEphemeral').length;
    await Promise.all([h.click('step_done', value), h.click('step_done', value, { user: SUPPORT_USER })]);
    await h.click('step_done', value, { user: SUPPORT_USER });
    const run = (await h.core.store.get(runId))!;
    expect(run.currentStep).toBe('point_of_sale');
    expect(run.version).toBe(2);
    // The loser of the simultaneous pair and the third click are both told; nobody else is.
    const told = h.api
      .callsOf('chat.postEphemeral')
      .slice(before)
      .map((c) => String(c.args.text));
    expect(told).toHaveLength(2);
    for (const t of told) expect(t).toContain('already done');
    expect(told.at(-1)).toMatch(/already done \(by <@U0(OPERATOR|SUPPORT)> on \d{4}-\d\d-\d\d at \d\d:\d\d UTC\)/);
  });

  it('(e) a stale button (older step) changes nothing, opens no modal, and cannot cancel', async () => {
    const { runId, card } = await startRun('STALE');
    // Values as the user's Slack client still shows them (the fake edits messages in place).
    const step1 = stepMessages(card, 'sales_channel')[0]!;
    const step1Done = valueOf(step1, 'step_done');
    const step1Cancel = valueOf(step1, 'run_cancel');
    await h.click('step_done', step1Done);
    await h.click('step_done', valueOf(stepMessages(card, 'point_of_sale')[0]!, 'step_done'));
    const contingentsDone = valueOf(stepMessages(card, 'contingents')[0]!, 'step_done');
    await h.click('step_done', contingentsDone);
    await h.submit('onboard_contingents', h.lastView().private_metadata, { contingent_ids: '11' });
    const version = (await h.core.store.get(runId))!.version;
    const views = h.api.callsOf('views.open').length;
    const ephemerals = ephemeralsTo(OPERATOR.id).length;

    await h.click('step_done', contingentsDone); // would open the contingents modal
    await h.click('run_cancel', step1Cancel); // an old step's cancel button
    await h.click('step_done', step1Done);

    const run = (await h.core.store.get(runId))!;
    expect(run.version).toBe(version);
    expect(run.status).toBe('open');
    expect(run.currentStep).toBe('technical_contact');
    expect(h.api.callsOf('views.open')).toHaveLength(views);
    const told = ephemeralsTo(OPERATOR.id)
      .slice(ephemerals)
      .map((c) => String(c.args.text));
    expect(told).toHaveLength(3);
    for (const t of told) expect(t).toContain('Nothing changed');
  });

  it('(f) a second run for the same institution and channel points to the open run', async () => {
    const { runId } = await startRun('DUPE');
    const roots = h.api.messagesIn(RUN_CHANNEL).filter((m) => !m.thread_ts).length;
    await h.command('start DUPE', { responseUrl: h.api.responseUrl('dupe') });
    await h.submit('onboard_start', h.lastView().private_metadata, START_VALUES('DUPE'), { selects: ['language'] });
    expect(h.api.messagesIn(RUN_CHANNEL).filter((m) => !m.thread_ts)).toHaveLength(roots);
    expect((await h.core.store.list({ institutionCode: 'DUPE' })).map((r) => r.id)).toEqual([runId]);
    const answer = responses().find((c) => c.args.id === 'dupe');
    expect(answer?.args.response_type).toBe('ephemeral');
    expect(String(answer?.args.text)).toContain(runId);
    expect(String(answer?.args.text)).toContain('https://fake.slack.test/archives/');
    // The answer carries a resume button; pressing it posts the current step again in the thread.
    const resume = buttonsOf(answer?.args.blocks as Record<string, unknown>[]).find((b) => b.action_id === 'run_resume');
    expect(resume?.style).toBe('primary');
    const card = h.api.messagesIn(RUN_CHANNEL).find((m) => !m.thread_ts && m.metadata?.event_payload.run_id === runId)!;
    const before = h.api.messagesIn(RUN_CHANNEL, card.ts).filter((m) => m.metadata?.event_payload.step === 'sales_channel').length;
    await h.click('run_resume', resume!.value, { user: SUPPORT_USER });
    expect(h.api.messagesIn(RUN_CHANNEL, card.ts).filter((m) => m.metadata?.event_payload.step === 'sales_channel')).toHaveLength(
      before + 1,
    );
    expect((await h.core.store.get(runId))?.currentStep).toBe('sales_channel');
  });

  it('(g) answers help, status, product, unknown commands, a DM, resume and cancel', async () => {
    const help = await h.command('help');
    expect(help.json).toMatchObject({ response_type: 'ephemeral' });
    expect(help.body).toContain('no mappings');
    expect(help.body).toContain('/digitick-onboard status');
    const product = await h.command('product');
    expect(product.body).toContain('activity profile');
    const unknown = await h.command('frobnicate <b>');
    expect(unknown.json).toMatchObject({
      response_type: 'ephemeral',
      text: h.core.builder.t('en', 'error.unknown_command', { command: 'frobnicate' }),
    });
    const dm = await h.command('', { channel: 'D0DIRECT01', channelName: 'directmessage' });
    expect(dm.json).toMatchObject({ response_type: 'ephemeral', text: h.core.builder.t('en', 'error.not_in_channel') });

    const { runId, card } = await startRun('CMDS');
    const list = await h.command('status');
    expect(list.body).toContain(runId);
    const one = await h.command(`status ${runId.toLowerCase()}`);
    expect(one.json).toMatchObject({ response_type: 'ephemeral' });
    expect(one.body).toContain('CMDS Theatre');
    const nobody = await h.command('status', { user: SUPPORT_USER });
    expect(nobody.body).toContain(h.core.builder.t('en', 'status.none'));
    const missing = await h.command('status ZZZZZZZZ');
    expect(missing.body).toContain('ZZZZZZZZ');

    // resume posts the current step again: the new copy is the one live set of buttons, the
    // older copy points to it.
    const original = stepMessages(card, 'sales_channel');
    expect(original).toHaveLength(1);
    await h.command(`resume ${runId}`, { responseUrl: h.api.responseUrl('resume') });
    const copies = stepMessages(card, 'sales_channel');
    expect(copies).toHaveLength(1);
    expect(copies[0]!.ts).not.toBe(original[0]!.ts);
    expect(JSON.stringify(h.api.messages.get(original[0]!.ts)!.blocks)).toContain('This step was posted again below');
    expect(responses().find((c) => c.args.id === 'resume')?.args.response_type).toBe('ephemeral');
    await h.click('step_done', valueOf(copies[0]!, 'step_done'));
    for (const c of [...copies, ...original]) expect(buttonsOf(h.api.messages.get(c.ts)!.blocks)).toHaveLength(0);

    // cancel answers with a confirm button; pressing it cancels the run.
    const cancel = await h.command(`cancel ${runId}`);
    const cancelButtons = buttonsOf((cancel.json as { blocks: Record<string, unknown>[] }).blocks);
    expect(cancelButtons.map((b) => b.action_id)).toEqual(['run_cancel']);
    expect(cancelButtons[0]!.confirm).toBeDefined();
    expect((await h.core.store.get(runId))!.status).toBe('open');
    await h.click('run_cancel', cancelButtons[0]!.value, { ephemeral: true });
    expect((await h.core.store.get(runId))!.status).toBe('cancelled');
    expect(h.api.messages.get(card.ts)!.metadata?.event_payload).toEqual({ run_id: runId, step: null, state: 'cancelled' });
    const again = await h.command(`cancel ${runId}`);
    expect(again.body).toContain('cancelled');
    expect(buttonsOf((again.json as { blocks?: Record<string, unknown>[] }).blocks)).toHaveLength(0);
  });

  it('answers garbage button values and unreadable form metadata without crashing', async () => {
    const before = ephemeralsTo(OPERATOR.id).length;
    await h.click('step_done', 'garbage:value:"<script>');
    await h.click('step_done', { not: 'a string' });
    const told = ephemeralsTo(OPERATOR.id).slice(before);
    expect(told).toHaveLength(2);
    for (const c of told) expect(c.args.text).toBe(h.core.builder.t('en', 'slack.error.bad_value'));
    const garbage = await h.submit('onboard_contingents', '{not json', { contingent_ids: '11' });
    expect(garbage.json).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
    const unknownRun = await h.submit('onboard_contact', JSON.stringify({ run: 'ZZZZZZZZ', step: 'technical_contact' }), {
      contact_number: '1',
    });
    expect(JSON.stringify(unknownRun.json)).toContain('ZZZZZZZZ');
    // The app still works afterwards.
    expect((await h.command('help')).status).toBe(200);
  });

  it('explains when the bot is not in the channel, and recovers with resume once invited', async () => {
    h.api.notInChannels.add('C0NOTIN001');
    await h.command('start NOTIN', { channel: 'C0NOTIN001', responseUrl: h.api.responseUrl('notin') });
    await h.submit('onboard_start', h.lastView().private_metadata, START_VALUES('NOTIN'), { selects: ['language'] });
    const answer = responses().find((c) => c.args.id === 'notin');
    const [run] = await h.core.store.list({ institutionCode: 'NOTIN' });
    // One clear instruction: invite me to this channel, then resume (not also "invite me to a channel and type the command there").
    expect(String(answer?.args.text)).toBe(
      `Run ${run!.id} was recorded, but I could not post its progress card here. I am not a member of <#C0NOTIN001>, so I cannot post there: invite me to it (\`/invite @Digitick onboarding\` in that channel). Then type \`/digitick-onboard resume ${run!.id}\`.`,
    );
    expect(String(answer?.args.text)).not.toContain(h.core.builder.t('en', 'error.not_in_channel'));
    // resume while the bot is still not in the channel: not "posted again", but why and how to fix it.
    await h.command(`resume ${run!.id}`, { channel: 'C0NOTIN001', responseUrl: h.api.responseUrl('notin-resume-1') });
    const blocked = String(responses().find((c) => c.args.id === 'notin-resume-1')?.args.text);
    expect(blocked).toContain(`Run ${run!.id}: its current step was not posted again.`);
    expect(blocked).toContain('I am not a member of <#C0NOTIN001>');
    expect(blocked).toContain('/invite @Digitick onboarding');
    expect(blocked).not.toContain('is posted again');
    // The same institution again (elsewhere): the duplicate answer has no empty link.
    await h.command('start NOTIN', { responseUrl: h.api.responseUrl('notin-dup') });
    await h.submit('onboard_start', h.lastView().private_metadata, START_VALUES('NOTIN'), { selects: ['language'] });
    const dup = String(responses().find((c) => c.args.id === 'notin-dup')?.args.text);
    expect(dup).toContain(`resume ${run!.id}`);
    expect(dup).not.toMatch(/thread: *[.(]|thread: *$/im);
    h.api.notInChannels.delete('C0NOTIN001');
    await h.command(`resume ${run!.id}`, { channel: 'C0NOTIN001', responseUrl: h.api.responseUrl('notin-resume-2') });
    expect(String(responses().find((c) => c.args.id === 'notin-resume-2')?.args.text)).toMatch(
      new RegExp(`The current step of run ${run!.id} is posted again in its thread\\. https://fake\\.slack\\.test/`),
    );
    const roots = h.api.messagesIn('C0NOTIN001').filter((m) => !m.thread_ts);
    expect(roots).toHaveLength(1);
    expect(h.api.messagesIn('C0NOTIN001', roots[0]!.ts).some((m) => m.metadata?.event_payload.step === 'sales_channel')).toBe(true);
  });

  it('waits out a 429 with Retry-After and posts once', async () => {
    h.api.fail('chat.postMessage', { kind: 'rate_limited', retryAfterSeconds: 1 });
    const started = performance.now();
    const { card } = await startRun('RATED');
    console.log(`429 Retry-After 1 s: run start took ${Math.round(performance.now() - started)} ms`);
    expect(
      h.api.messagesIn(RUN_CHANNEL).filter((m) => m.metadata?.event_payload.run_id === card.metadata!.event_payload.run_id && !m.thread_ts),
    ).toHaveLength(1);
    expect(h.api.callsOf('chat.postMessage').filter((c) => c.status === 429)).toHaveLength(1);
  });
});

describe('Slack surface: support channel unset', () => {
  it('posts the support request in the run thread addressed to support, and warns at start', async () => {
    const h = await wireSlack({ supportChannel: null });
    try {
      expect(h.logs.some((l) => l.includes('SECUTIX_SUPPORT_SLACK_CHANNEL is not set'))).toBe(true);
      await h.command('start THREAD');
      await h.submit('onboard_start', h.lastView().private_metadata, START_VALUES('THREAD'), { selects: ['language'] });
      const card = h.api.messagesIn(RUN_CHANNEL).find((m) => !m.thread_ts)!;
      for (const step of [
        'sales_channel',
        'point_of_sale',
        'contingents',
        'technical_contact',
        'event_products',
        'pass_products',
        'sales_interface',
      ]) {
        const msg = h.api
          .messagesIn(RUN_CHANNEL, card.ts)
          .filter((m) => m.metadata?.event_payload.step === step && buttonsOf(m.blocks).length)
          .pop()!;
        const value = buttonsOf(msg.blocks).find((b) => b.action_id === (step.endsWith('_products') ? 'step_skip' : 'step_done'))!.value;
        await h.click(step.endsWith('_products') ? 'step_skip' : 'step_done', value);
        if (step === 'contingents') await h.submit('onboard_contingents', h.lastView().private_metadata, { contingent_ids: '11' });
        if (step === 'technical_contact') await h.submit('onboard_contact', h.lastView().private_metadata, { contact_number: '000123' });
      }
      const support = h.api
        .messagesIn(RUN_CHANNEL, card.ts)
        .filter((m) => buttonsOf(m.blocks).some((b) => b.action_id === 'password_assigned'));
      expect(support).toHaveLength(1);
      expect(JSON.stringify(support[0]!.blocks)).toContain('SecuTix support');
      expect(support[0]!.metadata?.event_payload.step).toBe('password_request');
    } finally {
      await h.close();
    }
  });
});

describe('Slack surface: start-up', () => {
  it('(h) a bad bot token is a clear start-up error, not a crash', async () => {
    const api = await new FakeSlackApi().start();
    const logs: string[] = [];
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const surface = await createSlackSurface({
        slack: { signingSecret: SIGNING_SECRET, botToken: 'fakebot-revoked', socketMode: false, apiUrl: api.apiUrl.replace(/\/$/, '') },
        port: 0,
        host: '127.0.0.1',
        service: {} as never, // never reached: start fails before any request
        builder: {} as never,
        store: {} as never,
        logger: createLogger('info', { write: (s: string) => void logs.push(s) }),
        defaultLocale: 'en',
      });
      const err = await surface.start().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(SlackStartError);
      expect((err as SlackStartError).code).toBe('invalid_auth');
      expect((err as Error).message).toContain('SLACK_BOT_TOKEN');
      expect(api.callsOf('auth.test')).toHaveLength(1);
      expect(api.callsOf('auth.test')[0]!.headers.authorization).toBe('Bearer fakebot-revoked');
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
      expect(logs.join('\n')).not.toContain('fakebot-revoked');
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await api.stop();
    }
  });

  it('checks the token once (auth.test) and not on every request', async () => {
    const h = await wireSlack();
    try {
      await h.command('help');
      await h.command('product');
      await h.click('step_done', 'garbage');
      expect(h.api.callsOf('auth.test')).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
