/**
 * OAuth mode with SecuTix support in its own workspace (`SECUTIX_SUPPORT_SLACK_CHANNEL=TEAM_ID/CHANNEL_ID`):
 *
 * - `inWorkspace`: the support messages go out with the desk's token (`workspaceScope`); a desk
 *   without installation blocks the delivery (`DeliveryBlockedError`, kept in the outbox until an
 *   install releases it) with a plain reason for the logs.
 * - `origin`: who asks, read in the run's workspace: its name (installation) and domain
 *   (`auth.test`'s url, no scope needed), the requester's name and email (`users.info`, scope
 *   `users:read.email`), and whether an earlier support request for the same institution came
 *   from this workspace. A lookup that fails leaves its field out (the request still goes).
 */
import { z } from 'zod';
import type { SupportOrigin } from '../../../src/messages/builder';
import { DeliveryBlockedError } from '../../../src/ports/chat-notifier.port';
import type { Logger } from '../../../src/ports/logger.port';
import { isFirstSupportRequest } from '../../../src/app/first-request';
import type { RunStore } from '../../../src/ports/run-store.port';
import type { Run } from '../../../src/workflow/types';
import type { SupportDeskWorkspace } from '../delivery/support';
import type { SlackWeb } from '../delivery/slack-web';
import { slackErrorCode } from '../web-errors';
import type { WorkspaceKey } from './installation-store';
import { currentWorkspace, WORKSPACE_REF, workspaceScope } from './workspaces';

const authTestSchema = z.object({ url: z.string().optional(), team: z.string().optional() });
const userInfoSchema = z.object({
  user: z.object({
    name: z.string().optional(),
    real_name: z.string().optional(),
    profile: z.object({ email: z.string().optional(), real_name: z.string().optional() }).optional(),
  }),
});
const workspaceRefSchema = z.object({ teamId: z.string().optional(), enterpriseId: z.string().optional() });

export interface SupportDeskDeps {
  teamId: string;
  /**
   * The desk workspace's Enterprise Grid organisation (`ENTERPRISE_ID/TEAM_ID/CHANNEL_ID`): the
   * organisation's org-wide installation serves the desk when the workspace has none of its own.
   */
  enterpriseId?: string;
  /** The installations: a workspace's bot token and name. */
  tokens: {
    find(w: WorkspaceKey): Promise<{ bot?: { token?: string | undefined } | undefined; team?: { name?: string } | undefined } | undefined>;
  };
  client: SlackWeb;
  store: RunStore;
  logger: Logger;
}

/** `https://acme.slack.com/` -> `acme.slack.com`. */
function hostOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).hostname || undefined : undefined;
  } catch {
    return undefined;
  }
}

/** The support desk's workspace for the Slack notifier (`delivery/support.ts`). */
export function supportDeskWorkspace(deps: SupportDeskDeps): SupportDeskWorkspace {
  const log = deps.logger;
  return {
    teamId: deps.teamId,
    inWorkspace: <T>(teamId: string, work: () => Promise<T>): Promise<T> => {
      const ws: WorkspaceKey = teamId === deps.teamId && deps.enterpriseId ? { teamId, enterpriseId: deps.enterpriseId } : { teamId };
      return workspaceScope(ws, async () => {
        if (!(await deps.tokens.find(ws))?.bot?.token)
          throw new DeliveryBlockedError(
            `the Slack app is not installed in the support workspace ${teamId} (SECUTIX_SUPPORT_SLACK_CHANNEL): an admin of that workspace installs it from /slack/install; the password request waits in the outbox until then`,
            'support_not_installed',
          );
        return work();
      });
    },
    origin: async (run: Run): Promise<SupportOrigin | undefined> => {
      const ws = currentWorkspace();
      if (!ws) return undefined;
      const inst = await deps.tokens.find(ws).catch(() => undefined);
      const auth = await deps.client
        .apiCall('auth.test', {})
        .then((a) => authTestSchema.safeParse(a).data)
        .catch((err: unknown) => log.warn({ slackError: slackErrorCode(err) }, 'auth.test for the support request failed'));
      const user = await deps.client
        .apiCall('users.info', { user: run.startedBy.id })
        .then((u) => userInfoSchema.safeParse(u).data?.user)
        .catch((err: unknown) => log.warn({ runId: run.id, slackError: slackErrorCode(err) }, 'users.info for the support request failed'));
      const host = hostOf(auth?.url);
      const email = user?.profile?.email;
      return {
        kind: 'workspace',
        organisation: inst?.team?.name ?? auth?.team ?? ws.teamId ?? ws.enterpriseId ?? '?',
        ...(host ? { domain: host } : {}),
        requester: user?.real_name || user?.profile?.real_name || run.startedBy.name || user?.name || run.startedBy.id,
        ...(email ? { email } : {}),
        firstForInstitution: await isFirstSupportRequest(deps.store, run),
      };
    },
  };
}

/** What the `status` command needs in the support desk (listeners/commands/onboard.ts). */
export interface SupportDeskStatus {
  /** True when the current request comes from the support desk's workspace. */
  isDeskRequest(): boolean;
  /** The organisation of a run as the desk sees it: its Slack workspace's name, or its surface. */
  organisationOf(run: Run): Promise<string>;
}

/** The support desk's `status`: requests from `teamId`'s workspace; organisations from the installations. */
export function supportDeskStatus(deps: Pick<SupportDeskDeps, 'teamId' | 'tokens' | 'store'>): SupportDeskStatus {
  return {
    isDeskRequest: () => currentWorkspace()?.teamId === deps.teamId,
    organisationOf: async (run) => {
      if (run.surface !== 'slack') return run.surface === 'teams' ? 'Microsoft Teams' : run.surface;
      const ws = workspaceRefSchema.safeParse((await deps.store.getRefs(run.id))[WORKSPACE_REF]);
      if (!ws.success) return 'Slack';
      const inst = await deps.tokens.find(ws.data).catch(() => undefined);
      const id = ws.data.teamId ?? ws.data.enterpriseId ?? '?';
      return inst?.team?.name ? `${inst.team.name} (${id})` : id;
    },
  };
}
