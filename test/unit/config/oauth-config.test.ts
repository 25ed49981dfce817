/** Slack OAuth distribution settings: turned on by the three secrets, refused without a valid encryption key. */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig } from '../../../adapters/config';

const KEY = randomBytes(32).toString('base64');
const base = {
  SLACK_SIGNING_SECRET: 'sig',
  SLACK_CLIENT_ID: '1.2',
  SLACK_CLIENT_SECRET: 'cs',
  SLACK_STATE_SECRET: 'state-secret-0123456789',
  INSTALLATION_ENCRYPTION_KEY: KEY,
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('Slack OAuth configuration', () => {
  it('the three secrets without SLACK_BOT_TOKEN turn on OAuth mode (server mode, no bot token)', () => {
    const c = loadConfig(base);
    expect(c.mode).toBe('server');
    expect(c.slack?.botToken).toBeUndefined();
    expect(c.slack?.oauth).toEqual({ clientId: '1.2', clientSecret: 'cs', stateSecret: 'state-secret-0123456789', encryptionKey: KEY });
  });

  it('a SLACK_STATE_SECRET shorter than 16 characters is refused, naming the variable', () => {
    expect(problems({ ...base, SLACK_STATE_SECRET: 'a' })).toEqual([
      'SLACK_STATE_SECRET: use at least 16 random characters (it signs the install state)',
    ]);
  });

  it('OAuth mode is multi-organisation mode (runs scoped per workspace); one bot token is not', () => {
    expect(loadConfig(base).multiOrg).toBe(true);
    expect(loadConfig({ SLACK_SIGNING_SECRET: 'sig', SLACK_BOT_TOKEN: 'fakebot-1' }).multiOrg).toBe(false);
    expect(loadConfig({}).multiOrg).toBe(false);
  });

  it('refuses to start without a valid INSTALLATION_ENCRYPTION_KEY, listed with the other problems', () => {
    const { INSTALLATION_ENCRYPTION_KEY: _k, SLACK_STATE_SECRET: _s, ...rest } = base;
    const p = problems({ ...rest, PORT: 'x' });
    expect(p).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT:/),
        expect.stringMatching(/^SLACK_STATE_SECRET: required/),
        expect.stringMatching(/^INSTALLATION_ENCRYPTION_KEY: required .*openssl rand -base64 32/),
      ]),
    );
    expect(problems({ ...base, INSTALLATION_ENCRYPTION_KEY: randomBytes(16).toString('base64') })).toEqual([
      expect.stringMatching(/^INSTALLATION_ENCRYPTION_KEY: must decode to 32 bytes \(got 16\)/),
    ]);
    expect(problems({ ...base, INSTALLATION_ENCRYPTION_KEY: 'not base64!' })).toEqual([
      expect.stringMatching(/^INSTALLATION_ENCRYPTION_KEY: must be base64/),
    ]);
    expect(problems({ ...base, INSTALLATION_ENCRYPTION_KEY_PREVIOUS: 'short' })).toEqual([
      expect.stringMatching(/^INSTALLATION_ENCRYPTION_KEY_PREVIOUS:/),
    ]);
  });

  it('never repeats a key or secret in its messages', () => {
    const bad = randomBytes(31).toString('base64');
    expect(problems({ ...base, INSTALLATION_ENCRYPTION_KEY: bad }).join('\n')).not.toContain(bad);
  });

  it('refuses SLACK_BOT_TOKEN together with the OAuth secrets, and Socket Mode with OAuth', () => {
    expect(problems({ ...base, SLACK_BOT_TOKEN: 'fakebot-1' })).toEqual([expect.stringMatching(/^SLACK_BOT_TOKEN: set either/)]);
    expect(problems({ ...base, SLACK_SOCKET_MODE: 'true', SLACK_APP_TOKEN: 'xapp-test-app-token' })).toEqual([
      expect.stringMatching(/^SLACK_SOCKET_MODE: OAuth distribution needs HTTP mode/),
    ]);
  });

  it('single-workspace mode is unchanged', () => {
    const c = loadConfig({ SLACK_SIGNING_SECRET: 'sig', SLACK_BOT_TOKEN: 'fakebot-1' });
    expect(c.slack?.botToken).toBe('fakebot-1');
    expect(c.slack?.oauth).toBeUndefined();
    expect(problems({ SLACK_SIGNING_SECRET: 'sig' })).toEqual(['SLACK_BOT_TOKEN: required with SLACK_SIGNING_SECRET']);
  });
});
