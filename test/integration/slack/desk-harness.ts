/**
 * The harness of the support-desk-in-its-own-workspace tests (issue 12): the real composition
 * (createCore on a SQLite file or `databaseUrl`, the SecuTix sandbox, the installation store,
 * `createSlackSurface`), Bolt's HTTP receiver with signed requests, and the fake Slack Web API
 * serving two institution workspaces (A, B) and SecuTix's (S), one token each. Workspace B has a
 * user with the very same id as S's support user (ids are not tied to an organisation).
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
import { buttonsOf } from '../../helpers/slack-drive';
import { tempDir } from '../../helpers/slack-wire';

export const SIGNING_SECRET = 'desk-org-signing-secret-0123456789';
const CLIENT_ID = '5555.6666';
const CLIENT_SECRET = 'client-secret-desk-org';
export type User = { id: string; name: string };
export const OPERATOR_A: User = { id: 'U0ALEXA', name: 'alex' };
export const OPERATOR_B: User = { id: 'U0BEAB', name: 'bea' };
export const SUPPORT: User = { id: 'U0SAMSUP', name: 'sam' };
/** A user of workspace B with the same id as S's support user. */
export const SUPPORT_ID_IN_B: User = { id: SUPPORT.id, name: 'sam-of-bellevue' };
export const A = {
  teamId: 'T0AAAAAAA',
  teamName: 'Acme Theatre',
  botUserId: 'U0BOTA',
  botId: 'B0BOTA',
  channels: ['C0ACME0001'],
  users: { [OPERATOR_A.id]: { realName: 'Alex Martin', email: 'alex.martin@acme.example' } },
};
export const B = {
  teamId: 'T0BBBBBBB',
  teamName: 'Bellevue Opera',
  botUserId: 'U0BOTB',
  botId: 'B0BOTB',
  channels: ['C0BELL0001'],
  users: {
    [OPERATOR_B.id]: { realName: 'Bea Keller', email: 'bea@bellevue.example' },
    [SUPPORT.id]: { realName: 'Sam of Bellevue', email: 'sam@bellevue.example' },
  },
};
export const S = {
  teamId: 'T0SECUTIX',
  teamName: 'SecuTix',
  botUserId: 'U0BOTS',
  botId: 'B0BOTS',
  channels: ['C0DESK0001'],
  users: { [SUPPORT.id]: { realName: 'Sam Support', email: 'sam@secutix.example' } },
};
/** S's Enterprise Grid organisation (`startDesk({ deskOrgWide: true })`). */
export const S_ENTERPRISE = { enterpriseId: 'E0SECUTIX', enterpriseName: 'SecuTix Grid' };
export type Ws = { teamId: string; channels: string[] };
export const HOUR = 3_600_000;

export interface DeskHarness {
  api: FakeSlackApi;
  core: Core;
  surface: SlackSurface;
  base: string;
  logs: string[];
  clock: { now: number };
  close(): Promise<void>;
  install(id: string): Promise<void>;
  uninstall(ws: Ws, eventId: string): Promise<void>;
  token(ws: Ws): string;
  send(body: string, json?: boolean): Promise<{ status: number; body: string }>;
  command(ws: Ws, text: string, user: User): Promise<{ status: number; body: string }>;
  press(ws: Ws, user: User, msg: FakeSlackMessage, actionId: string): Promise<void>;
  openMessage(channel: string, runId: string, step: string, actionId: string): FakeSlackMessage;
  runToSupport(ws: Ws, user: User, channelCode: string): Promise<string>;
  deskMessages(runId: string): FakeSlackMessage[];
  tokensAbout(channel: string, calls: FakeSlackCall[]): Set<string | undefined>;
}

export async function startDesk(
  opts: {
    databaseUrl?: string;
    env?: Record<string, string>;
    supportDeskElsewhere?: boolean;
    /** S is a workspace of the Enterprise Grid organisation `S_ENTERPRISE`, the app installed org-wide there. */
    deskOrgWide?: boolean;
  } = {},
): Promise<DeskHarness> {
  const clock = { now: Date.parse('2026-12-01T08:00:00.000Z') };
  const logs: string[] = [];
  const api = await new FakeSlackApi().start();
  for (const ws of [A, B, opts.deskOrgWide ? { ...S, ...S_ENTERPRISE, orgWide: true } : S]) api.addWorkspace(ws);
  // Requests from S carry its organisation when the app is installed org-wide there.
  const gridOf = (ws: Ws) => (opts.deskOrgWide && ws.teamId === S.teamId ? S_ENTERPRISE.enterpriseId : undefined);
  const config = loadConfig({
    DATABASE_URL: opts.databaseUrl ?? `sqlite:${path.join(tempDir('slack-desk-org-'), 'runs.db')}`,
    SECUTIX_SANDBOX: 'true',
    LOG_LEVEL: 'debug',
    DEFAULT_LOCALE: 'en',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_CLIENT_ID: CLIENT_ID,
    SLACK_CLIENT_SECRET: CLIENT_SECRET,
    SLACK_STATE_SECRET: 'state-secret-desk-org',
    INSTALLATION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SLACK_API_URL: api.apiUrl,
    SECUTIX_SUPPORT_SLACK_CHANNEL: opts.deskOrgWide
      ? `${S_ENTERPRISE.enterpriseId}/${S.teamId}/${S.channels[0]}`
      : `${S.teamId}/${S.channels[0]}`,
    SUPPORT_USERS: SUPPORT.id,
    SUPPORT_REMIND_AFTER_HOURS: '4',
    ...opts.env,
  });
  const logger = createLogger(config.logLevel, { write: (s: string) => void logs.push(s) });
  const core = await createCore(config, logger, { clock: { nowMs: () => clock.now } });
  const surface = await createSlackSurface({
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
    ...(opts.supportDeskElsewhere ? { supportDeskElsewhere: true } : {}),
  });
  core.notifiers.slack = surface.notifier;
  const { port } = await surface.start();
  const base = `http://127.0.0.1:${port}`;
  api.oauthApp = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUrl: `${base}/slack/oauth_redirect` };

  const token = (ws: Ws) => api.tokensOf(ws.teamId)[0]!;
  const send = async (body: string, json = false) => {
    const answer = await postSigned(`${base}/slack/events`, body, {
      secret: SIGNING_SECRET,
      ...(json ? { headers: { 'Content-Type': 'application/json' } } : {}),
    });
    await surface.idle();
    return answer;
  };
  const command = async (ws: Ws, text: string, user: User) => {
    const params = new URLSearchParams(
      commandBody({ text, user_id: user.id, user_name: user.name, channel_id: ws.channels[0]!, response_url: api.responseUrl('x') }),
    );
    params.set('team_id', ws.teamId);
    params.set('is_enterprise_install', String(Boolean(gridOf(ws))));
    if (gridOf(ws)) params.set('enterprise_id', gridOf(ws)!);
    return send(params.toString());
  };
  const inTeam = (ws: Ws, payload: Record<string, unknown>): string => {
    const p = payload as { team: { id: string }; user: { team_id: string }; view?: { team_id: string } };
    p.team.id = ws.teamId;
    p.user.team_id = ws.teamId;
    if (p.view) p.view.team_id = ws.teamId;
    if (gridOf(ws)) Object.assign(p, { enterprise: { id: gridOf(ws) }, is_enterprise_install: true });
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
  const submit = async (ws: Ws, user: User, values: Record<string, string>, selects: string[] = []) => {
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
    if (answer.status !== 200) throw new Error(`view submission answered ${answer.status}`);
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
  const press = async (ws: Ws, user: User, msg: FakeSlackMessage, actionId: string) => {
    const button = buttonsOf(msg.blocks).find((b) => b.action_id === actionId)!;
    const answer = await send(
      inTeam(ws, blockActionsPayload({ user: user.id, channel: msg.channel, messageTs: msg.ts, actionId, value: button.value })),
    );
    if (answer.status !== 200) throw new Error(`click answered ${answer.status}`);
  };
  const demo = demoHints();
  const runToSupport = async (ws: Ws, user: User, channelCode: string): Promise<string> => {
    const channel = ws.channels[0]!;
    const started = await command(ws, 'start demo', user);
    if (started.status !== 200) throw new Error(`start answered ${started.status}`);
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
    const at = (await core.store.get(runId))?.currentStep;
    if (at !== 'password_request') throw new Error(`run ${runId} at ${at}, not password_request`);
    return runId;
  };
  return {
    api,
    core,
    surface,
    base,
    logs,
    clock,
    async close() {
      await surface.stop();
      await api.stop();
      await core.close();
    },
    async install(id: string) {
      api.approveNextInstallAs(id);
      const start = await fetch(`${base}/slack/install`, { redirect: 'manual' });
      const cookie = start.headers.get('set-cookie')!.split(';')[0]!;
      const consent = await fetch(new URL(start.headers.get('location')!), { redirect: 'manual' });
      const back = await fetch(consent.headers.get('location')!, { headers: { cookie }, redirect: 'manual' });
      if (back.status !== 200) throw new Error(`oauth_redirect answered ${back.status}`);
      await back.text();
      await surface.idle();
    },
    async uninstall(ws: Ws, eventId: string) {
      api.revokeTokensOf(ws.teamId);
      const answer = await send(
        JSON.stringify({
          token: 'legacy',
          team_id: ws.teamId,
          api_app_id: 'A0APP0001',
          type: 'event_callback',
          event_id: eventId,
          event_time: Math.floor(clock.now / 1000),
          event: { type: 'app_uninstalled', event_ts: `${Math.floor(clock.now / 1000)}.000100` },
        }),
        true,
      );
      if (answer.status !== 200) throw new Error(`app_uninstalled answered ${answer.status}`);
    },
    token,
    send,
    command,
    press,
    openMessage,
    runToSupport,
    deskMessages: (runId: string) => api.messagesIn(S.channels[0]!).filter((m) => m.metadata?.event_payload.run_id === runId),
    tokensAbout: (channel: string, calls: FakeSlackCall[]) =>
      new Set(calls.filter((c) => c.args.channel === channel).map((c) => FakeSlackApi.tokenOf(c))),
  };
}
