/**
 * A surface's outbound side: delivers one effect of a run (post or edit the progress card, post
 * a step message in the thread, close a step message, the support request...). Implemented by
 * `adapters/slack`, `adapters/teams`, `adapters/console`; it renders `MessageBuilder` output.
 */
import type { Effect, Run } from '../workflow/types';

export interface ChatNotifier {
  /**
   * Delivers `effect` for `run` (the run as it is now). Called from the outbox, in order, once per
   * effect; must be safe to call again after a failure (edit rather than post twice when it can).
   * @throws any error: the outbox records it and tries again later.
   */
  deliver(run: Run, effect: Effect): Promise<void>;
}
