/**
 * Every Slack listener, by feature (Bolt's starter layout):
 *
 * - `commands/onboard.ts`: the slash command `/digitick-onboard` and its verbs;
 * - `views/start-form.ts`, `views/run-forms.ts`: the modal submissions;
 * - `actions/run-buttons.ts`: the run's buttons;
 * - `events/app-home.ts`: the App Home tab ("My runs");
 * - `../checks.ts`: the checks without a run (`check`, the `product CODE` check: command verbs,
 *   button and modals);
 * - `unhandled.ts`: what none of them handles, answered at once.
 *
 * Each is a function of the context (`context.ts`); the durable dedupe middleware runs before all.
 */
import { registerSlackChecks } from '../checks';
import { slackDedupeMiddleware } from '../dedupe';
import { registerRunButtons } from './actions/run-buttons';
import { registerOnboardCommand } from './commands/onboard';
import type { SlackListenerContext } from './context';
import { registerAppHome } from './events/app-home';
import { registerUnhandled } from './unhandled';
import { registerRunForms } from './views/run-forms';
import { registerStartForm } from './views/start-form';

export { createListenerContext, type ListenerContextDeps, type SlackListenerContext } from './context';

/** Registers the middleware and every listener on `ctx.app`, in the order Bolt must try them. */
export function registerListeners(ctx: SlackListenerContext): void {
  const { app, store, log, defaultLocale, localeOfUser, t, checks } = ctx;

  // ---- durable dedupe: a retried, replayed or twice-routed request is acked and not handled again
  app.use(
    slackDedupeMiddleware({
      store,
      logger: log,
      unavailableText: async (userId) => t(userId ? await localeOfUser(userId) : defaultLocale, 'error.store_unavailable'),
      ...ctx.dedupeScope,
    }),
  );

  registerSlackChecks(checks);
  registerOnboardCommand(ctx);
  registerStartForm(ctx);
  registerRunForms(ctx);
  registerRunButtons(ctx);
  registerAppHome(ctx);
  registerUnhandled(ctx);
}
