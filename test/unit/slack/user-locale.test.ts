/**
 * Each Slack user's language from `users.info` (`include_locale: true`), against the fake Slack
 * Web API on loopback: the tag's language when it is one of ours, else `DEFAULT_LOCALE`; answers
 * cached for the TTL (time from a clock port), the cache bounded, errors and slow answers fall
 * back without throwing.
 */
import { WebClient } from '@slack/web-api';
import { createLogger } from '../../../adapters/logger';
import { localeFromTag, SlackUserLocales } from '../../../adapters/slack/user-locale';
import { FakeSlackApi } from '../../fakes/fake-slack-api';

describe('SlackUserLocales', () => {
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
    api.userLocales.clear();
    logs.length = 0;
  });

  const locales = (opts: { ttlMs?: number; maxUsers?: number; fallback?: 'en' | 'fr' | 'de' } = {}) =>
    new SlackUserLocales({ call: (m, a) => client.apiCall(m, a), fallback: opts.fallback ?? 'en', logger, clock, ...opts });

  test('the language of the IETF tag, when it is one of ours', () => {
    expect(['fr-FR', 'de-CH', 'de_AT', 'EN-gb', 'fr', 'es-ES', 'pt', '', undefined].map(localeFromTag)).toEqual([
      'fr',
      'de',
      'de',
      'en',
      'fr',
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  test('asks users.info with include_locale, maps the locale, and falls back for a language we do not speak', async () => {
    api.userLocales.set('U0FR', 'fr-FR');
    api.userLocales.set('U0DE', 'de-DE');
    api.userLocales.set('U0ES', 'es-ES');
    const l = locales({ fallback: 'de' });
    expect(await l.localeOf('U0FR')).toBe('fr');
    expect(await l.localeOf('U0DE')).toBe('de');
    expect(await l.localeOf('U0ES')).toBe('de');
    expect(await l.knownLocaleOf('U0ES')).toBeUndefined();
    const calls = api.callsOf('users.info');
    expect(calls.map((c) => [c.args.user, c.args.include_locale])).toEqual([
      ['U0FR', 'true'],
      ['U0DE', 'true'],
      ['U0ES', 'true'],
    ]);
    expect(calls.every((c) => c.headers.authorization === 'Bearer fakebot-test-token')).toBe(true);
  });

  test('one read per user within the TTL (also for simultaneous answers), a new read after it', async () => {
    api.userLocales.set('U0FR', 'fr-FR');
    const l = locales({ ttlMs: 60_000 });
    expect(await Promise.all([l.localeOf('U0FR'), l.localeOf('U0FR'), l.localeOf('U0FR')])).toEqual(['fr', 'fr', 'fr']);
    now += 59_999;
    api.userLocales.set('U0FR', 'de-DE'); // the user changed their Slack language
    expect(await l.localeOf('U0FR')).toBe('fr');
    expect(api.callsOf('users.info')).toHaveLength(1);
    now += 1;
    expect(await l.localeOf('U0FR')).toBe('de');
    expect(api.callsOf('users.info')).toHaveLength(2);
  });

  test('the cache is bounded: the oldest read goes first', async () => {
    const l = locales({ maxUsers: 3 });
    for (const u of ['U1', 'U2', 'U3', 'U4']) await l.localeOf(u);
    expect(l.size).toBe(3);
    await l.localeOf('U4');
    await l.localeOf('U2');
    expect(api.callsOf('users.info')).toHaveLength(4); // U2 and U4 still cached
    await l.localeOf('U1');
    expect(api.callsOf('users.info')).toHaveLength(5); // U1 was dropped
    expect(l.size).toBe(3);
  });

  test('a Slack error gives the fallback (or the last answer), logged without throwing', async () => {
    api.userLocales.set('U0FR', 'fr-FR');
    const l = locales({ ttlMs: 1000 });
    api.fail('users.info', { kind: 'slack_error', error: 'missing_scope' });
    expect(await l.localeOf('U0FR')).toBe('en');
    expect(logs.join('\n')).toContain('missing_scope');
    expect(await l.localeOf('U0FR')).toBe('fr'); // not cached as unknown: asked again
    now += 1000;
    api.fail('users.info', { kind: 'http', status: 500 });
    expect(await l.localeOf('U0FR')).toBe('fr'); // stale answer kept
    expect(logs.join('\n')).toContain('using the last answer');
  });

  test('a slow users.info does not hold the answer: fallback now, the late answer cached for the next one', async () => {
    let release: (v: unknown) => void = () => {};
    let asked = 0;
    const l = new SlackUserLocales({
      call: () => {
        asked += 1;
        return new Promise((resolve) => {
          release = resolve;
        });
      },
      fallback: 'en',
      logger,
      clock,
      maxWaitMs: 20,
    });
    const t0 = performance.now();
    expect(await l.localeOf('U0SLOW')).toBe('en');
    console.log(`slow users.info: answered with the fallback after ${Math.round(performance.now() - t0)} ms (maxWaitMs 20)`);
    expect(logs.join('\n')).toContain('users.info slow');
    release({ ok: true, user: { id: 'U0SLOW', locale: 'de-DE' } });
    expect(await l.localeOf('U0SLOW')).toBe('de');
    expect(asked).toBe(1);
  });
});
