/**
 * A surface's outbound side: delivers one effect of a run (post or edit the progress card, post
 * a step message in the thread, close a step message, the support request...). Implemented by
 * `adapters/slack`, `adapters/teams`, `adapters/console`; it renders `MessageBuilder` output.
 */
import type { Effect, Run, VerificationProgress } from '../workflow/types';

/** Which outbox item a delivery is: lets a surface recognise a message it may already have posted. */
export interface Delivery {
  /** The outbox item id (`OutboxItem.id`), stable across attempts and restarts. */
  id: number;
  /** This attempt's number: 1 for the first try, `OutboxItem.attempts + 1` after failures. */
  attempt: number;
}

export interface ChatNotifier {
  /**
   * Delivers `effect` for `run` (the run as it is now). Called from the outbox, in order, once per
   * effect; must be safe to call again after a failure (edit rather than post twice when it can).
   * `delivery` is set when the effect comes from the outbox (absent for transient notices): a
   * surface can tag the posted message with `delivery.id` and look for it before posting again
   * after an ambiguous failure (a timeout or a 5xx that may have landed).
   * @throws any error: the outbox records it and tries again later.
   */
  deliver(run: Run, effect: Effect, delivery?: Delivery): Promise<void>;
  /**
   * Called once when the outbox gives an effect up after `attempts` failed deliveries (`error`:
   * the last error's summary): the surface tells the run's operator where it can (Slack: an
   * ephemeral message and the App Home tab) what is blocked and why. Optional.
   * @throws any error: logged, nothing retried.
   */
  deliveryAbandoned?(run: Run, effect: Effect, info: { error: string; attempts: number }): Promise<void>;
  /**
   * Called when a delivery of `run` is first blocked (`DeliveryBlockedError`, kept in the outbox
   * until `RunService.releaseBlocked()`): the surface may tell whoever can unblock it (Slack: the
   * support desk hears that the run's workspace uninstalled the app). Called again after a
   * restart or on another replica: the surface keeps its own "told once" record. Optional.
   * @throws any error: logged, nothing retried.
   */
  deliveryBlocked?(run: Run, effect: Effect, info: { reason: string }): Promise<void>;
  /**
   * True when a failed `deliver` means the platform is unreachable or overloaded (no connection,
   * reset, timeout, DNS, HTTP 5xx, 429), not an answer about this message: the outbox keeps the
   * item pending and retries it (capped pause) without counting it toward `DELIVERY_MAX_ATTEMPTS`,
   * so a long outage gives nothing up and everything goes out, in order, once the platform is
   * back. Optional: without it every failure counts.
   */
  isUnavailable?(err: unknown): boolean;
  /**
   * Shows a verification's progress in the run's thread: the first call posts the message, later
   * calls edit that same message in place (`MessageBuilder.progress`); the last one has
   * `progress.done` and turns it into a pointer to the report. Transient: not in the outbox, never
   * retried. The run service calls it at most once a second per run. Optional: a surface without it
   * gets the `verifying` notice instead.
   */
  progress?(run: Run, progress: VerificationProgress): Promise<void>;
}

/**
 * Thrown by `deliver` when the effect cannot go out until something outside the run changes (the
 * Slack app was uninstalled from the run's workspace, its tokens revoked): the outbox keeps the
 * item, does not retry it on its own, and delivers it after `RunService.releaseBlocked()`.
 */
export class DeliveryBlockedError extends Error {
  override readonly name = 'DeliveryBlockedError';
  readonly blocked = true;
  constructor(
    message: string,
    /** Short reason, e.g. `not_installed`. */
    readonly reason: string,
  ) {
    super(message);
  }
}

/** True for a `DeliveryBlockedError` (also across module copies). */
export function isDeliveryBlocked(err: unknown): err is DeliveryBlockedError {
  return typeof err === 'object' && err !== null && (err as { blocked?: unknown }).blocked === true;
}
