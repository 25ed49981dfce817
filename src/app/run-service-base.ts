/**
 * The base of the run service: its dependencies and inputs, loading runs, the access checks,
 * refusals, internal errors and handing an effect to a surface's notifier. `RunService`
 * (`run-service.ts`) is the entry point; this file holds what every part of it shares.
 */
import { type ActionId, ACTION_IDS, type StepId, type Surface } from '../domain/ids';
import { type AccessOperation, AccessPolicy, type Principal } from './access';
import type { ChatNotifier, Delivery } from '../ports/chat-notifier.port';
import { type Clock, type IdSource, isoNow } from '../ports/clock.port';
import type { Logger } from '../ports/logger.port';
import { type RunStore, StoreUnavailableError } from '../ports/run-store.port';
import type { VerificationRequest } from './verification';
import { VerifyingMarkers } from './verifying-marker';
import { errorSummary } from './error-summary';
import { sameOrg } from '../domain/org';
import { loadMyRuns, type MyRuns } from './my-runs';
import type { Actor, AnswerChanges, Effect, Refusal, ReminderSettings, Run, VerificationReport } from '../workflow/types';
import type { Outcome, ServiceError } from '../workflow/service-error';

export { errorSummary };

/** The verification of step 9 (`src/app/verification.ts` bound to a SecuTix client). Never throws for SecuTix failures. */
export type Verifier = (req: VerificationRequest) => Promise<VerificationReport>;

export interface RunServiceDeps {
  store: RunStore;
  verifier: Verifier;
  /** One notifier per surface that is served. */
  notifiers: Partial<Record<Surface, ChatNotifier>>;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  /** Who may do what (`ALLOWED_OPERATORS`, `SUPPORT_USERS`); default: everyone may do everything. */
  access?: AccessPolicy;
  /**
   * Reminder delays (`REMIND_AFTER_HOURS`, `SUPPORT_REMIND_AFTER_HOURS`); unset: no reminders.
   * `surfaces` lists the surfaces whose runs get them (default Slack and Teams: a console run
   * lives in one interactive terminal session, with nobody to remind once it is closed).
   */
  reminders?: ReminderSettings & { surfaces?: readonly Surface[] };
  /**
   * Attempts of one outbox item before it is given up (`DELIVERY_MAX_ATTEMPTS`, default
   * `DEFAULT_MAX_DELIVERY_ATTEMPTS`): the surface tells the operator, and the run's later messages go on.
   */
  maxDeliveryAttempts?: number;
  /** Pacing of verification progress messages (defaults: at most 1 update/s, a refresh every 2 s while SecuTix extracts). */
  progress?: { minIntervalMs?: number; tickMs?: number };
  /**
   * Pauses (ms) between the attempts to save a verification's result while the database does
   * not answer (default `SAVE_RETRY_DELAYS_MS`); after the last, the operator is told that the
   * result could not be saved and to verify again.
   */
  saveRetryDelaysMs?: readonly number[];
  /**
   * `SECUTIX_SUPPORT_DESK`: the surface where SecuTix support works when it is not the run's
   * (a Slack run whose desk is on Teams, or the reverse): the support effects go to that
   * surface's notifier, and support's `password_assigned` from it reaches the run. Unset: each
   * run's own surface.
   */
  supportDesk?: Surface;
  /**
   * Multi-organisation mode (Slack OAuth distribution, or a multi-tenant Teams registration):
   * every read and action is scoped to the caller's organisation (`load`), lists too, and the
   * one-open-run rule counts each organisation's runs apart. Off (default): one workspace, as before.
   */
  multiOrg?: boolean;
  /**
   * The organisation of the support desk on `surface` (`src/domain/org.ts`): the Slack desk's
   * workspace (`SECUTIX_SUPPORT_SLACK_CHANNEL=TEAM/CHANNEL`), the Teams desk's tenant (the channel
   * registered with `support-channel here`). In multi-organisation mode support crosses
   * organisations only from there. Undefined (no desk of its own, e.g. a plain channel id): the
   * requests are posted in each run's own organisation, and listed support crosses as before.
   */
  supportDeskOrg?: (surface: Surface) => Promise<string | undefined>;
}

/** The effects addressed to SecuTix support (the request, its close, the support reminders). */
export function isSupportEffect(effect: Effect): boolean {
  return effect.type === 'support_request' || effect.type === 'support_closed' || (effect.type === 'reminder' && effect.kind === 'support');
}

/**
 * Who asks for a run, for `load`: the caller's organisation and identity, and the action they
 * take (support's actions on a support request reach runs of every organisation).
 */
export interface RunCaller {
  org?: string | undefined;
  /** The surface the caller acts from (the support desk's, for a run of another surface). */
  surface?: Surface;
  actor?: Actor;
  principals?: readonly string[] | undefined;
  /** The button, form or command the caller uses (`ActionId`, `resume`, `status`, `audit`...). */
  action?: string;
}

/** An action on a run from a button or a form. */
export interface ActionInput {
  runId: string;
  /** The step the button or form belongs to (stale when it is not the current step). */
  step: StepId;
  action: Exclude<ActionId, 'verify_start' | 'run_resume'>;
  actor: Actor;
  surface: Surface;
  /** Group ids the actor belongs to (Slack user groups), for the access policy; never stored. */
  principals?: string[];
  /** The caller's organisation (`Principal.org`). */
  org?: string;
  contingentIds?: number[];
  contactNumber?: string;
  /** `verify_skip` reason. */
  reason?: string;
}

/** `onboard_answers` as submitted (validated by the surface's form parser). */
export interface AnswersInput {
  runId: string;
  actor: Actor;
  surface: Surface;
  principals?: string[];
  org?: string;
  answers: AnswerChanges;
}

/** True when `o` failed because the run store did not answer ("try again in a moment"). */
export const isUnavailable = (o: Outcome<unknown>): boolean => !o.ok && o.error.code === 'internal' && o.error.unavailable === true;

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });

export const fail = <T>(error: ServiceError): Outcome<T> => ({ ok: false, error });

/** The access operation of a button or form action on `run`. */
export function operationOf(action: ActionId, run: Pick<Run, 'startedBy'>): AccessOperation {
  switch (action) {
    case ACTION_IDS.passwordAssigned:
      return { op: 'password_assigned' };
    case ACTION_IDS.runCancel:
      return { op: 'cancel', run };
    case ACTION_IDS.runResume:
      return { op: 'resume' };
    case ACTION_IDS.verifyStart:
      return { op: 'verify' };
    default:
      return { op: 'step' };
  }
}

export class RunServiceBase {
  protected readonly draining = new Map<string, Promise<void>>();

  protected readonly verifying = new Set<string>();

  /** The durable markers of verifications under way (`verifying-marker.ts`). */
  protected readonly markers: VerifyingMarkers;

  /** Outbox item id -> earliest time (ms) a poll retries it after a failed delivery. */
  protected readonly retryAt = new Map<number, number>();

  /** Outbox item id -> failures while its platform was unreachable (not counted in `attempts`; paces the retries). */
  protected readonly unavailableFailures = new Map<number, number>();

  /** The access policy every operation is checked against (surfaces use it to shape `help`). */
  readonly access: AccessPolicy;

  constructor(protected readonly deps: RunServiceDeps) {
    this.access = deps.access ?? AccessPolicy.open();
    this.markers = new VerifyingMarkers(deps.store, deps.logger);
  }

  protected now(): string {
    return isoNow(this.deps.clock);
  }

  protected correlationId(): string {
    return `E${this.deps.clock.nowMs().toString(36).toUpperCase()}${Math.floor(Math.random() * 1e6)
      .toString(36)
      .toUpperCase()}`;
  }

  /** The reminder settings for runs of `surface` (undefined: that surface gets no reminders). */
  protected remindersFor(surface: Surface): ReminderSettings | undefined {
    const r = this.deps.reminders;
    if (!r || !(r.surfaces ?? ['slack', 'teams']).includes(surface)) return undefined;
    return { remindAfterHours: r.remindAfterHours, supportRemindAfterHours: r.supportRemindAfterHours };
  }

  /** Whether every read and action is scoped to the caller's organisation (`RunServiceDeps.multiOrg`). */
  get multiOrg(): boolean {
    return this.deps.multiOrg === true;
  }

  /**
   * Loads a run that belongs to `surface`, for `caller`: THE place where organisations are kept
   * apart. In multi-organisation mode a run of another organisation (or of none: stored before
   * organisations were recorded) answers exactly like an unknown id (same error, same path: one
   * read, nothing of the run returned), except for support's actions on a support request
   * (`supportCrossing`). Single-workspace mode: the surface check only, as before.
   */
  async load(runId: string, surface?: Surface, caller?: RunCaller): Promise<Outcome<Run>> {
    const run = await this.deps.store.get(runId);
    if (!run) return fail({ code: 'unknown_run', runId });
    if (this.multiOrg && !sameOrg(run.org, caller?.org) && !(await this.supportCrossing(run, surface, caller))) {
      this.deps.logger.info(
        { runId, callerOrg: caller?.org ?? null, action: caller?.action ?? null },
        'run of another organisation: answered as an unknown run',
      );
      return fail({ code: 'unknown_run', runId });
    }
    if (surface && run.surface !== surface) return fail({ code: 'other_surface', run });
    return ok(run);
  }

  /**
   * The support desk's queue: open runs of every surface waiting on SecuTix support (current step
   * `password_request`), the longest waiting first (since the step opened), and the time now
   * (their ages count to it).
   */
  async waitingOnSupport(): Promise<{ runs: Run[]; now: string }> {
    const open = await this.deps.store.list({ status: 'open', limit: 1000 });
    const since = (r: Run) => r.steps.password_request.at ?? r.updatedAt;
    const runs = open.filter((r) => r.currentStep === 'password_request').sort((a, b) => since(a).localeCompare(since(b)));
    return { runs, now: this.now() };
  }

  /**
   * The surface a click must come from to act on a run: none for support's `password_assigned`
   * from the support desk's surface (`supportDesk`), which reaches runs of the other surface.
   */
  surfaceFor(action: string, from: Surface): Surface | undefined {
    return action === ACTION_IDS.passwordAssigned && this.deps.supportDesk === from ? undefined : from;
  }

  /**
   * Support sits in its own organisation: its actions on a support request (`password_assigned`,
   * the snooze of a support reminder) keep their own rule and cross organisations, for the people
   * named in `SUPPORT_USERS` (an empty list, "everyone is support", crosses nothing), acting from
   * the support desk's organisation when the desk has one (`supportDeskOrg`): user ids are not tied
   * to an organisation, so the same id in another workspace or tenant crosses nothing. Nothing else does.
   */
  private async supportCrossing(run: Run, runSurface: Surface | undefined, caller: RunCaller | undefined): Promise<boolean> {
    const surface = caller?.surface ?? runSurface;
    if (!caller?.actor || !surface) return false;
    const supportAction =
      caller.action === ACTION_IDS.passwordAssigned ||
      (caller.action === ACTION_IDS.reminderSnooze && run.reminder?.kind === 'support' && run.currentStep === 'password_request');
    if (!supportAction) return false;
    if (!this.access.isListedSupport({ surface, actor: caller.actor, ...(caller.principals ? { principals: caller.principals } : {}) }))
      return false;
    try {
      const deskOrg = this.deps.supportDeskOrg ? await this.deps.supportDeskOrg(surface) : undefined;
      return deskOrg === undefined || sameOrg(deskOrg, caller.org);
    } catch (err) {
      this.deps.logger.warn({ runId: run.id, err: errorSummary(err) }, "support desk's organisation not read: nothing crosses");
      return false;
    }
  }

  /**
   * Multi-organisation mode with a desk that has an organisation: `password_assigned` is SecuTix
   * support's, from the desk's organisation only, even on a run of the caller's own organisation
   * (user ids are not tied to an organisation: an institution's user with a support user's id is
   * not support). Unknown desk organisation (not read, no desk yet): the lists alone decide.
   */
  private async outsideTheDesk(run: Run, who: Principal, what: AccessOperation): Promise<boolean> {
    if (!this.multiOrg || what.op !== 'password_assigned' || !this.deps.supportDeskOrg) return false;
    try {
      const deskOrg = await this.deps.supportDeskOrg(who.surface);
      return deskOrg !== undefined && !sameOrg(deskOrg, who.org);
    } catch (err) {
      this.deps.logger.warn({ runId: run.id, err: errorSummary(err) }, "support desk's organisation not read: password_assigned refused");
      return true;
    }
  }

  /** The filter keeping a list to the caller's organisation in multi-organisation mode (`''` matches no run). */
  orgFilter(org: string | undefined): { org?: string } {
    return this.multiOrg ? { org: org ?? '' } : {};
  }

  /** Open runs of the surface, optionally only those started by `startedById`, newest first (the caller's organisation's only, in multi-organisation mode). */
  async openRuns(surface: Surface, startedById?: string, org?: string): Promise<Run[]> {
    return this.deps.store.list({ surface, status: 'open', ...(startedById ? { startedById } : {}), ...this.orgFilter(org) });
  }

  /** "My runs" of `userId` on `surface` (App Home, Teams `status`), of the caller's organisation in multi-organisation mode. */
  async myRuns(surface: Surface, userId: string, org?: string): Promise<MyRuns> {
    return loadMyRuns(this.deps.store, surface, userId, this.orgFilter(org));
  }

  /** The notifier of an effect: the support desk's surface for the support effects (`supportDesk`), else the run's. */
  protected notifierOf(run: Run, effect: Effect): ChatNotifier | undefined {
    const desk = this.deps.supportDesk;
    if (desk && desk !== run.surface && isSupportEffect(effect)) return this.deps.notifiers[desk];
    return this.deps.notifiers[run.surface];
  }

  protected async notify(run: Run, effect: Effect, throwOnError = false, delivery?: Delivery): Promise<void> {
    const notifier = this.notifierOf(run, effect);
    if (!notifier) {
      if (throwOnError) throw new Error(`no notifier for surface ${run.surface}`);
      return;
    }
    try {
      await (delivery ? notifier.deliver(run, effect, delivery) : notifier.deliver(run, effect));
    } catch (err) {
      if (throwOnError) throw err;
      this.deps.logger.warn({ runId: run.id, effect: effect.type, err: errorSummary(err) }, 'notice not delivered');
    }
  }

  /**
   * Checks an operation that has no run yet (`start`) or only reads (`status`). A refusal is
   * logged as a warning with the actor (there is no run whose audit trail could hold it).
   */
  authorize(who: Principal, what: AccessOperation): Outcome<true> {
    const decision = this.access.decide(who, what);
    if (decision.allowed) return ok(true);
    this.deps.logger.warn(
      { surface: who.surface, actorId: who.actor.id, op: what.op, outcome: 'refused:not_permitted', rule: decision.rule },
      'access refused',
    );
    return fail({ code: 'not_permitted', rule: decision.rule });
  }

  /** The refusal (audited on the run) when the policy refuses `what`, else null. */
  protected async deny(run: Run, who: Principal, what: AccessOperation, action: string): Promise<Outcome<Run> | null> {
    const decision = (await this.outsideTheDesk(run, who, what))
      ? ({ allowed: false, rule: 'support' } as const)
      : this.access.decide(who, what);
    if (decision.allowed) return null;
    this.deps.logger.warn(
      { runId: run.id, surface: who.surface, actorId: who.actor.id, action, rule: decision.rule },
      'access refused (audited on the run)',
    );
    return this.refuse(run, { code: 'not_permitted', rule: decision.rule }, who.actor, who.surface, action);
  }

  protected async refuse(run: Run, refusal: Refusal, actor: Actor, surface: Surface, action: string): Promise<Outcome<Run>> {
    await this.deps.store
      .appendAudit([{ runId: run.id, at: this.now(), actor, surface, action, step: run.currentStep, outcome: `refused:${refusal.code}` }])
      .catch((err: unknown) => this.deps.logger.warn({ runId: run.id, err: errorSummary(err) }, 'audit of a refusal failed'));
    return fail({ code: 'refused', refusal, run });
  }

  protected internal<T>(err: unknown, context: Record<string, unknown>): Outcome<T> {
    const correlationId = this.correlationId();
    if (err instanceof StoreUnavailableError) {
      this.deps.logger.warn(
        { ...context, correlationId, err: err.message },
        'run store unavailable: the user is told to try again in a moment',
      );
      return fail({ code: 'internal', correlationId, unavailable: true });
    }
    this.deps.logger.error({ ...context, correlationId, err: errorSummary(err) }, 'internal error');
    return fail({ code: 'internal', correlationId });
  }
}
