/**
 * Run state, events and effects of the onboarding workflow (pure data, JSON round-trips).
 * Times are ISO-8601 strings in UTC.
 */
import type { StepId, Surface } from '../domain/ids';
import type { RunDetails } from '../domain/schemas';

/** Who acted: the platform user id (Slack user id, Teams AAD object id, console user). */
export interface Actor {
  id: string;
  /** Display name when the surface knows it. */
  name?: string;
  /**
   * The organisation they acted from (`src/domain/org.ts`), recorded in multi-organisation mode:
   * a surface names people of another organisation in plain text (a mention of another Slack
   * workspace's user means nothing there). Absent in single-workspace mode.
   */
  org?: string;
}

/** `open` until completed or cancelled. */
export type RunStatus = 'open' | 'completed' | 'cancelled';

/**
 * How a step stands on the progress card. `to_confirm`: the last verification found values it
 * does not know for this step (the operator confirms them, `verify_confirm`).
 */
export type StepState = 'todo' | 'current' | 'done' | 'skipped' | 'failed' | 'to_confirm';

/** One step's record: who moved it, when, and what was recorded. */
export interface StepRecord {
  state: StepState;
  by?: Actor;
  /** ISO time of the last change. */
  at?: string;
  /** Reason given for a skip (verification) or a failure code. */
  reason?: string;
}

/** The six checks of step 9 (`product.md`, "Verification"). */
export const CHECK_IDS = ['credentials', 'sales_channel', 'point_of_sale', 'event_products', 'pass_products', 'technical_contact'] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/** A localisable explanation: a message key (`check.reason.*`, `check.warning.*`) and its values. */
export interface Reason {
  code: string;
  params?: Record<string, string | number>;
}

/**
 * One check's outcome (`secutix-api.md`, "Three outcomes per check"): `failed` only on values
 * known to be bad; `to_confirm` when SecuTix answered something the assistant does not know (the
 * reason names the values seen); `skipped` when not checked on purpose; `not_checked` when
 * SecuTix could not answer in time (e.g. the catalog extraction outlasted
 * `SECUTIX_EXTRACTION_TIMEOUT_MS`): nothing is known to be broken, the verification is to run
 * again. `warnings` names products without availability.
 */
export type CheckOutcome = 'passed' | 'failed' | 'skipped' | 'to_confirm' | 'not_checked';

/** One check's result. */
export interface CheckResult {
  id: CheckId;
  outcome: CheckOutcome;
  reason?: Reason;
  /**
   * Further reasons of a `to_confirm` check, after `reason`: one check may see several values it
   * does not know (an unknown running flag and unknown payment types), and the report names them all.
   */
  moreReasons?: Reason[];
  warnings?: Reason[];
}

/** The verification report: every check, the `posId` (= `pointOfSalesId`) when credentials passed. */
export interface VerificationReport {
  checks: CheckResult[];
  /** `posId` from `getPOSConfig`, only when the `credentials` check passed. */
  posId?: number;
  /** True when every check passed or was skipped (none failed, none to confirm). */
  passed: boolean;
  /** True when no check failed and at least one is to confirm (`verify_confirm` is offered). */
  toConfirm?: boolean;
  /** True when no check failed and at least one could not be checked (`not_checked`): verify again. */
  notChecked?: boolean;
  /** ISO time the verification finished. */
  at: string;
  /** Wall time of the verification in ms. */
  durationMs?: number;
  /**
   * The institution's IANA time zone, `organizationTimeZone` of `getPOSConfig` (e.g.
   * `Europe/Paris`), when SecuTix gave it: the audit export shows local times in it.
   */
  timeZone?: string;
}

/** A durable run record. `version` increments on every saved transition (compare-and-set). */
export interface Run {
  id: string;
  version: number;
  surface: Surface;
  /** Where the run lives on its surface (Slack channel id, Teams conversation id, `console`). */
  channelId: string;
  details: RunDetails;
  status: RunStatus;
  /** The current step; null once completed or cancelled. */
  currentStep: StepId | null;
  steps: Record<StepId, StepRecord>;
  contingentIds: number[];
  contactNumber?: string;
  verification?: VerificationReport;
  /**
   * Answers erased because the password typed for a verification equalled them: they must be
   * entered again (`onboard_answers`) before the next verification. Absent when none.
   */
  erasedAnswers?: AnswerField[];
  /** Who started the run. */
  startedBy: Actor;
  /**
   * The organisation the run belongs to (`src/domain/org.ts`: `slack:<team>`, `teams:<tenant>`,
   * `console`), recorded at start when the surface knows it. Absent on runs stored before it was
   * recorded: in multi-organisation mode such a run belongs to no one (only support reaches it).
   */
  org?: string;
  /**
   * The next reminder of an open run (`src/messages/reminders.ts`): due time (ISO), whom it chases
   * (`operator`: the person who started the run, in its thread; `support`: SecuTix support about
   * the password request) and how many reminders of that kind were already sent for this step.
   * Absent when nothing is scheduled (reminders off, completed, cancelled, support gave up).
   */
  reminder?: ReminderState;
  /** Who ended it (completed or cancelled) and when. */
  endedBy?: Actor;
  endedAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** A run's next reminder (`Run.reminder`). */
export interface ReminderState {
  /** ISO time the reminder is due. */
  dueAt: string;
  kind: 'operator' | 'support';
  /** Reminders of this kind already sent for the current step (0 before the first). */
  count: number;
  /** Who snoozed the reminder now pending, and when: a second snooze changes nothing. */
  snoozed?: { by: Actor; at: string };
}

/**
 * Reminder delays, in hours (fractions allowed: 0.01 h = 36 s). Settings of the process
 * (`REMIND_AFTER_HOURS`, `SUPPORT_REMIND_AFTER_HOURS`), handed to the transition as an argument.
 * A delay of 0 turns that kind of reminder off.
 */
export interface ReminderSettings {
  /** A step with no action for this long reminds the person who started the run (default 24). */
  remindAfterHours: number;
  /** The password request reminds SecuTix support after this long (default 4), at most `SUPPORT_REMINDER_LIMIT` times. */
  supportRemindAfterHours: number;
}

/** How many support reminders a password request gets before the operator is told support has not answered. */
export const SUPPORT_REMINDER_LIMIT = 3;

/** How long the "Snooze 1 day" button pushes a reminder, in hours. */
export const SNOOZE_HOURS = 24;

/** Inputs to the pure transition. `at` is the ISO time of the event. */
export type RunEvent =
  | { type: 'step_done'; step: StepId; actor: Actor; at: string; contingentIds?: number[]; contactNumber?: string }
  | { type: 'step_skip'; step: StepId; actor: Actor; at: string }
  | { type: 'password_assigned'; actor: Actor; at: string }
  | { type: 'verification_result'; report: VerificationReport; actor: Actor; at: string }
  | { type: 'verify_skip'; reason: string; actor: Actor; at: string }
  /** The operator confirms the values of a report with checks to confirm and none failed. */
  | { type: 'verify_confirm'; actor: Actor; at: string }
  /**
   * `onboard_answers`: the recorded answers change (only those given). Allowed at `verification`;
   * the verification step is offered again.
   */
  | { type: 'answers_edit'; actor: Actor; at: string; answers: AnswerChanges }
  /**
   * The password typed for a verification equalled these recorded answers: they are erased from
   * the run (and, by the run service, from its audit trail) and must be entered again.
   */
  | { type: 'answers_erase'; fields: AnswerField[]; actor: Actor; at: string }
  | { type: 'email_sent'; actor: Actor; at: string }
  /** `step`: the step of the message whose cancel button was pressed (stale when not current). */
  | { type: 'cancel'; step?: StepId; actor: Actor; at: string }
  | { type: 'resume'; actor: Actor; at: string }
  /** The poller found `run.reminder` due at `at` (refused with `not_allowed_here` when nothing is due). */
  | { type: 'reminder_due'; at: string }
  /** "Snooze 1 day" on a reminder about `step`: the next reminder is due `SNOOZE_HOURS` after `at`. */
  | { type: 'reminder_snooze'; step: StepId; actor: Actor; at: string };
export type RunEventType = RunEvent['type'];

/** What a step message says once acted on (its buttons are replaced by this). */
export type StepOutcome = 'done' | 'skipped' | 'cancelled' | 'verified' | 'confirmed' | 'completed';

/** The recorded answers `onboard_answers` can change (and the password guard can erase). */
export const ANSWER_FIELDS = ['contingentIds', 'contactNumber', 'institutionName', 'digitickContactName', 'digitickContactEmail'] as const;
export type AnswerField = (typeof ANSWER_FIELDS)[number];

/** New values of recorded answers (`answers_edit`); absent fields are unchanged. */
export interface AnswerChanges {
  contingentIds?: number[];
  contactNumber?: string;
  institutionName?: string;
  digitickContactName?: string;
  digitickContactEmail?: string;
}

/** A check's state while a verification runs (`VerificationProgress`). */
export type CheckProgressState = 'waiting' | CheckOutcome;

/**
 * What a verification has found so far: shown in the run's thread, edited in place as checks
 * finish. `catalogWaitedMs` is set while SecuTix extracts the catalog (`in_progress`).
 */
export interface VerificationProgress {
  checks: { id: CheckId; state: CheckProgressState }[];
  /** Milliseconds SecuTix has been extracting the catalog so far (absent when not waiting). */
  catalogWaitedMs?: number;
  /** True once the report is ready (the message then points to the report). */
  done: boolean;
  /**
   * With `done`: the report's overall outcome, or `not_saved` when the report could not be saved
   * (the database did not answer, even after retries): nothing was recorded, verify again.
   */
  outcome?: VerificationOutcome | 'not_saved';
  /**
   * With `done`: the verification was cut (the process died while it ran); nothing was recorded,
   * the message says so and to verify again (no check lines: nobody knows how far it went).
   */
  interrupted?: boolean;
}

/** A verification's overall outcome: failed wins, then not checked, then to confirm, else passed. */
export type VerificationOutcome = 'passed' | 'failed' | 'to_confirm' | 'not_checked';

/**
 * Effects are data: what must be said on the run's surface after the state is saved.
 * They are stored in the outbox in the same write as the state and delivered afterwards.
 */
export type Effect =
  /** Post (first time) or edit in place the progress card with the current state. */
  | { type: 'card' }
  /** Post the step's message (guidance and buttons) in the run's thread. */
  | { type: 'step_prompt'; step: StepId }
  /** Replace the buttons of that step's messages by who did what. */
  | { type: 'step_closed'; step: StepId; outcome: StepOutcome; by: Actor; at: string }
  /** Ask SecuTix support to assign the operator password (support channel, or the run's thread). */
  | { type: 'support_request' }
  /** Replace the support request's button by who assigned the password (or that the run was cancelled). */
  | { type: 'support_closed'; outcome: 'assigned' | 'cancelled'; by: Actor; at: string }
  /** Post the verification report stored on the run (with retry buttons when it failed). */
  | { type: 'verification_report' }
  /**
   * Recorded answers changed (`answers_edit`): old and new values, shown in the thread. The
   * values are the answers themselves (never a password: the guard erases any equal answer).
   */
  | { type: 'answers_changed'; by: Actor; at: string; changes: { field: AnswerField; from: string; to: string }[] }
  /** Answers equal to the typed password were erased: the operator enters them again. */
  | { type: 'answers_erased'; fields: AnswerField[] }
  /** A short notice in the thread (message key `notice.*`). */
  | { type: 'notice'; code: string; params?: Record<string, string | number> }
  /**
   * A reminder about `step` (the current step when it fired): `operator` in the run's thread,
   * mentioning who started the run, with a snooze button; `support` to the support channel (or
   * the thread when there is none); `support_unanswered` tells the operator that support did
   * not answer `count` reminders. `count` is this reminder's number (1, 2, ...).
   */
  | { type: 'reminder'; kind: 'operator' | 'support' | 'support_unanswered'; step: StepId; count: number }
  /** Someone snoozed the reminders until `until` (ISO). */
  | { type: 'reminder_snoozed'; by: Actor; at: string; until: string };
export type EffectType = Effect['type'];

/** Why the transition refused an event (message keys `refusal.*`). */
export type RefusalCode =
  | 'run_not_open'
  | 'stale_step'
  | 'input_required'
  | 'not_skippable'
  | 'not_allowed_here'
  | 'not_permitted'
  | 'already_snoozed'
  /** `answers_edit` with every value as already recorded: nothing to change. */
  | 'nothing_changed'
  /** `verify_confirm` from a report that a newer verification or changed answers replaced. */
  | 'report_superseded'
  /** `verify_confirm` while the last report has a check failed or not checked: confirming is only for reports with nothing failed. */
  | 'report_not_confirmable'
  /** `verify_skip` / `verify_confirm` while answers erased by the password guard are not entered again. */
  | 'answers_erased';

/**
 * Which access rule refused a `not_permitted` action (`src/app/access.ts`): not an allowed
 * operator, not SecuTix support, or a cancel of someone else's run.
 */
export type NotPermittedRule = 'operator' | 'support' | 'own_run';

/** A refused event: nothing changes. `last` says who did what and when, for stale clicks. */
export interface Refusal {
  code: RefusalCode;
  last?: { by?: Actor; at?: string; state: StepState | RunStatus; step?: StepId };
  /** With `not_permitted`: the rule that refused. */
  rule?: NotPermittedRule;
}

/** The result of `transition`: a new run and its effects, or a refusal. */
export type TransitionResult = { ok: true; run: Run; effects: Effect[] } | { ok: false; refusal: Refusal };
