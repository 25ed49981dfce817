/**
 * Who asks, for a support desk on another platform (`SECUTIX_SUPPORT_DESK=teams`): the Slack
 * side reads it in the run's own workspace when it first delivers there (the card), and stores it
 * as the run's ref `slack.origin` (no secret): the workspace's name and domain (`auth.test`), its
 * id, the requester's name and email (`users.info`). The Teams desk (`adapters/teams/foreign-support.ts`)
 * shows it as a Slack desk does. A lookup that fails leaves its field out; nothing is retried.
 */
import { z } from 'zod';
import type { Logger } from '../../../src/ports/logger.port';
import type { RunStore } from '../../../src/ports/run-store.port';
import type { Run } from '../../../src/workflow/types';
import { slackErrorCode } from '../web-errors';
import type { SlackWeb } from './slack-web';

import { SLACK_ORIGIN_REF, type SlackOrigin } from '../../slack-origin-ref';

const authTestSchema = z.object({ url: z.string().optional(), team: z.string().optional(), team_id: z.string().optional() });
const userInfoSchema = z.object({
  user: z.object({
    name: z.string().optional(),
    real_name: z.string().optional(),
    profile: z.object({ email: z.string().optional(), real_name: z.string().optional() }).optional(),
  }),
});

/** `https://acme.slack.com/` -> `acme.slack.com`. */
function hostOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).hostname || undefined : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stores the run's Slack origin once (in the run's workspace scope: `client` carries its token).
 * Never throws: a failure is logged, and the desk shows what it has.
 */
export async function recordRunOrigin(deps: { client: SlackWeb; store: RunStore; logger: Logger }, run: Run): Promise<void> {
  if (run.surface !== 'slack') return;
  try {
    if ((await deps.store.getRefs(run.id))[SLACK_ORIGIN_REF] !== undefined) return;
    const auth = await deps.client
      .apiCall('auth.test', {})
      .then((a) => authTestSchema.safeParse(a).data)
      .catch((err: unknown) =>
        deps.logger.warn({ runId: run.id, slackError: slackErrorCode(err) }, "auth.test for the run's origin failed"),
      );
    const user = await deps.client
      .apiCall('users.info', { user: run.startedBy.id })
      .then((u) => userInfoSchema.safeParse(u).data?.user)
      .catch((err: unknown) =>
        deps.logger.warn({ runId: run.id, slackError: slackErrorCode(err) }, "users.info for the run's origin failed"),
      );
    if (!auth) return; // tried again at the run's next delivery
    const requester = user?.real_name || user?.profile?.real_name || undefined;
    const origin: SlackOrigin = {
      ...(auth?.team_id ? { teamId: auth.team_id } : {}),
      ...(auth?.team ? { workspace: auth.team } : {}),
      ...(hostOf(auth?.url) ? { domain: hostOf(auth?.url) } : {}),
      ...(requester ? { requester } : {}),
      ...(user?.profile?.email ? { email: user.profile.email } : {}),
    };
    await deps.store.putRef(run.id, SLACK_ORIGIN_REF, origin);
  } catch (err) {
    deps.logger.warn({ runId: run.id, err: err instanceof Error ? err.message : String(err) }, "the run's Slack origin was not stored");
  }
}
