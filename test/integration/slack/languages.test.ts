/**
 * Languages on Slack, through Bolt's real HTTP receiver (signed requests), the fake Slack Web API
 * on loopback (`users.info` answers each user's locale), the real SQLite store and the SecuTix
 * client against the sandbox:
 * - a German run end to end: a German user's start form, then the card, every step, the support
 *   request, the verification and the email in German;
 * - a French user with a run in English: the run's messages stay in English, and so does every
 *   answer about that run (refusals, `resume`, `audit`: one rule, the run's language, as `status RUN`
 *   shows its card); what is not about one run (start form and its field errors, help, the status
 *   list, unknown commands) is in French.
 */
import { demoHints } from '../../../adapters/sandbox';
import { PASSWORD_PLACEHOLDER } from '../../../src/messages/builder';
import type { FakeSlackMessage } from '../../fakes/fake-slack-api';
import { OPERATOR, p50max, RUN_CHANNEL, SUPPORT_CHANNEL, SUPPORT_USER, type SlackHarness, wireSlack } from '../../helpers/slack-wire';

type Button = { action_id: string; value: string };

const buttonsOf = (blocks: Record<string, unknown>[] | undefined): Button[] =>
  (blocks ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements as Button[]);
const textOf = (m: { text?: string; blocks?: Record<string, unknown>[] }): string => `${m.text ?? ''}\n${JSON.stringify(m.blocks ?? [])}`;

const demo = demoHints();
const GERMAN = { id: 'U0GERMAN', name: 'greta' };
const FRENCH = { id: 'U0FRENCH', name: 'claire' };

describe('Slack languages', () => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await wireSlack();
    h.api.userLocales.set(GERMAN.id, 'de-DE');
    h.api.userLocales.set(FRENCH.id, 'fr-FR');
  });
  afterAll(async () => {
    await h.close();
  });

  const roots = () => [...h.api.messages.values()].filter((m) => m.channel === RUN_CHANNEL && !m.thread_ts);
  const ephemeralsTo = (user: string) => h.api.callsOf('chat.postEphemeral').filter((c) => c.args.user === user);

  async function startRun(
    user: { id: string; name: string },
    language: string,
    institutionName: string,
  ): Promise<{ runId: string; card: FakeSlackMessage }> {
    const before = new Set(roots().map((m) => m.ts));
    await h.command(`start ${demo.institutionCode}`, { user });
    const view = h.lastView();
    const answer = await h.submit(
      'onboard_start',
      view.private_metadata,
      {
        institution_code: demo.institutionCode,
        institution_name: institutionName,
        channel_code: 'DGTK',
        digitick_contact_name: 'Camille Martin',
        digitick_contact_email: 'camille.martin@digitick.example',
        language,
      },
      { user, selects: ['language'] },
    );
    expect(answer.body).toBe('');
    const card = roots().find((m) => !before.has(m.ts));
    if (!card) throw new Error('no card posted');
    return { runId: String(card.metadata?.event_payload.run_id), card };
  }

  function stepMessage(card: FakeSlackMessage, step: string): FakeSlackMessage {
    const m = h.api
      .messagesIn(RUN_CHANNEL, card.ts)
      .filter((x) => x.metadata?.event_payload.step === step && buttonsOf(x.blocks).length > 0)
      .pop();
    if (!m) throw new Error(`no open message for step ${step}`);
    return m;
  }

  async function press(msg: FakeSlackMessage, actionId: string, user: { id: string; name: string }, channel = RUN_CHANNEL): Promise<void> {
    const button = buttonsOf(msg.blocks).find((b) => b.action_id === actionId);
    if (!button) throw new Error(`no ${actionId} button`);
    expect((await h.click(actionId, button.value, { user, channel, messageTs: msg.ts })).status).toBe(200);
  }

  it('a German run: start form, card, steps, support request, verification and email in German', async () => {
    // The German user's start form is in German, its language select set to German.
    await h.command(`start ${demo.institutionCode}`, { user: GERMAN });
    const startView = h.lastView() as ReturnType<SlackHarness['lastView']> & { title: { text: string } };
    expect(startView.title.text).toBe('Digitick-Onboarding');
    expect(JSON.stringify(startView.blocks)).toContain('Sprache des Vorgangs und der E-Mail');
    expect(JSON.stringify(startView.blocks)).toMatch(
      /"initial_option":\{"text":\{"type":"plain_text","text":"Deutsch"[^}]*\},"value":"de"\}/,
    );

    const { runId, card } = await startRun(GERMAN, 'de', 'Theater <Demo> & Co');
    expect((await h.core.store.get(runId))?.details.language).toBe('de');
    expect(textOf(card)).toContain('Digitick-Onboarding: Theater <Demo> & Co (DEMO)');
    expect(textOf(card)).toContain('*In Bearbeitung*: Schritt 1 von 10, Verkaufskanal.');

    const first = stepMessage(card, 'sales_channel');
    expect(textOf(first)).toContain('Schritt 1/10: Verkaufskanal');
    expect(textOf(first)).toContain('Echtzeit-Schnittstelle');
    await press(first, 'step_done', GERMAN);
    expect(textOf(h.api.messages.get(first.ts)!)).toContain(`Schritt 1 (Verkaufskanal) erledigt von <@${GERMAN.id}>`);
    await press(stepMessage(card, 'point_of_sale'), 'step_done', GERMAN);

    const contingents = stepMessage(card, 'contingents');
    expect(textOf(contingents)).toContain('Kontingente eingeben');
    await press(contingents, 'step_done', GERMAN);
    const cView = h.lastView() as ReturnType<SlackHarness['lastView']> & { title: { text: string } };
    expect(cView.title.text).toBe('Kontingente');
    // Field errors of a run form are in the run's language.
    const bad = await h.submit('onboard_contingents', cView.private_metadata, { contingent_ids: 'elf' }, { user: GERMAN });
    expect(JSON.stringify(bad.json)).toContain('Kontingent-IDs als positive ganze Zahlen');
    await h.submit('onboard_contingents', cView.private_metadata, { contingent_ids: demo.contingentIds.join(', ') }, { user: GERMAN });
    await press(stepMessage(card, 'technical_contact'), 'step_done', GERMAN);
    await h.submit('onboard_contact', h.lastView().private_metadata, { contact_number: demo.contactNumbers[0]! }, { user: GERMAN });
    const events = stepMessage(card, 'event_products');
    expect(textOf(events)).toContain('Keine Veranstaltungen');
    await press(events, 'step_done', GERMAN);
    await press(stepMessage(card, 'pass_products'), 'step_done', GERMAN);
    await press(stepMessage(card, 'sales_interface'), 'step_done', GERMAN);

    // The support request follows the run's language too.
    const support = h.api.messagesIn(SUPPORT_CHANNEL).find((m) => textOf(m).includes('DEMO_DGTK'))!;
    expect(textOf(support)).toContain('Passwortanfrage für Digitick');
    expect(textOf(support)).toContain('Hallo SecuTix-Support');
    await press(support, 'password_assigned', SUPPORT_USER, SUPPORT_CHANNEL);

    const verification = stepMessage(card, 'verification');
    expect(textOf(verification)).toContain('Jetzt prüfen');
    await press(verification, 'verify_start', GERMAN);
    expect(JSON.stringify(h.lastView().blocks)).toContain('nirgends gespeichert');
    await h.submit('onboard_password', h.lastView().private_metadata, { operator_password: demo.password }, { user: GERMAN });
    const report = h.api.messagesIn(RUN_CHANNEL, card.ts).find((m) => textOf(m).includes('Prüfung bestanden'));
    expect(report).toBeDefined();

    const emailMsg = stepMessage(card, 'email_draft');
    const email = textOf(emailMsg);
    for (const part of [
      'Betreff: Zugang zu den SecuTix-Webservices für Theater &lt;Demo&gt; &amp; Co',
      'Hallo Camille Martin,',
      'Login: DEMO_DGTK',
      `Passwort: ${PASSWORD_PLACEHOLDER.de}`,
      'Die pointOfSalesId lautet 4242.',
      'Freundliche Grüße',
    ])
      expect(email).toContain(part);
    await press(emailMsg, 'email_sent', GERMAN);

    expect((await h.core.store.get(runId))?.status).toBe('completed');
    expect(textOf(h.api.messages.get(card.ts)!)).toContain(`*Abgeschlossen*: E-Mail gesendet, gemeldet von <@${GERMAN.id}>`);
    // Nothing of the run's thread is in English.
    const thread = h.api.messagesIn(RUN_CHANNEL, card.ts).map(textOf).join('\n');
    for (const english of ['Step 1', 'Done by', 'Verification passed', 'Kind regards', 'Subject: SecuTix web services'])
      expect(thread).not.toContain(english);
    expect(h.api.callsOf('users.info').filter((c) => c.args.user === GERMAN.id)).toHaveLength(1); // cached
  });

  it('a French user with an English run: the run and every answer about it speak English, the rest is French', async () => {
    // The start form and its field errors are in the user's language.
    await h.command('start', { user: FRENCH });
    const view = h.lastView() as ReturnType<SlackHarness['lastView']> & { title: { text: string } };
    expect(view.title.text).toBe('Intégration Digitick');
    const rejected = await h.submit(
      'onboard_start',
      view.private_metadata,
      {
        institution_code: 'A',
        institution_name: 'Théâtre',
        channel_code: 'DGTK',
        digitick_contact_name: 'Camille',
        digitick_contact_email: 'not-an-email',
        language: 'en',
      },
      { user: FRENCH, selects: ['language'] },
    );
    expect(rejected.json).toMatchObject({
      response_action: 'errors',
      errors: {
        institution_code: expect.stringContaining('Utilisez 2 à 15 lettres') as unknown,
        digitick_contact_email: "Cette adresse e-mail n'est pas valide.",
      },
    });

    // The French user starts a run in English: its card and steps are in English.
    const { runId, card } = await startRun(FRENCH, 'en', 'Demo Hall');
    expect(textOf(card)).toContain('Digitick onboarding: Demo Hall (DEMO)');
    const first = stepMessage(card, 'sales_channel');
    expect(textOf(first)).toContain('Step 1/10: Sales channel');

    // help, ephemeral: French.
    const help = await h.command('help', { user: FRENCH });
    expect(help.body).toContain("Assistant d'intégration Digitick");
    expect(help.body).not.toContain('Digitick onboarding assistant');
    // The same command from an English user: English.
    expect((await h.command('help', { user: OPERATOR })).body).toContain('Digitick onboarding assistant');

    // status: French lines about the English run.
    const status = await h.command('status', { user: FRENCH });
    expect(status.body).toContain("Vos parcours d'intégration ouverts");
    expect(status.body).toContain(`${runId}`);
    expect(status.body).toContain('étape 1/10, Canal de vente');

    // A refusal (a button pressed twice) is about the run: told in the run's language, English.
    const done = buttonsOf(first.blocks).find((b) => b.action_id === 'step_done')!;
    await h.click('step_done', done.value, { user: FRENCH, messageTs: first.ts });
    expect(textOf(h.api.messages.get(first.ts)!)).toContain(`Step 1 (Sales channel) done by <@${FRENCH.id}>`);
    const before = ephemeralsTo(FRENCH.id).length;
    await h.click('step_done', done.value, { user: FRENCH, messageTs: first.ts });
    const refusal = ephemeralsTo(FRENCH.id).slice(before);
    expect(refusal).toHaveLength(1);
    expect(String(refusal[0]!.args.text)).toContain('Nothing changed: step "Sales channel" is already done');

    // An unknown command: French.
    expect((await h.command('frobnicate', { user: FRENCH })).body).toContain('Je ne connais pas la commande');

    // resume and audit: answers about the run, in its language (English), as `status RUN`'s card.
    const posted = h.api.callsOf('chat.postMessage').length;
    await h.command(`resume ${runId}`, { user: FRENCH });
    const resumed = h.api.callsOf('response_url').pop()!;
    expect(String(resumed.args.text)).toContain(runId);
    expect(String(resumed.args.text)).not.toMatch(/parcours|étape/);
    expect((await h.command(`status ${runId}`, { user: FRENCH })).body).toContain('Digitick onboarding: Demo Hall');
    await h.command(`audit ${runId}`, { user: FRENCH });
    const audited = String(h.api.callsOf('response_url').pop()!.args.text);
    expect(audited).toContain(runId);
    expect(audited).not.toMatch(/parcours|journal/);
    const repost = h.api.callsOf('chat.postMessage').slice(posted);
    expect(repost.map((c) => String(c.args.text)).join('\n')).toContain(`Step 2/10 of run ${runId}: Point of sale`);

    // A second start form for the same institution and channel (the form in French): the answer is
    // about the open English run, so it is in English, step name, hint and button included.
    await h.command(`start ${demo.institutionCode}`, { user: FRENCH });
    await h.submit(
      'onboard_start',
      h.lastView().private_metadata,
      {
        institution_code: demo.institutionCode,
        institution_name: 'Demo Hall',
        channel_code: 'DGTK',
        digitick_contact_name: 'Camille Martin',
        digitick_contact_email: 'camille.martin@digitick.example',
        language: 'fr',
      },
      { user: FRENCH, selects: ['language'] },
    );
    const duplicate = h.api.callsOf('response_url').pop()!.args;
    expect(String(duplicate.text)).toContain(
      `An onboarding run is already open for ${demo.institutionCode} / DGTK: run ${runId}, at step "Point of sale".`,
    );
    expect(textOf(duplicate as { text?: string; blocks?: Record<string, unknown>[] })).not.toMatch(/parcours|étape|Reprendre/i);

    const thread = h.api.messagesIn(RUN_CHANNEL, card.ts).map(textOf).join('\n');
    expect(thread).not.toMatch(/Étape|Canal de vente|Rien n'a changé/);
    expect(h.api.callsOf('users.info').filter((c) => c.args.user === FRENCH.id)).toHaveLength(1);

    const acks = (kind: string) => p50max(h.timings.filter((t) => t.kind === kind).map((t) => t.ms));
    const round = (v: unknown) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v);
    console.log(
      `slack ack latency with the user's locale (ms): commands ${JSON.stringify(acks('command'), (_k, v: unknown) => round(v))}, ` +
        `clicks ${JSON.stringify(acks('action'), (_k, v: unknown) => round(v))}, views ${JSON.stringify(acks('view'), (_k, v: unknown) => round(v))}; ` +
        `users.info calls ${h.api.callsOf('users.info').length} for ${new Set(h.api.callsOf('users.info').map((c) => c.args.user)).size} users`,
    );
  });
});
