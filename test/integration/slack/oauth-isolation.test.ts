/**
 * Issue 12, "Isolation", on Slack in OAuth mode, end to end: the real composition (createCore on
 * a SQLite file, the SecuTix sandbox, the installation store, `createSlackSurface` with the OAuth
 * settings), Bolt's HTTP receiver with signed requests, and the fake Slack Web API serving two
 * workspaces installed through the real routes.
 *
 * Workspaces A and B have a user with the same id and a channel with the same id (Slack ids are
 * only unique within a workspace). B's user tries A's run id with `status`, `resume`, `cancel`,
 * `audit`, A's buttons (signed `block_actions` carrying team B) and a modal submit: each answer is
 * exactly the one a never-seen run id gets, A's run does not change, and nothing of A's run is in
 * any payload sent to Slack meanwhile. B's own run for the same institution and channel code works.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { loadConfig } from '../../../adapters/config';
import { type Core, createCore } from '../../../adapters/core-wiring';
import { createLogger } from '../../../adapters/logger';
import { demoHints } from '../../../adapters/sandbox';
import { createSlackSurface, type SlackSurface } from '../../../adapters/slack';
import { openInstallationStore } from '../../../adapters/slack/oauth/open-installation-store';
import { FakeSlackApi, type FakeSlackCall } from '../../fakes/fake-slack-api';
import { blockActionsPayload, commandBody, interactionBody, postSigned, viewSubmissionPayload } from '../../helpers/slack-signing';
import { tempDir } from '../../helpers/slack-wire';

const SIGNING_SECRET = 'isolation-signing-secret-0123456789';
const CLIENT_ID = '3333.4444';
const CLIENT_SECRET = 'client-secret-isolation';
const CHANNEL = 'C0SHARED01';
const USER = 'U0SAMEUSR';
const A = { teamId: 'T0ACMEAAA', teamName: 'Acme Workspace', botUserId: 'U0BOTA', botId: 'B0BOTA' };
const B = { teamId: 'T0BELLBBB', teamName: 'Bellevue Workspace', botUserId: 'U0BOTB', botId: 'B0BOTB' };
/** What only A's run holds: none of it may reach workspace B. */
const A_SECRETS = ['Acme Private Theatre', 'alice.secret@acme.example', 'Alice Acme'];
const UNKNOWN_ID = 'ZZZZ9999';

type Ws = typeof A;

describe('Slack OAuth mode: a workspace never reaches another workspace’s runs', () => {
  let api: FakeSlackApi;
  let core: Core;
  let surface: SlackSurface;
  let base: string;
  const demo = demoHints();
  let runA = '';
  let runB = '';
  /** A's `sales_channel` click time: B's own click reuses it (the dedupe keys are per workspace). */
  const clickTs = '1700000000.424242';

  beforeAll(async () => {
    const dbPath = path.join(tempDir('slack-isolation-'), 'runs.db');
    api = await new FakeSlackApi().start();
    api.addWorkspace(A);
    api.addWorkspace(B);
    const config = loadConfig({
      DATABASE_URL: `sqlite:${dbPath}`,
      SECUTIX_SANDBOX: 'true',
      LOG_LEVEL: 'warn',
      DEFAULT_LOCALE: 'en',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_CLIENT_ID: CLIENT_ID,
      SLACK_CLIENT_SECRET: CLIENT_SECRET,
      SLACK_STATE_SECRET: 'state-secret-for-isolation',
      INSTALLATION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SLACK_API_URL: api.apiUrl,
    });
    expect(config.multiOrg).toBe(true);
    const logger = createLogger(config.logLevel, { write: () => undefined });
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
    await install(A.teamId);
    await install(B.teamId);
  });
  afterAll(async () => {
    await surface?.stop();
    await api?.stop();
    await core?.close();
  });

  async function install(id: string): Promise<void> {
    api.approveNextInstallAs(id);
    const start = await fetch(`${base}/slack/install`, { redirect: 'manual' });
    const cookie = start.headers.get('set-cookie')!.split(';')[0]!;
    const consent = await fetch(new URL(start.headers.get('location')!), { redirect: 'manual' });
    const back = await fetch(consent.headers.get('location')!, { headers: { cookie }, redirect: 'manual' });
    expect(back.status).toBe(200);
    await surface.idle();
  }

  const tokenOf = (ws: Ws) => api.tokensOf(ws.teamId)[0]!;
  const send = async (body: string, json = false) => {
    const answer = await postSigned(`${base}/slack/events`, body, {
      secret: SIGNING_SECRET,
      ...(json ? { headers: { 'Content-Type': 'application/json' } } : {}),
    });
    await surface.idle();
    return answer;
  };
  const command = (ws: Ws, text: string, userName: string) => {
    const params = new URLSearchParams(
      commandBody({ text, user_id: USER, user_name: userName, channel_id: CHANNEL, response_url: api.responseUrl(`${ws.teamId}:${text}`) }),
    );
    params.set('team_id', ws.teamId);
    params.set('team_domain', ws.teamName.toLowerCase().replace(/\W/g, ''));
    return send(params.toString());
  };
  const inTeam = (ws: Ws, payload: Record<string, unknown>): string => {
    const p = payload as { team: { id: string }; user: { team_id: string }; view?: { team_id: string } };
    p.team.id = ws.teamId;
    p.user.team_id = ws.teamId;
    if (p.view) p.view.team_id = ws.teamId;
    return interactionBody(p);
  };
  /** Run ids of the cards posted in the shared channel with `ws`'s token. */
  const cardsOf = (ws: Ws): string[] =>
    api
      .callsOf('chat.postMessage')
      .filter((c) => FakeSlackApi.tokenOf(c) === tokenOf(ws) && c.args.channel === CHANNEL && !c.args.thread_ts)
      .map((c) => (c.args.metadata as { event_payload?: { run_id?: string } } | undefined)?.event_payload?.run_id)
      .filter((id): id is string => typeof id === 'string');

  async function startRun(ws: Ws, userName: string, names: { institution: string; contact: string; email: string }): Promise<string> {
    const known = new Set(cardsOf(ws));
    expect((await command(ws, 'start demo', userName)).status).toBe(200);
    const view = api
      .callsOf('views.open')
      .filter((c) => FakeSlackApi.tokenOf(c) === tokenOf(ws))
      .pop()!.args.view as { callback_id: string; private_metadata: string };
    const submitted = await send(
      inTeam(
        ws,
        viewSubmissionPayload({
          user: USER,
          userName,
          callbackId: view.callback_id,
          privateMetadata: view.private_metadata,
          values: {
            institution_code: demo.institutionCode,
            institution_name: names.institution,
            channel_code: 'DGTK',
            digitick_contact_name: names.contact,
            digitick_contact_email: names.email,
            language: 'en',
          },
          selects: ['language'],
        }),
      ),
    );
    expect(submitted.status).toBe(200);
    const id = cardsOf(ws).find((r) => !known.has(r));
    if (!id) throw new Error(`no new card in ${ws.teamName}`);
    return id;
  }

  /** The `step_done` / `run_cancel` button values of a run's step message (as posted with `ws`'s token). */
  function buttonsOf(ws: Ws, runId: string, step: string): { value: string; ts: string; actionId: string }[] {
    const call = api
      .callsOf('chat.postMessage')
      .filter((c) => FakeSlackApi.tokenOf(c) === tokenOf(ws))
      .filter((c) => {
        const p = (c.args.metadata as { event_payload?: { run_id?: string; step?: string } } | undefined)?.event_payload;
        return p?.run_id === runId && p.step === step && c.args.thread_ts;
      })
      .pop();
    if (!call) throw new Error(`no ${step} message of ${runId}`);
    const msg = [...api.messages.values()].find(
      (m) => m.metadata?.event_payload.run_id === runId && m.metadata.event_payload.step === step,
    )!;
    const blocks = call.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[];
    return blocks
      .filter((b) => b.type === 'actions')
      .flatMap((b) => b.elements ?? [])
      .map((e) => ({ value: e.value, ts: msg.ts, actionId: e.action_id }));
  }

  /** Everything the app sent to Slack since `from` (Web API calls and response_url posts), as text. */
  const sentSince = (from: number): FakeSlackCall[] => api.calls.slice(from);
  const textOf = (calls: FakeSlackCall[]) => calls.map((c) => JSON.stringify(c.args)).join('\n');

  it('starts a run in A, recorded as A’s', async () => {
    runA = await startRun(A, 'alice', { institution: A_SECRETS[0]!, contact: A_SECRETS[2]!, email: A_SECRETS[1]! });
    expect((await core.store.get(runA))?.org).toBe(`slack:${A.teamId}`);
    const [done] = buttonsOf(A, runA, 'sales_channel').filter((b) => b.actionId === 'step_done');
    const click = await send(
      inTeam(
        A,
        blockActionsPayload({
          user: USER,
          channel: CHANNEL,
          messageTs: done!.ts,
          actionId: 'step_done',
          value: done!.value,
          actionTs: clickTs,
        }),
      ),
    );
    expect(click.status).toBe(200);
    expect((await core.store.get(runA))?.currentStep).toBe('point_of_sale');
  });

  it("answers B's status, resume, cancel and audit of A's run exactly as for an unknown run id, leaking nothing", async () => {
    const before = await core.store.get(runA);
    const trail = await core.store.audit(runA);
    const from = api.calls.length;
    const answers: Record<string, { ack: string; responses: string }> = {};
    for (const word of ['status', 'resume', 'cancel', 'audit']) {
      for (const id of [runA, UNKNOWN_ID]) {
        const mark = api.calls.length;
        const ack = await command(B, `${word} ${id}`, 'bob');
        expect(ack.status).toBe(200);
        const responses = textOf(sentSince(mark).filter((c) => c.method === 'response_url' || c.method === 'chat.postEphemeral'));
        // The id typed is the only difference.
        answers[`${word}:${id === runA ? 'A' : 'unknown'}`] = {
          ack: ack.body.split(id).join('<id>'),
          responses: responses.split(id).join('<id>'),
        };
      }
      expect(answers[`${word}:A`]).toEqual(answers[`${word}:unknown`]);
      expect(`${answers[`${word}:A`]!.ack}${answers[`${word}:A`]!.responses}`).toMatch(/<id>/);
    }
    const sent = sentSince(from);
    for (const secret of A_SECRETS) expect(textOf(sent)).not.toContain(secret);
    expect(sent.some((c) => FakeSlackApi.tokenOf(c) === tokenOf(A))).toBe(false);
    expect(api.callsOf('files.completeUploadExternal').filter((c) => c.at >= (sent[0]?.at ?? Infinity))).toEqual([]);
    expect(await core.store.get(runA)).toEqual(before);
    expect(await core.store.audit(runA)).toEqual(trail);
  });

  it("answers B's clicks on A's buttons (signed block_actions carrying team B) as for an unknown run, changing nothing", async () => {
    const before = await core.store.get(runA);
    const trail = await core.store.audit(runA);
    const buttons = buttonsOf(A, runA, 'point_of_sale');
    expect(buttons.map((b) => b.actionId).sort()).toEqual(expect.arrayContaining(['step_done']));
    const from = api.calls.length;
    const ephemerals: string[] = [];
    for (const b of buttons) {
      for (const value of [b.value, b.value.split(runA).join(UNKNOWN_ID)]) {
        const mark = api.calls.length;
        const click = await send(
          inTeam(B, blockActionsPayload({ user: USER, channel: CHANNEL, messageTs: b.ts, actionId: b.actionId, value })),
        );
        expect(click.status).toBe(200);
        const told = sentSince(mark).filter((c) => c.method === 'chat.postEphemeral');
        expect(told).toHaveLength(1);
        expect(FakeSlackApi.tokenOf(told[0]!)).toBe(tokenOf(B));
        ephemerals.push(String(told[0]!.args.text).split(runA).join('<id>').split(UNKNOWN_ID).join('<id>'));
      }
    }
    // Each click on A's button got the same answer as the same button naming an unknown run.
    for (let i = 0; i < ephemerals.length; i += 2) expect(ephemerals[i]).toBe(ephemerals[i + 1]);
    const sent = sentSince(from);
    for (const secret of A_SECRETS) expect(textOf(sent)).not.toContain(secret);
    expect(sent.some((c) => FakeSlackApi.tokenOf(c) === tokenOf(A))).toBe(false);
    expect(sent.some((c) => c.method === 'views.open')).toBe(false);
    expect(await core.store.get(runA)).toEqual(before);
    expect(await core.store.audit(runA)).toEqual(trail);
  });

  it("answers a modal submitted in B for A's run as for an unknown run, changing nothing", async () => {
    const before = await core.store.get(runA);
    const acks: string[] = [];
    const from = api.calls.length;
    for (const run of [runA, UNKNOWN_ID]) {
      const submitted = await send(
        inTeam(
          B,
          viewSubmissionPayload({
            user: USER,
            callbackId: 'onboard_verify_skip',
            privateMetadata: JSON.stringify({ run, step: 'verification' }),
            values: { skip_reason: 'checked by hand' },
          }),
        ),
      );
      expect(submitted.status).toBe(200);
      acks.push(submitted.body.split(run).join('<id>'));
    }
    expect(acks[0]).toBe(acks[1]);
    expect(acks[0]).toMatch(/response_action/);
    for (const secret of A_SECRETS) expect(acks[0]).not.toContain(secret);
    for (const secret of A_SECRETS) expect(textOf(sentSince(from))).not.toContain(secret);
    expect(await core.store.get(runA)).toEqual(before);
  });

  it('lets B run its own run for the same institution and channel code, with the same ids and click time', async () => {
    runB = await startRun(B, 'bob', { institution: 'Bellevue Opera House', contact: 'Bob Bell', email: 'bob@bellevue.example' });
    expect(runB).not.toBe(runA);
    expect((await core.store.get(runB))?.org).toBe(`slack:${B.teamId}`);
    // B's click has the same click time, user id and action id as A's first click: not a duplicate.
    const [done] = buttonsOf(B, runB, 'sales_channel').filter((b) => b.actionId === 'step_done');
    await send(
      inTeam(
        B,
        blockActionsPayload({
          user: USER,
          channel: CHANNEL,
          messageTs: done!.ts,
          actionId: 'step_done',
          value: done!.value,
          actionTs: clickTs,
        }),
      ),
    );
    expect((await core.store.get(runB))?.currentStep).toBe('point_of_sale');
    // B's status lists B's run only; A's status lists A's only.
    const statusB = await command(B, 'status', 'bob');
    expect(statusB.body).toContain(runB);
    expect(statusB.body).not.toContain(runA);
    const statusA = await command(A, 'status', 'alice');
    expect(statusA.body).toContain(runA);
    expect(statusA.body).not.toContain(runB);
    // A second run in A for the same codes is refused as a duplicate of A's own run, never B's.
    const mark = api.calls.length;
    await command(A, 'start demo', 'alice');
    const view = api.callsOf('views.open').pop()!.args.view as { callback_id: string; private_metadata: string };
    const again = await send(
      inTeam(
        A,
        viewSubmissionPayload({
          user: USER,
          callbackId: view.callback_id,
          privateMetadata: view.private_metadata,
          values: {
            institution_code: demo.institutionCode,
            institution_name: A_SECRETS[0]!,
            channel_code: 'DGTK',
            digitick_contact_name: A_SECRETS[2]!,
            digitick_contact_email: A_SECRETS[1]!,
            language: 'en',
          },
          selects: ['language'],
        }),
      ),
    );
    expect(again.status).toBe(200);
    const told = textOf(sentSince(mark));
    expect(told).toContain(runA);
    expect(told).not.toContain(runB);
  });

  it('shows each workspace its own runs in App Home', async () => {
    const home = async (ws: Ws, eventId: string) => {
      const mark = api.calls.length;
      const answer = await send(
        JSON.stringify({
          token: 'legacy',
          team_id: ws.teamId,
          api_app_id: 'A0APP0001',
          type: 'event_callback',
          event_id: eventId,
          event_time: Math.floor(Date.now() / 1000),
          event: { type: 'app_home_opened', user: USER, channel: 'D0HOME0001', tab: 'home' },
        }),
        true,
      );
      expect(answer.status).toBe(200);
      const published = sentSince(mark).filter((c) => c.method === 'views.publish');
      expect(published).toHaveLength(1);
      expect(FakeSlackApi.tokenOf(published[0]!)).toBe(tokenOf(ws));
      return JSON.stringify(published[0]!.args.view);
    };
    // The same event id from both workspaces: each is handled (per-workspace dedupe keys).
    const viewB = await home(B, 'Ev0HOMESAME');
    expect(viewB).toContain(runB);
    expect(viewB).not.toContain(runA);
    for (const secret of A_SECRETS) expect(viewB).not.toContain(secret);
    const viewA = await home(A, 'Ev0HOMESAME');
    expect(viewA).toContain(runA);
    expect(viewA).not.toContain(runB);
  });
});
