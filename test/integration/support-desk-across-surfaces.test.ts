/**
 * `SECUTIX_SUPPORT_DESK` (issue 12): one service serving Slack and Teams, the support desk on the
 * other surface than the run. A Slack run whose desk is on Teams (the channel registered with
 * `support-channel here`), and a Teams run whose desk is on Slack (`SECUTIX_SUPPORT_SLACK_CHANNEL`):
 * the request, support's click and the close go through the desk's surface, the rest of the run
 * stays on its own. Real parts: the Teams harness (CloudAdapter, fake connector), Bolt's HTTP
 * receiver with signed requests and the fake Slack Web API, one SQLite run store.
 */
import { demoHints } from '../../adapters/sandbox';
import { createSlackSurface, type SlackSurface } from '../../adapters/slack';
import type { Surface } from '../../src/domain/ids';
import { FakeSlackApi, type FakeSlackMessage } from '../fakes/fake-slack-api';
import { blockActionsPayload, commandBody, interactionBody, postSigned, viewSubmissionPayload } from '../helpers/slack-signing';
import { buttonsOf, shown } from '../helpers/slack-drive';
import {
  actionOf,
  ALEX,
  cardOf,
  cardText,
  type Conversation,
  invokeCard,
  latestWithAction,
  SAM,
  startTeamsHarness,
  type TeamsHarness,
} from './teams/helpers';

const SIGNING_SECRET = 'cross-signing-secret-0123456789';
const BOT_TOKEN = 'fakebot-test-token';
const RUN_CHANNEL = 'C0RUNS0001';
const SLACK_DESK = 'C0SUPPORT01';
const SLACK_OPERATOR = { id: 'U0OPERATOR', name: 'alex' };
const SLACK_SUPPORT = { id: 'U0SUPPORT', name: 'sam' };
const TEAMS_SUPPORT: Conversation = { id: '19:desk@thread.tacv2', conversationType: 'channel' };
const PERSONAL: Conversation = { id: 'a:personal-cross', conversationType: 'personal' };
const demo = demoHints();

async function both(desk: Surface): Promise<{ h: TeamsHarness; api: FakeSlackApi; slack: SlackSurface; base: string }> {
  const h = await startTeamsHarness({ supportDesk: desk });
  const api = await new FakeSlackApi().start();
  const slack = await createSlackSurface({
    slack: {
      signingSecret: SIGNING_SECRET,
      botToken: BOT_TOKEN,
      socketMode: false,
      apiUrl: api.apiUrl,
      ...(desk === 'slack' ? { supportChannel: SLACK_DESK } : {}),
    },
    port: 0,
    host: '127.0.0.1',
    service: h.service,
    builder: h.builder,
    store: h.store,
    logger: h.logger,
    defaultLocale: 'en',
    web: { retries: 0, maxRetryTimeoutMs: 200 },
    ...(desk === 'teams' ? { supportDeskElsewhere: true } : {}),
  });
  h.notifiers.slack = slack.notifier;
  const { port } = await slack.start();
  return { h, api, slack, base: `http://127.0.0.1:${port}` };
}

describe('the support desk on the other surface (SECUTIX_SUPPORT_DESK)', () => {
  let h: TeamsHarness;
  let api: FakeSlackApi;
  let slack: SlackSurface;
  let base: string;
  afterEach(async () => {
    await slack.stop();
    await api.stop();
    await h.close();
  });

  const send = async (body: string) => {
    const answer = await postSigned(`${base}/slack/events`, body, { secret: SIGNING_SECRET });
    await slack.idle();
    return answer;
  };
  const slackClick = async (user: { id: string; name: string }, msg: FakeSlackMessage, actionId: string) => {
    const button = buttonsOf(msg.blocks).find((b) => b.action_id === actionId)!;
    const answer = await send(
      interactionBody(blockActionsPayload({ user: user.id, channel: msg.channel, messageTs: msg.ts, actionId, value: button.value })),
    );
    expect(answer.status).toBe(200);
  };
  const lastView = () => api.callsOf('views.open').pop()!.args.view as { callback_id: string; private_metadata: string };
  const slackSubmit = async (values: Record<string, string>, selects: string[] = []) => {
    const v = lastView();
    const answer = await send(
      interactionBody(
        viewSubmissionPayload({
          user: SLACK_OPERATOR.id,
          userName: SLACK_OPERATOR.name,
          callbackId: v.callback_id,
          privateMetadata: v.private_metadata,
          values,
          selects,
        }),
      ),
    );
    expect(answer.status).toBe(200);
  };
  const openSlackMessage = (runId: string, step: string, actionId: string) =>
    api
      .messagesIn(RUN_CHANNEL)
      .filter(
        (m) =>
          m.metadata?.event_payload.run_id === runId &&
          m.metadata.event_payload.step === step &&
          buttonsOf(m.blocks).some((b) => b.action_id === actionId),
      )
      .pop()!;

  it('a Slack run whose desk is on Teams: the request in the Teams support channel, support clicks there, the run goes on in Slack', async () => {
    ({ h, api, slack, base } = await both('teams'));
    api.userProfiles.set(SLACK_OPERATOR.id, { real_name: 'Alex Martin' });
    const cmd = await send(
      commandBody({ text: 'start demo', user_id: SLACK_OPERATOR.id, user_name: SLACK_OPERATOR.name, channel_id: RUN_CHANNEL }),
    );
    expect(cmd.status).toBe(200);
    await slackSubmit(
      {
        institution_code: demo.institutionCode,
        institution_name: 'Demo Theatre',
        channel_code: 'DGTK',
        digitick_contact_name: 'Camille Martin',
        digitick_contact_email: 'camille.martin@digitick.example',
        language: 'en',
      },
      ['language'],
    );
    const card = api.messagesIn(RUN_CHANNEL).find((m) => !m.thread_ts)!;
    const runId = String(card.metadata!.event_payload.run_id);
    const step = (id: string) => slackClick(SLACK_OPERATOR, openSlackMessage(runId, id, 'step_done'), 'step_done');
    await step('sales_channel');
    await step('point_of_sale');
    await step('contingents');
    await slackSubmit({ contingent_ids: demo.contingentIds.join(', ') });
    await step('technical_contact');
    await slackSubmit({ contact_number: demo.contactNumbers[0]! });
    await step('event_products');
    await step('pass_products');
    await step('sales_interface');
    expect((await h.store.get(runId))?.currentStep).toBe('password_request');
    // No Teams desk channel yet: the request waits in the outbox (blocked, not retried), logged plainly.
    await h.service.pollOnce();
    expect((await h.store.pendingOutbox(100, runId)).map((p) => p.effect.type)).toEqual(['support_request']);
    expect(h.logLines.filter((l) => l.includes('delivery blocked') && l.includes('support-channel here')).length).toBe(1);
    // Support registers its channel: the request goes out at once.
    expect((await h.message(TEAMS_SUPPORT, SAM, 'support-channel here', { mention: true })).status).toBe(200);
    // Nothing for support in Slack: no password_assigned button anywhere there.
    expect([...api.messages.values()].some((m) => buttonsOf(m.blocks).some((b) => b.action_id === 'password_assigned'))).toBe(false);
    // The request is in the Teams support channel, naming the run and the requester in plain text.
    const request = latestWithAction(h.connector, 'password_assigned', 'password_request', TEAMS_SUPPORT.id);
    const text = cardText(cardOf(request));
    expect(text).toContain(runId);
    expect(text).toContain('Send the password to Alex Martin');
    expect(text).toContain('Slack');
    expect(text).not.toContain('<@U0OPERATOR>');
    // The Slack thread does not open in Teams: no link, the workspace and the run named instead.
    expect(text).toContain(`Onboarding run ${runId}, in the Slack workspace Fake`);
    // Who asks, as a Slack desk shows it: the workspace's name and domain (auth.test), the requester's name (users.info).
    expect(text).toContain('Requested by Alex Martin from the Slack workspace Fake (fake.slack.test).');
    expect(text).not.toContain('Slack workspace Slack');
    expect(text).toContain('(no link: the run opens only there)');
    // In the desk channel, support's `status` lists the runs of every organisation waiting on it.
    const beforeStatus = h.connector.posted().length;
    expect((await h.message(TEAMS_SUPPORT, SAM, 'status', { mention: true })).status).toBe(200);
    const queue = h.connector
      .posted()
      .slice(beforeStatus)
      .map((a) => JSON.stringify(a.activity))
      .join('\n');
    expect(queue).toContain(runId);
    expect(queue).toContain('Fake');
    // Support clicks in Teams: the run moves on, the request closes there, the next step is in the Slack thread.
    const closed = invokeCard(
      await h.invoke(TEAMS_SUPPORT, SAM, actionOf(cardOf(request), 'password_assigned')!, {}, { replyToId: request.id }),
    );
    expect(cardText(closed)).toContain('Sam Support');
    const run = await h.store.get(runId);
    expect(run?.currentStep).toBe('verification');
    expect(run?.steps.password_request).toMatchObject({ state: 'done', by: { name: 'Sam Support' } });
    await h.service.drain(runId);
    expect(actionOf(cardOf(h.connector.activities.get(request.id)), 'password_assigned')).toBeUndefined();
    expect(openSlackMessage(runId, 'verification', 'verify_start')).toBeDefined();
    expect(await h.store.pendingOutbox(100, runId)).toEqual([]);
  });

  it('a Teams run whose desk is on Slack: the request in the Slack support channel, support clicks there, the run goes on in Teams', async () => {
    ({ h, api, slack, base } = await both('slack'));
    const before = h.connector.posted().length;
    await h.message(PERSONAL, ALEX, 'digitick-onboard start');
    const formActivity = h.connector
      .posted()
      .slice(before)
      .find((a) => actionOf(cardOf(a), 'onboard_start'))!;
    const started = invokeCard(
      await h.invoke(
        PERSONAL,
        ALEX,
        actionOf(cardOf(formActivity), 'onboard_start')!,
        {
          institution_code: 'demo',
          institution_name: 'Demo Theatre',
          channel_code: 'DGTK',
          digitick_contact_name: 'Camille Martin',
          digitick_contact_email: 'camille.martin@digitick.example',
          language: 'en',
        },
        { replyToId: formActivity.id },
      ),
    );
    const runId = /Run ([A-Z0-9]{8})/.exec(String(started.body[0]!.text))![1]!;
    const click = async (verb: string, stepId: string, inputs: Record<string, string> = {}) => {
      const target = latestWithAction(h.connector, verb, stepId, PERSONAL.id);
      return invokeCard(await h.invoke(PERSONAL, ALEX, actionOf(cardOf(target), verb)!, inputs, { replyToId: target.id }));
    };
    await click('step_done', 'sales_channel');
    await click('step_done', 'point_of_sale');
    const contingents = await click('step_done', 'contingents');
    const cTarget = latestWithAction(h.connector, 'step_done', 'contingents', PERSONAL.id);
    await h.invoke(
      PERSONAL,
      ALEX,
      actionOf(contingents, 'onboard_contingents')!,
      { contingent_ids: demo.contingentIds.join(', ') },
      {
        replyToId: cTarget.id,
      },
    );
    const contact = await click('step_done', 'technical_contact');
    const tTarget = latestWithAction(h.connector, 'step_done', 'technical_contact', PERSONAL.id);
    await h.invoke(
      PERSONAL,
      ALEX,
      actionOf(contact, 'onboard_contact')!,
      { contact_number: demo.contactNumber! },
      { replyToId: tTarget.id },
    );
    await click('step_done', 'event_products');
    await click('step_done', 'pass_products');
    await click('step_done', 'sales_interface');
    await h.service.drain(runId);
    expect((await h.store.get(runId))?.currentStep).toBe('password_request');
    // No support card in Teams; the request is in the Slack support channel, naming the tenant.
    expect(() => latestWithAction(h.connector, 'password_assigned')).toThrow();
    const request = api.messagesIn(SLACK_DESK).find((m) => m.metadata?.event_payload.run_id === runId)!;
    expect(request).toBeDefined();
    expect(buttonsOf(request.blocks).map((b) => b.action_id)).toContain('password_assigned');
    const text = shown(request);
    expect(text).toContain('Microsoft Teams tenant tenant-1');
    expect(text).toContain('Alex Operator');
    expect(text).toContain(`First request for ${demo.institutionCode}`);
    expect(text).toContain(`Onboarding run ${runId}, in the Microsoft Teams tenant tenant-1 (no link: the run opens only there)`);
    // Support clicks in Slack: the run moves on, the request closes in Slack, the next step is in Teams.
    await slackClick(SLACK_SUPPORT, request, 'password_assigned');
    await h.service.drain(runId);
    const run = await h.store.get(runId);
    expect(run?.currentStep).toBe('verification');
    expect(run?.steps.password_request).toMatchObject({ state: 'done', by: { id: SLACK_SUPPORT.id } });
    expect(buttonsOf(api.messages.get(request.ts)!.blocks)).toEqual([]);
    expect(latestWithAction(h.connector, 'verify_start', 'verification', PERSONAL.id)).toBeDefined();
    expect(await h.store.pendingOutbox(100, runId)).toEqual([]);
  });
});
