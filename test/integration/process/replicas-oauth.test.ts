/**
 * Issue 12 on two replicas: two product processes (`adapters/main.ts`) on one PostgreSQL database
 * in Slack OAuth mode, with two institution workspaces (A, B) and SecuTix's own (S,
 * `SECUTIX_SUPPORT_SLACK_CHANNEL=TEAM/CHANNEL`) installed through the real routes (an install
 * started on one replica may come back on the other). A full run in each institution workspace,
 * its requests and clicks spread over both replicas, the password request in S, support's click
 * landing on the other replica than the previous request: nothing is posted twice, and every Web
 * API call carries the token of the workspace it is about.
 *
 * Needs `TEST_DATABASE_URL` (PostgreSQL; `.ci/run` sets it); a fresh schema per run, dropped at
 * the end. Without it the suite is skipped with a visible message, never silently.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createSandbox, demoHints, type Sandbox } from '../../../adapters/sandbox';
import { FakeSlackApi, type FakeSlackMessage } from '../../fakes/fake-slack-api';
import { blockActionsPayload, commandBody, interactionBody, postSigned, viewSubmissionPayload } from '../../helpers/slack-signing';
import { buttonsOf, DEMO_START, PROCESS_SECRETS, type ProductProcess, spawnProduct, waitFor } from './product-process';

const url = process.env.TEST_DATABASE_URL?.trim();
const SKIP_MESSAGE = 'PostgreSQL process tests (two replicas, OAuth) skipped: set TEST_DATABASE_URL=postgres://... (CI sets it)';

if (!url || !/^postgres(ql)?:\/\//i.test(url)) {
  console.warn(url ? `${SKIP_MESSAGE}; TEST_DATABASE_URL is set but is not a postgres:// URL` : SKIP_MESSAGE);
  describe('two replicas on one PostgreSQL database, Slack OAuth mode', () => {
    it.skip(SKIP_MESSAGE, () => undefined);
  });
} else {
  oauthReplicaSuite(url);
}

type User = { id: string; name: string };
type Ws = {
  teamId: string;
  teamName: string;
  botUserId: string;
  botId: string;
  channels: string[];
  users: Record<string, { realName: string; email: string }>;
};
const CLIENT_ID = '7777.8888';
const CLIENT_SECRET = 'client-secret-replicas';
const OP_A: User = { id: 'U0REPA01', name: 'alex' };
const OP_B: User = { id: 'U0REPB01', name: 'bea' };
const SUPPORT: User = { id: 'U0REPSUP1', name: 'sam' };
const A: Ws = {
  teamId: 'T0REPAAAA',
  teamName: 'Acme Theatre',
  botUserId: 'U0BOTRA',
  botId: 'B0BOTRA',
  channels: ['C0REPA0001'],
  users: { [OP_A.id]: { realName: 'Alex Martin', email: 'alex@acme.example' } },
};
const B: Ws = {
  teamId: 'T0REPBBBB',
  teamName: 'Bellevue Opera',
  botUserId: 'U0BOTRB',
  botId: 'B0BOTRB',
  channels: ['C0REPB0001'],
  users: { [OP_B.id]: { realName: 'Bea Keller', email: 'bea@bellevue.example' } },
};
const S: Ws = {
  teamId: 'T0REPSECX',
  teamName: 'SecuTix',
  botUserId: 'U0BOTRS',
  botId: 'B0BOTRS',
  channels: ['C0REPDESK1'],
  users: { [SUPPORT.id]: { realName: 'Sam Support', email: 'sam@secutix.example' } },
};

function oauthReplicaSuite(databaseUrl: string): void {
  const demo = demoHints();
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const replicaUrl = `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const admin = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  let sandbox: Sandbox;
  let api: FakeSlackApi;
  let r1: ProductProcess;
  let r2: ProductProcess;

  beforeAll(async () => {
    await admin.query(`CREATE SCHEMA ${schema}`);
    sandbox = createSandbox({ admin: true });
    const { url: sandboxUrl } = await sandbox.listen(0, '127.0.0.1');
    api = await new FakeSlackApi().start();
    for (const ws of [A, B, S]) api.addWorkspace(ws);
    const env = {
      SLACK_SIGNING_SECRET: PROCESS_SECRETS.signingSecret,
      SLACK_CLIENT_ID: CLIENT_ID,
      SLACK_CLIENT_SECRET: CLIENT_SECRET,
      SLACK_STATE_SECRET: 'state-secret-replicas',
      INSTALLATION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SLACK_API_URL: api.apiUrl,
      SECUTIX_SUPPORT_SLACK_CHANNEL: `${S.teamId}/${S.channels[0]}`,
      SUPPORT_USERS: SUPPORT.id,
      SECUTIX_SANDBOX: 'false',
      SECUTIX_BASE_URL: sandboxUrl,
      DATABASE_URL: replicaUrl,
      LOG_LEVEL: 'info',
    };
    [r1, r2] = await Promise.all([spawnProduct(env), spawnProduct(env)]);
  }, 60_000);

  afterAll(async () => {
    if (process.env.DEBUG_REPLICAS) for (const r of [r1, r2]) console.log(r?.logs.filter((l) => /"level":(40|50|60)/.test(l)).join('\n'));
    await Promise.all([r1?.kill9(), r2?.kill9()]);
    await api?.stop();
    await sandbox?.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  const token = (ws: Ws) => api.tokensOf(ws.teamId)[0]!;
  /** Installs `ws`: "Add to Slack" on `from`, Slack's redirect back to `back` (the other replica, possibly). */
  async function install(ws: Ws, from: ProductProcess, back: ProductProcess): Promise<void> {
    api.oauthApp = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUrl: `${back.baseUrl}/slack/oauth_redirect` };
    api.approveNextInstallAs(ws.teamId);
    const start = await fetch(`${from.baseUrl}/slack/install`, { redirect: 'manual' });
    const cookie = start.headers.get('set-cookie')!.split(';')[0]!;
    const consent = await fetch(new URL(start.headers.get('location')!), { redirect: 'manual' });
    const done = await fetch(consent.headers.get('location')!, { headers: { cookie }, redirect: 'manual' });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain(ws.teamName);
  }
  const send = async (to: ProductProcess, body: string) => {
    const a = await postSigned(`${to.baseUrl}/slack/events`, body, { secret: PROCESS_SECRETS.signingSecret });
    if (a.status !== 200) throw new Error(`HTTP ${a.status} ${a.body}`);
    return a;
  };
  const inTeam = (ws: Ws, payload: Record<string, unknown>): string => {
    const p = payload as { team: { id: string }; user: { team_id: string }; view?: { team_id: string } };
    p.team.id = ws.teamId;
    p.user.team_id = ws.teamId;
    if (p.view) p.view.team_id = ws.teamId;
    return interactionBody(p);
  };
  const viewsIn = (ws: Ws) => api.callsOf('views.open').filter((c) => FakeSlackApi.tokenOf(c) === token(ws));
  async function submitNextView(ws: Ws, user: User, seen: number, to: ProductProcess, values: Record<string, string>, selects?: string[]) {
    const view = await waitFor(
      `views.open #${seen + 1} in ${ws.teamId}`,
      () => viewsIn(ws)[seen]?.args.view as { callback_id: string; private_metadata: string } | undefined,
    );
    await send(
      to,
      inTeam(
        ws,
        viewSubmissionPayload({
          user: user.id,
          userName: user.name,
          callbackId: view.callback_id,
          privateMetadata: view.private_metadata,
          values,
          ...(selects ? { selects } : {}),
        }),
      ),
    );
  }
  const open = (channel: string, runId: string, step: string, actionId: string) =>
    waitFor(
      `${step} with ${actionId} in ${channel}`,
      () =>
        api
          .messagesIn(channel)
          .filter(
            (m) =>
              m.metadata?.event_payload.run_id === runId &&
              m.metadata.event_payload.step === step &&
              buttonsOf(m.blocks).some((b) => b.action_id === actionId),
          )
          .pop(),
      30_000,
    );
  const click = (ws: Ws, user: User, msg: FakeSlackMessage, actionId: string, to: ProductProcess) => {
    const button = buttonsOf(msg.blocks).find((b) => b.action_id === actionId)!;
    return send(
      to,
      inTeam(
        ws,
        blockActionsPayload({ user: user.id, userName: user.name, channel: msg.channel, messageTs: msg.ts, actionId, value: button.value }),
      ),
    );
  };

  /** A full run in `ws`: every request goes to the replica `pick(i)` for its i-th request. */
  async function fullRun(ws: Ws, user: User, pick: (i: number) => ProductProcess): Promise<string> {
    let i = 0;
    const next = () => pick(i++);
    const channel = ws.channels[0]!;
    const roots = new Set(api.messagesIn(channel).map((m) => m.ts));
    const params = new URLSearchParams(
      commandBody({ text: 'start demo', user_id: user.id, user_name: user.name, channel_id: channel, response_url: api.responseUrl('r') }),
    );
    params.set('team_id', ws.teamId);
    params.set('is_enterprise_install', 'false');
    let views = viewsIn(ws).length;
    await send(next(), params.toString());
    await submitNextView(ws, user, views, next(), { ...DEMO_START }, ['language']);
    const card = await waitFor('the progress card', () =>
      api.messagesIn(channel).find((m) => !m.thread_ts && m.metadata && !roots.has(m.ts)),
    );
    const runId = String(card.metadata!.event_payload.run_id);
    for (const step of [
      'sales_channel',
      'point_of_sale',
      'contingents',
      'technical_contact',
      'event_products',
      'pass_products',
      'sales_interface',
    ]) {
      const msg = await open(channel, runId, step, 'step_done');
      views = viewsIn(ws).length;
      await click(ws, user, msg, 'step_done', next());
      if (step === 'contingents') await submitNextView(ws, user, views, next(), { contingent_ids: demo.contingentIds.join(',') });
      if (step === 'technical_contact') await submitNextView(ws, user, views, next(), { contact_number: demo.contactNumbers[0]! });
    }
    // The password request is in S; support clicks there, on the other replica than this run's last request.
    const request = await open(S.channels[0]!, runId, 'password_request', 'password_assigned');
    await click(S, SUPPORT, request, 'password_assigned', next());
    const verify = await open(channel, runId, 'verification', 'verify_start');
    views = viewsIn(ws).length;
    await click(ws, user, verify, 'verify_start', next());
    await submitNextView(ws, user, views, next(), { operator_password: demo.password });
    const email = await open(channel, runId, 'email_draft', 'email_sent');
    await click(ws, user, email, 'email_sent', next());
    await waitFor(`run ${runId} to complete`, () => api.messages.get(card.ts)?.metadata?.event_payload.state === 'completed', 30_000);
    return runId;
  }

  it('a full run in each workspace over both replicas: nothing posted twice, every call with its workspace token', async () => {
    await install(A, r1, r2);
    await install(B, r2, r2);
    await install(S, r2, r1);
    const alternate = (i: number) => (i % 2 === 0 ? r1 : r2);
    const reverse = (i: number) => (i % 2 === 0 ? r2 : r1);
    const [runA, runB] = await Promise.all([fullRun(A, OP_A, alternate), fullRun(B, OP_B, reverse)]);
    expect(runA).not.toBe(runB);

    // Each replica started one of the runs (the start form's submission went to the other one than the command).
    for (const r of [r1, r2]) expect(r.logs.filter((l) => l.includes('"msg":"run started"'))).toHaveLength(1);
    // Nothing posted twice: each outbox item (delivery id) is one message.
    const ids = api
      .callsOf('chat.postMessage')
      .filter((c) => c.error === undefined)
      .map((c) => (c.args.metadata as { event_payload?: { delivery_id?: unknown } } | undefined)?.event_payload?.delivery_id)
      .filter((id): id is number => typeof id === 'number');
    expect(ids.length).toBeGreaterThan(20);
    expect(new Set(ids).size).toBe(ids.length);
    // One request per run in S, one step message per step per run.
    for (const runId of [runA, runB]) {
      const requests = api.messagesIn(S.channels[0]!).filter((m) => m.metadata?.event_payload.run_id === runId && !m.thread_ts);
      expect(requests).toHaveLength(1);
      const steps = [...api.messages.values()]
        .filter((m) => m.metadata?.event_payload.run_id === runId && m.thread_ts)
        .map((m) => String(m.metadata!.event_payload.step));
      for (const step of ['sales_channel', 'contingents', 'verification'])
        expect(steps.filter((s) => s === step).length).toBeGreaterThan(0);
    }
    // Every call about a workspace's channel carries that workspace's token; no call failed for a wrong workspace.
    for (const ws of [A, B, S]) {
      const about = api.calls.filter((c) => c.args.channel === ws.channels[0]);
      expect(about.length).toBeGreaterThan(0);
      expect(new Set(about.map((c) => FakeSlackApi.tokenOf(c)))).toEqual(new Set([token(ws)]));
    }
    expect(api.calls.filter((c) => c.error === 'channel_not_found' || c.error === 'invalid_auth' || c.error === 'not_authed')).toEqual([]);
    const errors = [...r1.logs, ...r2.logs].filter((l) => /"level":(50|60)/.test(l));
    expect(errors).toEqual([]);
  }, 180_000);
}
