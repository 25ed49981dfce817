/**
 * SecuTix support in its own Slack workspace (`SECUTIX_SUPPORT_SLACK_CHANNEL=TEAM_ID/CHANNEL_ID`,
 * OAuth distribution), end to end: the real composition (createCore on a SQLite file, the SecuTix
 * sandbox, the installation store, `createSlackSurface`), Bolt's HTTP receiver with signed
 * requests, and the fake Slack Web API serving three workspaces with one token each: two
 * institutions (A, B) and SecuTix (S). Each fake workspace knows its own channels only (a call
 * with a token about another workspace's channel answers `channel_not_found`), so every message
 * in the wrong workspace would fail, and the tests also read the token of every Web API call.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { loadConfig } from '../../../adapters/config';
import { type Core, createCore } from '../../../adapters/core-wiring';
import { createLogger } from '../../../adapters/logger';
import { demoHints } from '../../../adapters/sandbox';
import { createSlackSurface, type SlackSurface } from '../../../adapters/slack';
import { openInstallationStore } from '../../../adapters/slack/oauth/open-installation-store';
import { FakeSlackApi, type FakeSlackCall, type FakeSlackMessage } from '../../fakes/fake-slack-api';
import { blockActionsPayload, commandBody, interactionBody, postSigned, viewSubmissionPayload } from '../../helpers/slack-signing';
import { buttonsOf, shown } from '../../helpers/slack-drive';
import { tempDir } from '../../helpers/slack-wire';

const SIGNING_SECRET = 'desk-signing-secret-0123456789';
const CLIENT_ID = '3333.4444';
const CLIENT_SECRET = 'client-secret-desk';
const OPERATOR_A = { id: 'U0ALEXA', name: 'alex' };
const OPERATOR_B = { id: 'U0BEAB', name: 'bea' };
const SUPPORT = { id: 'U0SAMSUP', name: 'sam' };
const OTHER_S = { id: 'U0SOTHER', name: 'olga' };
const A = {
  teamId: 'T0AAAAAAA',
  teamName: 'Acme <Theatre> & Co',
  botUserId: 'U0BOTA',
  botId: 'B0BOTA',
  channels: ['C0ACME0001'],
  users: { [OPERATOR_A.id]: { realName: 'Alex *Martin*', email: 'alex.martin@acme.example' } },
};
const B = {
  teamId: 'T0BBBBBBB',
  teamName: 'Bellevue Opera',
  botUserId: 'U0BOTB',
  botId: 'B0BOTB',
  channels: ['C0BELL0001'],
  users: { [OPERATOR_B.id]: { realName: 'Bea Keller', email: 'bea@bellevue.example' } },
};
const S = {
  teamId: 'T0SECUTIX',
  teamName: 'SecuTix',
  botUserId: 'U0BOTS',
  botId: 'B0BOTS',
  channels: ['C0DESK0001'],
  users: { [SUPPORT.id]: { realName: 'Sam Support', email: 'sam@secutix.example' } },
};
type Ws = { teamId: string; channels: string[] };
const HOUR = 3_600_000;

describe('the support desk in its own Slack workspace', () => {
  let api: FakeSlackApi;
  let core: Core;
  let surface: SlackSurface;
  let base: string;
  let now = Date.parse('2026-12-01T08:00:00.000Z');
  const logs: string[] = [];
  const demo = demoHints();

  beforeAll(async () => {
    const dbPath = path.join(tempDir('slack-desk-'), 'runs.db');
    api = await new FakeSlackApi().start();
    for (const ws of [A, B, S]) api.addWorkspace(ws);
    const config = loadConfig({
      DATABASE_URL: `sqlite:${dbPath}`,
      SECUTIX_SANDBOX: 'true',
      LOG_LEVEL: 'debug',
      DEFAULT_LOCALE: 'en',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_CLIENT_ID: CLIENT_ID,
      SLACK_CLIENT_SECRET: CLIENT_SECRET,
      SLACK_STATE_SECRET: 'state-secret-desk',
      INSTALLATION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SLACK_API_URL: api.apiUrl,
      SECUTIX_SUPPORT_SLACK_CHANNEL: `${S.teamId}/${S.channels[0]}`,
      SUPPORT_USERS: SUPPORT.id,
      SUPPORT_REMIND_AFTER_HOURS: '4',
    });
    const logger = createLogger(config.logLevel, { write: (s: string) => void logs.push(s) });
    core = await createCore(config, logger, { clock: { nowMs: () => now } });
    surface = await createSlackSurface({
      slack: config.slack!,
      port: 0,
      host: '127.0.0.1',
      service: core.service,
      builder: core.builder,
      store: core.store,
      logger,
      defaultLocale: config.defaultLocale,
      health: core.health,
      web: { retries: 0, maxRetryTimeoutMs: 200 },
      installations: await openInstallationStore(core.store, config.slack!.oauth!, logger),
    });
    core.notifiers.slack = surface.notifier;
    const { port } = await surface.start();
    base = `http://127.0.0.1:${port}`;
    api.oauthApp = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUrl: `${base}/slack/oauth_redirect` };
  });
  afterAll(async () => {
    await surface.stop();
    await api.stop();
    await core.close();
  });

  async function install(id: string): Promise<void> {
    api.approveNextInstallAs(id);
    const start = await fetch(`${base}/slack/install`, { redirect: 'manual' });
    const cookie = start.headers.get('set-cookie')!.split(';')[0]!;
    const consent = await fetch(new URL(start.headers.get('location')!), { redirect: 'manual' });
    const back = await fetch(consent.headers.get('location')!, { headers: { cookie }, redirect: 'manual' });
    expect(back.status).toBe(200);
    await back.text();
    await surface.idle();
  }
  const token = (ws: Ws) => api.tokensOf(ws.teamId)[0]!;
  const send = async (body: string) => {
    const answer = await postSigned(`${base}/slack/events`, body, { secret: SIGNING_SECRET });
    await surface.idle();
    return answer;
  };
  const command = async (ws: Ws, text: string, user: { id: string; name: string }) => {
    const params = new URLSearchParams(
      commandBody({ text, user_id: user.id, user_name: user.name, channel_id: ws.channels[0]!, response_url: api.responseUrl('x') }),
    );
    params.set('team_id', ws.teamId);
    params.set('is_enterprise_install', 'false');
    return send(params.toString());
  };
  const inTeam = (ws: Ws, payload: Record<string, unknown>): string => {
    const p = payload as { team: { id: string }; user: { team_id: string }; view?: { team_id: string } };
    p.team.id = ws.teamId;
    p.user.team_id = ws.teamId;
    if (p.view) p.view.team_id = ws.teamId;
    return interactionBody(p);
  };
  const lastView = (ws: Ws) => {
    const call = api
      .callsOf('views.open')
      .filter((c) => FakeSlackApi.tokenOf(c) === token(ws))
      .pop();
    if (!call) throw new Error(`no views.open in ${ws.teamId}`);
    return call.args.view as { callback_id: string; private_metadata: string };
  };
  const submit = async (ws: Ws, user: { id: string; name: string }, values: Record<string, string>, selects: string[] = []) => {
    const view = lastView(ws);
    const answer = await send(
      inTeam(
        ws,
        viewSubmissionPayload({
          user: user.id,
          userName: user.name,
          callbackId: view.callback_id,
          privateMetadata: view.private_metadata,
          values,
          selects,
        }),
      ),
    );
    expect(answer.status).toBe(200);
  };
  const openMessage = (channel: string, runId: string, step: string, actionId: string): FakeSlackMessage => {
    const m = api
      .messagesIn(channel)
      .filter(
        (x) =>
          x.metadata?.event_payload.run_id === runId &&
          x.metadata.event_payload.step === step &&
          buttonsOf(x.blocks).some((b) => b.action_id === actionId),
      )
      .pop();
    if (!m) throw new Error(`no open message of ${runId} at ${step} with ${actionId} in ${channel}`);
    return m;
  };
  const press = async (ws: Ws, user: { id: string; name: string }, msg: FakeSlackMessage, actionId: string) => {
    const button = buttonsOf(msg.blocks).find((b) => b.action_id === actionId)!;
    const answer = await send(
      inTeam(ws, blockActionsPayload({ user: user.id, channel: msg.channel, messageTs: msg.ts, actionId, value: button.value })),
    );
    expect(answer.status).toBe(200);
  };
  /** Starts a run in `ws` and does every step up to the password request. */
  const runToSupport = async (ws: Ws, user: { id: string; name: string }, channelCode: string): Promise<string> => {
    const channel = ws.channels[0]!;
    expect((await command(ws, 'start demo', user)).status).toBe(200);
    await submit(
      ws,
      user,
      {
        institution_code: demo.institutionCode,
        institution_name: 'Demo Theatre',
        channel_code: channelCode,
        digitick_contact_name: 'Camille Martin',
        digitick_contact_email: 'camille.martin@digitick.example',
        language: 'en',
      },
      ['language'],
    );
    const card = api
      .messagesIn(channel)
      .filter((m) => !m.thread_ts && m.metadata?.event_payload.step !== undefined)
      .pop()!;
    const runId = String(card.metadata!.event_payload.run_id);
    const step = (id: string) => press(ws, user, openMessage(channel, runId, id, 'step_done'), 'step_done');
    await step('sales_channel');
    await step('point_of_sale');
    await step('contingents');
    await submit(ws, user, { contingent_ids: demo.contingentIds.join(', ') });
    await step('technical_contact');
    await submit(ws, user, { contact_number: demo.contactNumbers[0]! });
    await step('event_products');
    await step('pass_products');
    await step('sales_interface');
    expect((await core.store.get(runId))?.currentStep).toBe('password_request');
    return runId;
  };
  const tokensAbout = (channel: string, calls: FakeSlackCall[]) =>
    new Set(calls.filter((c) => c.args.channel === channel).map((c) => FakeSlackApi.tokenOf(c)));
  const deskMessages = (runId: string) => api.messagesIn(S.channels[0]!).filter((m) => m.metadata?.event_payload.run_id === runId);
  const threadOf = (ws: Ws, runId: string) =>
    api.messagesIn(ws.channels[0]!).filter((m) => m.metadata?.event_payload.run_id === runId || m.text?.includes(runId));

  let runA = '';
  it('before the desk workspace installs the app: the request is kept (blocked, not retried) and the run thread is told', async () => {
    await install(A.teamId);
    await install(B.teamId);
    const before = api.calls.length;
    runA = await runToSupport(A, OPERATOR_A, 'DGA1');
    await core.service.pollOnce();
    await core.service.pollOnce();
    const calls = api.calls.slice(before);
    // Nothing went to the desk's channel, with any token; the support request waits in the outbox.
    expect(calls.filter((c) => c.args.channel === S.channels[0])).toEqual([]);
    const pending = await core.store.pendingOutbox(100, runA);
    expect(pending.map((p) => p.effect.type)).toContain('support_request');
    expect(logs.filter((l) => l.includes('delivery blocked') && l.includes('support workspace T0SECUTIX')).length).toBe(1);
    // The operator is told in the run's thread, once, with A's token.
    const told = api.messagesIn(A.channels[0]!).filter((m) => m.text?.includes("SecuTix's support workspace"));
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain(runA);
    expect(tokensAbout(A.channels[0]!, calls)).toEqual(new Set([token(A)]));
  });

  it("after the desk installs: the request goes to the desk's channel with the desk's token, naming who asks", async () => {
    const before = api.calls.length;
    await install(S.teamId);
    const calls = api.calls.slice(before);
    expect(await core.store.pendingOutbox(100, runA)).toEqual([]);
    const [request] = deskMessages(runA);
    expect(request).toBeDefined();
    expect(request!.metadata?.event_payload.step).toBe('password_request');
    expect(buttonsOf(request!.blocks).map((b) => b.action_id)).toContain('password_assigned');
    expect(tokensAbout(S.channels[0]!, calls)).toEqual(new Set([token(S)]));
    // users.info and auth.test of the requester's workspace: with A's token.
    expect(new Set(calls.filter((c) => c.method === 'users.info').map((c) => FakeSlackApi.tokenOf(c)))).toEqual(new Set([token(A)]));
    const text = shown(request!);
    // The organisation (escaped for mrkdwn), its domain, the requester, their email, the first-request flag.
    expect(text).toContain('Acme &lt;Theatre&gt; &amp; Co');
    expect(text).toContain('t0aaaaaaa.slack.test');
    // A name's `*` is shown as typed (Slack's literal escape), never as bold.
    expect(text).toContain('Alex \u200b*\u200bMartin\u200b*\u200b');
    expect(text).toContain('alex.martin@acme.example');
    expect(text).toContain(`First request for ${demo.institutionCode} from this workspace`);
    // A mention of A's user means nothing in S: the requester is named in plain text.
    expect(text).not.toContain(`<@${OPERATOR_A.id}>`);
    // No call about A's channel but with A's token (no permalink is asked any more: it would not open in S).
    expect([...tokensAbout(A.channels[0]!, calls)].every((t) => t === token(A))).toBe(true);
    expect(calls.filter((c) => c.method === 'chat.getPermalink')).toEqual([]);
  });

  it("the desk's status lists the runs of every organisation waiting on support, oldest first, with their age", async () => {
    now += HOUR;
    const runB = await runToSupport(B, OPERATOR_B, 'DGB1');
    now += 20 * 60_000;
    const before = api.calls.length;
    const answer = await command(S, 'status', SUPPORT);
    expect(answer.status).toBe(200);
    const text = answer.body;
    expect(text).toContain('Runs waiting for SecuTix support');
    const iA = text.indexOf(runA);
    const iB = text.indexOf(runB);
    expect(iA).toBeGreaterThan(-1);
    expect(iB).toBeGreaterThan(iA);
    expect(text).toContain('Acme &lt;Theatre&gt; &amp; Co (T0AAAAAAA)');
    expect(text).toContain('Bellevue Opera (T0BBBBBBB)');
    expect(text).toMatch(new RegExp(`${runA}.*waiting for 1 h 20 min`));
    expect(text).toMatch(new RegExp(`${runB}.*waiting for 20 min`));
    expect(api.calls.slice(before).every((c) => FakeSlackApi.tokenOf(c) === token(S))).toBe(true);
    // B's request: its own organisation, first request for the institution from B.
    expect(shown(deskMessages(runB)[0]!)).toContain('Bellevue Opera');
    expect(shown(deskMessages(runB)[0]!)).toContain(`First request for ${demo.institutionCode} from this workspace`);
    // Others keep today's status: an operator of A sees their own open runs; a non-support user of S too.
    const mine = await command(A, 'status', OPERATOR_A);
    expect(mine.body).toContain('Your open onboarding runs');
    expect(mine.body).not.toContain(runB);
    const other = await command(S, 'status', OTHER_S);
    expect(other.body).not.toContain('Runs waiting for SecuTix support');
  });

  it('a support reminder replies to the request in the desk, with the desk token', async () => {
    now += 5 * HOUR;
    const before = api.calls.length;
    await core.service.fireDueReminders();
    const posts = api.calls.slice(before).filter((c) => c.method === 'chat.postMessage' && c.args.channel === S.channels[0]);
    expect(posts.length).toBeGreaterThan(0);
    const request = deskMessages(runA).find((m) => !m.thread_ts)!;
    const toA = posts.find((c) => c.args.thread_ts === request.ts)!;
    expect(toA).toBeDefined();
    expect(toA.args.reply_broadcast).toBe('true');
    expect(FakeSlackApi.tokenOf(toA)).toBe(token(S));
    expect(JSON.stringify(toA.args.blocks)).not.toContain(`<@${OPERATOR_A.id}>`);
  });

  it("support's click in the desk advances the run: the request closes in the desk, the run goes on in A's thread with A's token", async () => {
    const request = deskMessages(runA).find((m) => !m.thread_ts)!;
    const before = api.calls.length;
    await press(S, SUPPORT, request, 'password_assigned');
    const run = await core.store.get(runA);
    expect(run?.currentStep).toBe('verification');
    expect(run?.steps.password_request).toMatchObject({ state: 'done', by: { id: SUPPORT.id } });
    const calls = api.calls.slice(before);
    // Every call about the desk's channel (the close) with S's token; every call about A's channel with A's.
    expect(tokensAbout(S.channels[0]!, calls)).toEqual(new Set([token(S)]));
    expect(tokensAbout(A.channels[0]!, calls)).toEqual(new Set([token(A)]));
    // Every other call: the clicker's lookups (locale, groups) with S's token, nothing else with a third token.
    for (const c of calls.filter((c) => c.args.user === SUPPORT.id || c.args.user_id === SUPPORT.id))
      expect(FakeSlackApi.tokenOf(c)).toBe(token(S));
    expect(new Set(calls.map((c) => FakeSlackApi.tokenOf(c)))).toEqual(new Set([token(A), token(S)]));
    const closeEdit = calls.find((c) => c.method === 'chat.update' && c.args.ts === request.ts);
    expect(closeEdit && FakeSlackApi.tokenOf(closeEdit)).toBe(token(S));
    const closed = api.messages.get(request.ts)!;
    expect(buttonsOf(closed.blocks)).toEqual([]);
    expect(shown(closed)).toContain('alex.martin@acme.example'); // the close keeps who asked
    expect(shown(closed)).toContain(`<@${SUPPORT.id}>`); // support is named in its own workspace
    // The next step is posted in A's thread.
    expect(threadOf(A, runA).some((m) => m.metadata?.event_payload.step === 'verification' && buttonsOf(m.blocks).length > 0)).toBe(true);
    // In A's workspace, support (a user of S) is named in plain text: a mention of S's user means nothing in A.
    const inA = threadOf(A, runA)
      .map((m) => shown(api.messages.get(m.ts)!))
      .join('\n');
    expect(inA).toMatch(/Password assigned|assigned/i);
    expect(inA).not.toContain(`<@${SUPPORT.id}>`);
    const cardInA = [...api.messages.values()].find(
      (m) => m.channel === A.channels[0] && !m.thread_ts && m.metadata?.event_payload.run_id === runA,
    )!;
    expect(shown(cardInA)).not.toContain(`<@${SUPPORT.id}>`);
    expect(calls.some((c) => c.error === 'channel_not_found')).toBe(false);
  });

  it('a later request for the same institution from the same workspace is not flagged as the first', async () => {
    const runA2 = await runToSupport(A, OPERATOR_A, 'DGA2');
    const text = shown(deskMessages(runA2)[0]!);
    expect(text).toContain('alex.martin@acme.example');
    expect(text).not.toContain('First request');
    // No call of the whole suite went to a channel of another workspace.
    expect(api.calls.filter((c) => c.error === 'channel_not_found')).toEqual([]);
  });
});
