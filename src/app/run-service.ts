/**
 * The run service: load -> transition -> save (compare-and-set, with audit and outbox in the same
 * write) -> deliver the outbox. Every surface calls this one entry point; it never touches a
 * platform library. Errors the user should see come back as `ServiceError` values, not throws.
 */
import { type ActionId, ACTION_IDS, type StepId, type Surface } from '../domain/ids';
import { type AccessOperation, AccessPolicy, type Principal } from './access';
import type { RunDetails } from '../domain/schemas';
import { isDeliveryBlocked, type ChatNotifier, type Delivery } from '../ports/chat-notifier.port';
import { type Clock, type IdSource, isoNow } from '../ports/clock.port';
import type { Logger } from '../ports/logger.port';
import {
  type AuditEntry,
  DuplicateOpenRunError,
  type RunStore,
  StoreUnavailableError,
  VersionConflictError,
} from '../ports/run-store.port';
import type { SecutixCredentials } from '../ports/secutix.port';
import { overallOutcome } from '../workflow/outcome';
import { stepDefinition } from '../workflow/steps';
import { createRun, transition } from '../workflow/transition';
import type {
  Actor,
  AnswerChanges,
  AnswerField,
  Effect,
  NotPermittedRule,
  Refusal,
  ReminderSettings,
  Run,
  RunEvent,
  VerificationProgress,
  VerificationReport,
} from '../workflow/types';
import { ProgressPacer } from './verification-progress';

/** What the user is told when an operation does not go through (rendered by `describeError`). */
export type ServiceError =
  | { code: 'refused'; refusal: Refusal; run: Run }
  | { code: 'unknown_run'; runId: string }
  | { code: 'other_surface'; run: Run }
  | { code: 'duplicate_run'; run: Run }
  | { code: 'conflict'; run: Run }
  | { code: 'verification_running'; run: Run }
  /** An access refusal without a run (`start`, `status`); refusals about a run are `refused` / `not_permitted`. */
  | { code: 'not_permitted'; rule: NotPermittedRule }
  /** `unavailable`: the run store could not be reached (nothing changed; try again in a moment). */
  | { code: 'internal'; correlationId: string; unavailable?: true };

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ServiceError };

/** The verification of step 9 (`src/app/verification.ts` bound to a SecuTix client). Never throws for SecuTix failures. */
export type Verifier = (req: {
  credentials: SecutixCredentials;
  contingentIds: number[];
  contactNumber?: string;
  checkEvents: boolean;
  checkPasses: boolean;
  locale?: string;
  /** Progress as checks finish and while SecuTix extracts the catalog. */
  onProgress?: (p: VerificationProgress) => void;
}) => Promise<VerificationReport>;

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
}

/** Default `saveRetryDelaysMs`: 1, 2, 4, 8 s (five attempts over about 15 s). */
export const SAVE_RETRY_DELAYS_MS: readonly number[] = [1000, 2000, 4000, 8000];

/** Default attempts of one delivery: with the growing pause (2 s ... 5 min), about 10 minutes of trying. */
export const DEFAULT_MAX_DELIVERY_ATTEMPTS = 10;

/** The actor of what the reminder poller does (audit trail). */
export const REMINDER_ACTOR: Actor = { id: 'system:reminders', name: 'Reminders' };

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
  answers: AnswerChanges;
}

/** True when `o` failed because the run store did not answer ("try again in a moment"). */
const isUnavailable = (o: Outcome<unknown>): boolean => !o.ok && o.error.code === 'internal' && o.error.unavailable === true;

const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });
const fail = <T>(error: ServiceError): Outcome<T> => ({ ok: false, error });

/** Ref key of the marker of a verification under way (`{ at, by }`, null when none). */
const VERIFYING_REF = 'core.verifying';

/** How many times a compare-and-set conflict is retried against the fresh run before giving up. */
const CAS_ATTEMPTS = 3;

export class RunService {
  private readonly draining = new Map<string, Promise<void>>();
  private readonly verifying = new Set<string>();
  /** Outbox item id -> earliest time (ms) a poll retries it after a failed delivery. */
  private readonly retryAt = new Map<number, number>();
  /** The access policy every operation is checked against (surfaces use it to shape `help`). */
  readonly access: AccessPolicy;

  constructor(private readonly deps: RunServiceDeps) {
    this.access = deps.access ?? AccessPolicy.open();
  }

  private now(): string {
    return isoNow(this.deps.clock);
  }

  private correlationId(): string {
    return `E${this.deps.clock.nowMs().toString(36).toUpperCase()}${Math.floor(Math.random() * 1e6)
      .toString(36)
      .toUpperCase()}`;
  }

  /** The reminder settings for runs of `surface` (undefined: that surface gets no reminders). */
  private remindersFor(surface: Surface): ReminderSettings | undefined {
    const r = this.deps.reminders;
    if (!r || !(r.surfaces ?? ['slack', 'teams']).includes(surface)) return undefined;
    return { remindAfterHours: r.remindAfterHours, supportRemindAfterHours: r.supportRemindAfterHours };
  }

  /** Loads a run that belongs to `surface`. */
  async load(runId: string, surface?: Surface): Promise<Outcome<Run>> {
    const run = await this.deps.store.get(runId);
    if (!run) return fail({ code: 'unknown_run', runId });
    if (surface && run.surface !== surface) return fail({ code: 'other_surface', run });
    return ok(run);
  }

  /** Open runs of the surface, optionally only those started by `startedById`, newest first. */
  async openRuns(surface: Surface, startedById?: string): Promise<Run[]> {
    return this.deps.store.list({ surface, status: 'open', ...(startedById ? { startedById } : {}) });
  }

  /**
   * Starts a run from the start form's details. A second run for the same institution and
   * channel code while one is open is refused with `duplicate_run` (pointing at the open run).
   */
  async start(input: {
    surface: Surface;
    channelId: string;
    actor: Actor;
    principals?: string[];
    details: RunDetails;
  }): Promise<Outcome<Run>> {
    const allowed = this.authorize(input, { op: 'start' });
    if (!allowed.ok) return allowed;
    const at = this.now();
    const { run, effects } = createRun({
      id: this.deps.ids.runId(),
      surface: input.surface,
      channelId: input.channelId,
      details: input.details,
      actor: input.actor,
      at,
      reminders: this.remindersFor(input.surface),
    });
    const audit: AuditEntry = {
      runId: run.id,
      at,
      actor: input.actor,
      surface: input.surface,
      action: 'start',
      step: null,
      outcome: 'ok',
      details: { institutionCode: run.details.institutionCode, channelCode: run.details.channelCode, language: run.details.language },
    };
    try {
      await this.deps.store.create(run, [audit], effects);
    } catch (err) {
      if (err instanceof DuplicateOpenRunError) {
        const [open] = await this.deps.store.list({
          status: 'open',
          institutionCode: err.institutionCode,
          channelCode: err.channelCode,
          limit: 1,
        });
        if (open) return fail({ code: 'duplicate_run', run: open });
      }
      return this.internal(err, { op: 'start' });
    }
    this.deps.logger.info({ runId: run.id, surface: run.surface, institution: run.details.institutionCode }, 'run started');
    await this.drain(run.id);
    return ok(run);
  }

  /**
   * Checks that `action` on `step` may be taken now, without changing anything: used before a
   * surface opens a form (contingents, contact, password, skip reason). With `actor`, also checks
   * the access policy (refusal `not_permitted`, audited), so a refused user never sees the form;
   * the change itself is checked again by `act` / `verify`.
   */
  async precheck(input: {
    runId: string;
    step: StepId;
    action: ActionId;
    surface: Surface;
    actor?: Actor;
    principals?: string[];
  }): Promise<Outcome<Run>> {
    const loaded = await this.load(input.runId, input.surface);
    if (!loaded.ok) return loaded;
    const run = loaded.value;
    if (input.actor) {
      const who = { surface: input.surface, actor: input.actor, ...(input.principals ? { principals: input.principals } : {}) };
      const denied = await this.deny(run, who, operationOf(input.action, run), input.action);
      if (denied) return denied;
    }
    if (run.status !== 'open' || run.currentStep !== input.step) {
      const probe = transition(run, { type: 'resume', actor: { id: '-' }, at: this.now() });
      const refusal: Refusal =
        run.status !== 'open'
          ? probe.ok
            ? { code: 'run_not_open' }
            : probe.refusal
          : {
              code: 'stale_step',
              last: { by: run.steps[input.step].by, at: run.steps[input.step].at, state: run.steps[input.step].state, step: input.step },
            };
      return fail({ code: 'refused', refusal, run });
    }
    if (!stepDefinition(input.step).actions.includes(input.action)) {
      return fail({ code: 'refused', refusal: { code: 'not_allowed_here' }, run });
    }
    return ok(run);
  }

  /** Applies a button or form action (`step_done`, `step_skip`, `password_assigned`, `verify_skip`, `email_sent`, `run_cancel`). */
  async act(input: ActionInput): Promise<Outcome<Run>> {
    const at = this.now();
    const event = this.eventOf(input, at);
    if (!event) {
      const loaded = await this.load(input.runId, input.surface);
      if (!loaded.ok) return loaded;
      return this.refuse(loaded.value, { code: 'not_allowed_here' }, input.actor, input.surface, input.action);
    }
    return this.apply(input.runId, input.surface, event, input.actor, input.action, {
      who: input,
      operation: (run) => operationOf(input.action, run),
    });
  }

  /** Posts the current step again (`resume`). */
  async resume(input: { runId: string; actor: Actor; surface: Surface; principals?: string[] }): Promise<Outcome<Run>> {
    // When the current step's message was never posted (it waits in the outbox, e.g. the bot was
    // not in the channel), delivering it is the resume: posting a second copy would double it.
    const loaded = await this.load(input.runId, input.surface);
    if (loaded.ok && loaded.value.currentStep) {
      const step = loaded.value.currentStep;
      const pending = await this.deps.store.pendingOutbox(100, input.runId);
      if (pending.some((p) => p.effect.type === 'step_prompt' && p.effect.step === step)) {
        const allowed = this.access.decide(
          { surface: input.surface, actor: input.actor, principals: input.principals ?? [] },
          { op: 'resume' },
        );
        if (allowed.allowed) {
          await this.drain(input.runId);
          return ok((await this.deps.store.get(input.runId)) ?? loaded.value);
        }
      }
    }
    return this.apply(input.runId, input.surface, { type: 'resume', actor: input.actor, at: this.now() }, input.actor, 'resume', {
      who: input,
      operation: () => ({ op: 'resume' }),
    });
  }

  /**
   * Runs the verification with the operator password (kept in memory for this call only), then
   * records the report: all passed moves the run to `email_draft`, any failure keeps it at
   * `verification` with the report and the retry buttons.
   */
  async verify(input: { runId: string; actor: Actor; surface: Surface; principals?: string[]; password: string }): Promise<Outcome<Run>> {
    const pre = await this.precheck({
      runId: input.runId,
      step: 'verification',
      action: ACTION_IDS.verifyStart,
      surface: input.surface,
      actor: input.actor,
      ...(input.principals ? { principals: input.principals } : {}),
    });
    if (!pre.ok) return pre;
    const run = pre.value;
    // The password is never kept as an answer: an answer equal to it is erased before anything else.
    const leaked = answersEqualTo(run, input.password);
    if (leaked.length > 0) return this.eraseAnswers(run, leaked, input);
    if (run.erasedAnswers?.length) return this.refuse(run, { code: 'input_required' }, input.actor, input.surface, 'verify');
    if (this.verifying.has(run.id)) return fail({ code: 'verification_running', run });
    this.verifying.add(run.id);
    let report: VerificationReport;
    const notifier = this.deps.notifiers[run.surface];
    const pacer = notifier?.progress
      ? new ProgressPacer({
          send: (p) => notifier.progress!(run, p),
          clock: this.deps.clock,
          ...this.deps.progress,
          onError: (err) => this.deps.logger.warn({ runId: run.id, err: errorSummary(err) }, 'verification progress not shown'),
        })
      : undefined;
    // A durable marker: if the process dies mid-verification, `recoverInterruptedVerifications`
    // tells the operator to verify again (nothing was recorded; the buttons still work).
    await this.deps.store.putRef(run.id, VERIFYING_REF, { at: this.now(), by: input.actor });
    let final: VerificationProgress | undefined;
    try {
      if (!pacer) await this.notify(run, { type: 'notice', code: 'verifying' });
      report = await this.deps.verifier({
        credentials: { institutionCode: run.details.institutionCode, channelCode: run.details.channelCode, password: input.password },
        contingentIds: run.contingentIds,
        ...(run.contactNumber ? { contactNumber: run.contactNumber } : {}),
        checkEvents: run.steps.event_products.state !== 'skipped',
        checkPasses: run.steps.pass_products.state !== 'skipped',
        locale: run.details.language,
        ...(pacer
          ? {
              onProgress: (p: VerificationProgress) => {
                if (p.done) final = p;
                else pacer.update(p);
              },
            }
          : {}),
      });
    } catch (err) {
      pacer?.stop();
      return this.internal(err, { op: 'verify', runId: run.id });
    } finally {
      this.verifying.delete(run.id);
      await this.deps.store.putRef(run.id, VERIFYING_REF, null).catch(() => undefined);
    }
    this.deps.logger.info(
      {
        runId: run.id,
        passed: report.passed,
        toConfirm: report.toConfirm ?? false,
        durationMs: report.durationMs,
        checks: Object.fromEntries(report.checks.map((c) => [c.id, c.outcome])),
      },
      'verification finished',
    );
    const event: RunEvent = { type: 'verification_result', report, actor: input.actor, at: this.now() };
    const save = (): Promise<Outcome<Run>> =>
      this.apply(run.id, input.surface, event, input.actor, 'verify', { who: input, operation: () => ({ op: 'verify' }) }).catch(
        (err: unknown) => this.internal<Run>(err, { op: 'verify', runId: run.id }),
      );
    let result = await save();
    // The database did not answer: the report exists only in memory. Try again after growing
    // pauses; if it still cannot be saved, say so (never that it passed) and ask to verify again.
    const delays = this.deps.saveRetryDelaysMs ?? SAVE_RETRY_DELAYS_MS;
    for (let i = 0; i < delays.length && isUnavailable(result); i++) {
      this.deps.logger.warn(
        { runId: run.id, attempt: i + 1, retryInMs: delays[i] },
        'the verification result could not be saved (run store unavailable): retrying',
      );
      await new Promise((resolve) => setTimeout(resolve, delays[i]));
      result = await save();
    }
    if (isUnavailable(result)) {
      this.deps.logger.error(
        { runId: run.id, attempts: delays.length + 1, passed: report.passed },
        'the verification result could not be saved: the operator is told to verify again',
      );
      if (pacer)
        await pacer.finish({ checks: report.checks.map((c) => ({ id: c.id, state: c.outcome })), done: true, outcome: 'not_saved' });
      return result;
    }
    // The report is out: the progress message now points to it (never left saying "Verifying").
    if (pacer) {
      const done: VerificationProgress = final ?? {
        checks: report.checks.map((c) => ({ id: c.id, state: c.outcome })),
        done: true,
        outcome: report.passed ? 'passed' : overallOutcome(report.checks),
      };
      await pacer.finish(done);
    }
    return result;
  }

  /**
   * The password guard: `fields` hold the typed password. They are erased from the run's audit
   * trail and outbox (`RunStore.eraseValues`) and from the run, and the operator is asked to enter
   * them again. Nothing says or logs the value.
   */
  private async eraseAnswers(
    run: Run,
    fields: AnswerField[],
    input: { actor: Actor; surface: Surface; principals?: string[]; password: string },
  ): Promise<Outcome<Run>> {
    const forms = erasableForms(run, fields);
    // The run first (its answers emptied), then every audit and outbox row that held them: the
    // store's erase also drops old copies it keeps (SQLite's write-ahead log).
    const erased = await this.apply(
      run.id,
      input.surface,
      { type: 'answers_erase', fields, actor: input.actor, at: this.now() },
      input.actor,
      'answers_erase',
      { who: input, operation: () => ({ op: 'verify' }) },
    );
    try {
      await this.deps.store.eraseValues(run.id, forms);
    } catch (err) {
      return this.internal(err, { op: 'erase_answers', runId: run.id });
    }
    this.deps.logger.info({ runId: run.id, fields }, 'a recorded answer equalled the operator password: erased, to be entered again');
    return erased;
  }

  /** Whether a verification of `runId` is under way in this process (a form that changes answers says so on its fields). */
  verificationRunning(runId: string): boolean {
    return this.verifying.has(runId);
  }

  /** `onboard_answers`: changes the recorded contingents and contact (audited with old and new values); the verification step is offered again. */
  async editAnswers(input: AnswersInput): Promise<Outcome<Run>> {
    // A verification under way checks the answers it started with: changing them now would let
    // its result carry answers it never checked. Refused until it ends.
    if (this.verifying.has(input.runId)) {
      const loaded = await this.load(input.runId, input.surface);
      if (!loaded.ok) return loaded;
      return fail({ code: 'verification_running', run: loaded.value });
    }
    return this.apply(
      input.runId,
      input.surface,
      { type: 'answers_edit', answers: input.answers, actor: input.actor, at: this.now() },
      input.actor,
      ACTION_IDS.answersEdit,
      { who: input, operation: () => ({ op: 'step' }) },
    );
  }

  /**
   * Tells the operator of each run whose verification was interrupted (the process died while it
   * ran, leaving its marker older than `olderThanMs` ms) that nothing was recorded and to verify
   * again; clears the marker. With one process (SQLite) any marker found at start is stale (0);
   * with replicas, use an age no verification can reach (a few minutes). `onlyRunId`: that run only
   * (the console, when it resumes a run). Each one's progress message is closed as interrupted.
   * @returns the ids of the runs told.
   */
  async recoverInterruptedVerifications(olderThanMs: number, onlyRunId?: string): Promise<string[]> {
    const now = this.deps.clock.nowMs();
    const told: string[] = [];
    for (const run of await this.deps.store.list({ status: 'open', limit: 500 })) {
      if (onlyRunId !== undefined && run.id !== onlyRunId) continue;
      if (run.currentStep !== 'verification' || this.verifying.has(run.id)) continue;
      const marker = (await this.deps.store.getRefs(run.id))[VERIFYING_REF] as { at?: string } | null | undefined;
      if (!marker?.at || now - Date.parse(marker.at) < olderThanMs) continue;
      await this.deps.store.putRef(run.id, VERIFYING_REF, null);
      // Its progress message (posted by the dead process) is closed plainly: never left "Verifying...".
      await this.deps.notifiers[run.surface]?.progress?.(run, { checks: [], done: true, interrupted: true });
      await this.notify(run, { type: 'notice', code: 'verification_interrupted' });
      this.deps.logger.warn(
        { runId: run.id, startedAt: marker.at },
        'an interrupted verification was found: the operator is asked to verify again',
      );
      told.push(run.id);
    }
    return told;
  }

  /** Delivers the pending outbox items of a run (or of every run), in order, one drain per run at a time. */
  async drain(runId?: string): Promise<void> {
    if (!runId) {
      const pending = await this.deps.store.pendingOutbox(1000);
      const ids = [...new Set(pending.map((p) => p.runId))];
      for (const id of ids) await this.drain(id);
      return;
    }
    const previous = this.draining.get(runId) ?? Promise.resolve();
    const next = previous
      .then(() => this.drainRun(runId))
      .catch((err: unknown) => {
        this.deps.logger.error({ runId, err: errorSummary(err) }, 'outbox drain failed');
      });
    this.draining.set(runId, next);
    await next;
    if (this.draining.get(runId) === next) this.draining.delete(runId);
  }

  private async drainRun(runId: string): Promise<void> {
    // One process at a time delivers a run's outbox: with several replicas on one database, the
    // others skip it (the holder, or the next poll, delivers what is left).
    const outcome = await this.deps.store.tryExclusive(`outbox:${runId}`, () => this.deliverPending(runId));
    if (!outcome.ran) this.deps.logger.debug({ runId }, 'outbox of this run is being delivered by another process');
  }

  private async deliverPending(runId: string): Promise<void> {
    const items = await this.deps.store.pendingOutbox(100, runId);
    if (items.length === 0) return;
    const run = await this.deps.store.get(runId);
    if (!run) return;
    for (const item of items) {
      try {
        await this.notify(run, item.effect, true, { id: item.id, attempt: item.attempts + 1 });
        await this.deps.store.markDelivered(item.id);
        this.retryAt.delete(item.id);
      } catch (err) {
        if (isDeliveryBlocked(err)) {
          // Not retried in a loop, not counted as a failed attempt: kept in the outbox until
          // releaseBlocked() (e.g. a reinstall).
          const already = this.retryAt.get(item.id) === Number.POSITIVE_INFINITY;
          this.retryAt.set(item.id, Number.POSITIVE_INFINITY);
          if (!already)
            this.deps.logger.warn(
              { runId, effect: item.effect.type, reason: err.reason, err: errorSummary(err) },
              'delivery blocked: kept in the outbox, not retried until the surface is available again',
            );
          return;
        }
        const error = errorSummary(err);
        const attempts = item.attempts + 1;
        if (attempts >= (this.deps.maxDeliveryAttempts ?? DEFAULT_MAX_DELIVERY_ATTEMPTS)) {
          // Given up: the operator is told, and the run's later messages are not held behind it.
          await this.deps.store.markAbandoned(item.id, error);
          this.retryAt.delete(item.id);
          this.deps.logger.error({ runId, effect: item.effect.type, attempts, err: error }, 'delivery given up after repeated failures');
          await this.deps.notifiers[run.surface]
            ?.deliveryAbandoned?.(run, item.effect, { error, attempts })
            .catch((e: unknown) =>
              this.deps.logger.warn({ runId, err: errorSummary(e) }, 'could not tell the operator about a delivery given up'),
            );
          continue;
        }
        await this.deps.store.markFailed(item.id, error);
        // Polls retry it after a growing pause (2 s, 4 s ... at most 5 minutes).
        this.retryAt.set(item.id, this.deps.clock.nowMs() + Math.min(2 ** Math.min(item.attempts + 1, 8) * 1000, 300_000));
        this.deps.logger.warn({ runId, effect: item.effect.type, err: errorSummary(err) }, 'delivery failed; kept in the outbox');
        return; // keep the order: later items wait for this one
      }
    }
  }

  /**
   * Delivers what is pending, periodically (every `intervalMs` ms): messages whose delivery failed
   * (retried after a growing pause), and those another replica left. Returns a function that stops it.
   */
  startPolling(intervalMs: number): () => void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void this.pollOnce()
        .catch((err: unknown) => this.deps.logger.error({ err: errorSummary(err) }, 'outbox poll failed'))
        .finally(() => {
          busy = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Sends every reminder that is due now (`RunStore.listDue`, oldest due first, at most `limit`):
   * per run, the `reminder_due` transition saved with compare-and-set, then its outbox drained. A
   * run another replica reminded first (version conflict) or that moved on since it was listed
   * (nothing due any more) is skipped silently. Never throws for one run's failure (logged).
   * @returns the ids of the runs reminded by this call.
   */
  async fireDueReminders(limit = 100): Promise<string[]> {
    const at = this.now();
    const due = await this.deps.store.listDue(at, limit);
    const fired: string[] = [];
    for (const run of due) {
      const settings = this.remindersFor(run.surface);
      const result = transition(run, { type: 'reminder_due', at }, settings);
      if (!result.ok) continue;
      const effect = result.effects.find((e) => e.type === 'reminder');
      const audit: AuditEntry = {
        runId: run.id,
        at,
        actor: REMINDER_ACTOR,
        surface: run.surface,
        action: 'reminder_due',
        step: run.currentStep,
        outcome: 'ok',
        ...(effect?.type === 'reminder' ? { details: { kind: effect.kind, count: effect.count } } : {}),
      };
      try {
        await this.deps.store.save(result.run, run.version, [audit], result.effects);
      } catch (err) {
        if (err instanceof VersionConflictError) {
          this.deps.logger.debug({ runId: run.id }, 'reminder already handled elsewhere (version conflict): dropped');
        } else {
          this.deps.logger.error({ runId: run.id, err: errorSummary(err) }, 'reminder not saved');
        }
        continue;
      }
      this.deps.logger.info(
        { runId: run.id, kind: effect?.type === 'reminder' ? effect.kind : undefined, step: run.currentStep, dueAt: run.reminder?.dueAt },
        'reminder sent',
      );
      fired.push(run.id);
      await this.drain(run.id);
    }
    return fired;
  }

  /**
   * Calls `fireDueReminders` every `intervalMs` ms (one call at a time). Returns a function that
   * stops it. The composition root starts it in server mode.
   */
  startReminders(intervalMs: number): () => void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void this.fireDueReminders()
        .catch((err: unknown) => this.deps.logger.error({ err: errorSummary(err) }, 'reminder poll failed'))
        .finally(() => {
          busy = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Makes the deliveries that were blocked (`DeliveryBlockedError`) due again and delivers what is
   * pending (after a reinstall). @returns how many blocked items were released.
   */
  async releaseBlocked(): Promise<number> {
    let n = 0;
    for (const [id, at] of this.retryAt)
      if (at === Number.POSITIVE_INFINITY) {
        this.retryAt.delete(id);
        n += 1;
      }
    await this.drain();
    return n;
  }

  /** One poll: drains each run with a pending item that is due (not waiting for its retry pause). */
  async pollOnce(): Promise<void> {
    const now = this.deps.clock.nowMs();
    const pending = await this.deps.store.pendingOutbox(1000);
    // Items come oldest first; a run's first pending item decides (later ones wait behind it).
    const first = new Map<string, number>();
    for (const item of pending) if (!first.has(item.runId)) first.set(item.runId, item.id);
    for (const [runId, itemId] of first) if ((this.retryAt.get(itemId) ?? 0) <= now) await this.drain(runId);
  }

  private async notify(run: Run, effect: Effect, throwOnError = false, delivery?: Delivery): Promise<void> {
    const notifier = this.deps.notifiers[run.surface];
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

  private eventOf(input: ActionInput, at: string): RunEvent | null {
    const base = { actor: input.actor, at };
    switch (input.action) {
      case ACTION_IDS.stepDone:
        return {
          type: 'step_done',
          step: input.step,
          ...base,
          ...(input.contingentIds ? { contingentIds: input.contingentIds } : {}),
          ...(input.contactNumber ? { contactNumber: input.contactNumber } : {}),
        };
      case ACTION_IDS.stepSkip:
        return { type: 'step_skip', step: input.step, ...base };
      case ACTION_IDS.passwordAssigned:
        return input.step === 'password_request' ? { type: 'password_assigned', ...base } : null;
      case ACTION_IDS.verifySkip:
        return input.step === 'verification' ? { type: 'verify_skip', reason: input.reason ?? '', ...base } : null;
      case ACTION_IDS.verifyConfirm:
        return input.step === 'verification' ? { type: 'verify_confirm', ...base } : null;
      case ACTION_IDS.emailSent:
        return input.step === 'email_draft' ? { type: 'email_sent', ...base } : null;
      case ACTION_IDS.runCancel:
        return { type: 'cancel', step: input.step, ...base };
      case ACTION_IDS.reminderSnooze:
        return { type: 'reminder_snooze', step: input.step, ...base };
      default:
        return null;
    }
  }

  /** load -> transition -> compare-and-set save (retried on conflict against the fresh run) -> drain. */
  private async apply(
    runId: string,
    surface: Surface,
    event: RunEvent,
    actor: Actor,
    action: string,
    guard: { who: Principal; operation: (run: Run) => AccessOperation },
  ): Promise<Outcome<Run>> {
    for (let attempt = 1; attempt <= CAS_ATTEMPTS; attempt++) {
      const loaded = await this.load(runId, surface);
      if (!loaded.ok) return loaded;
      const current = loaded.value;
      const denied = await this.deny(current, guard.who, guard.operation(current), action);
      if (denied) return denied;
      const result = transition(current, event, this.remindersFor(current.surface));
      if (!result.ok) return this.refuse(current, result.refusal, actor, surface, action);
      const audit: AuditEntry = {
        runId,
        at: event.at,
        actor,
        surface,
        action,
        step: current.currentStep,
        outcome: 'ok',
        details: auditDetails(event, current, result.effects),
      };
      try {
        await this.deps.store.save(result.run, current.version, [audit], result.effects);
      } catch (err) {
        if (err instanceof VersionConflictError && attempt < CAS_ATTEMPTS) continue;
        if (err instanceof VersionConflictError) return fail({ code: 'conflict', run: current });
        return this.internal(err, { op: action, runId });
      }
      this.deps.logger.info(
        { runId, action, step: current.currentStep, next: result.run.currentStep, version: result.run.version },
        'run advanced',
      );
      await this.drain(runId);
      return ok(result.run);
    }
    return this.internal(new Error('unreachable'), { op: action, runId });
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
  private async deny(run: Run, who: Principal, what: AccessOperation, action: string): Promise<Outcome<Run> | null> {
    const decision = this.access.decide(who, what);
    if (decision.allowed) return null;
    this.deps.logger.warn(
      { runId: run.id, surface: who.surface, actorId: who.actor.id, action, rule: decision.rule },
      'access refused (audited on the run)',
    );
    return this.refuse(run, { code: 'not_permitted', rule: decision.rule }, who.actor, who.surface, action);
  }

  private async refuse(run: Run, refusal: Refusal, actor: Actor, surface: Surface, action: string): Promise<Outcome<Run>> {
    await this.deps.store
      .appendAudit([{ runId: run.id, at: this.now(), actor, surface, action, step: run.currentStep, outcome: `refused:${refusal.code}` }])
      .catch((err: unknown) => this.deps.logger.warn({ runId: run.id, err: errorSummary(err) }, 'audit of a refusal failed'));
    return fail({ code: 'refused', refusal, run });
  }

  private internal<T>(err: unknown, context: Record<string, unknown>): Outcome<T> {
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

/** What the audit trail keeps of an event (never a password). */
function auditDetails(event: RunEvent, before: Run, effects: Effect[]): Record<string, unknown> | undefined {
  if (event.type === 'verify_confirm') {
    // Who confirmed which values: each check to confirm, with the values SecuTix showed.
    const confirmed = (before.verification?.checks ?? [])
      .filter((c) => c.outcome === 'to_confirm')
      .map((c) => ({ check: c.id, ...(c.reason ? { code: c.reason.code, ...(c.reason.params ?? {}) } : {}) }));
    return { confirmed, reportAt: before.verification?.at ?? null };
  }
  if (event.type === 'answers_edit') {
    const changed = effects.find((e) => e.type === 'answers_changed');
    return { changes: changed?.type === 'answers_changed' ? changed.changes : [] };
  }
  return auditDetailsOf(event);
}

function auditDetailsOf(event: RunEvent): Record<string, unknown> | undefined {
  switch (event.type) {
    case 'step_done':
      return event.contingentIds
        ? { contingentIds: event.contingentIds }
        : event.contactNumber
          ? { contactNumber: event.contactNumber }
          : undefined;
    case 'verification_result':
      return {
        passed: event.report.passed,
        posId: event.report.posId ?? null,
        ...(event.report.timeZone ? { timeZone: event.report.timeZone } : {}),
        checks: Object.fromEntries(event.report.checks.map((c) => [c.id, c.reason ? `${c.outcome}:${c.reason.code}` : c.outcome])),
      };
    case 'verify_skip':
      return { reason: event.reason };
    case 'verify_confirm':
      // Which values were confirmed is added by `apply` from the run's last report.
      return undefined;
    case 'answers_edit':
      return { changed: Object.keys(event.answers) };
    case 'answers_erase':
      return { erased: event.fields };
    default:
      return undefined;
  }
}

/** A log-safe summary of an error: its class, code and message (no request objects, no headers). */
export function errorSummary(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${err.name}${typeof code === 'string' ? `(${code})` : ''}: ${err.message}`.slice(0, 500);
  }
  return String(err).slice(0, 500);
}

/** The forms in which an answer may have been typed (the password guard compares and erases all of them). */
function answerForms(run: Run, field: AnswerField): string[] {
  switch (field) {
    case 'contingentIds':
      return run.contingentIds.length ? [run.contingentIds.join(', '), run.contingentIds.join(','), run.contingentIds.join(' ')] : [];
    case 'contactNumber':
      return run.contactNumber ? [run.contactNumber] : [];
    default:
      return run.details[field] ? [run.details[field]] : [];
  }
}

/** The recorded answers equal to `password` (case-insensitive for names and email, ignoring the separators of a contingents list). */
export function answersEqualTo(run: Run, password: string): AnswerField[] {
  const typed = password.trim();
  if (typed.length === 0) return [];
  const asList = /^[0-9][0-9\s,;]*$/.test(typed)
    ? typed
        .split(/[\s,;]+/)
        .filter(Boolean)
        .map(Number)
        .join(',')
    : undefined;
  const out: AnswerField[] = [];
  if (run.contingentIds.length && asList !== undefined && asList === run.contingentIds.join(',')) out.push('contingentIds');
  if (run.contactNumber && run.contactNumber.toLowerCase() === typed.toLowerCase()) out.push('contactNumber');
  for (const f of ['institutionName', 'digitickContactName', 'digitickContactEmail'] as const) {
    const v = run.details[f];
    if (v && v.toLowerCase() === typed.toLowerCase()) out.push(f);
  }
  return out;
}

/** Every stored form of the erased answers (a contingents list in each separator style). */
function erasableForms(run: Run, fields: AnswerField[]): string[] {
  return [...new Set(fields.flatMap((f) => answerForms(run, f)))];
}
