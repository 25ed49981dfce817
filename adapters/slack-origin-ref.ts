/**
 * The run ref `slack.origin` (no secret): who asks for a Slack run, written by the Slack side
 * (`adapters/slack/delivery/run-origin.ts`) and read by a Teams support desk
 * (`adapters/teams/foreign-support.ts`, `desk-queue.ts`).
 */
import { z } from 'zod';

/** The run ref holding the run's Slack origin. */
export const SLACK_ORIGIN_REF = 'slack.origin';

/** What `slack.origin` holds. */
export const slackOriginSchema = z.object({
  teamId: z.string().optional(),
  workspace: z.string().optional(),
  domain: z.string().optional(),
  requester: z.string().optional(),
  email: z.string().optional(),
});
export type SlackOrigin = z.infer<typeof slackOriginSchema>;
