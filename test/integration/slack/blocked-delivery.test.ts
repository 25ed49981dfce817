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

  it('a post Slack answers with HTTP 400 each time: the notice says which status and which step, in the run language', async () => {
    // Arrange: a French run in a channel the bot is in; every post of the card and the first step answers HTTP 400
    // (an answer about the message: counted; a 5xx, Slack in trouble, is not: outage-delivery.test.ts).
    const CH = 'C0HTTP5001';
    await h.command('start HTTPFIVE', { channel: CH });
    h.api.fail('chat.postMessage', { kind: 'http', status: 400, times: 4 });
    await h.submit(
      'onboard_start',
      h.lastView().private_metadata,
      {
        institution_code: 'HTTPFIVE',
        institution_name: 'Théâtre Cinq',
        channel_code: '',
        digitick_contact_name: 'Camille Martin',
        digitick_contact_email: 'camille.martin@digitick.example',
        language: 'fr',
      },
      { selects: ['language'] },
    );
    const [run] = await h.core.store.list({ institutionCode: 'HTTPFIVE' });

    // Act: polls until both the card and the step message are given up (2 attempts each).
    for (let i = 0; i < 4 && (await h.core.store.pendingOutbox(100, run!.id)).length > 0; i++) {
      await h.core.service.drain(run!.id);
      await h.surface.idle();
    }

    // Assert: the operator's ephemeral notices and App Home say what happened and which message, in French.
    const told = h.api
      .callsOf('chat.postEphemeral')
      .filter((c) => c.args.user === OPERATOR.id && c.args.channel === CH)
      .map((c) => String(c.args.text));
    expect(told).toHaveLength(2);
    expect(told[0]).toContain(
      `Parcours ${run!.id} (HTTPFIVE)\u00a0: j'ai cessé d'essayer de publier son tableau de suivi après 2 tentatives.`,
    );
    expect(told[1]).toContain("j'ai cessé d'essayer de publier le message de l'étape «\u00a0Canal de vente\u00a0» après 2 tentatives.");
    for (const text of told) {
      expect(text).toContain('Slack a répondu chaque fois par un statut HTTP inattendu (400)');
      expect(text).not.toMatch(/\(status\)|statusCode/);
    }
    const home = JSON.stringify(h.api.homeViews.get(OPERATOR.id)?.blocks ?? []);
    expect(home).toContain('statut HTTP inattendu (400)');
    expect(home).toContain("le message de l'étape «\u00a0Canal de vente\u00a0»");
  });

  it('resume whose post fails and is given up says it was not posted and why, never "posted again"', async () => {
    // Arrange: a run whose card and first step are posted; then a resume whose step post answers HTTP 400 (attempt 1).
    const CH = 'C0RESUME501';
    await h.command('start RESFIVE', { channel: CH });
    await h.submit(
      'onboard_start',
      h.lastView().private_metadata,
      {
        institution_code: 'RESFIVE',
        institution_name: 'Resume Five',
        channel_code: '',
        digitick_contact_name: 'Camille Martin',
        digitick_contact_email: 'camille.martin@digitick.example',
        language: 'fr',
      },
      { selects: ['language'] },
    );
    const [run] = await h.core.store.list({ institutionCode: 'RESFIVE' });
    expect(await h.core.store.pendingOutbox(100, run!.id)).toEqual([]);
    h.api.fail('chat.postMessage', { kind: 'http', status: 400, times: 1 });
    await h.command(`resume ${run!.id}`, { channel: CH, responseUrl: h.api.responseUrl('res-first') });
    const first = String(h.api.callsOf('response_url').find((c) => c.args.id === 'res-first')?.args.text);
    expect(first).toContain("n'a pas encore pu être publiée");

    // Act: resume again; attempt 2 fails too and the delivery is given up.
    h.api.fail('chat.postMessage', { kind: 'http', status: 400, times: 1 });
    await h.command(`resume ${run!.id}`, { channel: CH, responseUrl: h.api.responseUrl('res-second') });
    await h.surface.idle();

    // Assert: the operator is told it was given up, and resume's answer says it was not posted, with Slack's reason.
    expect(await h.core.store.pendingOutbox(100, run!.id)).toEqual([]);
    const told = h.api.callsOf('chat.postEphemeral').filter((c) => c.args.user === OPERATOR.id && c.args.channel === CH);
    expect(told.map((c) => String(c.args.text)).join('\n')).toContain("j'ai cessé d'essayer");
    const second = String(h.api.callsOf('response_url').find((c) => c.args.id === 'res-second')?.args.text);
    expect(second).not.toContain('repostée');
    expect(second).toContain(`Parcours ${run!.id}\u00a0: son étape en cours n'a pas été publiée à nouveau.`);
    expect(second).toContain('statut HTTP inattendu (400)');
    expect(second).toContain(`Pour réessayer, tapez \`/digitick-onboard resume ${run!.id}\``);

    // And once Slack answers again, resume posts it and says so (the given-up mark is cleared).
    await h.command(`resume ${run!.id}`, { channel: CH, responseUrl: h.api.responseUrl('res-third') });
    expect(String(h.api.callsOf('response_url').find((c) => c.args.id === 'res-third')?.args.text)).toContain('repostée');
  });
});
