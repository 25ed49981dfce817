/**
 * OAuth mode: every Web API call goes out with the token of the workspace it targets.
 *
 * - A request from Slack runs its listeners inside `workspaceScope` (a Bolt global middleware
 *   puts the request's team / enterprise there, `AsyncLocalStorage`), so whatever the listener
 *   calls, directly or through the run service, knows its workspace.
 * - A run remembers its workspace (run ref `slack.workspace`, written at its first delivery, in the
 *   request that started it); deliveries from the outbox (polls, restarts) run in that scope.
 * - `WorkspaceWebClient` is a `WebClient` whose every call (including the ones `files.uploadV2`
 *   makes) takes the token of the scope's workspace from the installation store (cached there).
 * - A delivery for a workspace with no installation (uninstalled, tokens revoked) is refused with
 *   `DeliveryBlockedError`: the outbox keeps it aside without retrying until a reinstall.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { webApi } from '@slack/bolt';
import { z } from 'zod';
import { DeliveryBlockedError } from '../../../src/ports/chat-notifier.port';
import type { ChatNotifier, Delivery } from '../../../src/ports/chat-notifier.port';
import { isSupportEffect } from '../../../src/app/run-service-base';
import type { Logger } from '../../../src/ports/logger.port';
import type { RunStore } from '../../../src/ports/run-store.port';
import type { Effect, Run, VerificationProgress } from '../../../src/workflow/types';
import { slackErrorCode } from '../web-errors';
import { installKeyOf, type WorkspaceKey } from './installation-store';

/** Run ref holding the workspace a Slack run lives in (OAuth mode). */
export const WORKSPACE_REF = 'slack.workspace';

/**
 * Run ref: the workspace (install key) whose loss the support desk was told about for this run.
 * Cleared (re-armed) when a delivery of the run goes through its workspace again (a reinstall
 * released what waited), so a later uninstall of the same workspace is reported again, once.
 */
export const WORKSPACE_GONE_TOLD_REF = 'slack.support.workspace_gone';

const workspaceRefSchema = z.object({
  teamId: z.string().optional(),
  enterpriseId: z.string().optional(),
  isEnterpriseInstall: z.boolean().optional(),
});

const storage = new AsyncLocalStorage<WorkspaceKey>();

/** Runs `work` with `workspace` as the target of its Web API calls. */
export function workspaceScope<T>(workspace: WorkspaceKey, work: () => T): T {
  return storage.run(workspace, work);
}

/** The workspace of the current scope, if any. */
export function currentWorkspace(): WorkspaceKey | undefined {
  return storage.getStore();
}

/** Only the defined fields (what is stored in the ref). */
function compact(w: WorkspaceKey): WorkspaceKey {
  return {
    ...(w.teamId ? { teamId: w.teamId } : {}),
    ...(w.enterpriseId ? { enterpriseId: w.enterpriseId } : {}),
    ...(w.isEnterpriseInstall ? { isEnterpriseInstall: true } : {}),
  };
}

/** The workspace of an organisation id (`src/domain/org.ts`): a team id (`T…`), else an org-wide install's enterprise (`E…`). */
function workspaceOfOrgId(id: string): WorkspaceKey {
  return id.startsWith('E') ? { enterpriseId: id, isEnterpriseInstall: true } : { teamId: id };
}

/** Finds a workspace's bot token (the installation store, cached). */
export interface TokenSource {
  find(workspace: WorkspaceKey): Promise<{ bot?: { token?: string | undefined } | undefined } | undefined>;
  /**
   * Slack refused `token` (`invalid_auth`, `token_revoked`...): forget it (the cache too); its
   * workspace counts as not installed until an installation stores a token again (a reinstall).
   */
  refuse?(token: string): void;
}

/**
 * Slack errors saying the workspace's token no longer works (revoked, the workspace or the app's
 * access gone) even when no `tokens_revoked` / `app_uninstalled` event arrived: the workspace is
 * unavailable (`DeliveryBlockedError`), as after an uninstall, until a reinstall.
 */
export const TOKEN_REFUSED_ERRORS = [
  'invalid_auth',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'not_authed',
  'team_access_not_granted',
  'org_login_required',
  'team_disabled',
  'enterprise_is_restricted',
] as const;

/** Thrown by a Web API call made outside any workspace scope (a bug: the call would go out unauthenticated). */
export class NoWorkspaceScopeError extends Error {
  override readonly name = 'NoWorkspaceScopeError';
}

/** The bot token for the current scope's workspace. @throws NoWorkspaceScopeError, DeliveryBlockedError. */
export async function tokenOfScope(tokens: TokenSource): Promise<string> {
  const ws = currentWorkspace();
  if (!ws) throw new NoWorkspaceScopeError('a Slack Web API call outside any workspace (OAuth mode)');
  const token = (await tokens.find(ws))?.bot?.token;
  if (!token) throw new DeliveryBlockedError(`the Slack app is not installed in ${installKeyOf(ws) ?? 'this workspace'}`, 'not_installed');
  return token;
}

/** A `WebClient` whose calls carry the bot token of the current workspace scope (unless a call names its own `token`). */
export class WorkspaceWebClient extends webApi.WebClient {
  constructor(
    private readonly tokens: TokenSource,
    options: webApi.WebClientOptions,
  ) {
    super(undefined, options);
  }

  /** @throws DeliveryBlockedError when Slack refuses the scope's token (`TOKEN_REFUSED_ERRORS`; the token is dropped). */
  override async apiCall(method: string, options: Record<string, unknown> = {}): Promise<webApi.WebAPICallResult> {
    if (typeof options.token === 'string') return super.apiCall(method, options);
    const token = await tokenOfScope(this.tokens);
    try {
      return await super.apiCall(method, { ...options, token });
    } catch (err) {
      const code = slackErrorCode(err);
      if (!code || !(TOKEN_REFUSED_ERRORS as readonly string[]).includes(code)) throw err;
      this.tokens.refuse?.(token);
      const where = installKeyOf(currentWorkspace() ?? {}) ?? 'this workspace';
      throw new DeliveryBlockedError(
        `Slack refused the app's token for ${where} (${code}: revoked or access removed, without an uninstall event): the workspace is unavailable until the app is reinstalled there (/slack/install)`,
        'not_installed',
      );
    }
  }
}

export interface WorkspaceNotifierDeps {
  inner: ChatNotifier;
  store: RunStore;
  tokens: TokenSource;
  logger: Logger;
  /** A delivery of `run` is blocked because its workspace `ws` has no installation (tell the support desk). */
  onWorkspaceGone?: (run: Run, ws: WorkspaceKey, effect: Effect) => Promise<void>;
}

/**
 * Wraps the Slack notifier: each delivery runs in its run's workspace scope. A run without a
 * known workspace takes the current request's (and remembers it); a workspace without an
 * installation refuses the delivery with `DeliveryBlockedError` (nothing is sent, nothing lost).
 */
export class WorkspaceNotifier implements ChatNotifier {
  constructor(private readonly deps: WorkspaceNotifierDeps) {}

  async deliver(run: Run, effect: Effect, delivery?: Delivery): Promise<void> {
    // A run of another surface (its support desk is on Slack): the support messages pick the desk's workspace.
    if (run.surface !== 'slack') return delivery ? this.deps.inner.deliver(run, effect, delivery) : this.deps.inner.deliver(run, effect);
    const { ws, refs } = await this.workspaceAndRefs(run);
    // A support message goes to the desk, maybe in its own workspace: it does not wait on the run's
    // installation (a call it makes with the run's workspace token is blocked by `tokenOfScope` then).
    if (!isSupportEffect(effect)) await this.ensureInstalled(run, ws);
    await workspaceScope(ws, () => (delivery ? this.deps.inner.deliver(run, effect, delivery) : this.deps.inner.deliver(run, effect)));
    // The workspace is back (reinstalled) and this run's message went out: a later loss is news again.
    if (!isSupportEffect(effect) && refs[WORKSPACE_GONE_TOLD_REF] != null)
      await this.deps.store.putRef(run.id, WORKSPACE_GONE_TOLD_REF, null);
  }

  async deliveryAbandoned(run: Run, effect: Effect, info: { error: string; attempts: number }): Promise<void> {
    if (!this.deps.inner.deliveryAbandoned) return;
    const ws = await this.workspaceOf(run);
    await this.ensureInstalled(run, ws);
    await workspaceScope(ws, () => this.deps.inner.deliveryAbandoned!(run, effect, info));
  }

  /** A blocked delivery of a Slack run whose own workspace has no installation: `onWorkspaceGone`. */
  async deliveryBlocked(run: Run, effect: Effect): Promise<void> {
    if (run.surface !== 'slack' || !this.deps.onWorkspaceGone) return;
    const stored = workspaceRefSchema.safeParse((await this.deps.store.getRefs(run.id))[WORKSPACE_REF]);
    if (!stored.success || !installKeyOf(stored.data)) return;
    // Blocked for another reason (e.g. the support desk's own workspace is not installed): not this notice.
    if ((await this.deps.tokens.find(stored.data))?.bot?.token) return;
    await this.deps.onWorkspaceGone(run, compact(stored.data), effect);
  }

  async progress(run: Run, progress: VerificationProgress): Promise<void> {
    if (!this.deps.inner.progress) return;
    const ws = await this.workspaceOf(run);
    await this.ensureInstalled(run, ws);
    await workspaceScope(ws, () => this.deps.inner.progress!(run, progress));
  }

  /**
   * The run's workspace: its ref; else the organisation recorded on the run at its start
   * (`Run.org`, `slack:<team or enterprise id>`), with the current request's details when the
   * request is of that workspace (an org-wide install's enterprise); else (a run stored before
   * organisations were recorded) the current request's. Stored as the run's ref. The run's own
   * record comes first: the first delivery may be made by another replica's outbox poll, or by a
   * request of another workspace (support's click in the desk), neither of them the run's.
   */
  async workspaceOf(run: Run): Promise<WorkspaceKey> {
    return (await this.workspaceAndRefs(run)).ws;
  }

  /** `workspaceOf`, with the run's refs read for it. */
  private async workspaceAndRefs(run: Run): Promise<{ ws: WorkspaceKey; refs: Record<string, unknown> }> {
    const refs = await this.deps.store.getRefs(run.id);
    const stored = workspaceRefSchema.safeParse(refs[WORKSPACE_REF]);
    if (stored.success && installKeyOf(stored.data)) return { ws: stored.data, refs };
    const current = currentWorkspace();
    const fromRequest = current && installKeyOf(current) ? compact(current) : undefined;
    const orgId = run.org?.startsWith('slack:') ? run.org.slice('slack:'.length) : undefined;
    const ws = orgId
      ? fromRequest && (fromRequest.teamId === orgId || (!fromRequest.teamId && fromRequest.enterpriseId === orgId))
        ? fromRequest
        : workspaceOfOrgId(orgId)
      : fromRequest;
    if (!ws) throw new DeliveryBlockedError(`run ${run.id} has no known Slack workspace (started before OAuth mode?)`, 'no_workspace');
    await this.deps.store.putRef(run.id, WORKSPACE_REF, ws);
    return { ws, refs };
  }

  private async ensureInstalled(run: Run, ws: WorkspaceKey): Promise<void> {
    if ((await this.deps.tokens.find(ws))?.bot?.token) return;
    throw new DeliveryBlockedError(
      `the Slack app is not installed in ${installKeyOf(ws)} (uninstalled or tokens revoked): run ${run.id} waits for a reinstall`,
      'not_installed',
    );
  }
}
