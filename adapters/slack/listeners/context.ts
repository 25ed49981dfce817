/**
 * What every Slack listener borrows from the surface: the services, the message builder, the
 * Web API client, and the small answering helpers (ephemeral answers, `response_url`, modals,
 * thread links). Built once by `createSlackSurface`; each module in `listeners/` is a function
 * of this context that registers its listener(s).
 */
import { z } from 'zod';
import type { App, SlackViewMiddlewareArgs, webApi } from '@slack/bolt';
import type { View } from '@slack/types';
import { INPUT_IDS, type Locale } from '../../../src/domain/ids';
import { cleanDisplayName } from '../../../src/domain/display-text';
import type { RunService, ServiceError } from '../../../src/app/run-service';
import type { HealthCheckService } from '../../../src/app/health-check';
import type { FieldErrorKeys, FormResult } from '../../../src/app/forms';
import type { MessageBuilder } from '../../../src/messages/builder';
import type { Message } from '../../../src/messages/model';
import type { RunStore } from '../../../src/ports/run-store.port';
import type { Actor, Run } from '../../../src/workflow/types';
import type { AppLogger } from '../../logger';
import { noticeModal, renderMessage, type SlackMessagePayload, textPayload } from '../block-kit';
import type { SlackChecksContext } from '../checks';
import { claimViewSubmission } from '../dedupe';
import { blockedCode, blockedReason, firstFailed, isChannelProblem, SLACK_BLOCKED_REF } from '../blocked';
import { SlackUserGroups } from '../user-groups';
import { SlackUserLocales } from '../user-locale';
import { SLACK_REF, type SlackNotifier, slackMentionFor } from '../notifier';
import { slackErrorCode } from '../web-errors';
import { errText } from '../err-text';
import type { SupportDeskStatus } from '../oauth/support-desk';
import { currentOrg, orgOfRequest } from '../org-scope';
import { orgScopedKey } from '../../../src/domain/org';

const permalinkAnswer = z.object({ permalink: z.string() });

const submittedView = z.object({
  view: z.object({
    blocks: z
      .array(z.object({ type: z.string(), block_id: z.string().optional() }))
      .optional()
      .catch(undefined),
    state: z
      .object({ values: z.record(z.string(), z.unknown()) })
      .optional()
      .catch(undefined),
  }),
});

/** The `block_id` of a submitted modal's first input (`view.blocks`, else the first key of its state). */
export function firstInputOf(body: unknown): string {
  const v = submittedView.safeParse(body);
  if (!v.success) return INPUT_IDS.institutionCode;
  const input = v.data.view.blocks?.find((b) => b.type === 'input' && b.block_id);
  return input?.block_id ?? Object.keys(v.data.view.state?.values ?? {})[0] ?? INPUT_IDS.institutionCode;
}

/** What `createListenerContext` is built from (the surface's parts). */
export interface ListenerContextDeps {
  app: App;
  /** Web API calls other than `chat.postMessage` (in OAuth mode, with the token of the workspace in scope). */
  client: webApi.WebClient;
  /**
   * The client of the look-ups (`users.info`, user groups): it rejects a 429 at once instead of
   * waiting it out, because a WebClient waiting out a rate limit pauses every call it makes (a
   * form's `views.open` would miss its 3 s trigger). Default: `client`.
   */
  lookupClient?: webApi.WebClient;
  service: RunService;
  builder: MessageBuilder;
  store: RunStore;
  log: AppLogger;
  defaultLocale: Locale;
  /** Zone of the audit export's local times when SecuTix gave none. */
  defaultTimeZone?: string;
  /** The checks without a run; absent: they answer "not available". */
  health?: HealthCheckService;
  /** Wraps a listener's work so tests and a graceful stop can wait for it. */
  tracked: (work: () => Promise<void>) => Promise<void>;
  slackNotifier: SlackNotifier;
  /** OAuth mode with the support desk in its own workspace: its `status` (`oauth/support-desk.ts`). */
  supportDesk?: SupportDeskStatus;
}

/** The context of every Slack listener (see `listeners/index.ts`). */
export type SlackListenerContext = ReturnType<typeof createListenerContext>;

/** Builds the listeners' context: the deps plus the answering helpers. */
export function createListenerContext(deps: ListenerContextDeps) {
  const { app, client, service, builder, store, log, defaultLocale, tracked } = deps;
  const lookups = deps.lookupClient ?? client;
  // Access lists may name user groups (S...): the acting user's memberships travel beside the
  // actor as `principals` (never stored with the run). Built at first use.
  let userGroups: SlackUserGroups | undefined;
  /**
   * What the service needs of the caller beyond their id: `principals` (the watched user groups
   * `userId` belongs to) and `org` (the request's workspace, `org-scope.ts`).
   */
  const principalsOf = async (userId: string): Promise<{ principals?: string[]; org?: string }> => {
    userGroups ??= new SlackUserGroups({
      groupIds: service.access.listedIds(),
      call: (method, args) => lookups.apiCall(method, args),
      logger: log,
      ...(service.multiOrg ? { scope: currentOrg } : {}),
    });
    const groups = await userGroups.groupsOf(userId);
    return { ...(groups.length > 0 ? { principals: groups } : {}), ...orgOfRequest() };
  };
  /** Multi-organisation mode: dedupe keys kept apart per workspace. */
  // (Read at each request: the service is not touched while the surface is built.)
  const dedupeScope = { scopeKey: (key: string) => (service.multiOrg ? orgScopedKey(currentOrg(), key) : key) };
  // Answers only one user sees (help, status, errors, refusals, the start form) follow that
  // user's Slack locale (`users.info`, cached); run messages stay in the run's language.
  const userLocales = new SlackUserLocales({
    call: (method, args) => lookups.apiCall(method, args),
    // Two workspaces may have users with the same id: their names and languages are kept apart.
    // (Read at each look-up: the service is not touched while the surface is built.)
    scope: () => (service.multiOrg ? currentOrg() : undefined),
    fallback: defaultLocale,
    logger: log,
  });
  /** The user's own language (`DEFAULT_LOCALE` when Slack gives none of ours). Never throws. */
  const localeOfUser = (userId: string): Promise<Locale> => userLocales.localeOf(userId);

  /** False for a retry or replay of a view submission that already passed validation. */
  const firstSubmission = (body: unknown) => claimViewSubmission({ store, logger: log, ...dedupeScope }, (body as { view?: unknown }).view);

  // ---- small helpers -------------------------------------------------------------------------
  const t = (L: Locale, key: string, view: Record<string, unknown> = {}) => builder.t(L, key, view);
  const ephemeralPayload = (msg: Message): SlackMessagePayload => {
    const p = renderMessage(msg, {
      outcomeLabel: (o) => t(msg.locale, `report.outcome.${o}`),
      stateLabel: (s) => t(msg.locale, `state.${s}`),
    });
    delete p.metadata;
    return p;
  };

  /** Tells one user something only they see, in a channel. Never throws. */
  async function ephemeral(channel: string | undefined, user: string, payload: SlackMessagePayload): Promise<void> {
    if (!channel) {
      log.warn({ user }, 'no channel for an ephemeral answer');
      return;
    }
    try {
      await client.apiCall('chat.postEphemeral', { channel, user, text: payload.text, blocks: payload.blocks });
    } catch (err) {
      log.warn({ user, channel, slackError: slackErrorCode(err) ?? errText(err) }, 'ephemeral answer not delivered');
    }
  }

  /** Answers through a command's `response_url` (ephemeral). Never throws. */
  async function respond(
    responseUrl: string | undefined,
    payload: SlackMessagePayload,
    fallback?: { channel: string; user: string },
  ): Promise<void> {
    if (responseUrl) {
      try {
        const res = await fetch(responseUrl, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, ...payload }),
        });
        if (res.ok) return;
        log.warn({ status: res.status }, 'response_url answer refused');
      } catch (err) {
        log.warn({ err: errText(err) }, 'response_url answer failed');
      }
    }
    if (fallback) await ephemeral(fallback.channel, fallback.user, payload);
  }

  const looseClick = z.object({
    user: z
      .object({ id: z.string().min(1) })
      .optional()
      .catch(undefined),
    channel: z
      .object({ id: z.string().min(1) })
      .optional()
      .catch(undefined),
    container: z
      .object({ channel_id: z.string().min(1) })
      .optional()
      .catch(undefined),
    response_url: z.string().optional().catch(undefined),
  });
  /** Tells the clicker a button could not be read: ephemerally, else through the click's `response_url`. Never throws. */
  async function unreadableClick(body: unknown): Promise<void> {
    const p = looseClick.safeParse(body);
    if (!p.success) return;
    const text = textPayload(t(p.data.user ? await localeOfUser(p.data.user.id) : defaultLocale, 'slack.error.bad_value'));
    const channel = p.data.channel?.id ?? p.data.container?.channel_id;
    if (p.data.user && channel) await ephemeral(channel, p.data.user.id, text);
    else await respond(p.data.response_url, text);
  }

  /** The user-facing sentence of a service error (model text: `textPayload` escapes it). */
  // Answers to the person who asked: people of another organisation named in plain text.
  const describe = (error: ServiceError, locale?: Locale): string => builder.describeError(error, locale, slackMentionFor(currentOrg()));

  const actorOf = (u: { id: string; name?: string | undefined; username?: string | undefined }): Actor => {
    // A blank name (or only the user id) is no name: the handle, else the id mention, shows instead.
    const name = cleanDisplayName(u.name, [u.id]) ?? cleanDisplayName(u.username, [u.id]);
    // Multi-organisation mode: the workspace they act from, so other workspaces name them in plain text.
    const org = service.multiOrg ? currentOrg() : undefined;
    return { id: u.id, ...(name ? { name } : {}), ...(org ? { org } : {}) };
  };
  /**
   * Who acts, named by their Slack profile (real name, else display name; `users.info`, cached)
   * rather than the handle a payload carries (`alex`): the email is signed with it, as Teams signs
   * with the display name. The handle when Slack gives no name in time. Never throws.
   */
  const namedActorOf = async (u: { id: string; name?: string | undefined; username?: string | undefined }): Promise<Actor> => {
    const real = await userLocales.nameOf(u.id);
    return actorOf(real ? { ...u, name: real } : u);
  };

  const fieldErrors = (L: Locale, keys: FieldErrorKeys): Record<string, string> =>
    Object.fromEntries(Object.entries(keys).map(([id, key]) => [id, t(L, key as string)]));

  /**
   * Acks a form submission once its fields are parsed: the field errors when the form is refused,
   * else an empty ack. The form's value only when it is valid and this is the submission's first
   * delivery (a retry or replay is acked and dropped: null), so the caller goes on to the service call.
   */
  async function acceptForm<T>(
    ack: SlackViewMiddlewareArgs['ack'],
    body: unknown,
    L: Locale,
    form: FormResult<T>,
    /** Field errors that keep a valid form open (e.g. a verification under way), or undefined. */
    held?: () => Record<string, string> | undefined,
  ): Promise<{ value: T } | null> {
    if (!form.ok) {
      await ack({ response_action: 'errors', errors: fieldErrors(L, form.errors) });
      return null;
    }
    const errors = held?.();
    if (errors) {
      await ack({ response_action: 'errors', errors });
      return null;
    }
    const first = await firstSubmission(body);
    if (first === 'unavailable') {
      await ackUnavailable(ack, body, L);
      return null;
    }
    await ack();
    return first ? { value: form.value } : null;
  }

  /**
   * The store cannot be reached while a form is submitted: the modal stays open with what was
   * typed, "try again in a moment" on its first input (nothing was changed).
   */
  async function ackUnavailable(ack: SlackViewMiddlewareArgs['ack'], body: unknown, L: Locale): Promise<void> {
    log.warn({}, 'run store unavailable: form kept open, the user is told to try again in a moment');
    await ack({ response_action: 'errors', errors: { [firstInputOf(body)]: t(L, 'error.store_unavailable') } });
  }

  async function openModal(triggerId: string | undefined, view: View, who: { channel?: string; user: string }, L: Locale): Promise<void> {
    if (!triggerId) {
      await ephemeral(who.channel, who.user, textPayload(t(L, 'slack.error.bad_value')));
      return;
    }
    try {
      await client.apiCall('views.open', { trigger_id: triggerId, view });
    } catch (err) {
      log.warn({ slackError: slackErrorCode(err) ?? errText(err) }, 'views.open failed');
      await ephemeral(who.channel, who.user, textPayload(t(L, 'slack.error.modal_failed')));
    }
  }

  /**
   * What `resume` did: "posted again" only when nothing of the run waits in the outbox and no
   * delivery was given up since the last successful post (`SLACK_BLOCKED_REF`, cleared by it); a
   * delivery Slack refuses says why and how to fix it (invite the bot...), another failure that
   * it is retried, or, once given up, that it was not posted and why.
   */
  async function resumedText(run: Run, L: Locale): Promise<string> {
    const failed = firstFailed(await store.pendingOutbox(100, run.id));
    // Read once: the link below needs the same refs.
    const refs = failed ? undefined : await store.getRefs(run.id);
    const gaveUp = refs?.[SLACK_BLOCKED_REF];
    const code = failed
      ? blockedCode(failed.lastError)
      : gaveUp && typeof (gaveUp as { code?: unknown }).code === 'string'
        ? (gaveUp as { code: string }).code
        : undefined;
    if (code === undefined) return t(L, 'slack.resumed', { runId: run.id, link: await threadLink(run.id, refs) });
    const reason = blockedReason(builder, L, code, run.channelId);
    return isChannelProblem(code) || !failed
      ? t(L, 'slack.resume.blocked', { runId: run.id, reason })
      : t(L, 'slack.resume.pending', { runId: run.id, reason });
  }

  /** A link to a run's thread, when its card is posted (`refs`: the run's refs when already read). */
  async function threadLink(runId: string, refs?: Record<string, unknown>): Promise<string | null> {
    const ref = (refs ?? (await store.getRefs(runId)))[SLACK_REF.card] as { channel?: unknown; ts?: unknown } | undefined;
    if (!ref || typeof ref.channel !== 'string' || typeof ref.ts !== 'string') return null;
    try {
      const res = permalinkAnswer.safeParse(await client.apiCall('chat.getPermalink', { channel: ref.channel, message_ts: ref.ts }));
      return res.success ? res.data.permalink : null;
    } catch {
      return null;
    }
  }

  // ---- checks without a run (issue 5): `check INSTITUTION`, the `product CODE` check ---------
  const checks: SlackChecksContext = {
    app,
    call: (method, args) => client.apiCall(method, args),
    builder,
    ...(deps.health ? { health: deps.health } : {}),
    logger: log,
    defaultLocale,
    localeOf: localeOfUser,
    tracked,
    principalsOf,
    describe,
    openModal,
    respond: (url, payload) => respond(url, payload),
    firstSubmission,
  };

  const formExpired = (L: Locale) => ({
    response_action: 'update' as const,
    view: noticeModal(t(L, 'slack.form_error.title'), t(L, 'slack.error.form_unreadable'), t(L, 'form.close')) as never,
  });

  return {
    ...deps,
    userLocales,
    principalsOf,
    dedupeScope,
    localeOfUser,
    namedActorOf,
    firstSubmission,
    t,
    ephemeralPayload,
    ephemeral,
    respond,
    unreadableClick,
    describe,
    actorOf,
    fieldErrors,
    acceptForm,
    ackUnavailable,
    openModal,
    resumedText,
    threadLink,
    checks,
    formExpired,
  };
}
