/**
 * A delivery Slack keeps refusing (the bot is not in the run's channel) is given up after
 * `DELIVERY_MAX_ATTEMPTS`, through Bolt's real receiver, the fake Slack Web API on loopback and
 * the real SQLite store: the operator is told what is blocked, why and how to fix it (ephemeral
 * attempt, App Home), the run's later messages are not held behind it, and once the bot is
 * invited `resume` brings the card and the current step back.
 */
import { OPERATOR, type SlackHarness, wireSlack } from '../../helpers/slack-wire';

const STUCK = 'C0STUCK001';

describe('Slack: a delivery that keeps failing', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await wireSlack({ env: { DELIVERY_MAX_ATTEMPTS: '2' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('stops after the configured attempts, tells the operator in App Home, does not hold the rest, and resume recovers once invited', async () => {
    // Arrange: a run started in a channel the bot is not in; the card's first attempt fails.
    h.api.notInChannels.add(STUCK);
    await h.command('start STUCK', { channel: STUCK });
    await h.submit(
      'onboard_start',
      h.lastView().private_metadata,
      {
        institution_code: 'STUCK',
        institution_name: 'Stuck & <Co>',
        channel_code: '',
        digitick_contact_name: 'Camille Martin',
        digitick_contact_email: 'camille.martin@digitick.example',
        language: 'en',
      },
      { selects: ['language'] },
    );
    const [run] = await h.core.store.list({ institutionCode: 'STUCK' });
    const pendingTypes = async () => (await h.core.store.pendingOutbox(100, run!.id)).map((p) => p.effect.type);
    expect(await pendingTypes()).toEqual(['card', 'step_prompt']);

    // Act: the second attempt (a poll) reaches DELIVERY_MAX_ATTEMPTS=2.
    await h.core.service.drain(run!.id);
    await h.surface.idle();

    // Assert: the card is given up (no longer pending); the step message was tried after it.
    expect(await pendingTypes()).toEqual(['step_prompt']);
    expect((await h.core.store.pendingOutbox(100, run!.id))[0]!.attempts).toBe(1);
    const home = JSON.stringify(h.api.homeViews.get(OPERATOR.id)?.blocks ?? []);
    expect(home).toContain('Needs your attention');
    expect(home).toContain(`Run ${run!.id} (STUCK): I stopped trying to post its progress card after 2 attempts.`);
    expect(home).toContain(`I am not a member of <#${STUCK}>`);
    expect(home).toContain('/invite @Digitick onboarding');
    const told = h.api.callsOf('chat.postEphemeral').filter((c) => c.args.user === OPERATOR.id && c.args.channel === STUCK);
    expect(told.length).toBe(1); // tried (Slack refuses it in a channel the bot is not in: App Home carries it)
    expect(h.logs.some((l) => l.includes('delivery given up after repeated failures'))).toBe(true);

    // Act: the bot is invited; resume.
    h.api.notInChannels.delete(STUCK);
    await h.command(`resume ${run!.id}`, { channel: STUCK, responseUrl: h.api.responseUrl('stuck-resume') });

    // Assert: card and current step are there, once each; the answer says posted; App Home is clear on next open.
    const roots = h.api.messagesIn(STUCK).filter((m) => !m.thread_ts);
    expect(roots).toHaveLength(1);
    const steps = h.api.messagesIn(STUCK, roots[0]!.ts).filter((m) => m.metadata?.event_payload.step === 'sales_channel');
    expect(steps).toHaveLength(1);
    expect(String(h.api.callsOf('response_url').find((c) => c.args.id === 'stuck-resume')?.args.text)).toContain('is posted again');
    expect(await pendingTypes()).toEqual([]);
    expect((await h.core.store.getRefs(run!.id))['slack.blocked']).toBeFalsy();
  });
});
