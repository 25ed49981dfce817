/**
 * Slack user group memberships for the access policy: `ALLOWED_OPERATORS` and `SUPPORT_USERS`
 * may name user groups (ids `S...`). Slack has no "groups of a user" method, so each configured
 * group's members are read with `usergroups.users.list` (scope `usergroups:read`; answer
 * `{ ok, users: string[] }`, source: api.slack.com/methods/usergroups.users.list) and cached
 * for `ttlMs`. At most `maxGroups` groups are watched (more are ignored, with a warning), so the
 * cache stays small.
 * A failed read counts as "not a member" (fail closed) and keeps a stale answer when there is one.
 * In multi-organisation mode the cache is kept per workspace (`scope`): a group read with one
 * workspace's token never answers for a user of another workspace with the same user id.
 */
import { z } from 'zod';
import { type Clock, systemClock } from '../../src/ports/clock.port';
import type { Logger } from '../../src/ports/logger.port';

/** Slack user group ids: `S` then upper-case letters and digits. */
export const SLACK_USER_GROUP_ID = /^S[A-Z0-9]{2,}$/;

/** Most member lists kept (groups x workspaces in multi-organisation mode). */
const MAX_CACHED_LISTS = 2000;

const membersAnswer = z.object({ ok: z.literal(true), users: z.array(z.string()) });

/** The Web API call this module needs (Bolt's `client.apiCall`). */
export type SlackApiCall = (method: string, args: Record<string, unknown>) => Promise<unknown>;

export interface SlackUserGroupsOptions {
  /** The group ids to watch (those among the access lists). */
  groupIds: readonly string[];
  call: SlackApiCall;
  logger: Logger;
  clock?: Clock;
  /** How long a member list is trusted, in ms (default 5 minutes). */
  ttlMs?: number;
  /** Most groups kept (default 100); the oldest read is dropped first. */
  maxGroups?: number;
  /** The current request's workspace (multi-organisation mode): member lists are cached per workspace. */
  scope?: () => string | undefined;
}

interface Entry {
  members: ReadonlySet<string>;
  atMs: number;
}

export class SlackUserGroups {
  private readonly cache = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<ReadonlySet<string>>>();
  private readonly groupIds: readonly string[];
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly maxGroups: number;

  constructor(private readonly opts: SlackUserGroupsOptions) {
    this.maxGroups = opts.maxGroups ?? 100;
    const all = [...new Set(opts.groupIds.filter((id) => SLACK_USER_GROUP_ID.test(id)))];
    this.groupIds = all.slice(0, this.maxGroups);
    if (all.length > this.maxGroups)
      opts.logger.warn(
        { ignored: all.slice(this.maxGroups) },
        `more than ${this.maxGroups} Slack user groups in the access lists: the rest are ignored`,
      );
    this.clock = opts.clock ?? systemClock;
    this.ttlMs = opts.ttlMs ?? 5 * 60_000;
  }

  /** True when some access list names a user group (otherwise `groupsOf` never calls Slack). */
  get watching(): boolean {
    return this.groupIds.length > 0;
  }

  /**
   * The watched groups `userId` belongs to (`[]` when none, or when no group is watched).
   * Never throws: a group whose members cannot be read counts as not containing the user.
   */
  async groupsOf(userId: string): Promise<string[]> {
    if (!this.watching) return [];
    const sets = await Promise.all(this.groupIds.map((g) => this.members(g)));
    return this.groupIds.filter((_, i) => sets[i]!.has(userId));
  }

  private async members(groupId: string): Promise<ReadonlySet<string>> {
    const now = this.clock.nowMs();
    const key = this.opts.scope ? `${this.opts.scope() ?? ''}/${groupId}` : groupId;
    const cached = this.cache.get(key);
    if (cached && now - cached.atMs < this.ttlMs) return cached.members;
    const running = this.pending.get(key);
    if (running) return running;
    const read = this.read(groupId, key, cached).finally(() => this.pending.delete(key));
    this.pending.set(key, read);
    return read;
  }

  private async read(groupId: string, key: string, stale: Entry | undefined): Promise<ReadonlySet<string>> {
    try {
      const answer = membersAnswer.parse(await this.opts.call('usergroups.users.list', { usergroup: groupId }));
      const members = new Set(answer.users);
      this.cache.delete(key);
      this.cache.set(key, { members, atMs: this.clock.nowMs() });
      // Per-workspace keys: bounded, the oldest read dropped first.
      if (this.cache.size > MAX_CACHED_LISTS) this.cache.delete(this.cache.keys().next().value as string);
      return members;
    } catch (err) {
      const code = (err as { data?: { error?: unknown } }).data?.error;
      this.opts.logger.warn(
        { usergroup: groupId, slackError: typeof code === 'string' ? code : err instanceof Error ? err.message.slice(0, 200) : 'unknown' },
        stale
          ? 'slack user group members not refreshed; using the last answer'
          : 'slack user group members unreadable; counted as not a member',
      );
      return stale?.members ?? new Set();
    }
  }
}
