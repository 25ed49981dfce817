/**
 * Issue 12, "uninstalled workspace": the messages of a run whose workspace uninstalled the app (or
 * revoked its tokens) stay in the outbox, are not retried in a loop, and are reported to support.
 * With the support desk in its own workspace (`SECUTIX_SUPPORT_SLACK_CHANNEL=TEAM_ID/CHANNEL_ID`),
 * the desk's channel hears it once per run and workspace (run ref `slack.support.workspace_gone`,
 * kept in the run store, so a restart or another replica does not say it again; re-armed when a
 * reinstall lets the run's messages out, so a later uninstall is reported again): which
 * organisation, which run, what waits, and that a reinstall sends it. The notice goes with the
 * desk's token; when it cannot be posted it is logged and tried again at the next blocked delivery.
 * With the desk on Teams (`SECUTIX_SUPPORT_DESK=teams`) the same notice goes to the Teams desk
 * channel, through the callback the wiring gives (`SlackSurfaceDeps.reportWorkspaceGone`).
 */
import { z } from 'zod';
import type { MessageBuilder } from '../../../src/messages/builder';
import type { Logger } from '../../../src/ports/logger.port';
import type { RunStore } from '../../../src/ports/run-store.port';
import type { Effect, Run } from '../../../src/workflow/types';
import { blockedStep, blockedWhat } from '../blocked';
import { textPayload } from '../block-kit';
import { SLACK_REF } from '../delivery/refs';
import { SLACK_ORIGIN_REF, slackOriginSchema } from '../../slack-origin-ref';
import type { SlackWeb } from '../delivery/slack-web';
import { slackErrorCode } from '../web-errors';
import { errorSummary } from '../../../src/app/error-summary';
import { installKeyOf, type WorkspaceKey } from './installation-store';
import { WORKSPACE_GONE_TOLD_REF, workspaceScope } from './workspaces';

export { WORKSPACE_GONE_TOLD_REF };

const originNameSchema = z.object({ origin: z.object({ organisation: z.string() }).optional() });

export interface WorkspaceGoneDeps {
  /**
   * Posts the notice to the support desk: the Slack desk's channel (`slackDeskPost`), or the
   * desk of another surface (`SECUTIX_SUPPORT_DESK=teams`: `SlackSurfaceDeps.reportWorkspaceGone`).
   * No retries of its own (one notice, not two); a failure is logged and tried again at the next
   * blocked delivery.
   */
  post(run: Run, notice: WorkspaceGoneReport): Promise<void>;
  store: RunStore;
  builder: MessageBuilder;
  logger: Logger;
}

/** What the desk is told: the workspace (install key), how many messages wait, the text (run's language). */
export interface WorkspaceGoneReport {
  workspace: string;
  waiting: number;
  text: string;
}

/** Posts to the Slack desk's channel, with the desk's token (its own workspace, maybe an org-wide install). */
export function slackDeskPost(desk: {
  deskTeamId: string;
  deskEnterpriseId?: string;
  deskChannel: string;
  client: SlackWeb;
}): WorkspaceGoneDeps['post'] {
  return async (_run, notice) => {
    await workspaceScope({ teamId: desk.deskTeamId, ...(desk.deskEnterpriseId ? { enterpriseId: desk.deskEnterpriseId } : {}) }, () =>
      desk.client.apiCall('chat.postMessage', { channel: desk.deskChannel, ...textPayload(notice.text) }),
    );
  };
}

/** Tells the support desk, once per run and workspace, that `run`'s workspace `ws` has no installation. */
export async function tellDeskWorkspaceGone(deps: WorkspaceGoneDeps, run: Run, ws: WorkspaceKey, effect: Effect): Promise<void> {
  const key = installKeyOf(ws) ?? '?';
  const refs = await deps.store.getRefs(run.id);
  if (refs[WORKSPACE_GONE_TOLD_REF] === key) return;
  const pending = await deps.store.pendingOutbox(100, run.id);
  const first = pending[0]?.effect ?? effect;
  const L = run.details.language;
  const id = ws.teamId ?? ws.enterpriseId ?? key;
  // The workspace's name as the Slack desk's request showed it, else as recorded for a desk elsewhere (`slack.origin`).
  const name =
    originNameSchema.safeParse(refs[SLACK_REF.support]).data?.origin?.organisation ??
    slackOriginSchema.safeParse(refs[SLACK_ORIGIN_REF]).data?.workspace;
  const step = blockedStep(run, first);
  const text = deps.builder.t(L, 'slack.support.workspace_gone', {
    organisation: name ? `${name} (${id})` : id,
    runId: run.id,
    institutionCode: run.details.institutionCode,
    institutionName: run.details.institutionName,
    count: Math.max(1, pending.length),
    what: blockedWhat(deps.builder, L, { effect: first.type, ...(step ? { step } : {}) }),
  });
  try {
    await deps.post(run, { workspace: key, waiting: Math.max(1, pending.length), text });
  } catch (err) {
    deps.logger.warn(
      { runId: run.id, workspace: key, slackError: slackErrorCode(err), err: errorSummary(err) },
      "could not tell the support desk that the run's workspace uninstalled the app",
    );
    return;
  }
  await deps.store.putRef(run.id, WORKSPACE_GONE_TOLD_REF, key);
  deps.logger.info({ runId: run.id, workspace: key, waiting: pending.length }, 'support desk told: the run waits for a reinstall');
}

/** `tellDeskWorkspaceGone` bound to its deps (`WorkspaceNotifierDeps.onWorkspaceGone`). */
export function workspaceGoneNotice(deps: WorkspaceGoneDeps): (run: Run, ws: WorkspaceKey, effect: Effect) => Promise<void> {
  return (run, ws, effect) => tellDeskWorkspaceGone(deps, run, ws, effect);
}
