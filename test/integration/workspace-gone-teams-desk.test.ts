/**
 * Issue 12, uninstalled workspace, the support desk on Teams (`SECUTIX_SUPPORT_DESK=teams`, the
 * desk channel registered with `support-channel here`): a Slack run's workspace uninstalls the
 * app; its messages wait in the outbox, are not retried, and the Teams desk channel hears it once
 * per run (which workspace, which run, what waits, that a reinstall sends it), in the run's
 * language. One service serving Slack in OAuth mode (the real install routes, Bolt's HTTP
 * receiver with signed requests, the fake Slack Web API) and Teams (CloudAdapter, fake connector),
 * wired as `adapters/main.ts` does (`reportWorkspaceGone` -> the Teams surface's `tellDesk`).
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../adapters/config';
import { demoHints } from '../../adapters/sandbox';
import { createSlackSurface, type SlackSurface } from '../../adapters/slack';
import { openInstallationStore } from '../../adapters/slack/oauth/open-installation-store';
import { FakeSlackApi } from '../fakes/fake-slack-api';
import { blockActionsPayload, commandBody, interactionBody, postSigned, viewSubmissionPayload } from '../helpers/slack-signing';
import { buttonsOf } from '../helpers/slack-drive';
import { tempDir } from '../helpers/slack-wire';
import {
  actionOf,
  cardOf,
  cardText,
  type Conversation,
  latestWithAction,
  SAM,
  startTeamsHarness,
  type TeamsHarness,
} from './teams/helpers';

const SIGNING_SECRET = 'gone-teams-signing-secret-0123456789';
const CLIENT_ID = '7777.8888';
const CLIENT_SECRET = 'client-secret-gone-teams';
const OPERATOR = { id: 'U0ALEXA', name: 'alex' };
const A = {
  teamId: 'T0AAAAAAA',
  teamName: 'Acme Theatre',
  botUserId: 'U0BOTA',
  botId: 'B0BOTA',
  channels: ['C0ACME0001'],
  users: { [OPERATOR.id]: { realName: 'Alex Martin', email: 'alex.martin@acme.example' } },
};
const TEAMS_DESK: Conversation = { id: '19:desk-gone@thread.tacv2', conversationType: 'channel' };
const NBSP = '\u00a0';

describe('a Slack workspace that uninstalls the app, the support desk on Teams', () => {
  let h: TeamsHarness;
  let api: FakeSlackApi;
  let slack: SlackSurface;
  let base: string;
  beforeAll(async () => {
    h = await startTeamsHarness({ supportDesk: 'teams' });
    api = await new FakeSlackApi().start();
    api.addWorkspace(A);
    const config = loadConfig({
      DATABASE_URL: `sqlite:${path.join(tempDir('gone-teams-'), 'unused.db')}`,
      SECUTIX_SANDBOX: 'true',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_CLIENT_ID: CLIENT_ID,
      SLACK_CLIENT_SECRET: CLIENT_SECRET,
      SLACK_STATE_SECRET: 'state-secret-gone-teams',
      INSTALLATION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SLACK_API_URL: api.apiUrl,
    });
    slack = await createSlackSurface({
      slack: config.slack!,
      port: 0,
      host: '127.0.0.1',
      service: h.service,
      builder: h.builder,
      store: h.store,
      logger: h.logger,
      defaultLocale: 'en',
      web: { retries: 0, maxRetryTimeoutMs: 200 },
      installations: await openInstallationStore(h.store, config.slack!.oauth!, h.logger),
      supportDeskElsewhere: true,
      // As adapters/main.ts wires it with SECUTIX_SUPPORT_DESK=teams.
      reportWorkspaceGone: (_run, notice) => h.surface.tellDesk(notice.text),
    });
    h.notifiers.slack = slack.notifier;
    const { port } = await slack.start();
    base = `http://127.0.0.1:${port}`;
    api.oauthApp = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUrl: `${base}/slack/oauth_redirect` };
  });
  afterAll(async () => {
    await slack.stop();
    await api.stop();
    await h.close();
  });

  const send = async (body: string, json = false) => {
    const answer = await postSigned(`${base}/slack/events`, body, {
      secret: SIGNING_SECRET,
      ...(json ? { headers: { 'Content-Type': 'application/json' } } : {}),
    });
    await slack.idle();
    return answer;
  };
  const install = async () => {
    api.approveNextInstallAs(A.teamId);
    const start = await fetch(`${base}/slack/install`, { redirect: 'manual' });
    const cookie = start.headers.get('set-cookie')!.split(';')[0]!;
    const consent = await fetch(new URL(start.headers.get('location')!), { redirect: 'manual' });
    const back = await fetch(consent.headers.get('location')!, { headers: { cookie }, redirect: 'manual' });
    expect(back.status).toBe(200);
    await back.text();
    await slack.idle();
  };
  const uninstall = async (eventId: string) => {
    api.revokeTokensOf(A.teamId);
    const answer = await send(
      JSON.stringify({
        token: 'legacy',
        team_id: A.teamId,
        api_app_id: 'A0APP0001',
        type: 'event_callback',
        event_id: eventId,
        event_time: Math.floor(Date.now() / 1000),
        event: { type: 'app_uninstalled', event_ts: `${Math.floor(Date.now() / 1000)}.000100` },
      }),
      true,
    );
    expect(answer.status).toBe(200);
  };
  const inA = (payload: Record<string, unknown>): string => {
    const p = payload as { team: { id: string }; user: { team_id: string }; view?: { team_id: string } };
    p.team.id = A.teamId;
    p.user.team_id = A.teamId;
    if (p.view) p.view.team_id = A.teamId;
    return interactionBody(p);
  };
  const submit = async (values: Record<string, string>, selects: string[] = []) => {
    const view = api.callsOf('views.open').pop()!.args.view as { callback_id: string; private_metadata: string };
    const answer = await send(
      inA(
        viewSubmissionPayload({
          user: OPERATOR.id,
          userName: OPERATOR.name,
          callbackId: view.callback_id,
          privateMetadata: view.private_metadata,
          values,
          selects,
        }),
      ),
    );
    expect(answer.status).toBe(200);
  };
  const stepDone = async (runId: string, step: string) => {
    const msg = api
      .messagesIn(A.channels[0]!)
      .filter(
        (m) =>
          m.metadata?.event_payload.run_id === runId &&
          m.metadata.event_payload.step === step &&
          buttonsOf(m.blocks).some((b) => b.action_id === 'step_done'),
      )
      .pop()!;
    const button = buttonsOf(msg.blocks).find((b) => b.action_id === 'step_done')!;
    const answer = await send(
      inA(blockActionsPayload({ user: OPERATOR.id, channel: msg.channel, messageTs: msg.ts, actionId: 'step_done', value: button.value })),
    );
    expect(answer.status).toBe(200);
  };
  const deskNotes = () =>
    h.connector
      .posted()
      .filter((a) => a.conversationId.startsWith(TEAMS_DESK.id))
      .map((a) => JSON.stringify(a.activity))
      .filter((t) => t.includes('/slack/install'));

  it('the Teams desk channel hears it once per run, in the run language; a reinstall sends what waited', async () => {
    await install();
    expect((await h.message(TEAMS_DESK, SAM, 'support-channel here', { mention: true })).status).toBe(200);
    const params = new URLSearchParams(
      commandBody({
        text: 'start demo',
        user_id: OPERATOR.id,
        user_name: OPERATOR.name,
        channel_id: A.channels[0]!,
        response_url: api.responseUrl('x'),
      }),
    );
    params.set('team_id', A.teamId);
    expect((await send(params.toString())).status).toBe(200);
    const demo = demoHints();
    await submit(
      {
        institution_code: demo.institutionCode,
        institution_name: 'Demo Theatre',
        channel_code: 'DGU5',
        digitick_contact_name: 'Camille Martin',
        digitick_contact_email: 'camille.martin@digitick.example',
        language: 'fr',
      },
      ['language'],
    );
    const card = api.messagesIn(A.channels[0]!).find((m) => !m.thread_ts && m.metadata?.event_payload.step !== undefined)!;
    const runId = String(card.metadata!.event_payload.run_id);
    for (const step of ['sales_channel', 'point_of_sale', 'contingents']) await stepDone(runId, step);
    await submit({ contingent_ids: demo.contingentIds.join(', ') });
    await stepDone(runId, 'technical_contact');
    await submit({ contact_number: demo.contactNumbers[0]! });
    for (const step of ['event_products', 'pass_products', 'sales_interface']) await stepDone(runId, step);
    expect((await h.store.get(runId))?.currentStep).toBe('password_request');
    const request = latestWithAction(h.connector, 'password_assigned', 'password_request', TEAMS_DESK.id);

    await uninstall('Ev0GONETEAMS1');
    expect(deskNotes()).toHaveLength(0);
    // Support clicks in Teams: the run moves on; its Slack messages wait; the Teams desk is told.
    await h.invoke(TEAMS_DESK, SAM, actionOf(cardOf(request), 'password_assigned')!, {}, { replyToId: request.id });
    await h.service.drain(runId);
    expect((await h.store.get(runId))?.currentStep).toBe('verification');
    const waiting = await h.store.pendingOutbox(100, runId);
    expect(waiting.length).toBeGreaterThan(0);
    expect(deskNotes()).toHaveLength(1);
    const note = h.connector
      .posted()
      .filter((a) => a.conversationId.startsWith(TEAMS_DESK.id))
      .pop()!;
    const text = cardText(cardOf(note));
    expect(text).toContain("L'assistant n'est plus installé dans l'espace de travail Slack");
    expect(text).toContain('Slack Acme Theatre (T0AAAAAAA)');
    expect(text).toContain(runId);
    expect(text).toContain(`${waiting.length} messages en attente`);
    expect(text).toContain(`y attend${NBSP}:`);
    expect(text).toContain('(/slack/install) les envoie, dans l');
    // Polls: nothing sent in A, no loop, no second note.
    const mark = api.calls.length;
    for (let i = 0; i < 5; i++) await h.service.pollOnce();
    expect(api.calls.slice(mark).filter((c) => c.args.channel === A.channels[0])).toEqual([]);
    expect(deskNotes()).toHaveLength(1);

    // Reinstall: what waited goes out in A, nothing is left.
    await install();
    await h.service.pollOnce();
    expect(await h.store.pendingOutbox(100, runId)).toEqual([]);
    expect(api.calls.slice(mark).filter((c) => c.method === 'chat.postMessage' && c.args.channel === A.channels[0]).length).toBeGreaterThan(
      0,
    );
    expect(deskNotes()).toHaveLength(1);
  });
});
