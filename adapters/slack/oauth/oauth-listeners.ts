/**
 * The Bolt listeners of OAuth mode: every request runs in its workspace's scope (so Web API calls
 * use that workspace's token), and `app_uninstalled` / `tokens_revoked` remove the installation.
 * A workspace's runs are kept when it goes: their messages wait in the outbox (blocked, not
 * retried) and go out after a reinstall (`RunService.releaseBlocked`).
 */
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { Logger } from '../../../src/ports/logger.port';
import type { DatabaseInstallationStore, WorkspaceKey } from './installation-store';
import { workspaceScope } from './workspaces';

/** The workspace a request comes from, as Bolt's context has it (team, enterprise, org-wide install). */
export function workspaceOfContext(context: Record<string, unknown>): WorkspaceKey {
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  return {
    teamId: str(context.teamId),
    enterpriseId: str(context.enterpriseId),
    isEnterpriseInstall: context.isEnterpriseInstall === true,
  };
}

/** First global middleware: the rest of the request (listeners and their follow-up work) runs in its workspace's scope. */
export function registerWorkspaceScope(app: App): void {
  app.use(async ({ context, next }) => {
    await workspaceScope(workspaceOfContext(context as Record<string, unknown>), next);
  });
}

const tokensRevokedSchema = z.object({
  tokens: z.object({ oauth: z.array(z.string()).optional(), bot: z.array(z.string()).optional() }).optional(),
});

/**
 * `app_uninstalled`: the installation is removed. `tokens_revoked`: removed when the bot token is
 * among the revoked ones (user tokens alone are not used by this product: kept, logged).
 */
export function registerUninstallEvents(app: App, deps: { installations: DatabaseInstallationStore; logger: Logger }): void {
  const log = deps.logger;
  app.event('app_uninstalled', async ({ context }) => {
    const ws = workspaceOfContext(context as Record<string, unknown>);
    const removed = await deps.installations.remove(ws).catch((err: unknown) => {
      log.error({ err: String(err) }, 'app_uninstalled: the installation could not be removed');
      return false;
    });
    log.warn(
      { team: ws.teamId, enterprise: ws.enterpriseId, removed },
      'Slack app uninstalled from a workspace: its installation is removed; its runs are kept and their messages wait for a reinstall',
    );
  });
  app.event('tokens_revoked', async ({ context, event }) => {
    const ws = workspaceOfContext(context as Record<string, unknown>);
    const parsed = tokensRevokedSchema.safeParse(event);
    const bots = parsed.success ? (parsed.data.tokens?.bot ?? []) : [];
    if (bots.length === 0) {
      log.info({ team: ws.teamId, enterprise: ws.enterpriseId }, 'tokens_revoked without a bot token: installation kept');
      return;
    }
    const removed = await deps.installations.remove(ws).catch((err: unknown) => {
      log.error({ err: String(err) }, 'tokens_revoked: the installation could not be removed');
      return false;
    });
    log.warn(
      { team: ws.teamId, enterprise: ws.enterpriseId, removed },
      'Slack bot token revoked: the installation is removed; its runs are kept and their messages wait for a reinstall',
    );
  });
}
