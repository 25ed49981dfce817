/**
 * Each Slack user's own language, for the answers only they see (help, status, errors,
 * refusals, the start form and its field errors). Run messages stay in the run's language.
 *
 * Source: `users.info` with `include_locale: true` (scope `users:read`) answers
 * `{ ok, user: { id, locale: 'fr-FR', ... } }`; without `include_locale` Slack leaves `locale`
 * out (api.slack.com/methods/users.info). The IETF tag's language (`fr-FR` -> `fr`) is used when
 * it is one of ours, otherwise the fallback (`DEFAULT_LOCALE`).
 *
 * Answers are cached per user for `ttlMs`, at most `maxUsers` users (the oldest read is dropped
 * first), and one read at a time per user. A lookup never throws and never makes an answer wait
 * more than `maxWaitMs`: a slow read goes on in the background and fills the cache for the next
 * answer, and this one uses the fallback (slash commands must be acked within 3 s).
 */
import { z } from 'zod';
import { LRUCache } from 'lru-cache';
import { LOCALES, type Locale } from '../../src/domain/ids';
import { type Clock, systemClock } from '../../src/ports/clock.port';
import type { Logger } from '../../src/ports/logger.port';
import type { SlackApiCall } from './user-groups';

const userInfoAnswer = z.object({
  ok: z.literal(true),
  user: z.looseObject({
    locale: z.string().optional(),
    real_name: z.string().optional().catch(undefined),
    profile: z
      .looseObject({ real_name: z.string().optional().catch(undefined), display_name: z.string().optional().catch(undefined) })
      .optional()
      .catch(undefined),
  }),
});

/** The person's name in a `users.info` answer: the profile's real name, else the display name; undefined when blank. */
function personName(user: z.infer<typeof userInfoAnswer>['user']): string | undefined {
  for (const n of [user.profile?.real_name, user.real_name, user.profile?.display_name]) if (n && n.trim()) return n.trim();
  return undefined;
}

/** `fr-FR` / `de_CH` / `EN` -> one of our locales, or `undefined` when it is none of them. */
export function localeFromTag(tag: string | undefined): Locale | undefined {
  const l = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return l && (LOCALES as readonly string[]).includes(l) ? (l as Locale) : undefined;
}

export interface SlackUserLocalesOptions {
  call: SlackApiCall;
  /** Used when Slack gives no locale, one we do not speak, or an error (`DEFAULT_LOCALE`). */
  fallback: Locale;
  logger: Logger;
  clock?: Clock;
  /** How long a user's locale is trusted, in ms (default 1 hour). */
  ttlMs?: number;
  /** Most users kept (default 5,000); the oldest read is dropped first. */
  maxUsers?: number;
  /**
   * The organisation of the current request (multi-organisation mode): entries are kept apart per
   * workspace, since two workspaces may have users with the same id. Default: one space.
   */
  scope?: () => string | undefined;
  /** Longest an answer waits for Slack, in ms (default 1,000); then the fallback is used. */
  maxWaitMs?: number;
}

interface Entry {
  /** `undefined`: Slack answered, with no locale of ours (cached too, so not asked again). */
  locale: Locale | undefined;
  /** The person's real or display name (`personName`); undefined when the profile has none. */
  name?: string;
  atMs: number;
}

/** Per-user locale cache over `users.info`. */
export class SlackUserLocales {
  /** Bounded to `maxUsers`; read with `peek`, so the oldest read (not the least looked at) is dropped first. */
  private readonly cache: LRUCache<string, Entry>;
  private readonly pending = new Map<string, Promise<Entry | undefined>>();
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly maxUsers: number;
  private readonly maxWaitMs: number;

  constructor(private readonly opts: SlackUserLocalesOptions) {
    this.clock = opts.clock ?? systemClock;
    this.ttlMs = opts.ttlMs ?? 60 * 60_000;
    this.maxUsers = Math.max(1, opts.maxUsers ?? 5000);
    this.maxWaitMs = opts.maxWaitMs ?? 1000;
    this.cache = new LRUCache<string, Entry>({ max: this.maxUsers });
  }

  /** Number of users cached (tests: the bound holds). */
  get size(): number {
    return this.cache.size;
  }

  /**
   * The user's language (`fallback` when unknown). Never throws.
   * @param userId Slack user id (`U...`/`W...`).
   */
  async localeOf(userId: string): Promise<Locale> {
    return (await this.knownLocaleOf(userId)) ?? this.opts.fallback;
  }

  /**
   * The user's language when Slack gives one of ours in time, else `undefined`. Never throws.
   * @param userId Slack user id (`U...`/`W...`).
   */
  async knownLocaleOf(userId: string): Promise<Locale | undefined> {
    return (await this.entryOf(userId))?.locale;
  }

  /**
   * The person's name from their Slack profile (real name, else display name), the same read and
   * cache as the locale; `undefined` when the profile has none or Slack does not answer in time.
   * Never throws. (Slash commands and interactions carry only the handle, `user_name`.)
   */
  async nameOf(userId: string): Promise<string | undefined> {
    return (await this.entryOf(userId))?.name;
  }

  private async entryOf(userId: string): Promise<Entry | undefined> {
    const key = `${this.opts.scope?.() ?? ''}/${userId}`;
    const cached = this.cache.peek(key);
    if (cached && this.clock.nowMs() - cached.atMs < this.ttlMs) return cached;
    let read = this.pending.get(key);
    if (!read) {
      read = this.read(userId, cached, key).finally(() => this.pending.delete(key));
      this.pending.set(key, read);
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.maxWaitMs);
    });
    try {
      const got = await Promise.race([read, late]);
      if (got === 'late') {
        this.opts.logger.warn({ user: userId, waitedMs: this.maxWaitMs }, 'slack users.info slow: answering in the default language');
        return cached;
      }
      return got;
    } finally {
      clearTimeout(timer);
    }
  }

  private async read(userId: string, stale: Entry | undefined, key: string): Promise<Entry | undefined> {
    try {
      const answer = userInfoAnswer.parse(await this.opts.call('users.info', { user: userId, include_locale: true }));
      const name = personName(answer.user);
      const entry: Entry = { locale: localeFromTag(answer.user.locale), ...(name ? { name } : {}), atMs: this.clock.nowMs() };
      this.cache.set(key, entry); // most recent read; beyond maxUsers the oldest goes
      return entry;
    } catch (err) {
      const code = (err as { data?: { error?: unknown } }).data?.error;
      this.opts.logger.warn(
        { user: userId, slackError: typeof code === 'string' ? code : err instanceof Error ? err.message.slice(0, 200) : 'unknown' },
        stale ? 'slack user locale not refreshed; using the last answer' : 'slack user locale unreadable; using the default language',
      );
      return stale;
    }
  }
}
