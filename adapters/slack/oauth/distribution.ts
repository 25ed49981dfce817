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
import { type Locale, LOCALES } from '../../../src/domain/ids';
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

function page(res: ServerResponse, status: number, title: string, body: string, locale: Locale): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Language': locale });
  res.end(
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
      `<body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
  );
}

/** The name shown on the success page: the workspace (or Enterprise Grid organisation) and its id. */
export function installedName(inst: Installation): string {
  if (inst.isEnterpriseInstall)
    return `${inst.enterprise?.name ?? 'your organisation'} (${inst.enterprise?.id ?? '?'}, whole organisation)`;
  return `${inst.team?.name ?? 'your workspace'} (${inst.team?.id ?? '?'})`;
}

/** The pages' texts (`templates/messages/slack.*.json`, keys `slack.install.*`). */
export type PageText = (locale: Locale, key: string, params?: Record<string, string>) => string;

/** The browser's language among ours (`Accept-Language`, in its order of preference), else `fallback`. */
export function pageLocale(req: IncomingMessage, fallback: Locale): Locale {
  const header = req.headers['accept-language'];
  const wanted = (typeof header === 'string' ? header : '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((x) => x.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? '1',
      );
      return { lang: tag.toLowerCase().split('-')[0] ?? '', q: Number.isFinite(q) ? q : 0 };
    })
    .filter((w) => w.q > 0)
    .sort((a, b) => b.q - a.q);
  return (wanted.map((w) => w.lang).find((l) => (LOCALES as readonly string[]).includes(l)) as Locale | undefined) ?? fallback;
}

export interface DistributionDeps {
  /** The pages' texts and the language when the browser asks for none of ours. */
  text: PageText;
  defaultLocale: Locale;
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
        successAsync: async (installation: Installation, _options: unknown, req: IncomingMessage, res: ServerResponse) => {
          const name = installedName(installation);
          const L = pageLocale(req, deps.defaultLocale);
          log.info(
            {
              team: installation.team?.id,
              enterprise: installation.enterprise?.id,
              enterpriseInstall: Boolean(installation.isEnterpriseInstall),
            },
            'Slack app installed',
          );
          // Texts are escaped whole; the markup (name in bold, commands as code) is added around the escaped values.
          const bold = '\u0001';
          const body = escapeHtml(deps.text(L, 'slack.install.done_body', { name: bold })).replace(
            bold,
            `<strong>${escapeHtml(name)}</strong>`,
          );
          const next = escapeHtml(deps.text(L, 'slack.install.done_next', { invite: '\u0002', help: '\u0003' }))
            .replace('\u0002', '<code>/invite @Digitick onboarding</code>')
            .replace('\u0003', '<code>/digitick-onboard help</code>');
          page(res, 200, deps.text(L, 'slack.install.done_title'), `<p>${body}</p><p>${next}</p>`, L);
          await deps.onInstalled?.(installation).catch((err: unknown) => log.error({ err: String(err) }, 'after-install work failed'));
        },
        failure: (error: Error & { code?: string }, _options: unknown, req: IncomingMessage, res: ServerResponse) => {
          log.warn({ code: error.code, err: error.message.slice(0, 300) }, 'Slack installation failed');
          const L = pageLocale(req, deps.defaultLocale);
          page(
            res,
            400,
            deps.text(L, 'slack.install.failed_title'),
            `<p>${escapeHtml(deps.text(L, 'slack.install.failed_body', { code: error.code ?? 'unknown error' }))}</p>` +
              `<p>${escapeHtml(deps.text(L, 'slack.install.failed_retry'))} <a href="/slack/install">/slack/install</a></p>`,
            L,
          );
        },
      },
    },
  };
}
