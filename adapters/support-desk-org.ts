/**
 * The support desk's organisation per surface (issue 12: support crosses organisations only from
 * its desk), for `RunServiceDeps.supportDeskOrg`:
 * - Slack: the workspace of `SECUTIX_SUPPORT_SLACK_CHANNEL=TEAM_ID/CHANNEL_ID` (`slack:<TEAM_ID>`);
 *   a plain `CHANNEL_ID` (or none) gives none: the requests are then posted in each run's own
 *   workspace, and support's click there is not a crossing.
 * - Teams: the tenant of the channel registered with `support-channel here` (read at each call, so
 *   a new registration counts at once); none registered: none. A registration whose reference
 *   names no tenant gives an organisation no caller has (nothing crosses from an unknown tenant).
 * - The console: none.
 */
import type { Surface } from '../src/domain/ids';
import { slackOrg, teamsOrg } from '../src/domain/org';
import type { RunStore } from '../src/ports/run-store.port';
import { readReference, SUPPORT_CHANNEL_REF, TEAMS_GLOBAL_REF_OWNER } from './teams/refs';

/** An organisation no caller has (`sameOrg` never matches it with a caller's `slack:` / `teams:` key). */
const NO_CALLER_ORG = 'unknown-tenant';

export function supportDeskOrgs(store: RunStore, slackDeskTeamId: string | undefined): (surface: Surface) => Promise<string | undefined> {
  return async (surface) => {
    if (surface === 'slack') return slackDeskTeamId ? slackOrg(slackDeskTeamId) : undefined;
    if (surface !== 'teams') return undefined;
    const reference = readReference((await store.getRefs(TEAMS_GLOBAL_REF_OWNER))[SUPPORT_CHANNEL_REF]);
    if (!reference) return undefined;
    const tenant = (reference.conversation as { tenantId?: unknown } | undefined)?.tenantId;
    return teamsOrg(typeof tenant === 'string' ? tenant : undefined) ?? NO_CALLER_ORG;
  };
}
