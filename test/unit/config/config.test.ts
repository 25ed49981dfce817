import { ConfigError, loadConfig, SWITCH_WORDS } from '../../../adapters/config';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('with nothing set: console mode on the embedded sandbox and the default SQLite file', () => {
    const c = loadConfig({});
    expect(c.mode).toBe('console');
    expect(c.secutix.sandbox).toBe(true);
    expect(c.databaseUrl).toBe('sqlite:./data/onboarding.db');
    expect(c.defaultLocale).toBe('en');
    expect(c.port).toBe(3000);
    expect(c.secutix).toMatchObject({
      baseUrl: 'https://{institution}.ws.secutix.com',
      auth: 'signed',
      timeoutMs: 10000,
      maxRetries: 3,
      rateLimitPerMinute: 50,
    });
  });

  it('Slack configured: server mode, sandbox off unless asked', () => {
    const c = loadConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'fakebot-test', SECUTIX_BASE_URL: 'http://127.0.0.1:9/' });
    expect(c.mode).toBe('server');
    expect(c.secutix.sandbox).toBe(false);
    expect(c.secutix.baseUrl).toBe('http://127.0.0.1:9');
    expect(loadConfig({ SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'x', SECUTIX_SANDBOX: 'true' }).secutix.sandbox).toBe(true);
  });

  it('lists every problem at once, per-field and cross-field together', () => {
    const found = problems({
      PORT: 'abc',
      SLACK_BOT_TOKEN: 'fakebot-x',
      SECUTIX_AUTH: 'foo',
      DATABASE_URL: 'mysql://x',
      DEFAULT_LOCALE: 'xx',
      SECUTIX_TIMEOUT_MS: '-5',
      SECUTIX_SANDBOX: 'maybe',
      MICROSOFT_APP_TYPE: 'Weird',
    });
    const vars = found.map((p) => p.split(':')[0]).sort();
    expect(vars).toEqual(
      [
        'DATABASE_URL',
        'DEFAULT_LOCALE',
        'MICROSOFT_APP_TYPE',
        'PORT',
        'SECUTIX_AUTH',
        'SECUTIX_SANDBOX',
        'SECUTIX_TIMEOUT_MS',
        'SLACK_SIGNING_SECRET',
      ].sort(),
    );
  });

  it('SecuTix waits: poll interval (5000, 1000 in console mode), extraction timeout 180000, catalog timeout 60000', () => {
    const server = { SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'fakebot-test' };
    expect(loadConfig(server).secutix).toMatchObject({ pollIntervalMs: 5000, extractionTimeoutMs: 180000, catalogTimeoutMs: 60000 });
    expect(loadConfig({}).secutix.pollIntervalMs).toBe(1000);
    expect(
      loadConfig({ ...server, SECUTIX_POLL_INTERVAL_MS: '20', SECUTIX_EXTRACTION_TIMEOUT_MS: '0', SECUTIX_CATALOG_TIMEOUT_MS: '120000' })
        .secutix,
    ).toMatchObject({ pollIntervalMs: 20, extractionTimeoutMs: 0, catalogTimeoutMs: 120000 });
    expect(loadConfig({ SECUTIX_POLL_INTERVAL_MS: '7000' }).secutix.pollIntervalMs).toBe(7000);
  });

  it('SecuTix waits: every wrong value listed at once, on its own variable', () => {
    const found = problems({ SECUTIX_POLL_INTERVAL_MS: '5s', SECUTIX_EXTRACTION_TIMEOUT_MS: '-1', SECUTIX_CATALOG_TIMEOUT_MS: '1.5' });
    expect(found.map((p) => p.split(':')[0]).sort()).toEqual([
      'SECUTIX_CATALOG_TIMEOUT_MS',
      'SECUTIX_EXTRACTION_TIMEOUT_MS',
      'SECUTIX_POLL_INTERVAL_MS',
    ]);
    expect(found.find((p) => p.startsWith('SECUTIX_POLL_INTERVAL_MS'))).toMatch(/whole number from 10 to 600000 \(got "5s"\)/);
  });

  it('DEFAULT_LOCALE: en, fr or de', () => {
    expect(['en', 'fr', 'de'].map((l) => loadConfig({ DEFAULT_LOCALE: l }).defaultLocale)).toEqual(['en', 'fr', 'de']);
    expect(problems({ DEFAULT_LOCALE: 'es' })).toEqual(['DEFAULT_LOCALE: must be en, fr or de']);
  });

  it('never repeats a database password in a problem', () => {
    const found = problems({ DATABASE_URL: 'mysql://user:hunter2@db/x' });
    expect(found.join('\n')).not.toContain('hunter2');
  });
});

describe('on/off switches (issue 10: the same words for all, SECUTIX_SANDBOX included)', () => {
  const slack = { SLACK_SIGNING_SECRET: 's', SLACK_BOT_TOKEN: 'x', SLACK_APP_TOKEN: 'xapp-1' };
  const switches = (v: string) => {
    const c = loadConfig({
      ...slack,
      SECUTIX_SANDBOX: v,
      SLACK_SOCKET_MODE: v,
      TEAMS_ENABLED: v,
      MICROSOFT_APP_ID: 'a',
      MICROSOFT_APP_PASSWORD: 'p',
    });
    return { sandbox: c.secutix.sandbox, socketMode: c.slack?.socketMode, teams: c.teams !== undefined };
  };

  it('accepts the same words, in any case and with spaces around, for every switch', () => {
    expect(SWITCH_WORDS).toEqual({ on: ['true', '1', 'yes', 'on'], off: ['false', '0', 'no', 'off'] });
    for (const word of SWITCH_WORDS.on)
      for (const v of [word, word.toUpperCase(), ` ${word} `])
        expect(switches(v)).toEqual({ sandbox: true, socketMode: true, teams: true });
    for (const word of SWITCH_WORDS.off)
      for (const v of [word, word.toUpperCase(), ` ${word} `])
        expect(switches(v)).toEqual({ sandbox: false, socketMode: false, teams: false });
  });

  it('refuses any other word, naming the switch and what was given', () => {
    expect(problems({ ...slack, SECUTIX_SANDBOX: 'maybe', SLACK_SOCKET_MODE: 'enabled', TEAMS_ENABLED: 'y' })).toEqual(
      expect.arrayContaining([
        'SLACK_SOCKET_MODE: must be true or false (got "enabled")',
        'TEAMS_ENABLED: must be true or false (got "y")',
        'SECUTIX_SANDBOX: must be true or false (got "maybe")',
      ]),
    );
  });
});
