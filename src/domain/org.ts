/**
 * Organisation keys (issue 12, "Isolation"): which Slack workspace, Teams tenant or console a
 * run and a caller belong to. A run records its organisation at start (`Run.org`); in
 * multi-organisation mode (Slack OAuth distribution, or a multi-tenant Teams registration) every
 * read and action is scoped to the caller's organisation (`RunService.load`).
 *
 * - Slack: `slack:<team id>`; a request of an Enterprise Grid org-wide install that names no team:
 *   `slack:<enterprise id>` (the same preference as the installation store's `installKeyOf`:
 *   the workspace first, the organisation when there is no workspace).
 * - Teams: `teams:<tenant id>` (`activity.conversation.tenantId`, else `channelData.tenant.id`).
 * - The console: `console`.
 */

/** The console's organisation (local use: one machine, one operator). */
export const CONSOLE_ORG = 'console';

const clean = (v: string | undefined | null): string | undefined => {
  const s = typeof v === 'string' ? v.trim() : '';
  return s.length > 0 ? s : undefined;
};

/** `slack:<team id>`, else `slack:<enterprise id>`, else undefined (a request naming neither). */
export function slackOrg(teamId: string | undefined | null, enterpriseId?: string | undefined | null): string | undefined {
  const team = clean(teamId);
  if (team) return `slack:${team}`;
  const enterprise = clean(enterpriseId);
  return enterprise ? `slack:${enterprise}` : undefined;
}

/** `teams:<tenant id>` (tenant ids compared lower-case: they are GUIDs), else undefined. */
export function teamsOrg(tenantId: string | undefined | null): string | undefined {
  const tenant = clean(tenantId);
  return tenant ? `teams:${tenant.toLowerCase()}` : undefined;
}

/**
 * Whether a caller of organisation `callerOrg` may see a run of organisation `runOrg` in
 * multi-organisation mode: only the same, known organisation. A run without one (stored before
 * organisations were recorded) belongs to no one; a caller without one sees nothing.
 */
export function sameOrg(runOrg: string | undefined, callerOrg: string | undefined): boolean {
  return runOrg !== undefined && callerOrg !== undefined && runOrg === callerOrg;
}

/**
 * A dedupe key kept apart per organisation (multi-organisation mode): two workspaces or tenants
 * using the same ids never claim each other's keys. Without an organisation: the key as it is.
 */
export function orgScopedKey(org: string | undefined, key: string): string {
  return org ? `${org}/${key}` : key;
}
