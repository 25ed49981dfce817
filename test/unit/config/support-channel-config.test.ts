/** `SECUTIX_SUPPORT_SLACK_CHANNEL`: `CHANNEL_ID` as always, or `TEAM_ID/CHANNEL_ID` (the support desk's own workspace, OAuth mode). */
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, supportChannelSetting } from '../../../adapters/config';

const OAUTH = {
  SLACK_SIGNING_SECRET: 'sig',
  SLACK_CLIENT_ID: '1.2',
  SLACK_CLIENT_SECRET: 'cs',
  SLACK_STATE_SECRET: 'state-secret-0123456789',
  INSTALLATION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
};
const ONE_WORKSPACE = { SLACK_SIGNING_SECRET: 'sig', SLACK_BOT_TOKEN: 'fakebot-1' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('SECUTIX_SUPPORT_SLACK_CHANNEL', () => {
  it('a plain channel id keeps its meaning (a channel of the run workspace), in both modes', () => {
    expect(loadConfig({ ...ONE_WORKSPACE, SECUTIX_SUPPORT_SLACK_CHANNEL: 'C0SUPPORT01' }).slack).toMatchObject({
      supportChannel: 'C0SUPPORT01',
    });
    const oauth = loadConfig({ ...OAUTH, SECUTIX_SUPPORT_SLACK_CHANNEL: ' C0SUPPORT01 ' }).slack!;
    expect(oauth.supportChannel).toBe('C0SUPPORT01');
    expect(oauth.supportTeamId).toBeUndefined();
  });

  it('TEAM_ID/CHANNEL_ID names the support workspace and its channel (OAuth mode)', () => {
    const slack = loadConfig({ ...OAUTH, SECUTIX_SUPPORT_SLACK_CHANNEL: 'T0SECUTIX/C0DESK0001' }).slack!;
    expect(slack).toMatchObject({ supportChannel: 'C0DESK0001', supportTeamId: 'T0SECUTIX' });
  });

  it('ENTERPRISE_ID/TEAM_ID/CHANNEL_ID: a desk workspace of an Enterprise Grid organisation with an org-wide install', () => {
    const slack = loadConfig({ ...OAUTH, SECUTIX_SUPPORT_SLACK_CHANNEL: 'E0SECUTIX/T0SECUTIX/C0DESK0001' }).slack!;
    expect(slack).toMatchObject({ supportChannel: 'C0DESK0001', supportTeamId: 'T0SECUTIX', supportEnterpriseId: 'E0SECUTIX' });
    expect(supportChannelSetting('E0GRID/T0TEAM/G0PRIV')).toEqual({ enterpriseId: 'E0GRID', teamId: 'T0TEAM', channelId: 'G0PRIV' });
  });

  it.each([
    'T0SECUTIX/',
    '/C0DESK',
    'T0SECUTIX/C0DESK/X',
    'E0GRID/C0DESK/T0TEAM',
    'T0TEAM/E0GRID/C0DESK',
    't0secutix/c0desk',
    'T0SECUTIX/#support',
    'C0DESK/T0SECUTIX',
    'T0 X/C0DESK',
  ])('refuses %j with a message naming the two forms', (value) => {
    const p = problems({ ...OAUTH, SECUTIX_SUPPORT_SLACK_CHANNEL: value });
    expect(p).toEqual([
      expect.stringMatching(
        /^SECUTIX_SUPPORT_SLACK_CHANNEL: must be CHANNEL_ID, TEAM_ID\/CHANNEL_ID or ENTERPRISE_ID\/TEAM_ID\/CHANNEL_ID \(org-wide install\), e\.g\./,
      ),
    ]);
    expect(p[0]).toContain(`got "${value.trim()}"`);
  });

  it('refuses the TEAM_ID/CHANNEL_ID form with one workspace token (there is no other workspace to post in)', () => {
    const p = problems({ ...ONE_WORKSPACE, SECUTIX_SUPPORT_SLACK_CHANNEL: 'T0SECUTIX/C0DESK0001' });
    expect(p).toEqual([
      expect.stringMatching(/^SECUTIX_SUPPORT_SLACK_CHANNEL: the TEAM_ID\/CHANNEL_ID form .*needs Slack OAuth distribution/),
    ]);
  });

  it('supportChannelSetting: unset, plain, team form', () => {
    expect(supportChannelSetting(undefined)).toEqual({});
    expect(supportChannelSetting('C1')).toEqual({ channelId: 'C1' });
    expect(supportChannelSetting('E0GRID/G0PRIV')).toEqual({ teamId: 'E0GRID', channelId: 'G0PRIV' });
  });

  describe('SECUTIX_SUPPORT_DESK', () => {
    it('slack or teams (any case) when that surface is served; unset by default', () => {
      expect(loadConfig(ONE_WORKSPACE).supportDesk).toBeUndefined();
      const both = { ...ONE_WORKSPACE, TEAMS_ENABLED: 'true', SECUTIX_SUPPORT_SLACK_CHANNEL: 'C0DESK' };
      expect(loadConfig({ ...both, SECUTIX_SUPPORT_DESK: 'Teams' }).supportDesk).toBe('teams');
      expect(loadConfig({ ...both, SECUTIX_SUPPORT_DESK: 'slack' }).supportDesk).toBe('slack');
    });

    it('refuses another value, a desk surface that is not served, and a Slack desk without its channel', () => {
      expect(problems({ ...ONE_WORKSPACE, SECUTIX_SUPPORT_DESK: 'email' })).toEqual([
        expect.stringMatching(/^SECUTIX_SUPPORT_DESK: must be slack or teams/),
      ]);
      expect(problems({ ...ONE_WORKSPACE, SECUTIX_SUPPORT_DESK: 'teams' })).toEqual([
        'SECUTIX_SUPPORT_DESK: teams needs TEAMS_ENABLED=true',
      ]);
      expect(problems({ TEAMS_ENABLED: 'true', SECUTIX_SUPPORT_DESK: 'slack' })).toEqual([
        expect.stringMatching(/^SECUTIX_SUPPORT_DESK: slack needs Slack to be served/),
      ]);
      expect(problems({ ...ONE_WORKSPACE, SECUTIX_SUPPORT_DESK: 'slack' })).toEqual([
        expect.stringMatching(/^SECUTIX_SUPPORT_DESK: slack needs SECUTIX_SUPPORT_SLACK_CHANNEL/),
      ]);
      expect(problems({ ...OAUTH, SECUTIX_SUPPORT_DESK: 'slack', SECUTIX_SUPPORT_SLACK_CHANNEL: 'C0DESK' })).toEqual([
        expect.stringMatching(
          /^SECUTIX_SUPPORT_DESK: slack with OAuth distribution needs SECUTIX_SUPPORT_SLACK_CHANNEL=TEAM_ID\/CHANNEL_ID/,
        ),
      ]);
    });
  });
});
