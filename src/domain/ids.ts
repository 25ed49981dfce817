/**
 * Every stable id of the product, minted in one module: step ids (storage, buttons, tests),
 * Slack action ids / Teams verbs, modal callback ids, input block ids, and the metadata
 * event type. Source: `chat-contract.md` and `product.md` (shared spec).
 */

/** The ten steps of a run, in order. Stable: used in storage, button values and tests. */
export const STEP_IDS = [
  'sales_channel',
  'point_of_sale',
  'contingents',
  'technical_contact',
  'event_products',
  'pass_products',
  'sales_interface',
  'password_request',
  'verification',
  'email_draft',
] as const;
export type StepId = (typeof STEP_IDS)[number];

/** Button `action_id`s (Slack) and `Action.Execute` verbs (Teams). */
export const ACTION_IDS = {
  stepDone: 'step_done',
  stepSkip: 'step_skip',
  passwordAssigned: 'password_assigned',
  verifyStart: 'verify_start',
  verifySkip: 'verify_skip',
  /** A report with checks to confirm and none failed: the operator confirms the values seen. */
  verifyConfirm: 'verify_confirm',
  /** Opens `onboard_answers` (verification step and its reports). */
  answersEdit: 'answers_edit',
  emailSent: 'email_sent',
  runCancel: 'run_cancel',
  /**
   * Posts the run's current step again (`resume`): the button shown when a second run is started
   * for an institution and channel code that already has an open one (`product.md`, "Runs and
   * channels"). Not a step button: it never makes anything stale.
   */
  runResume: 'run_resume',
  /**
   * "Snooze 1 day" on a reminder (issue 5): the run's next reminder is due 24 h later. Not a step
   * button: it changes no step, so it never makes a step button stale.
   */
  reminderSnooze: 'reminder_snooze',
} as const;
export type ActionId = (typeof ACTION_IDS)[keyof typeof ACTION_IDS];
export const ALL_ACTION_IDS: readonly ActionId[] = Object.values(ACTION_IDS);

/** Teams-only verbs (not in Slack): `card_refresh` re-renders the card a form replaced ("Back", "Keep it"). */
export const TEAMS_VERBS = { cardRefresh: 'card_refresh' } as const;

/** Modal `callback_id`s (Slack) and form-submit verbs (Teams). */
export const FORM_IDS = {
  start: 'onboard_start',
  contingents: 'onboard_contingents',
  contact: 'onboard_contact',
  password: 'onboard_password',
  verifySkip: 'onboard_verify_skip',
  /** The recorded contingents and contact (`answers_edit`), prefilled. */
  answers: 'onboard_answers',
  /** `check INSTITUTION [CHANNEL]`: the health check of an existing setup (no run). */
  check: 'onboard_check',
  /** `product CODE`: the check of one product (no run). */
  productCheck: 'onboard_product_check',
} as const;
export type FormId = (typeof FORM_IDS)[keyof typeof FORM_IDS];
export const ALL_FORM_IDS: readonly FormId[] = Object.values(FORM_IDS);
/** The forms of a run's steps (every form but the start form and the run-less checks). */
export type RunFormId = Exclude<FormId, 'onboard_start' | 'onboard_check' | 'onboard_product_check'>;

/**
 * The button under the `product CODE` guide that opens the product check form (Slack `action_id`,
 * Teams verb). Not a run action: its value is the product code, not a run and a step.
 */
export const PRODUCT_CHECK_ACTION_ID = 'product_check';

/** Input ids: Slack `block_id` = `action_id`; Teams `Input.*` id. */
export const INPUT_IDS = {
  institutionCode: 'institution_code',
  institutionName: 'institution_name',
  channelCode: 'channel_code',
  digitickContactName: 'digitick_contact_name',
  digitickContactEmail: 'digitick_contact_email',
  language: 'language',
  contingentIds: 'contingent_ids',
  contactNumber: 'contact_number',
  operatorPassword: 'operator_password',
  skipReason: 'skip_reason',
} as const;
export type InputId = (typeof INPUT_IDS)[keyof typeof INPUT_IDS];

/** Slack message metadata `event_type` carried by every run message. */
export const RUN_METADATA_EVENT_TYPE = 'digitick_run';

/** The slash command (Slack) and optional leading word (Teams). */
export const COMMAND_NAME = '/digitick-onboard';

/** Surfaces a run can belong to. */
export const SURFACES = ['slack', 'teams', 'console'] as const;
export type Surface = (typeof SURFACES)[number];

/** Languages of runs, messages and the email. */
export const LOCALES = ['en', 'fr', 'de'] as const;
export type Locale = (typeof LOCALES)[number];

/** Default sales channel code (source: the SecuTix article uses `DGTK`). */
export const DEFAULT_CHANNEL_CODE = 'DGTK';
