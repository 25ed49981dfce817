/**
 * Slack side of the checks without a run (issue 5, "Health check of an existing setup"):
 *
 * - `/digitick-onboard check INSTITUTION [CHANNEL]` opens the `onboard_check` modal (password,
 *   optional contingent ids and contact number); its submission runs `HealthCheckService.check`.
 * - `/digitick-onboard product CODE` answers the product guide with a `product_check` button; the
 *   button opens the `onboard_product_check` modal (institution, channel, password, optional
 *   contingents); its submission runs `HealthCheckService.checkProduct`.
 *
 * Reports go only to the person who asked: `chat.postEphemeral` in the channel of the command,
 * else (the bot is not in that channel, e.g. a DM between people) the command's `response_url`.
 * The password lives only in the submission's handler: never logged, stored or echoed (the modal
 * closes on ack; field errors never carry it back). Slack facts: a modal needs the command's or
 * click's `trigger_id` within 3 s (`views.open`); `private_metadata` at most 3000 characters.
 */
import { z } from 'zod';
import type { App } from '@slack/bolt';
import type { Button as SlackButton, View } from '@slack/types';
import { FORM_IDS, type Locale, LOCALES, PRODUCT_CHECK_ACTION_ID } from '../../src/domain/ids';
import type { FieldErrorKeys } from '../../src/app/forms';
import {
  type HealthCheckService,
  parseCheckArgs,
  parseCheckForm,
  parseProductCheckForm,
  productCodeSchema,
} from '../../src/app/health-check';
import type { ServiceError } from '../../src/app/run-service';
import type { MessageBuilder } from '../../src/messages/builder';
import type { Message } from '../../src/messages/model';
import type { Logger } from '../../src/ports/logger.port';
import type { Actor } from '../../src/workflow/types';
import { noticeModal, renderMessage, renderModal, type SlackMessagePayload, textPayload } from './block-kit';
import { formValues, parseMetadata, type SlashCommand, viewSubmissionSchema } from './payloads';
import { slackErrorCode } from './web-errors';
import { cleanDisplayName } from '../../src/domain/display-text';

/** What the check handlers borrow from the surface. */
export interface SlackChecksContext {
  app: App;
  /** Web API calls (Bolt's `app.client.apiCall`). */
  call: (method: string, args: Record<string, unknown>) => Promise<unknown>;
  builder: MessageBuilder;
  /** Absent: the commands answer that checks are not available. */
  health?: HealthCheckService;
  logger: Logger;
  defaultLocale: Locale;
  /** The user's own language (Slack `users.info` locale; `defaultLocale` when unknown). */
  localeOf: (userId: string) => Promise<Locale>;
  /** Wraps a listener's work so tests and a graceful stop can wait for it. */
  tracked: (work: () => Promise<void>) => Promise<void>;
  principalsOf: (userId: string) => Promise<{ principals?: string[] }>;
  describe: (error: ServiceError, locale?: Locale) => string;
  /** `views.open`; tells the user when it fails. Never throws. */
  openModal: (triggerId: string | undefined, view: View, who: { channel?: string; user: string }, L: Locale) => Promise<void>;
  /** Answers through a `response_url`. Never throws. */
  respond: (responseUrl: string | undefined, payload: SlackMessagePayload) => Promise<void>;
  /** False for a retry or replay of a view submission already handled. */
  firstSubmission: (body: unknown) => Promise<boolean | 'unavailable'>;
}

/** `private_metadata` of `onboard_check`: channel of the command, its `response_url`, institution and channel codes. */
const checkMetadataSchema = z.object({
  c: z.string().min(1).max(40),
  r: z.string().max(500).optional(),
  i: z.string().regex(/^[A-Z0-9]{2,15}$/),
  ch: z.string().regex(/^[A-Z0-9]{1,8}$/),
  /** The language the form was shown in (the asker's): the report uses it too. */
  l: z.enum(LOCALES).optional(),
});
/** `private_metadata` of `onboard_product_check`: channel, `response_url`, product code. */
const productMetadataSchema = z.object({
  c: z.string().min(1).max(40),
  r: z.string().max(500).optional(),
  p: z.string().regex(/^[A-Z0-9_-]{1,30}$/),
  l: z.enum(LOCALES).optional(),
});
/** The `product_check` button's value. */
const productButtonSchema = z.object({ p: z.string().regex(/^[A-Z0-9_-]{1,30}$/) });
/** The fields of a `product_check` click this module reads. */
const productClickSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1), name: z.string().optional(), username: z.string().optional() }),
  trigger_id: z.string().optional(),
  channel: z.object({ id: z.string() }).optional(),
  container: z.object({ channel_id: z.string().optional() }).optional(),
  response_url: z.string().optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional() })).min(1),
});

const actorOf = (u: { id: string; name?: string | undefined; username?: string | undefined }): Actor => {
  const name = cleanDisplayName(u.name, [u.id]) ?? cleanDisplayName(u.username, [u.id]);
  return name ? { id: u.id, name } : { id: u.id };
};
const metaJson = (m: Record<string, unknown>): string => JSON.stringify(m);

/** An ephemeral message payload (no run metadata); check outcomes named in the message's language. */
function ephemeralPayload(msg: Message, builder?: MessageBuilder): SlackMessagePayload {
  const p = renderMessage(msg, builder ? { outcomeLabel: (o) => builder.t(msg.locale, `report.outcome.${o}`) } : {});
  delete p.metadata;
  return p;
}

/**
 * The answer to `check INSTITUTION [CHANNEL]` within the command's ack: an ephemeral text (usage,
 * refusal, not available), or the modal opened after a bare ack.
 */
export async function onCheckCommand(
  ctx: SlackChecksContext,
  cmd: SlashCommand,
  what: { institution?: string; channel?: string },
  ack: (payload?: SlackMessagePayload) => Promise<void>,
): Promise<void> {
  const L = await ctx.localeOf(cmd.user_id);
  const t = (key: string, view: Record<string, unknown> = {}) => ctx.builder.t(L, key, view);
  if (!ctx.health) return ack(textPayload(t('error.check.unavailable')));
  const who = {
    surface: 'slack' as const,
    actor: actorOf({ id: cmd.user_id, name: cmd.user_name }),
    ...(await ctx.principalsOf(cmd.user_id)),
  };
  const allowed = ctx.health.authorize(who);
  if (!allowed.ok) return ack(textPayload(ctx.describe(allowed.error, L)));
  const args = parseCheckArgs(what.institution, what.channel);
  if (!args.ok) {
    const usage = t('error.check.usage', { command: cmd.command });
    return ack(textPayload(what.institution === undefined ? usage : `${t(args.error)} ${usage}`));
  }
  await ack();
  const meta = metaJson({
    c: cmd.channel_id,
    ...(cmd.response_url && cmd.response_url.length <= 500 ? { r: cmd.response_url } : {}),
    i: args.value.institutionCode,
    ch: args.value.channelCode,
    l: L,
  });
  await ctx.openModal(
    cmd.trigger_id,
    renderModal(ctx.builder.checkForm(L, args.value, meta)),
    { channel: cmd.channel_id, user: cmd.user_id },
    L,
  );
}

/** The answer to `product CODE`: the guide and a `product_check` button (or why the code is refused). */
export function productWithCheck(ctx: SlackChecksContext, productCode: string, L: Locale): SlackMessagePayload {
  const code = productCodeSchema.safeParse(productCode);
  if (!code.success) return textPayload(ctx.builder.t(L, 'error.product_check.bad_code', { productCode }));
  const payload = ephemeralPayload(ctx.builder.productGuideWithCheck(L, code.data));
  if (!ctx.health) return payload;
  const button: SlackButton = {
    type: 'button',
    action_id: PRODUCT_CHECK_ACTION_ID,
    text: { type: 'plain_text', text: ctx.builder.productCheckButtonLabel(L, code.data).slice(0, 75), emoji: true },
    value: JSON.stringify({ p: code.data }),
    style: 'primary',
  };
  return { ...payload, blocks: [...payload.blocks, { type: 'actions', block_id: 'product_check', elements: [button] }] };
}

/** Registers the `product_check` button and both modals' submissions. */
export function registerSlackChecks(ctx: SlackChecksContext): void {
  const { app, builder } = ctx;
  const log = ctx.logger;
  const fieldErrors = (L: Locale, keys: FieldErrorKeys): Record<string, string> =>
    Object.fromEntries(Object.entries(keys).map(([id, key]) => [id, builder.t(L, key as string)]));
  const expired = (L: Locale) => ({
    response_action: 'update' as const,
    view: noticeModal(
      builder.t(L, 'slack.form_error.title'),
      builder.t(L, 'slack.error.form_unreadable'),
      builder.t(L, 'form.close'),
    ) as never,
  });

  /** Tells only `user`: `chat.postEphemeral` in `channel`, else the `response_url`. */
  async function tell(channel: string, user: string, responseUrl: string | undefined, payload: SlackMessagePayload): Promise<void> {
    try {
      await ctx.call('chat.postEphemeral', { channel, user, text: payload.text, blocks: payload.blocks });
      return;
    } catch (err) {
      log.warn({ user, channel, slackError: slackErrorCode(err) ?? String(err).slice(0, 200) }, 'check report: ephemeral post failed');
    }
    await ctx.respond(responseUrl, payload);
  }

  app.action(PRODUCT_CHECK_ACTION_ID, ({ ack, body }) =>
    ctx.tracked(async () => {
      await ack();
      const p = productClickSchema.safeParse(body);
      if (!p.success) return;
      const channel = p.data.channel?.id ?? p.data.container?.channel_id;
      const value = (() => {
        try {
          return productButtonSchema.safeParse(JSON.parse(p.data.actions[0]!.value ?? ''));
        } catch {
          return null;
        }
      })();
      const user = p.data.user;
      const L = await ctx.localeOf(user.id);
      if (!ctx.health || !value?.success || !channel) {
        await ctx.respond(p.data.response_url, textPayload(builder.t(L, 'slack.error.bad_value')));
        return;
      }
      const allowed = ctx.health.authorize({ surface: 'slack', actor: actorOf(user), ...(await ctx.principalsOf(user.id)) });
      if (!allowed.ok) {
        await tell(channel, user.id, p.data.response_url, textPayload(ctx.describe(allowed.error, L)));
        return;
      }
      const meta = metaJson({
        c: channel,
        ...(p.data.response_url && p.data.response_url.length <= 500 ? { r: p.data.response_url } : {}),
        p: value.data.p,
        l: L,
      });
      await ctx.openModal(p.data.trigger_id, renderModal(builder.productCheckForm(L, value.data.p, meta)), { channel, user: user.id }, L);
    }),
  );

  /**
   * One checks form (`onboard_check`, `onboard_product_check`): metadata and fields parsed at the
   * edge (field errors on the form), each submission handled once, then `run` answers the asker.
   */
  function checkView<M extends { c: string; r?: string | undefined; l?: Locale | undefined }, V>(
    id: string,
    metaSchema: z.ZodType<M>,
    parse: (raw: ReturnType<typeof formValues>) => { ok: true; value: V } | { ok: false; errors: FieldErrorKeys },
    run: (a: {
      meta: M;
      value: V;
      user: { id: string; name?: string; username?: string };
      L: Locale;
      health: NonNullable<typeof ctx.health>;
    }) => Promise<SlackMessagePayload>,
  ): void {
    app.view(id, ({ ack, body }) =>
      ctx.tracked(async () => {
        const parsed = viewSubmissionSchema.safeParse(body);
        const meta = parsed.success ? parseMetadata(metaSchema, parsed.data.view.private_metadata) : null;
        const L = meta?.l ?? ctx.defaultLocale;
        if (!parsed.success || !meta || !ctx.health) {
          await ack(expired(L));
          return;
        }
        const form = parse(formValues(parsed.data.view.state.values));
        if (!form.ok) {
          await ack({ response_action: 'errors', errors: fieldErrors(L, form.errors) });
          return;
        }
        await ack();
        if (!(await ctx.firstSubmission(body))) return;
        const user = parsed.data.user;
        await tell(meta.c, user.id, meta.r, await run({ meta, value: form.value, user, L, health: ctx.health }));
      }),
    );
  }

  // The password lives only in these calls: passed to the check and dropped.
  checkView(FORM_IDS.check, checkMetadataSchema, parseCheckForm, async ({ meta, value, user, L, health }) => {
    const out = await health.check({
      surface: 'slack',
      actor: actorOf(user),
      ...(await ctx.principalsOf(user.id)),
      institutionCode: meta.i,
      channelCode: meta.ch,
      password: value.password,
      ...(value.contingentIds ? { contingentIds: value.contingentIds } : {}),
      ...(value.contactNumber ? { contactNumber: value.contactNumber } : {}),
      locale: L,
    });
    return out.ok ? ephemeralPayload(builder.healthReport(L, out.value), builder) : textPayload(ctx.describe(out.error, L));
  });

  checkView(FORM_IDS.productCheck, productMetadataSchema, parseProductCheckForm, async ({ meta, value, user, L, health }) => {
    const out = await health.checkProduct({
      surface: 'slack',
      actor: actorOf(user),
      ...(await ctx.principalsOf(user.id)),
      institutionCode: value.institutionCode,
      channelCode: value.channelCode,
      password: value.password,
      productCode: meta.p,
      ...(value.contingentIds ? { contingentIds: value.contingentIds } : {}),
      locale: L,
    });
    return out.ok ? ephemeralPayload(builder.productReport(L, out.value), builder) : textPayload(ctx.describe(out.error, L));
  });
}
