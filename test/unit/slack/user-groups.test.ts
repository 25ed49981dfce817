/**
 * Slack user group memberships for the access policy, against the fake Slack Web API on loopback
 * (`usergroups.users.list`): only `S...` ids are read, answers are cached for the TTL (time from a
 * clock port), the cache is bounded, and an unreadable group counts as "not a member".
 */
import { WebClient } from '@slack/web-api';
import { createLogger } from '../../../adapters/logger';
import { SlackUserGroups } from '../../../adapters/slack/user-groups';
import { FakeSlackApi } from '../../fakes/fake-slack-api';

describe('SlackUserGroups', () => {
  let api: FakeSlackApi;
  let client: WebClient;
  const logs: string[] = [];
  const logger = createLogger('debug', { write: (s: string) => void logs.push(s) });
  let now = 1_000_000;
  const clock = { nowMs: () => now };

  beforeAll(async () => {
    api = await new FakeSlackApi().start();
    client = new WebClient('fakebot-test-token', { slackApiUrl: api.apiUrl, retryConfig: { retries: 0 } });
  });
  afterAll(async () => {
    await api.stop();
  });
  beforeEach(() => {
    api.calls.length = 0;
    api.userGroups.clear();
  });

  const groups = (groupIds: string[], opts: { ttlMs?: number; maxGroups?: number } = {}) =>
    new SlackUserGroups({ groupIds, call: (m, a) => client.apiCall(m, a), logger, clock, ...opts });

  test('reads only user group ids, and nothing when the lists name none', async () => {
    api.userGroups.set('S0OPS', ['U1', 'U2']);
    const none = groups(['U1', 'W123']);
    expect(none.watching).toBe(false);
    expect(await none.groupsOf('U1')).toEqual([]);
    expect(api.callsOf('usergroups.users.list')).toHaveLength(0);

    expect(await groups(['U9', 'S0OPS']).groupsOf('U2')).toEqual(['S0OPS']);
    expect(api.callsOf('usergroups.users.list').map((c) => c.args.usergroup)).toEqual(['S0OPS']);
  });

  test('caches each group for the TTL, then reads it again', async () => {
    api.userGroups.set('S0OPS', ['U1']);
    const g = groups(['S0OPS'], { ttlMs: 60_000 });
    await Promise.all([g.groupsOf('U1'), g.groupsOf('U2'), g.groupsOf('U1')]);
    expect(await g.groupsOf('U1')).toEqual(['S0OPS']);
    expect(api.callsOf('usergroups.users.list')).toHaveLength(1);

    api.userGroups.set('S0OPS', ['U2']);
    now += 60_001;
    expect(await g.groupsOf('U1')).toEqual([]);
    expect(await g.groupsOf('U2')).toEqual(['S0OPS']);
    expect(api.callsOf('usergroups.users.list')).toHaveLength(2);
  });

  test('multi-organisation mode: member lists are cached per workspace (a user id of another workspace is not a member)', async () => {
    let scope = 'slack:T0SUPPORT';
    const g = new SlackUserGroups({ groupIds: ['S0SUP'], call: (m, a) => client.apiCall(m, a), logger, clock, scope: () => scope });
    api.userGroups.set('S0SUP', ['U1']);
    expect(await g.groupsOf('U1')).toEqual(['S0SUP']);
    // Workspace B's Slack has no such group: its user U1 (same id) is not a member, whatever was cached for the support workspace.
    api.userGroups.clear();
    scope = 'slack:T0BBBB';
    expect(await g.groupsOf('U1')).toEqual([]);
    expect(api.callsOf('usergroups.users.list')).toHaveLength(2);
    scope = 'slack:T0SUPPORT';
    expect(await g.groupsOf('U1')).toEqual(['S0SUP']);
    expect(api.callsOf('usergroups.users.list')).toHaveLength(2);
  });

  test('an unreadable group counts as not a member (a stale answer is kept), with a warning', async () => {
    const g = groups(['S0GONE', 'S0OPS'], { ttlMs: 10 });
    api.userGroups.set('S0OPS', ['U1']);
    expect(await g.groupsOf('U1')).toEqual(['S0OPS']);
    expect(logs.some((l) => l.includes('S0GONE') && l.includes('no_such_subteam'))).toBe(true);

    now += 11;
    api.fail('usergroups.users.list', { kind: 'slack_error', error: 'ratelimited', times: 2 });
    expect(await g.groupsOf('U1')).toEqual(['S0OPS']);
    expect(logs.some((l) => l.includes('using the last answer'))).toBe(true);
  });

  test('at most maxGroups groups are watched (the cache is bounded), the rest ignored with a warning', async () => {
    const ids = ['S0A', 'S0B', 'S0C'];
    for (const id of ids) api.userGroups.set(id, ['U1']);
    const g = groups(ids, { maxGroups: 2 });
    expect(await g.groupsOf('U1')).toEqual(['S0A', 'S0B']);
    expect(api.callsOf('usergroups.users.list')).toHaveLength(2);
    expect(logs.some((l) => l.includes('S0C') && l.includes('ignored'))).toBe(true);
  });
});
