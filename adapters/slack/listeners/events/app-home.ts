/**
 * App Home (issue 5, "My runs"): the user's open and completed runs, published when the Home tab
 * opens, and again when the outbox gives up a delivery of one of the user's runs.
 */
import { onAppHomeOpened } from '../../home';
import type { SlackListenerContext } from '../context';
import { currentOrg } from '../../org-scope';

/** Registers the `app_home_opened` listener and the notifier's Home republishing. */
export function registerAppHome(ctx: SlackListenerContext): void {
  const { app, client, service, builder, store, log, tracked, slackNotifier, userLocales, principalsOf, localeOfUser, describe } = ctx;

  // ---- App Home (issue 5, "My runs"): the user's open and completed runs, published on open ----
  const homeDeps = {
    call: (method: string, args: Record<string, unknown>) => client.apiCall(method, args),
    store,
    builder,
    logger: log,
    refusal: async (userId: string) => {
      const may = service.authorize({ surface: 'slack', actor: { id: userId }, ...(await principalsOf(userId)) }, { op: 'status' });
      return may.ok ? null : describe(may.error, await localeOfUser(userId));
    },
    localeOf: (userId: string) => userLocales.knownLocaleOf(userId),
    // Multi-organisation mode: only the runs of the workspace the Home tab is opened in.
    myRuns: (userId: string, org: string | undefined) => service.myRuns('slack', userId, org),
  };
  app.event('app_home_opened', ({ event }) => tracked(() => onAppHomeOpened(homeDeps, event, currentOrg())));
  // A delivery the outbox gave up shows in the starter's Home tab straight away (the runs of that run's organisation).
  slackNotifier.republishHome = (userId: string, org?: string) =>
    onAppHomeOpened(homeDeps, { type: 'app_home_opened', user: userId, tab: 'home' }, org);
}
