/**
 * Invoke answers of card actions: 200 with a card (`AdaptiveCardInvokeResponse`), a stale action
 * (current card + note, nothing changed), a refused action (card unchanged + note), bad data, a
 * run of another surface, and a core slower than the answer deadline ("working" card, the
 * clicked card updated later). Real RunService and SQLite store (`:memory:`).
 */
import { loadTemplates } from '../../../adapters/templates-loader';
import { openSqliteRunStore } from '../../../adapters/store/sqlite-run-store';
import { TeamsActions, type ActionTurn } from '../../../adapters/teams/actions';
import { type AdaptiveCard, cardInvokeResponse } from '../../../adapters/teams/cards';
import type { TeamsOutbound } from '../../../adapters/teams/notifier';
import { RunService } from '../../../src/app/run-service';
import { MessageBuilder } from '../../../src/messages/builder';
import { Renderer } from '../../../src/messages/renderer';
import type { ChatNotifier } from '../../../src/ports/chat-notifier.port';
import { systemClock } from '../../../src/ports/clock.port';
import { silentLogger } from '../../../src/ports/logger.port';
import type { RunStore } from '../../../src/ports/run-store.port';
import type { Effect } from '../../../src/workflow/types';
import { dummyRun } from '../../fixtures/dummy-run';

const builder = new MessageBuilder(new Renderer(loadTemplates()), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'en',
});
const ALEX = { id: 'aad-alex', name: 'Alex Operator' };
const CONV = 'a:personal-alex';

let store: RunStore;
let delivered: Effect[];
let deliveryDelayMs: number;
let updates: { activityId: string; card: AdaptiveCard }[];
let actions: TeamsActions;
let service: RunService;
let seq = 0;

beforeEach(async () => {
  store = await openSqliteRunStore(':memory:');
  delivered = [];
  deliveryDelayMs = 0;
  updates = [];
  const notifier: ChatNotifier = {
    async deliver(_run, effect) {
      if (deliveryDelayMs) await new Promise((r) => setTimeout(r, deliveryDelayMs));
      delivered.push(effect);
    },
  };
  service = new RunService({
    store,
    verifier: () => Promise.reject(new Error('not used')),
    notifiers: { teams: notifier },
    clock: systemClock,
    ids: { runId: () => `RUN${String(++seq).padStart(5, '0')}` },
    logger: silentLogger,
  });
  // Records the late update of the clicked card (what TeamsOutbound.update would PUT).
  const outbound = {
    async update(_ref: unknown, posted: { activityId: string }, card: AdaptiveCard) {
      updates.push({ activityId: posted.activityId, card });
    },
  } as unknown as TeamsOutbound;
  actions = new TeamsActions({ service, builder, store, outbound, logger: silentLogger, answerDeadlineMs: 100 });
});

afterEach(async () => {
  await actions.idle();
  await store.close();
});

function turn(verb: string, data: Record<string, unknown>): ActionTurn {
  return {
    verb,
    data: { verb, ...data },
    actor: ALEX,
    reference: {
      serviceUrl: 'http://127.0.0.1:1',
      channelId: 'msteams',
      conversation: { id: CONV, conversationType: 'personal', isGroup: false, name: '' },
    },
    conversationId: CONV,
    cardActivityId: 'act-clicked',
    locale: 'en',
  };
}

async function started(): Promise<string> {
  const r = await service.start({
    surface: 'teams',
    channelId: CONV,
    actor: ALEX,
    details: {
      institutionCode: 'DEMO',
      institutionName: 'Demo Theatre',
      channelCode: 'DGTK',
      digitickContactName: 'Camille',
      digitickContactEmail: 'c@d.example',
      language: 'en',
    },
  });
  if (!r.ok) throw new Error('start failed');
  return r.value.id;
}

const texts = (card: AdaptiveCard): string => JSON.stringify(card.body);

test('200 with a card: the invoke answer shape', async () => {
  const runId = await started();
  const card = await actions.execute(turn('step_done', { runId, step: 'sales_channel', version: 1, card: 'step' }));
  const response = cardInvokeResponse(card);
  expect(response).toEqual({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card });
  expect(card.body[0]).toMatchObject({ type: 'TextBlock', text: expect.stringContaining(runId) });
  expect(texts(card)).toContain('done by Alex Operator');
  expect((await store.get(runId))!.currentStep).toBe('point_of_sale');
});

test('a stale action answers the current card (no buttons) with a note and changes nothing', async () => {
  const runId = await started();
  await actions.execute(turn('step_done', { runId, step: 'sales_channel', version: 1, card: 'step' }));
  const version = (await store.get(runId))!.version;
  const card = await actions.execute(turn('step_done', { runId, step: 'sales_channel', version: 1, card: 'step' }));
  expect(card.body[1]).toMatchObject({ color: 'accent', text: expect.stringContaining('Nothing changed') });
  expect(card.actions).toBeUndefined();
  expect((await store.get(runId))!.version).toBe(version);
});

test('a refused action answers the card unchanged (buttons kept) with a note', async () => {
  const runId = await started();
  const card = await actions.execute(turn('step_skip', { runId, step: 'sales_channel', version: 1, card: 'step' }));
  expect(card.body[1]).toMatchObject({ color: 'attention', text: expect.stringContaining('cannot be skipped') });
  expect(card.actions!.map((a) => a.verb)).toEqual(['step_done', 'run_cancel']);
  expect((await store.get(runId))!.version).toBe(1);
});

test('garbage data, unknown runs and runs of another surface answer a note card', async () => {
  expect(texts(await actions.execute(turn('step_done', { runId: 'lower-case!', step: 'nope' })))).toContain('out of date');
  expect(texts(await actions.execute(turn('step_done', { runId: 'ZZZZ9999', step: 'sales_channel' })))).toContain('ZZZZ9999');
  await store.create(dummyRun({ id: 'SLACK001' }), [], []);
  expect(texts(await actions.execute(turn('step_done', { runId: 'SLACK001', step: 'sales_channel' })))).toContain('slack');
  expect((await store.get('SLACK001'))!.version).toBe(1);
});

test('form errors come back on the form card with the typed values', async () => {
  const card = await actions.execute(
    turn('onboard_start', { institution_code: 'A', institution_name: 'X', digitick_contact_name: 'Y', digitick_contact_email: 'nope' }),
  );
  const code = card.body.findIndex((n) => n.id === 'institution_code');
  expect(card.body[code]).toMatchObject({ value: 'A' });
  expect(card.body[code + 1]).toMatchObject({ color: 'attention' });
  expect(texts(card)).toContain('not a valid email address');
});

test('a core slower than the deadline answers a working card, then updates the clicked card', async () => {
  const runId = await started();
  deliveryDelayMs = 300;
  const card = await actions.execute(turn('step_done', { runId, step: 'sales_channel', version: 1, card: 'step' }));
  expect(texts(card)).toContain('Working on it');
  await actions.idle();
  expect(updates).toHaveLength(1);
  expect(updates[0].activityId).toBe('act-clicked');
  expect(texts(updates[0].card)).toContain('done by Alex Operator');
});
