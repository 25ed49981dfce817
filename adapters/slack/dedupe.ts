/**
 * Durable dedupe of inbound Slack requests: each request is claimed once in the run store
 * (`RunStore.claimOnce`), so a Slack retry (`X-Slack-Retry-Num`, Bolt's `context.retryNum`), a
 * replay, or the same request reaching a second replica is acknowledged and not handled again.
 *
 * Keys (Slack facts: "Interactivity payloads", "Slash commands", "Events API" references):
 * - `block_actions`: `slack:action:<action_ts>:<user id>:<action_id>` (`action_ts` is the click's
 *   time, micro-second precision, set by Slack; a second click has another one);
 * - slash command: `slack:command:<trigger_id>` (one per invocation);
 * - Events API: `slack:event:<event_id>` (the same on every retry of an event);
 * - `view_submission`: `slack:view:<view.id>:<view.hash>`, claimed by the form listeners only once
 *   a submission passed field validation (`claimViewSubmission`): a submission answered with field
 *   errors keeps the same view id and hash and must be accepted again once corrected.
 *
 * Multi-organisation mode: every key is prefixed with the request's organisation
 * (`slack:<team>/slack:action:...`, `scopeKey`), so two workspaces with the same ids never collide.
 */
import { z } from 'zod';
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import type { Logger } from '../../src/ports/logger.port';
import { type RunStore, StoreUnavailableError } from '../../src/ports/run-store.port';
import { parseCommandText } from './payloads';

const actionBodySchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1) }),
  actions: z.array(z.object({ action_id: z.string().min(1), action_ts: z.string().min(1) })).min(1),
});
const commandBodySchema = z.object({ command: z.string().min(1), trigger_id: z.string().min(1) });
const eventBodySchema = z.object({ type: z.literal('event_callback'), event_id: z.string().min(1) });
const viewSchema = z.object({ id: z.string().min(1), hash: z.string().min(1) });

/**
 * The dedupe key of a Slack request body (as Bolt parsed it), or undefined when the request is
 * not deduped here (view submissions, shortcuts, unreadable bodies).
 */
export function slackRequestKey(body: unknown): string | undefined {
  const action = actionBodySchema.safeParse(body);
  if (action.success) {
    const a = action.data.actions[0]!;
    return `slack:action:${a.action_ts}:${action.data.user.id}:${a.action_id}`;
  }
  const command = commandBodySchema.safeParse(body);
  if (command.success) return `slack:command:${command.data.trigger_id}`;
  const event = eventBodySchema.safeParse(body);
  if (event.success) return `slack:event:${event.data.event_id}`;
  return undefined;
}

/** What the dedupe needs: the store's `claimOnce`, a logger, the time (ISO; default: now). */
export interface SlackDedupeDeps {
  store: Pick<RunStore, 'claimOnce'>;
  logger: Logger;
  now?: () => string;
  /** The sentence of "try again in a moment" for this user (their language); default English. */
  unavailableText?: (userId: string | undefined) => Promise<string>;
  /** Multi-organisation mode: the key kept apart per organisation (`orgScopedKey` of the request's org). Default: as is. */
  scopeKey?: (key: string) => string;
}

const claim = async (deps: SlackDedupeDeps, unscoped: string): Promise<boolean | 'unavailable'> => {
  const key = deps.scopeKey ? deps.scopeKey(unscoped) : unscoped;
  try {
    return await deps.store.claimOnce(key, deps.now ? deps.now() : new Date().toISOString());
  } catch (err) {
    // The database cannot be reached: nothing can be done now; the user is told to try again.
    if (err instanceof StoreUnavailableError) return 'unavailable';
    // the store being down fails the work that follows anyway; do not hide the request
    deps.logger.warn({ key, err: err instanceof Error ? err.name : 'unknown' }, 'dedupe claim failed: request handled without dedupe');
    return true;
  }
};

/**
 * Bolt global middleware: claims the request's key; the first claim goes on to the listeners, a
 * later one (retry, replay, other replica) is acknowledged with an empty 200 and goes no further.
 */
export function slackDedupeMiddleware(deps: SlackDedupeDeps): Middleware<AnyMiddlewareArgs> {
  return async (args) => {
    const key = slackRequestKey(args.body);
    const claimed = key ? await claim(deps, key) : true;
    if (claimed === 'unavailable') {
      // `help` and `product [CODE]` need no database and change nothing (answered twice at worst): served as usual.
      if (needsNoStore(args.body)) {
        await args.next();
        return;
      }
      await answerUnavailable(deps, args);
      return;
    }
    if (claimed) {
      await args.next();
      return;
    }
    deps.logger.info(
      { key, retryNum: args.context.retryNum, retryReason: args.context.retryReason },
      'duplicate Slack request: acknowledged, not handled again',
    );
    if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
  };
}

/**
 * Claims a view submission that passed validation (`slack:view:<view.id>:<view.hash>`).
 * @returns true the first time; false for a retry or replay of the same submission (the caller
 *   acks with nothing and stops). True when the view has no id or hash (not deduped).
 *   `'unavailable'` when the store cannot be reached (the run forms keep the modal open with
 *   "try again in a moment"; a caller that only tests truthiness handles it as a first submission).
 */
export async function claimViewSubmission(deps: SlackDedupeDeps, view: unknown): Promise<boolean | 'unavailable'> {
  const v = viewSchema.safeParse(view);
  if (!v.success) return true;
  const key = `slack:view:${v.data.id}:${v.data.hash}`;
  const first = await claim(deps, key);
  if (first === false) deps.logger.info({ key }, 'duplicate view submission: acknowledged, not handled again');
  return first;
}

/** A slash command that reads no run and changes nothing: `help`, `product [CODE]`. */
function needsNoStore(body: unknown): boolean {
  const b = body as { command?: unknown; text?: unknown } | null;
  if (typeof b?.command !== 'string') return false;
  const kind = parseCommandText(typeof b.text === 'string' ? b.text : '').kind;
  return kind === 'help' || kind === 'product';
}

const UNAVAILABLE_EN = 'I cannot reach my database right now, so nothing was changed. Try again in a moment.';

/**
 * The store is unreachable at the door: a command is acked with the sentence (ephemeral), a click
 * is acked and the sentence goes to its `response_url` (ephemeral, the message stays), an event is
 * acked. Nothing else happens, so nothing changes. Never throws.
 */
async function answerUnavailable(deps: SlackDedupeDeps, args: AnyMiddlewareArgs): Promise<void> {
  const body = args.body as { user_id?: unknown; user?: { id?: unknown }; command?: unknown; type?: unknown };
  const userId = typeof body.user_id === 'string' ? body.user_id : typeof body.user?.id === 'string' ? body.user.id : undefined;
  deps.logger.warn({ userId, type: body.command ? 'command' : body.type }, 'run store unavailable: told the user to try again in a moment');
  const text = await (deps.unavailableText ?? (() => Promise.resolve(UNAVAILABLE_EN)))(userId).catch(() => UNAVAILABLE_EN);
  const ack = 'ack' in args && typeof args.ack === 'function' ? (args.ack as (r?: unknown) => Promise<void>) : undefined;
  try {
    if (body.command !== undefined) {
      await ack?.({ response_type: 'ephemeral', text });
      return;
    }
    await ack?.();
    const channel = (args.body as { channel?: { id?: unknown } }).channel?.id;
    const client = (args as { client?: { chat: { postEphemeral(a: { channel: string; user: string; text: string }): Promise<unknown> } } })
      .client;
    if (body.type === 'block_actions' && userId && typeof channel === 'string' && client)
      await client.chat.postEphemeral({ channel, user: userId, text });
  } catch (err) {
    deps.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not tell the user to try again');
  }
}
