/**
 * Issue 9, Teams: adding or installing the bot gets one short welcome with `help`; a file-only
 * message is not read as `start`; group and meeting chats (not in the manifest's scopes) get one
 * polite refusal, for messages and card actions alike; a user Teams sends without a name is
 * "Teams user", never an AAD id. Activities are shaped as Teams sends them (Bot Framework
 * activity schema: conversationUpdate with the bot in `membersAdded` and `channelData.eventType`
 * `teamMemberAdded`; installationUpdate `add`; a file as a `file.download.info` attachment).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ALEX, BOT, cardOf, cardText, type Conversation, startTeamsHarness, type TeamsHarness } from './helpers';

const PERSONAL: Conversation = { id: 'a:personal-welcome', conversationType: 'personal' };
const CHANNEL: Conversation = { id: '19:welcome@thread.tacv2', conversationType: 'channel' };
const conversation = (c: Conversation) => ({ id: c.id, conversationType: c.conversationType, tenantId: 'tenant-1' });

let h: TeamsHarness;
beforeEach(async () => {
  h = await startTeamsHarness();
});
afterEach(async () => {
  await h.close();
});

const texts = (conv: string): string[] => h.connector.posted(conv).map((a) => cardText(cardOf(a)));

test('the manifest declares personal and team scopes only (what the refusal below relies on)', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../adapters/teams/app-package/manifest.json'), 'utf8')) as {
    bots: { scopes: string[] }[];
  };
  expect(manifest.bots[0]!.scopes.sort()).toEqual(['personal', 'team']);
});

test('bot added to a team, then installed: one short welcome with help; a member added is not welcomed', async () => {
  const added = {
    type: 'conversationUpdate',
    membersAdded: [{ id: BOT.id }],
    from: { id: ALEX.id, aadObjectId: ALEX.aadObjectId },
    conversation: { ...conversation(CHANNEL), isGroup: true },
    channelData: { team: { id: CHANNEL.id, name: 'Onboarding' }, eventType: 'teamMemberAdded', tenant: { id: 'tenant-1' } },
  };
  expect((await h.send(added)).status).toBe(200);
  expect((await h.send({ ...added, type: 'installationUpdate', action: 'add', membersAdded: undefined })).status).toBe(200);
  expect(texts(CHANNEL.id)).toHaveLength(1);
  expect(texts(CHANNEL.id)[0]).toMatch(/start.*help/s);
  expect(texts(CHANNEL.id)[0]!.length).toBeLessThan(400);
  const activity = h.connector.posted(CHANNEL.id)[0]!.activity;
  expect(activity.summary).toEqual(expect.stringContaining('Digitick'));

  await h.send({ ...added, membersAdded: [{ id: '29:newcomer', name: 'Nora Newcomer' }] });
  expect(texts(CHANNEL.id)).toHaveLength(1);
  // Removed, then installed again: welcomed again.
  await h.send({ ...added, type: 'installationUpdate', action: 'remove', membersAdded: undefined });
  await h.send({ ...added, type: 'installationUpdate', action: 'add', membersAdded: undefined });
  expect(texts(CHANNEL.id)).toHaveLength(2);
});

test('installed in a personal chat: the welcome', async () => {
  await h.send({
    type: 'installationUpdate',
    action: 'add',
    from: { id: ALEX.id, aadObjectId: ALEX.aadObjectId },
    conversation: conversation(PERSONAL),
    channelData: { tenant: { id: 'tenant-1' }, source: { name: 'message' } },
  });
  expect(texts(PERSONAL.id)).toEqual([expect.stringMatching(/Send \*\*start\*\* to begin, or \*\*help\*\*/)]);
});

test('a file sent without text is not read as "start"', async () => {
  await h.send({
    type: 'message',
    from: ALEX,
    conversation: conversation(PERSONAL),
    attachments: [{ contentType: 'application/vnd.microsoft.teams.file.download.info', name: 'ids.xlsx', content: { uniqueId: 'f-1' } }],
  });
  const [only] = h.connector.posted(PERSONAL.id).map((a) => cardOf(a));
  expect(cardText(only!)).toContain('I only read text');
  expect(JSON.stringify(only)).not.toContain('onboard_start');
});

test('group chats and meeting chats get one polite refusal, for messages and card actions', async () => {
  const group = { id: '19:group@thread.v2', conversationType: 'groupChat' };
  await h.send({ type: 'message', from: ALEX, text: 'start', conversation: group });
  await h.send({
    type: 'message',
    from: ALEX,
    text: 'help',
    conversation: { ...group, id: '19:meeting_x@thread.v2' },
    channelData: { meeting: { id: 'm-1' } },
  });
  for (const id of [group.id, '19:meeting_x@thread.v2']) {
    expect(texts(id)).toEqual([expect.stringContaining('not in group chats or meeting chats')]);
    expect(JSON.stringify(h.connector.posted(id))).not.toContain('onboard_start');
  }
  const invoke = await h.send({
    type: 'invoke',
    name: 'adaptiveCard/action',
    from: ALEX,
    conversation: group,
    value: { action: { type: 'Action.Execute', verb: 'onboard_start', data: { verb: 'onboard_start', locale: 'en' } }, trigger: 'manual' },
  });
  expect(invoke.status).toBe(200);
  expect(JSON.stringify(invoke.body)).toContain('not in group chats or meeting chats');
  expect(await h.service.openRuns('teams', ALEX.aadObjectId)).toEqual([]);
});

test('a user Teams sends without a name is "Teams user" on the cards, never the AAD id', async () => {
  const nameless = { id: '29:nameless', aadObjectId: 'aad-nameless-0001' };
  await h.message(PERSONAL, { ...nameless, name: undefined as unknown as string }, 'start');
  const form = h.connector.posted(PERSONAL.id).map((a) => cardOf(a))[0]!;
  const submit = (form.actions ?? []).find((a) => a.verb === 'onboard_start')!;
  const answer = await h.send({
    type: 'invoke',
    name: 'adaptiveCard/action',
    from: nameless,
    conversation: conversation(PERSONAL),
    value: {
      action: {
        type: 'Action.Execute',
        verb: 'onboard_start',
        data: {
          ...(submit.data as object),
          institution_code: 'demo',
          institution_name: 'Demo Theatre',
          channel_code: 'DGTK',
          digitick_contact_name: 'Camille Martin',
          digitick_contact_email: 'camille.martin@digitick.example',
          language: 'en',
        },
      },
      trigger: 'manual',
    },
  });
  expect(answer.status).toBe(200);
  await h.surface.idle();
  const all = texts(PERSONAL.id).join('\n');
  expect(all).toContain('Teams user');
  expect(all).not.toContain('aad-nameless-0001');
});
