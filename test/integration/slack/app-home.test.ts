/**
 * Slack App Home ("My runs", issue 5) through Bolt's real HTTP receiver: signed Events API
 * requests (`event_callback` with `app_home_opened`, JSON bodies as Slack sends them) and the
 * fake Slack Web API recording `views.publish`. Runs are started through the real slash command
 * and start form; completed runs are written to the real SQLite store (a full run to the end is
 * covered by slack-run.test.ts).
 */
import { STEP_IDS, type StepId } from '../../../src/domain/ids';
import type { Actor, Run, StepRecord } from '../../../src/workflow/types';
import { dummyRun } from '../../fixtures/dummy-run';
import type { FakeSlackMessage } from '../../fakes/fake-slack-api';
import { interactionBody, postSigned, type SignedAnswer } from '../../helpers/slack-signing';
import { OPERATOR, p50max, RUN_CHANNEL, SIGNING_SECRET, SUPPORT_USER, type SlackHarness, wireSlack } from '../../helpers/slack-wire';

type SlackBlock = Record<string, unknown> & { type: string };
type Accessory = { type: string; action_id: string; value: string; text: { text: string } };

const START_VALUES = (code: string, language = 'en') => ({
  institution_code: code,
  institution_name: `${code} Theatre`,
  channel_code: '',
  digitick_contact_name: 'Camille Martin',
  digitick_contact_email: 'camille.martin@digitick.example',
  language,
});

let eventSeq = 0;
/** An Events API `event_callback` body carrying `app_home_opened` for `user`. */
function homeOpenedBody(user: string, opts: { eventId?: string; tab?: string } = {}): string {
  eventSeq += 1;
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: 'T0TEAM001',
    api_app_id: 'A0APP0001',
    type: 'event_callback',
    event_id: opts.eventId ?? `Ev0HOME${String(eventSeq).padStart(4, '0')}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T0TEAM001', user_id: 'UBOT0001', is_bot: true }],
    event: { type: 'app_home_opened', user, channel: `D0${user.slice(1)}`, tab: opts.tab ?? 'home', event_ts: `${Date.now() / 1000}` },
  });
}

/** A completed (or cancelled) run as the workflow leaves it, for the store. */
function finishedRun(o: {
  id: string;
  code: string;
  startedBy: Actor;
  endedBy: Actor;
  createdAt: string;
  endedAt: string;
  status?: 'completed' | 'cancelled';
  surface?: Run['surface'];
  name?: string;
}): Run {
  const steps = Object.fromEntries(
    STEP_IDS.map((id): [StepId, StepRecord] => [id, { state: 'done', by: o.startedBy, at: o.createdAt }]),
  ) as Record<StepId, StepRecord>;
  const base = dummyRun();
  return dummyRun({
    id: o.id,
    surface: o.surface ?? 'slack',
    channelId: RUN_CHANNEL,
    details: { ...base.details, institutionCode: o.code, institutionName: o.name ?? `${o.code} Hall`, language: 'en' },
    status: o.status ?? 'completed',
    currentStep: null,
    steps,
    startedBy: o.startedBy,
    endedBy: o.endedBy,
    endedAt: o.endedAt,
    createdAt: o.createdAt,
    updatedAt: o.endedAt,
  });
}

/** Section texts of a Home view, in order. */
const textsOf = (blocks: SlackBlock[]): string[] =>
  blocks.flatMap((b) =>
    b.type === 'section'
      ? [String((b.text as { text: string }).text)]
      : b.type === 'header'
        ? [String((b.text as { text: string }).text)]
        : b.type === 'context'
          ? (b.elements as { text: string }[]).map((e) => e.text)
          : [],
  );
/** The sections of a Home view that carry a Resume button. */
const resumeLines = (blocks: SlackBlock[]) =>
  blocks
    .filter((b) => b.type === 'section' && (b.accessory as Accessory | undefined)?.action_id === 'run_resume')
    .map((b) => ({ text: String((b.text as { text: string }).text), button: b.accessory as Accessory }));

/** A plain-text rendering of a Home view (what the report shows). */
function renderText(blocks: SlackBlock[]): string {
  return blocks
    .map((b) => {
      const acc = b.accessory as Accessory | undefined;
      const text = textsOf([b]).join(' ');
      return b.type === 'header' ? `# ${text}` : `${text}${acc ? `   [${acc.text.text}]` : ''}`;
    })
    .join('\n');
}

describe('Slack App Home: my runs', () => {
  let h: SlackHarness;
  const eventMs: number[] = [];
  const events = () => `${h.baseUrl}/slack/events`;
  /** Sends a signed Events API request (JSON) and waits for the work after the ack. */
  async function sendEvent(body: string, headers: Record<string, string> = {}): Promise<SignedAnswer> {
    const answer = await postSigned(events(), body, {
      secret: SIGNING_SECRET,
      headers: { 'Content-Type': 'application/json', ...headers },
    });
    eventMs.push(answer.ms);
    await h.surface.idle();
    return answer;
  }
  const publishes = (user: string) => h.api.callsOf('views.publish').filter((c) => c.args.user_id === user);
  const homeOf = (user: string): SlackBlock[] => {
    const view = h.api.homeViews.get(user);
    if (!view) throw new Error(`no home view published for ${user}`);
    return view.blocks as SlackBlock[];
  };

  /** Starts a run for `code` as `user` and returns its id and card. */
  async function startRun(code: string, user = OPERATOR): Promise<{ runId: string; card: FakeSlackMessage }> {
    await h.command(`start ${code}`, { user });
    const view = h.lastView();
    const before = new Set(h.api.messages.keys());
    await h.submit('onboard_start', view.private_metadata, START_VALUES(code), { selects: ['language'], user });
    const card = [...h.api.messages.values()].find((m) => !before.has(m.ts) && m.channel === RUN_CHANNEL && !m.thread_ts);
    if (!card) throw new Error('no card posted');
    return { runId: String(card.metadata!.event_payload.run_id), card };
  }
  const stepMessages = (card: FakeSlackMessage, step: string) =>
    h.api
      .messagesIn(card.channel, card.ts)
      .filter((m) => m.metadata?.event_payload.step === step && m.blocks.some((b) => b.type === 'actions'));

  let mine: { runId: string; card: FakeSlackMessage }[];
  let theirs: { runId: string; card: FakeSlackMessage };
  const op: Actor = { id: OPERATOR.id, name: OPERATOR.name };
  const sup: Actor = { id: SUPPORT_USER.id, name: SUPPORT_USER.name };

  beforeAll(async () => {
    h = await wireSlack();
    mine = [await startRun('HOMEA'), await startRun('HOMEB')];
    theirs = await startRun('HOMEC', SUPPORT_USER);
    // HOMEB moves on to step 2.
    const first = stepMessages(mine[1]!.card, 'sales_channel')[0]!;
    const done = (first.blocks.find((b) => b.type === 'actions')!.elements as { action_id: string; value: string }[]).find(
      (e) => e.action_id === 'step_done',
    )!;
    await h.click('step_done', done.value);
    // 12 completed runs of the operator: created an hour apart, completed in the same order,
    // except DONE0000 (the oldest started) which was completed last.
    const at = (hour: number) => new Date(Date.UTC(2026, 2, 2, hour, 15)).toISOString();
    for (let i = 0; i < 12; i += 1) {
      await h.core.store.create(
        finishedRun({
          id: `DONE${String(i).padStart(4, '0')}`,
          code: `DONE${i}`,
          startedBy: op,
          endedBy: i % 2 === 0 ? op : sup,
          createdAt: at(i),
          endedAt: i === 0 ? at(23) : at(i + 1),
          ...(i === 5 ? { name: 'Rock & <Roll> Hall' } : {}),
        }),
        [],
        [],
      );
    }
    // Not the operator's, or not a completed Slack run: never listed.
    await h.core.store.create(
      finishedRun({ id: 'OTHR0001', code: 'SUPDONE', startedBy: sup, endedBy: sup, createdAt: at(1), endedAt: at(22) }),
      [],
      [],
    );
    await h.core.store.create(
      finishedRun({
        id: 'CANC0001',
        code: 'CANCELLED',
        startedBy: op,
        endedBy: op,
        createdAt: at(2),
        endedAt: at(21),
        status: 'cancelled',
      }),
      [],
      [],
    );
    await h.core.store.create(
      finishedRun({ id: 'TEAM0001', code: 'TEAMSDONE', startedBy: op, endedBy: op, createdAt: at(3), endedAt: at(20), surface: 'teams' }),
      [],
      [],
    );
  });
  afterAll(async () => {
    const s = p50max(eventMs);
    console.log(`app_home_opened ack over loopback (ms): n=${s.n} p50=${s.p50.toFixed(1)} max=${s.max.toFixed(1)}`);
    await h.close();
  });

  it('publishes the user’s open runs with a Resume button each, and their last 10 completed runs, newest first', async () => {
    const answer = await sendEvent(homeOpenedBody(OPERATOR.id));
    expect(answer.status).toBe(200);
    expect(publishes(OPERATOR.id)).toHaveLength(1);
    const call = publishes(OPERATOR.id)[0]!;
    expect((call.args.view as { type: string }).type).toBe('home');
    const blocks = homeOf(OPERATOR.id);
    console.log(`App Home of ${OPERATOR.id} (${blocks.length} blocks):\n${renderText(blocks)}`);

    const open = resumeLines(blocks);
    expect(open.map((l) => /`([A-Z0-9]{8})`/.exec(l.text)?.[1]).sort()).toEqual(mine.map((m) => m.runId).sort());
    const b = open.find((l) => l.text.includes(mine[1]!.runId))!;
    expect(b.text).toContain('*HOMEB Theatre* (HOMEB), channel DGTK');
    expect(b.text).toContain(`Step 2/10: ${h.core.builder.t('en', 'step.point_of_sale.title')} · started `);
    expect(b.button).toMatchObject({ type: 'button', action_id: 'run_resume', value: `${mine[1]!.runId}:point_of_sale`, style: 'primary' });
    expect(b.button.text.text).toBe('Resume');
    expect(open.find((l) => l.text.includes(mine[0]!.runId))!.text).toContain('Step 1/10');

    const all = textsOf(blocks).join('\n');
    expect(all).not.toContain(theirs.runId);
    for (const hidden of ['SUPDONE', 'CANCELLED', 'TEAMSDONE']) expect(all).not.toContain(hidden);
    const done = all.split('\n').filter((l) => / completed \d{4}-\d\d-\d\d at \d\d:\d\d UTC by /.test(l));
    // The last 10 completed: DONE0000 (completed last) first, then DONE11 ... DONE3; DONE1 and DONE2 dropped.
    expect(done.map((l) => /\(([A-Z0-9]+)\)/.exec(l)?.[1])).toEqual([
      'DONE0',
      'DONE11',
      'DONE10',
      'DONE9',
      'DONE8',
      'DONE7',
      'DONE6',
      'DONE5',
      'DONE4',
      'DONE3',
    ]);
    expect(done[0]).toContain('completed 2026-03-02 at 23:15 UTC by <@U0OPERATOR>');
    expect(done[1]).toContain('by <@U0SUPPORT>');
    // Typed texts are escaped for mrkdwn.
    expect(all).toContain('Rock &amp; &lt;Roll&gt; Hall');
  });

  it('the Resume button of the Home tab posts the run’s current step again in its thread', async () => {
    await sendEvent(homeOpenedBody(OPERATOR.id));
    const line = resumeLines(homeOf(OPERATOR.id)).find((l) => l.text.includes(mine[1]!.runId))!;
    const before = stepMessages(mine[1]!.card, 'point_of_sale').length;
    const beforeTs = stepMessages(mine[1]!.card, 'point_of_sale')[0]?.ts;
    // A click in the Home tab: container is the view, no channel, no response_url (Slack's block_actions from a view).
    const click = await postSigned(
      events(),
      interactionBody({
        type: 'block_actions',
        team: { id: 'T0TEAM001', domain: 'fake' },
        user: { id: OPERATOR.id, username: OPERATOR.name, name: OPERATOR.name, team_id: 'T0TEAM001' },
        api_app_id: 'A0APP0001',
        token: 'legacy-verification-token',
        container: { type: 'view', view_id: 'V0HOME' },
        trigger_id: 'trigger.home',
        view: { id: 'V0HOME', type: 'home', blocks: homeOf(OPERATOR.id) },
        actions: [
          {
            action_id: line.button.action_id,
            block_id: 'home_line',
            text: line.button.text,
            value: line.button.value,
            type: 'button',
            action_ts: `${Math.floor(Date.now() / 1000)}.000123`,
          },
        ],
      }),
      { secret: SIGNING_SECRET },
    );
    expect(click.status).toBe(200);
    await h.surface.idle();
    // Posted again: the new copy is the one with live buttons (the older copy points to it).
    const again = stepMessages(mine[1]!.card, 'point_of_sale');
    expect(before).toBe(1);
    expect(again).toHaveLength(1);
    expect(again[0]!.ts).not.toBe(beforeTs);
    // The clicker is told, in the run's channel, only they see it.
    const told = h.api.callsOf('chat.postEphemeral').at(-1)!;
    expect(told.args).toMatchObject({ channel: RUN_CHANNEL, user: OPERATOR.id });
    expect(String(told.args.text)).toContain(mine[1]!.runId);
  });

  it('a retried event (X-Slack-Retry-Num, same event_id) publishes once; a new event publishes again', async () => {
    const before = publishes(OPERATOR.id).length;
    const body = homeOpenedBody(OPERATOR.id, { eventId: 'Ev0RETRIED01' });
    await sendEvent(body);
    const retry = await sendEvent(body, { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' });
    expect(retry.status).toBe(200);
    expect(publishes(OPERATOR.id)).toHaveLength(before + 1);
    await sendEvent(homeOpenedBody(OPERATOR.id));
    expect(publishes(OPERATOR.id)).toHaveLength(before + 2);
  });

  it('another user sees only their own runs; the Messages tab publishes nothing', async () => {
    await sendEvent(homeOpenedBody(SUPPORT_USER.id));
    const blocks = homeOf(SUPPORT_USER.id);
    expect(resumeLines(blocks).map((l) => /`([A-Z0-9]{8})`/.exec(l.text)?.[1])).toEqual([theirs.runId]);
    const all = textsOf(blocks).join('\n');
    for (const m of mine) expect(all).not.toContain(m.runId);
    expect(all).toContain('(SUPDONE)');
    expect(all).not.toContain('(DONE0)');

    const before = h.api.callsOf('views.publish').length;
    await sendEvent(homeOpenedBody(SUPPORT_USER.id, { tab: 'messages' }));
    expect(h.api.callsOf('views.publish')).toHaveLength(before);
  });

  it('follows the user’s Slack locale (users.info): a German user sees headings, run lines and buttons in German', async () => {
    const user = 'U0DEUTSCH';
    h.api.userLocales.set(user, 'de-DE');
    const who: Actor = { id: user, name: 'jonas' };
    await h.core.store.create(
      dummyRun({
        id: 'DEOPEN01',
        channelId: RUN_CHANNEL,
        startedBy: who,
        details: { ...dummyRun().details, institutionCode: 'DEOPEN', language: 'en' },
      }),
      [],
      [],
    );
    await h.core.store.create(
      finishedRun({
        id: 'DEDONE01',
        code: 'DEDONE',
        startedBy: who,
        endedBy: who,
        createdAt: '2026-03-04T09:00:00.000Z',
        endedAt: '2026-03-04T10:30:00.000Z',
      }),
      [],
      [],
    );
    await sendEvent(homeOpenedBody(user));
    const blocks = homeOf(user);
    const all = textsOf(blocks).join('\n');
    expect(all).toContain(h.core.builder.t('de', 'home.header'));
    const [line] = resumeLines(blocks);
    expect(line!.text).toContain(`Schritt 1/10: ${h.core.builder.t('de', 'step.sales_channel.title')}`);
    expect(line!.button.text.text).toBe('Fortsetzen');
    expect(all).toContain('abgeschlossen am 2026-03-04 um 10:30 UTC von <@U0DEUTSCH>');
  });

  it('a user with no run gets the empty Home; Slack’s url_verification is answered by Bolt', async () => {
    await sendEvent(homeOpenedBody('U0NEWCOMER'));
    const all = textsOf(homeOf('U0NEWCOMER')).join('\n');
    expect(all).toContain('You have no open run.');
    expect(all).toContain('You have not completed a run yet.');
    expect(resumeLines(homeOf('U0NEWCOMER'))).toHaveLength(0);

    const challenge = await postSigned(events(), JSON.stringify({ token: 't', challenge: 'chal-123', type: 'url_verification' }), {
      secret: SIGNING_SECRET,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(challenge.status).toBe(200);
    expect(challenge.body).toContain('chal-123');
  });
});

describe('Slack App Home: access', () => {
  it('someone outside ALLOWED_OPERATORS and SUPPORT_USERS gets a Home that says so, and no runs', async () => {
    const h = await wireSlack({ env: { ALLOWED_OPERATORS: 'U0SOMEONE', SUPPORT_USERS: 'U0SOMEONE' } });
    try {
      await h.core.store.create(
        finishedRun({
          id: 'DONEX001',
          code: 'HIDDEN',
          startedBy: { id: OPERATOR.id },
          endedBy: { id: OPERATOR.id },
          createdAt: '2026-03-01T10:00:00.000Z',
          endedAt: '2026-03-01T11:00:00.000Z',
        }),
        [],
        [],
      );
      const answer = await postSigned(`${h.baseUrl}/slack/events`, homeOpenedBody(OPERATOR.id), {
        secret: SIGNING_SECRET,
        headers: { 'Content-Type': 'application/json' },
      });
      expect(answer.status).toBe(200);
      await h.surface.idle();
      const text = textsOf(h.api.homeViews.get(OPERATOR.id)!.blocks as SlackBlock[]).join('\n');
      expect(text).toContain(h.core.builder.t('en', 'refusal.not_permitted.operator', { runId: '', by: '', title: '' }));
      expect(text).not.toContain('HIDDEN');
    } finally {
      await h.close();
    }
  });
});
