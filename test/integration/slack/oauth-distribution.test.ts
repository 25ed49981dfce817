/**
 * Slack OAuth distribution end to end: the real composition (createCore on a SQLite file, the
 * SecuTix sandbox, `openInstallationStore`, `createSlackSurface` with `SLACK_CLIENT_ID`...), Bolt's
 * real HTTP receiver and InstallProvider, and the fake Slack Web API serving several workspaces
 * (one token each, `GET /oauth/v2/authorize` and `oauth.v2.access` answered by the fake).
 *
 * Installs go through the real routes as a browser would: GET /slack/install (302 to the fake's
 * authorize page, state cookie set) -> the fake approves and redirects -> GET
 * /slack/oauth_redirect?code&state with the cookie -> success page.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../../../adapters/config';
import { type Core, createCore } from '../../../adapters/core-wiring';
import { createLogger } from '../../../adapters/logger';
import { demoHints } from '../../../adapters/sandbox';
import { createSlackSurface, type SlackSurface } from '../../../adapters/slack';
import { manifestBotScopes } from '../../../adapters/slack/oauth/distribution';
import { openInstallationStore } from '../../../adapters/slack/oauth/open-installation-store';
import { FakeSlackApi, type FakeSlackCall } from '../../fakes/fake-slack-api';
import { commandBody, interactionBody, postSigned, viewSubmissionPayload, blockActionsPayload } from '../../helpers/slack-signing';
import { tempDir } from '../../helpers/slack-wire';

const SIGNING_SECRET = 'oauth-signing-secret-0123456789';
const CLIENT_ID = '1111.2222';
const CLIENT_SECRET = 'client-secret-abcdef';
const A = { teamId: 'T0AAAAAAA', teamName: 'Acme Theatre', botUserId: 'U0BOTA', botId: 'B0BOTA', channel: 'C0ACME0001' };
const B = { teamId: 'T0BBBBBBB', teamName: 'Bellevue Opera', botUserId: 'U0BOTB', botId: 'B0BOTB', channel: 'C0BELL0001' };
const GRID = {
  teamId: 'T0GRIDW01',
  teamName: 'Grid workspace',
  enterpriseId: 'E0GRID001',
  enterpriseName: 'Grid Org',
  orgWide: true,
  botUserId: 'U0BOTG',
  botId: 'B0BOTG',
};
const OPERATOR_A = { id: 'U0ALEXA', name: 'alex' };
const OPERATOR_B = { id: 'U0BEAB', name: 'bea' };

type Ws = { teamId: string; enterpriseId?: string; orgWide?: boolean };

describe('Slack OAuth distribution: several workspaces, one deployment', () => {
  let api: FakeSlackApi;
  let core: Core;
  let surface: SlackSurface;
  let base: string;
  let dbPath: string;
  const logs: string[] = [];
  const demo = demoHints();

  beforeAll(async () => {
    dbPath = path.join(tempDir('slack-oauth-'), 'runs.db');
    api = await new FakeSlackApi().start();
    api.addWorkspace(A);
    api.addWorkspace(B);
    api.addWorkspace(GRID);
    const config = loadConfig({
      DATABASE_URL: `sqlite:${dbPath}`,
      SECUTIX_SANDBOX: 'true',
      LOG_LEVEL: 'debug',
      DEFAULT_LOCALE: 'en',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_CLIENT_ID: CLIENT_ID,
      SLACK_CLIENT_SECRET: CLIENT_SECRET,
      SLACK_STATE_SECRET: 'state-secret-for-tests',
      INSTALLATION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SLACK_API_URL: api.apiUrl,
    });
    const logger = createLogger(config.logLevel, { write: (s: string) => void logs.push(s) });
    core = await createCore(config, logger);
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

  /** Installs the app in a workspace the way a browser does, and returns the success page. */
  async function install(id: string): Promise<{ status: number; html: string; authorizeUrl: URL }> {
    api.approveNextInstallAs(id);
    const start = await fetch(`${base}/slack/install`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const authorizeUrl = new URL(start.headers.get('location')!);
    const cookie = start.headers.get('set-cookie')!.split(';')[0]!;
    expect(cookie).toMatch(/^slack-app-oauth-state=./);
    const consent = await fetch(authorizeUrl, { redirect: 'manual' });
    expect(consent.status).toBe(302);
    const back = await fetch(consent.headers.get('location')!, { headers: { cookie }, redirect: 'manual' });
    const html = await back.text();
    await surface.idle(); // the work after the success page (messages that waited for a reinstall)
    return { status: back.status, html, authorizeUrl };
  }

  const events = () => `${base}/slack/events`;
  const send = async (body: string, json = false) => {
    const answer = await postSigned(events(), body, {
      secret: SIGNING_SECRET,
      ...(json ? { headers: { 'Content-Type': 'application/json' } } : {}),
    });
    await surface.idle();
    return answer;
  };
  const teamFields = (ws: Ws) => ({
    team_id: ws.teamId,
    ...(ws.enterpriseId ? { enterprise_id: ws.enterpriseId } : {}),
    is_enterprise_install: String(Boolean(ws.orgWide)),
  });
  const command = (ws: Ws, text: string, user: { id: string; name: string }, channel: string) => {
    const params = new URLSearchParams(
      commandBody({ text, user_id: user.id, user_name: user.name, channel_id: channel, response_url: api.responseUrl('x') }),
    );
    for (const [k, v] of Object.entries(teamFields(ws))) params.set(k, v);
    return send(params.toString());
  };
  /** Interaction payloads as a workspace's Slack sends them (team ids replaced). */
  const inTeam = (ws: Ws, payload: Record<string, unknown>): string => {
    const p = payload as { team: { id: string }; user: { team_id: string }; view?: { team_id: string } };
    p.team.id = ws.teamId;
    p.user.team_id = ws.teamId;
    if (p.view) p.view.team_id = ws.teamId;
    return interactionBody({
      ...p,
      ...(ws.enterpriseId ? { enterprise: { id: ws.enterpriseId }, is_enterprise_install: Boolean(ws.orgWide) } : {}),
    });
  };
  const lastViewOpenedWith = (token: string) => {
    const call = api
      .callsOf('views.open')
      .filter((c) => FakeSlackApi.tokenOf(c) === token)
      .pop();
    if (!call) throw new Error(`no views.open with ${token}`);
    return call.args.view as { callback_id: string; private_metadata: string };
  };
  const startRun = async (ws: Ws, user: { id: string; name: string }, channel: string, channelCode: string): Promise<string> => {
    const token = api.tokensOf(ws.orgWide ? ws.enterpriseId! : ws.teamId)[0]!;
    expect((await command(ws, 'start demo', user, channel)).status).toBe(200);
    const view = lastViewOpenedWith(token);
    const submitted = await send(
      inTeam(
        ws,
        viewSubmissionPayload({
          user: user.id,
          userName: user.name,
          callbackId: view.callback_id,
          privateMetadata: view.private_metadata,
          values: {
            institution_code: demo.institutionCode,
            institution_name: 'Demo Theatre',
            channel_code: channelCode,
            digitick_contact_name: 'Camille Martin',
            digitick_contact_email: 'camille.martin@digitick.example',
            language: 'en',
          },
          selects: ['language'],
        }),
      ),
    );
    expect(submitted.status).toBe(200);
    const card = [...api.messages.values()].find(
      (m) => m.channel === channel && !m.thread_ts && m.metadata?.event_payload.step !== undefined,
    );
    if (!card) throw new Error(`no card in ${channel}`);
    return String(card.metadata!.event_payload.run_id);
  };
  /** Tokens used by the Web API calls about a channel. */
  const tokensUsedIn = (channel: string, calls: FakeSlackCall[] = api.calls) =>
    new Set(calls.filter((c) => c.args.channel === channel).map((c) => FakeSlackApi.tokenOf(c)));

  it('installs two workspaces through GET /slack/install and /slack/oauth_redirect, with the manifest scopes, and stores no token in clear', async () => {
    const a = await install(A.teamId);
    expect(a.status).toBe(200);
    expect(a.html).toContain('Acme Theatre');
    expect(a.authorizeUrl.origin + a.authorizeUrl.pathname).toBe(new URL('/oauth/v2/authorize', api.apiUrl).toString());
    expect(a.authorizeUrl.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(a.authorizeUrl.searchParams.get('scope')!.split(',')).toEqual(manifestBotScopes());
    const b = await install(B.teamId);
    expect(b.html).toContain('Bellevue Opera');
    // oauth.v2.access was answered by the fake, once per install, with the app's credentials.
    expect(api.callsOf('oauth.v2.access').map((c) => c.args.client_id)).toEqual([CLIENT_ID, CLIENT_ID]);
    const tokens = [...api.tokensOf(A.teamId), ...api.tokensOf(B.teamId)];
    expect(tokens).toHaveLength(2);
    // The database file (rows and bytes) has both workspaces and neither token.
    const db = new Database(dbPath, { readonly: true });
    const rows = db.prepare('SELECT install_key, team_name, installation FROM slack_installations ORDER BY install_key').all() as {
      install_key: string;
      installation: string;
    }[];
    db.close();
    expect(rows.map((r) => r.install_key)).toEqual([`team:${A.teamId}`, `team:${B.teamId}`]);
    const files = [dbPath, `${dbPath}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f).toString('latin1'));
    for (const t of tokens) {
      for (const r of rows) expect(r.installation).not.toContain(t);
      for (const f of files) expect(f).not.toContain(t);
      for (const line of logs) expect(line).not.toContain(t);
    }
  });

  it("a state that is not this browser's is refused with a clear page (no installation)", async () => {
    api.approveNextInstallAs(A.teamId);
    const start = await fetch(`${base}/slack/install`, { redirect: 'manual' });
    const consent = await fetch(new URL(start.headers.get('location')!), { redirect: 'manual' });
    const back = await fetch(consent.headers.get('location')!, { redirect: 'manual' }); // no cookie
    expect(back.status).toBe(400);
    expect(await back.text()).toContain('Installation not completed');
    expect(api.tokensOf(A.teamId)).toHaveLength(1);
    // The page follows the browser's language (Accept-Language), here French, then German by preference.
    const fr = await fetch(consent.headers.get('location')!, {
      redirect: 'manual',
      headers: { 'Accept-Language': 'fr-CH, fr;q=0.9, en;q=0.5' },
    });
    const frHtml = await fr.text();
    expect(frHtml).toContain('<html lang="fr">');
    expect(frHtml).toContain('Installation non terminée');
    expect(frHtml).toContain('Réessayez depuis le même navigateur\u00a0: <a href="/slack/install">');
    const de = await fetch(consent.headers.get('location')!, { redirect: 'manual', headers: { 'Accept-Language': 'it;q=1, de;q=0.8' } });
    expect(await de.text()).toContain('Installation nicht abgeschlossen');
  });

  let runA = '';
  let runB = '';
  it("answers a slash command from each workspace with that workspace's token", async () => {
    const [tokenA] = api.tokensOf(A.teamId);
    const [tokenB] = api.tokensOf(B.teamId);
    runA = await startRun(A, OPERATOR_A, A.channel, 'DGA1');
    runB = await startRun(B, OPERATOR_B, B.channel, 'DGB1');
    expect(runA).not.toBe(runB);
    // Each run belongs to the workspace it was started in (issue 12, "Isolation").
    expect((await core.store.get(runA))?.org).toBe(`slack:${A.teamId}`);
    expect((await core.store.get(runB))?.org).toBe(`slack:${B.teamId}`);
    expect(tokensUsedIn(A.channel)).toEqual(new Set([tokenA]));
    expect(tokensUsedIn(B.channel)).toEqual(new Set([tokenB]));
    expect(api.messagesIn(A.channel).length).toBeGreaterThan(1);
    expect(api.messagesIn(B.channel).length).toBeGreaterThan(1);
    // A click in A moves A's run, with A's token.
    const before = api.calls.length;
    const step = api
      .messagesIn(A.channel)
      .filter((m) => m.metadata?.event_payload.step === 'sales_channel')
      .pop()!;
    const button = (step.blocks.find((b) => b.type === 'actions')!.elements as { action_id: string; value: string }[]).find(
      (e) => e.action_id === 'step_done',
    )!;
    const click = await send(
      inTeam(
        A,
        blockActionsPayload({ user: OPERATOR_A.id, channel: A.channel, messageTs: step.ts, actionId: 'step_done', value: button.value }),
      ),
    );
    expect(click.status).toBe(200);
    expect((await core.store.get(runA))?.currentStep).toBe('point_of_sale');
    expect(tokensUsedIn(A.channel, api.calls.slice(before))).toEqual(new Set([tokenA]));
  });

  it('uninstall then reinstall of a workspace in the middle of a run loses nothing', async () => {
    const [oldTokenA] = api.tokensOf(A.teamId);
    // Slack revokes the tokens and sends app_uninstalled.
    api.revokeTokensOf(A.teamId);
    const uninstalled = await send(
      JSON.stringify({
        token: 'legacy',
        team_id: A.teamId,
        api_app_id: 'A0APP0001',
        type: 'event_callback',
        event_id: 'Ev0UNINSTALL1',
        event_time: Math.floor(Date.now() / 1000),
        event: { type: 'app_uninstalled', event_ts: `${Math.floor(Date.now() / 1000)}.000100` },
      }),
      true,
    );
    expect(uninstalled.status).toBe(200);
    const db = new Database(dbPath, { readonly: true });
    expect(db.prepare('SELECT install_key FROM slack_installations ORDER BY install_key').all()).toEqual([
      { install_key: `team:${B.teamId}` },
    ]);
    db.close();
    expect(logs.join('\n')).toContain('Slack app uninstalled from a workspace');

    // The run moves on meanwhile (here through the service, as another replica or surface would):
    // its messages wait in the outbox, blocked, with one log line; polls do not retry them.
    const before = api.calls.length;
    const moved = await core.service.act({
      runId: runA,
      step: 'point_of_sale',
      action: 'step_done',
      actor: OPERATOR_A,
      surface: 'slack',
      org: `slack:${A.teamId}`,
    });
    expect(moved.ok).toBe(true);
    await core.service.pollOnce();
    await core.service.pollOnce();
    expect(api.calls.slice(before).filter((c) => c.args.channel === A.channel)).toEqual([]);
    const pending = await core.store.pendingOutbox(100, runA);
    expect(pending.length).toBeGreaterThan(0);
    expect(logs.filter((l) => l.includes('delivery blocked')).length).toBe(1);
    expect((await core.store.get(runA))?.status).toBe('open');

    // A request from A while uninstalled is acknowledged and does nothing.
    const refused = await command(A, 'status', OPERATOR_A, A.channel);
    expect(refused.status).toBe(200);
    expect(api.calls.slice(before).some((c) => FakeSlackApi.tokenOf(c) === oldTokenA)).toBe(false);

    // B is not affected.
    const beforeB = api.calls.length;
    expect((await command(B, 'start demo', OPERATOR_B, B.channel)).status).toBe(200);
    expect(tokensUsedIn(B.channel, api.calls.slice(beforeB)).size).toBeLessThanOrEqual(1);
    expect(api.calls.slice(beforeB).some((c) => c.method === 'views.open' && FakeSlackApi.tokenOf(c) === api.tokensOf(B.teamId)[0])).toBe(
      true,
    );

    // Reinstall: the waiting messages go out at once, with the new token, and the run goes on.
    const again = await install(A.teamId);
    expect(again.status).toBe(200);
    const [newTokenA] = api.tokensOf(A.teamId);
    expect(newTokenA).not.toBe(oldTokenA);
    expect(await core.store.pendingOutbox(100, runA)).toEqual([]);
    const afterReinstall = api.calls.slice(before).filter((c) => c.args.channel === A.channel);
    expect(afterReinstall.length).toBeGreaterThan(0);
    expect(new Set(afterReinstall.map((c) => FakeSlackApi.tokenOf(c)))).toEqual(new Set([newTokenA]));
    const run = await core.store.get(runA);
    expect(run?.currentStep).toBe('contingents');
    expect(run?.steps.sales_channel.state).toBe('done');
    expect(run?.steps.point_of_sale.state).toBe('done');
    expect(api.messagesIn(A.channel).some((m) => m.metadata?.event_payload.step === 'contingents')).toBe(true);
  });

  it('tokens_revoked with the bot token removes the installation; without it the installation stays', async () => {
    const body = (bot: string[]) =>
      JSON.stringify({
        token: 'legacy',
        team_id: B.teamId,
        api_app_id: 'A0APP0001',
        type: 'event_callback',
        event_id: `Ev0REVOKE${bot.length}`,
        event_time: Math.floor(Date.now() / 1000),
        event: { type: 'tokens_revoked', tokens: { oauth: ['U0SOMEONE'], bot } },
      });
    const count = () => {
      const db = new Database(dbPath, { readonly: true });
      const n = (db.prepare('SELECT COUNT(*) AS n FROM slack_installations WHERE team_id = ?').get(B.teamId) as { n: number }).n;
      db.close();
      return n;
    };
    await send(body([]), true);
    expect(count()).toBe(1);
    await send(body([B.botUserId]), true);
    expect(count()).toBe(0);
    expect(await core.store.get(runB)).toMatchObject({ status: 'open' });
  });

  it('an Enterprise Grid org-wide install serves the workspaces of the organisation', async () => {
    const page = await install(GRID.enterpriseId);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Grid Org');
    const db = new Database(dbPath, { readonly: true });
    expect(
      db.prepare("SELECT install_key, is_enterprise_install FROM slack_installations WHERE install_key LIKE 'enterprise:%'").all(),
    ).toEqual([{ install_key: `enterprise:${GRID.enterpriseId}`, is_enterprise_install: 1 }]);
    db.close();
    const [tokenG] = api.tokensOf(GRID.enterpriseId);
    const runG = await startRun(GRID, { id: 'U0GRIDOP', name: 'gina' }, 'C0GRID0001', 'DGG1');
    expect(runG).toMatch(/^[A-Z0-9]{8}$/);
    expect(tokensUsedIn('C0GRID0001')).toEqual(new Set([tokenG]));
  });
});
