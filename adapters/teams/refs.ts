/**
 * What the Teams surface keeps in the run store (`RunStore.putRef`), so that a restarted bot can
 * still post and edit a run's cards. Keys, per run:
 * - `teams.conversation`: the run's `ConversationReference` (no activity id, no thread suffix),
 *   refreshed on every turn in the run's conversation;
 * - `teams.card`: `{ activityId, conversationId }` of the progress card (edited with `updateActivity`);
 * - `teams.step.<step>`: list of `{ activityId, conversationId, body }` of the step's cards (`resume`
 *   posts copies; a failed verification report with buttons is listed under `verification`);
 *   `body` is the card's body without actions, kept when its buttons become a pointer;
 * - `teams.support`: `{ activityId, conversationId, reference }` of the support request;
 * - `teams.blocked`: `{ code, at }` of the last delivery the outbox gave up.
 * Global (pseudo run id `__teams__`):
 * - `support_channel`: the `ConversationReference` of the channel where someone sent
 *   `support-channel here` (where password requests go).
 * Values are parsed with zod when read back; nothing here is ever a secret.
 */
import { z } from 'zod';
import type { ConversationReference } from 'botbuilder';
import type { StepId } from '../../src/domain/ids';
import { storedReferenceSchema } from './activity';

export const TEAMS_REF = {
  conversation: 'teams.conversation',
  card: 'teams.card',
  step: (step: StepId): string => `teams.step.${step}`,
  support: 'teams.support',
  /** The progress card of a verification under way (`Posted`, null when none): closed as interrupted after a crash. */
  progress: 'teams.progress',
  /** The last delivery the outbox gave up: `{ code: notPostedCode(), at: epoch ms }` (what `resume` answers). */
  blocked: 'teams.blocked',
} as const;

/** Pseudo run id under which the surface keeps its global references. */
export const TEAMS_GLOBAL_REF_OWNER = '__teams__';
/** Key of the support channel's reference under `TEAMS_GLOBAL_REF_OWNER`. */
export const SUPPORT_CHANNEL_REF = 'support_channel';

/** A posted activity: its id and the conversation id it was posted to (thread suffix included). */
export const postedSchema = z.object({ activityId: z.string().min(1), conversationId: z.string().min(1) });
export type Posted = z.output<typeof postedSchema>;

export const postedListSchema = z.array(postedSchema);

/**
 * A step's card as remembered under `teams.step.<step>`: where it is, and its body without actions
 * (as Slack keeps a message's blocks), so that a newer copy or report turns only its buttons into
 * a pointer and the text stays. Entries written before the body was kept have none.
 */
export const stepPostedSchema = postedSchema.extend({ body: z.array(z.record(z.string(), z.unknown())).optional() });
export type StepPosted = z.output<typeof stepPostedSchema>;

/** Parses a stored list of step cards; empty when absent or malformed. */
export function readStepPostedList(value: unknown): StepPosted[] {
  const r = z.array(stepPostedSchema).safeParse(value);
  return r.success ? r.data : [];
}

export const supportPostedSchema = postedSchema.extend({ reference: storedReferenceSchema });

/** Parses a stored conversation reference; undefined when absent or malformed. */
export function readReference(value: unknown): Partial<ConversationReference> | undefined {
  const r = storedReferenceSchema.safeParse(value);
  return r.success ? (r.data as unknown as Partial<ConversationReference>) : undefined;
}

/** Parses a stored posted-activity ref; undefined when absent or malformed. */
export function readPosted(value: unknown): Posted | undefined {
  const r = postedSchema.safeParse(value);
  return r.success ? r.data : undefined;
}

/** Parses a stored list of posted activities; empty when absent or malformed. */
export function readPostedList(value: unknown): Posted[] {
  const r = postedListSchema.safeParse(value);
  return r.success ? r.data : [];
}
