/**
 * `SECUTIX_SUPPORT_DESK=teams`: the support messages of a run of another surface (a Slack run)
 * go to the Teams channel registered with `support-channel here` (the run has no Teams
 * conversation): the request (naming the run's Slack workspace and requester), its close, and
 * the support reminders as replies to it. Without a registered channel the delivery is blocked
 * (`DeliveryBlockedError`: kept in the outbox) until someone registers one.
 */
import type { ConversationReference } from 'botbuilder';
import { z } from 'zod';
import { isFirstSupportRequest } from '../../src/app/first-request';
import type { MessageBuilder, SupportOrigin } from '../../src/messages/builder';
import { DeliveryBlockedError } from '../../src/ports/chat-notifier.port';
import type { RunStore } from '../../src/ports/run-store.port';
import type { Effect, Run } from '../../src/workflow/types';
import { baseConversationId, isChannelReference, threadConversationId } from './activity';
import { renderMessage } from './cards';
import { noteCard } from './note-card';
import { readReference, SUPPORT_CHANNEL_REF, supportPostedSchema, TEAMS_GLOBAL_REF_OWNER, TEAMS_REF } from './refs';
import type { TeamsOutbound } from './notifier';
import { SLACK_ORIGIN_REF, slackOriginSchema } from '../slack-origin-ref';

const slackWorkspaceSchema = z.object({ teamId: z.string().optional(), enterpriseId: z.string().optional() });

/** Delivers the support effects of a run of another surface in the Teams support channel. */
export async function deliverForeignSupport(
  deps: { store: RunStore; outbound: TeamsOutbound; builder: MessageBuilder },
  run: Run,
  effect: Effect,
  runLabel: string,
): Promise<void> {
  const { store, outbound, builder } = deps;
  const refs = await store.getRefs(run.id);
  const plain = (a: { id: string; name?: string }) => a.name ?? a.id;
  const posted = supportPostedSchema.safeParse(refs[TEAMS_REF.support]);
  switch (effect.type) {
    case 'support_request': {
      const support = readReference((await store.getRefs(TEAMS_GLOBAL_REF_OWNER))[SUPPORT_CHANNEL_REF]);
      if (!support)
        throw new DeliveryBlockedError(
          `run ${run.id} (${run.surface}) waits for SecuTix support on Teams, but no support channel is registered: send "support-channel here" in it`,
          'no_support_channel',
        );
      const origin = await originOf(store, run);
      const card = renderMessage(builder.supportRequest(run, { mention: plain, origin }), { runLabel });
      if (posted.success) {
        const { reference, ...at } = posted.data;
        return outbound.update(reference as unknown as Partial<ConversationReference>, at, card);
      }
      const sent = await outbound.post(support, baseConversationId(support.conversation!.id), card);
      await store.putRef(run.id, TEAMS_REF.support, { ...sent, reference: support, origin });
      return;
    }
    case 'support_closed': {
      if (!posted.success) return;
      const origin = originSchema.safeParse((refs[TEAMS_REF.support] as { origin?: unknown }).origin).data;
      const card = renderMessage(builder.supportClosed(run, effect, { mention: plain, ...(origin ? { origin } : {}) }), { runLabel });
      const { reference, ...at } = posted.data;
      return outbound.update(reference as unknown as Partial<ConversationReference>, at, card);
    }
    case 'reminder': {
      if (effect.kind !== 'support' || !posted.success) return;
      const origin = originSchema.safeParse((refs[TEAMS_REF.support] as { origin?: unknown }).origin).data;
      const card = renderMessage(builder.forEffect(run, effect, { mention: plain, ...(origin ? { origin } : {}) }), { runLabel });
      const { reference, ...at } = posted.data;
      const where = reference as unknown as Partial<ConversationReference>;
      const base = baseConversationId(where.conversation!.id);
      if (isChannelReference(where)) await outbound.post(where, threadConversationId(base, at.activityId), card, at.activityId);
      else await outbound.post(where, base, card);
      return;
    }
    default:
      throw new Error(`run ${run.id} (${run.surface}): ${effect.type} is not a support message for the Teams desk`);
  }
}

/** The origin stored with a support request's ref, to show it again on the closed request. */
export const originSchema = z.object({
  kind: z.enum(['workspace', 'tenant']),
  organisation: z.string(),
  domain: z.string().optional(),
  requester: z.string(),
  email: z.string().optional(),
  firstForInstitution: z.boolean(),
});

/**
 * The run's Slack workspace (name and domain), its requester (name, email), as the Slack side
 * stored them (`slack.origin`), and whether that workspace asked the Teams desk about the
 * institution before. Without them: the workspace's id, the requester's Slack name.
 */
async function originOf(store: RunStore, run: Run): Promise<SupportOrigin> {
  const workspaceOf = async (id: string) => {
    const refs = await store.getRefs(id);
    const w = slackWorkspaceSchema.safeParse(refs['slack.workspace']).data;
    return w?.teamId ?? w?.enterpriseId ?? slackOriginSchema.safeParse(refs[SLACK_ORIGIN_REF]).data?.teamId;
  };
  const ws = await workspaceOf(run.id);
  const o = slackOriginSchema.safeParse((await store.getRefs(run.id))[SLACK_ORIGIN_REF]).data;
  const first = await isFirstSupportRequest(store, run);
  return {
    kind: 'workspace',
    organisation: o?.workspace ?? ws ?? 'Slack',
    ...(o?.domain ? { domain: o.domain } : {}),
    requester: o?.requester ?? run.startedBy.name ?? run.startedBy.id,
    ...(o?.email ? { email: o.email } : {}),
    firstForInstitution: first,
  };
}

/**
 * A note for the Teams support desk about a run of another surface (a Slack run whose workspace
 * uninstalled the app: which workspace, which run, what waits, that a reinstall sends it), posted
 * in the channel registered with `support-channel here`. @throws when no channel is registered
 * or the connector fails (the caller logs it and tells the desk at a later blocked delivery).
 */
export async function postDeskNote(deps: { store: RunStore; outbound: TeamsOutbound }, text: string): Promise<void> {
  const support = readReference((await deps.store.getRefs(TEAMS_GLOBAL_REF_OWNER))[SUPPORT_CHANNEL_REF]);
  if (!support) throw new Error('no Teams support channel is registered: send "support-channel here" in it');
  await deps.outbound.post(support, baseConversationId(support.conversation!.id), noteCard(text));
}
