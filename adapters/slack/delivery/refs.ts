/**
 * What the Slack notifier remembers in the run store (`RunStore.putRef`): where the card, the
 * support request and each step's messages are, and the state of each outbox item's post.
 */
import { z } from 'zod';
import type { StepId } from '../../../src/domain/ids';

/** Ref keys kept in the run store (`RunStore.putRef`). */
export const SLACK_REF = {
  card: 'slack.card',
  support: 'slack.support',
  step: (step: StepId) => `slack.step.${step}`,
  /** State of an outbox item's `chat.postMessage` (`DeliveryMarker`). */
  delivery: (id: number) => `slack.delivery.${id}`,
} as const;

/** Ref key of the progress message of a verification under way (`{ channel, ts, tag }`, null when none). */
export const SLACK_PROGRESS_REF = 'slack.progress';
export const progressRefSchema = z.object({ channel: z.string(), ts: z.string(), tag: z.string() });
/** `chat.getPermalink`'s answer. */
export const permalinkSchema = z.object({ permalink: z.string() });

export const messageRefSchema = z.object({ channel: z.string(), ts: z.string() });
/** Where a posted message is: channel id and `ts`. */
export type MessageRef = z.infer<typeof messageRefSchema>;
export const stepRefSchema = messageRefSchema.extend({
  text: z.string(),
  blocks: z.array(z.record(z.string(), z.unknown())),
  /** A verification report (not a step message): a later report that passed makes it point to that one. */
  report: z.literal(true).optional(),
});
/** A step message (or a report with buttons): where it is and its content without buttons. */
export type StepMessageRef = z.infer<typeof stepRefSchema>;
/**
 * The support request: where it is, the run thread's permalink; `team` when it went to the support
 * desk's own workspace (OAuth mode), and who asked (`origin`, kept so the close shows it again).
 */
export const supportRefSchema = messageRefSchema.extend({
  permalink: z.string().nullable(),
  team: z.string().optional(),
  origin: z
    .object({
      kind: z.enum(['workspace', 'tenant']),
      organisation: z.string(),
      domain: z.string().optional(),
      requester: z.string(),
      email: z.string().optional(),
      firstForInstitution: z.boolean(),
    })
    .optional(),
});
export const deliveryMarkerSchema = z.discriminatedUnion('state', [
  /** The post was sent; Slack's answer was not seen (yet). `thread_ts` when it went in a thread. */
  z.object({ state: z.literal('posting'), channel: z.string(), thread_ts: z.string().optional() }),
  /** Slack answered with the message's `ts` (or it was found after an ambiguous failure). */
  z.object({ state: z.literal('posted'), channel: z.string(), ts: z.string() }),
]);
/** What the ref `slack.delivery.<id>` holds about an outbox item's post. */
export type DeliveryMarker = z.infer<typeof deliveryMarkerSchema>;
