/**
 * Slack OAuth distribution (HTTP mode): the options handed to Bolt's `HTTPReceiver`, which serves
 * `GET /slack/install` and `GET /slack/oauth_redirect` with `@slack/oauth`'s `InstallProvider`
 * (state signed with `SLACK_STATE_SECRET` and bound to the browser by a cookie, the code exchanged
 * with `oauth.v2.access` at `SLACK_API_URL`, the installation stored in `DatabaseInstallationStore`).
 *
 * The bot scopes asked for are read from `manifest.yaml` (`oauth_config.scopes.bot`), so the
 * install link and the manifest cannot drift apart.
 */
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HTTPReceiverOptions, Installation } from '@slack/bolt';
import { parse } from 'yaml';
import { z } from 'zod';
import type { Logger } from '../../../src/ports/logger.port';
import type { DatabaseInstallationStore } from './installation-store';
import { runtimePath } from '../../runtime/package-root';

/**
 * Where the manifest lives: `adapters/slack/manifest.yaml` from the package root, so the compiled
 * app (`dist/adapters/...`) and the image find it too.
 */
export const MANIFEST_PATH = runtimePath('adapters/slack/manifest.yaml');

const manifestSchema = z.object({
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string().min(1)).min(1) }), redirect_urls: z.array(z.string()).optional() }),
});

/**
 * The manifest's bot scopes.
 * @throws Error naming the file when it cannot be read or has no `oauth_config.scopes.bot` list.
 */
export function manifestBotScopes(file: string = MANIFEST_PATH): string[] {
  const parsed = manifestSchema.safeParse(parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: oauth_config.scopes.bot is missing or not a list of scopes`);
  return parsed.data.oauth_config.scopes.bot;
}

/** Slack's authorize page for a Web API base: `https://slack.com/api/` -> `https://slack.com/oauth/v2/authorize` (tests: the fake's). */
export function authorizeUrlFor(apiUrl: string | undefined): string {
  return apiUrl ? new URL('../oauth/v2/authorize', apiUrl.replace(/\/*$/, '/')).toString() : 'https://slack.com/oauth/v2/authorize';
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(res: ServerResponse, status: number, title: string, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
      `<body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  );
}

/** The name shown on the success page: the workspace (or Enterprise Grid organisation) and its id. */
export function installedName(inst: Installation): string {
  if (inst.isEnterpriseInstall)
    return `${inst.enterprise?.name ?? 'your organisation'} (${inst.enterprise?.id ?? '?'}, whole organisation)`;
  return `${inst.team?.name ?? 'your workspace'} (${inst.team?.id ?? '?'})`;
}

export interface DistributionDeps {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  apiUrl?: string;
  installations: DatabaseInstallationStore;
  logger: Logger;
  /** Called after each stored installation (the surface delivers what waited for it). */
  onInstalled?: (inst: Installation) => Promise<void>;
  manifestFile?: string;
}

/** The `HTTPReceiver` options that turn on Bolt's OAuth flow. */
export function distributionReceiverOptions(
  deps: DistributionDeps,
): Pick<HTTPReceiverOptions, 'clientId' | 'clientSecret' | 'stateSecret' | 'scopes' | 'installationStore' | 'installerOptions'> {
  const log = deps.logger;
  return {
    clientId: deps.clientId,
    clientSecret: deps.clientSecret,
    stateSecret: deps.stateSecret,
    scopes: manifestBotScopes(deps.manifestFile),
    installationStore: deps.installations,
    installerOptions: {
      installPath: '/slack/install',
      redirectUriPath: '/slack/oauth_redirect',
      // GET /slack/install answers 302 to Slack's authorize page (and sets the state cookie).
      directInstall: true,
      stateVerification: true,
      authorizationUrl: authorizeUrlFor(deps.apiUrl),
      // oauth.v2.access / auth.test of the install: bounded retries and timeout (a browser is waiting).
      clientOptions: {
        ...(deps.apiUrl ? { slackApiUrl: deps.apiUrl.replace(/\/*$/, '/') } : {}),
        retryConfig: { retries: 2, factor: 2, minTimeout: 100, maxTimeout: 2000 },
        timeout: 10_000,
      },
      callbackOptions: {
        successAsync: async (installation: Installation, _options: unknown, _req: IncomingMessage, res: ServerResponse) => {
          const name = installedName(installation);
          log.info(
            {
              team: installation.team?.id,
              enterprise: installation.enterprise?.id,
              enterpriseInstall: Boolean(installation.isEnterpriseInstall),
            },
            'Slack app installed',
          );
          page(
            res,
            200,
            'Digitick onboarding is installed',
            `<p>Digitick onboarding is now installed in <strong>${escapeHtml(name)}</strong>.</p>` +
              '<p>Invite it to a channel (<code>/invite @Digitick onboarding</code>) and type <code>/digitick-onboard help</code>.</p>',
          );
          await deps.onInstalled?.(installation).catch((err: unknown) => log.error({ err: String(err) }, 'after-install work failed'));
        },
        failure: (error: Error & { code?: string }, _options: unknown, _req: IncomingMessage, res: ServerResponse) => {
          log.warn({ code: error.code, err: error.message.slice(0, 300) }, 'Slack installation failed');
          page(
            res,
            400,
            'Installation not completed',
            `<p>Slack did not complete the installation (${escapeHtml(error.code ?? 'unknown error')}).</p>` +
              '<p><a href="/slack/install">Try again</a> from the same browser.</p>',
          );
        },
      },
    },
  };
}
