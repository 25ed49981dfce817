/**
 * The Slack App Home tab (issue 5, "My runs"): on `app_home_opened` (Events API, `tab: "home"`),
 * publishes with `views.publish` a Home view for that user: their open Slack runs, each with a
 * Resume button (`run_resume`, handled by the surface's button listener: the run's current step
 * is posted again in its thread), and their last 10 completed Slack runs.
 *
 * Slack facts (Slack's "App Home", `app_home_opened` and `views.publish` references): the event
 * carries `user`, `channel`, `tab` (`home` or `messages`) and, once a view was published, `view`;
 * it needs no OAuth scope, only the event subscription; `views.publish` takes `user_id` and a
 * `view` of `type: "home"` with at most 100 blocks, needs no scope, and replaces the user's Home
 * view. Events are acked by Bolt before listeners run and deduped on `event_id`
 * (`slack:event:<event_id>`, `dedupe.ts`), so a retried event publishes once.
 */
import { z } from 'zod';
import { type Locale, STEP_IDS } from '../../src/domain/ids';
import { loadMyRuns, type MyRuns } from '../../src/app/my-runs';
import type { MessageBuilder } from '../../src/messages/builder';
import type { Message } from '../../src/messages/model';
import type { Logger } from '../../src/ports/logger.port';
import type { RunStore } from '../../src/ports/run-store.port';
import { abandonedText, SLACK_BLOCKED_REF } from './blocked';
import { renderBlock, type SlackBlock } from './block-kit';
import { slackMention } from './notifier';
import { slackErrorCode } from './web-errors';

/** Slack's limit of blocks in a Home tab view. */
export const HOME_MAX_BLOCKS = 100;

/** The fields of an `app_home_opened` event this module reads. */
export const appHomeOpenedSchema = z.object({
  type: z.literal('app_home_opened'),
  user: z.string().min(1),
  /** `home` or `messages`; absent in old payloads (read as `home`). */
  tab: z.string().optional(),
});

/** A Home tab view as `views.publish` takes it. */
export interface HomeView {
  type: 'home';
  blocks: SlackBlock[];
}

/**
 * Renders a message as a Home tab view (Block Kit; a paragraph's button becomes its section's
 * accessory). Blocks beyond Slack's 100 are dropped (the builder lists at most 25 open runs, so
 * a "My runs" view stays far below).
 */
export function renderHomeView(msg: Message): HomeView {
  return { type: 'home', blocks: msg.blocks.flatMap((b) => renderBlock(b)).slice(0, HOME_MAX_BLOCKS) };
}

/** What publishing the Home tab needs. */
export interface SlackHomeDeps {
  /** Web API calls (Bolt's `app.client.apiCall`). */
  call: (method: string, args: Record<string, unknown>) => Promise<unknown>;
  store: Pick<RunStore, 'list' | 'getRefs'>;
  builder: MessageBuilder;
  logger: Logger;
  /**
   * Whether `userId` may read runs (the `status` operation of the access policy): null when
   * allowed, else the refusal sentence shown in the Home tab.
   */
  refusal: (userId: string) => Promise<string | null>;
  /** The user's own language when known (Slack `users.info` locale); undefined: `DEFAULT_LOCALE` headings, run lines in each run's language. */
  localeOf?: (userId: string) => Promise<Locale | undefined>;
  /**
   * The user's runs of organisation `org` (`RunService.myRuns`: scoped in multi-organisation
   * mode). Default: every Slack run the user started (`loadMyRuns`).
   */
  myRuns?: (userId: string, org: string | undefined) => Promise<MyRuns>;
}

/**
 * Handles one `app_home_opened` event: builds the user's "My runs" view and publishes it.
 * Events for the Messages tab and unreadable events are ignored. Never throws: a failed
 * `views.publish` or store read is logged (the user keeps the previous Home view).
 */
export async function onAppHomeOpened(deps: SlackHomeDeps, event: unknown, org?: string): Promise<void> {
  const parsed = appHomeOpenedSchema.safeParse(event);
  if (!parsed.success) {
    deps.logger.warn({}, 'unreadable app_home_opened event');
    return;
  }
  if ((parsed.data.tab ?? 'home') !== 'home') return;
  const userId = parsed.data.user;
  try {
    const locale = deps.localeOf ? await deps.localeOf(userId) : undefined;
    const refused = await deps.refusal(userId);
    const msg = refused
      ? deps.builder.textMessage(
          'status',
          locale ?? deps.builder.defaultLocale,
          refused,
          deps.builder.t(locale ?? deps.builder.defaultLocale, 'home.header'),
        )
      : await myRunsMessage(deps, userId, locale, org);
    await deps.call('views.publish', { user_id: userId, view: renderHomeView(msg) });
    deps.logger.info({ user: userId, refused: refused !== null }, 'app home published');
  } catch (err) {
    deps.logger.warn(
      { user: userId, slackError: slackErrorCode(err) ?? (err instanceof Error ? err.name : 'unknown') },
      'app home not published',
    );
  }
}

/**
 * The "My runs" message of a Slack user (the Block Kit renderer escapes it); open runs with a
 * delivery the outbox gave up (`SLACK_BLOCKED_REF`) come first, under "Needs your attention",
 * with what is blocked, why and how to fix it.
 */
export async function myRunsMessage(
  deps: Pick<SlackHomeDeps, 'store' | 'builder' | 'myRuns'>,
  userId: string,
  locale?: Locale,
  /** The organisation whose runs are shown (the request's workspace, or the run's). */
  org?: string,
): Promise<Message> {
  const mine = deps.myRuns ? await deps.myRuns(userId, org) : await loadMyRuns(deps.store, 'slack', userId);
  const msg = deps.builder.myRuns('slack', locale, { open: mine.open, moreOpen: mine.moreOpen, completed: mine.completed }, slackMention);
  const blocked: string[] = [];
  for (const run of mine.open) {
    const ref = blockedRefSchema.safeParse((await deps.store.getRefs(run.id))[SLACK_BLOCKED_REF]);
    if (ref.success) blocked.push(abandonedText(deps.builder, run, ref.data));
  }
  if (blocked.length === 0) return msg;
  const L = locale ?? deps.builder.defaultLocale;
  const [header, ...rest] = msg.blocks;
  const attention = { type: 'text' as const, text: [deps.builder.t(L, 'home.blocked.header'), ...blocked].join('\n') };
  return { ...msg, blocks: header ? [header, attention, ...rest] : [attention, ...rest] };
}

const blockedRefSchema = z.object({
  code: z.string(),
  effect: z.string(),
  step: z.enum(STEP_IDS).optional(),
  attempts: z.number(),
  at: z.string(),
});
