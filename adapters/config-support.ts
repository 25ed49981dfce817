/**
 * Where SecuTix support works (issue 12): `SECUTIX_SUPPORT_SLACK_CHANNEL` (`CHANNEL_ID`, or
 * `TEAM_ID/CHANNEL_ID` for the support desk's own workspace in OAuth mode) and
 * `SECUTIX_SUPPORT_DESK` (`slack` or `teams` when both are served). Part of `config.ts`.
 */
import { z } from 'zod';

/** `SECUTIX_SUPPORT_DESK`: `slack`, `teams` (any case) or unset. */
export const supportDeskSchema = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim().toLowerCase()))
  .pipe(z.enum(['slack', 'teams'], { error: 'must be slack or teams' }).optional());

/**
 * `SECUTIX_SUPPORT_SLACK_CHANNEL`: `CHANNEL_ID` (a channel of the run's workspace, as always), or
 * `TEAM_ID/CHANNEL_ID` (a channel of the support desk's own workspace), or
 * `ENTERPRISE_ID/TEAM_ID/CHANNEL_ID` (that workspace is part of an Enterprise Grid organisation
 * whose app is installed org-wide: its token is the organisation's). Unset: `{}`.
 */
export function supportChannelSetting(
  value: string | undefined,
): { channelId?: string; teamId?: string; enterpriseId?: string } | { problem: string } {
  if (value === undefined) return {};
  if (!value.includes('/')) return { channelId: value };
  const grid = /^(E[A-Z0-9]{2,})\/(T[A-Z0-9]{2,})\/([CG][A-Z0-9]{2,})$/.exec(value);
  if (grid) return { enterpriseId: grid[1]!, teamId: grid[2]!, channelId: grid[3]! };
  const m = /^([TE][A-Z0-9]{2,})\/([CG][A-Z0-9]{2,})$/.exec(value);
  if (!m)
    return {
      problem: `must be CHANNEL_ID, TEAM_ID/CHANNEL_ID or ENTERPRISE_ID/TEAM_ID/CHANNEL_ID (org-wide install), e.g. T0SECUTIX/C0SUPPORT (a workspace id starting with T, a channel id starting with C or G, upper-case letters and digits; got "${value}")`,
    };
  return { teamId: m[1]!, channelId: m[2]! };
}

/**
 * The support channel's parts and the problems of both variables with the rest of the
 * configuration (`served`: which surfaces and modes are on), one line each.
 */
export function supportSettings(
  raw: (k: string) => string | undefined,
  served: { slack: boolean; oauth: boolean; teams: boolean },
): { channelId?: string; teamId?: string; enterpriseId?: string; problems: string[] } {
  const problems: string[] = [];
  const parsed = supportChannelSetting(raw('SECUTIX_SUPPORT_SLACK_CHANNEL'));
  const support = 'problem' in parsed ? {} : parsed;
  if ('problem' in parsed) problems.push(`SECUTIX_SUPPORT_SLACK_CHANNEL: ${parsed.problem}`);
  else if (parsed.teamId && !served.oauth)
    problems.push(
      `SECUTIX_SUPPORT_SLACK_CHANNEL: the TEAM_ID/CHANNEL_ID form (${parsed.teamId}/${parsed.channelId}) names the support desk's own workspace, which needs Slack OAuth distribution (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_STATE_SECRET); with SLACK_BOT_TOKEN (one workspace) give the channel id alone`,
    );
  const desk = raw('SECUTIX_SUPPORT_DESK')?.toLowerCase();
  if (desk === 'slack' && !served.slack) problems.push('SECUTIX_SUPPORT_DESK: slack needs Slack to be served (SLACK_SIGNING_SECRET...)');
  if (desk === 'slack' && served.slack && !support.channelId)
    problems.push('SECUTIX_SUPPORT_DESK: slack needs SECUTIX_SUPPORT_SLACK_CHANNEL (the channel where support works)');
  if (desk === 'slack' && served.oauth && support.channelId && !support.teamId)
    problems.push(
      'SECUTIX_SUPPORT_DESK: slack with OAuth distribution needs SECUTIX_SUPPORT_SLACK_CHANNEL=TEAM_ID/CHANNEL_ID (the workspace of the support desk)',
    );
  if (desk === 'teams' && !served.teams) problems.push('SECUTIX_SUPPORT_DESK: teams needs TEAMS_ENABLED=true');
  return { ...support, problems };
}
