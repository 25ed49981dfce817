/**
 * Issue 12, "uninstalled workspace": the messages of a run whose workspace uninstalled the app (or
 * revoked its tokens) stay in the outbox, are not retried in a loop, and are reported to support.
 * With the support desk in its own workspace (`SECUTIX_SUPPORT_SLACK_CHANNEL=TEAM_ID/CHANNEL_ID`),
 * the desk's channel hears it once per run and workspace (run ref `slack.support.workspace_gone`,
 * kept in the run store, so a restart or another replica does not say it again; re-armed when a
 * reinstall lets the run's messages out, so a later uninstall is reported again): which
 * organisation, which run, what waits, and that a reinstall sends it. The notice goes with the
 * desk's token; when it cannot be posted it is logged and tried again at the next blocked delivery.
 */
import { z } from 'zod';
import type { MessageBuilder } from '../../../src/messages/builder';
import type { Logger } from '../../../src/ports/logger.port';
import type { RunStore } from '../../../src/ports/run-store.port';
import type { Effect, Run } from '../../../src/workflow/types';
import { blockedStep, blockedWhat } from '../blocked';
import { textPayload } from '../block-kit';
import { SLACK_REF } from '../delivery/refs';
import type { SlackWeb } from '../delivery/slack-web';
import { slackErrorCode } from '../web-errors';
import { installKeyOf, type WorkspaceKey } from './installation-store';
import { WORKSPACE_GONE_TOLD_REF, workspaceScope } from './workspaces';

export { WORKSPACE_GONE_TOLD_REF };

const originNameSchema = z.object({ origin: z.object({ organisation: z.string() }).optional() });

export interface WorkspaceGoneDeps {
  /** The desk's workspace and channel. */
  deskTeamId: string;
  /** The desk's Enterprise Grid organisation (an org-wide installation serves it). */
  deskEnterpriseId?: string;
  deskChannel: string;
  /** Posts (no retries of its own: one notice, not two). */
  client: SlackWeb;
  store: RunStore;
  builder: MessageBuilder;
  logger: Logger;
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
  const name = originNameSchema.safeParse(refs[SLACK_REF.support]).data?.origin?.organisation;
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
    await workspaceScope({ teamId: deps.deskTeamId, ...(deps.deskEnterpriseId ? { enterpriseId: deps.deskEnterpriseId } : {}) }, () =>
      deps.client.apiCall('chat.postMessage', {
        channel: deps.deskChannel,
        ...textPayload(text),
      }),
    );
  } catch (err) {
    deps.logger.warn(
      { runId: run.id, workspace: key, slackError: slackErrorCode(err) },
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
