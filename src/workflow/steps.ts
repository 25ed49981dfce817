/**
 * The steps table (`product.md`, "The run: steps and what each one does"): order, which
 * buttons each step message carries (`chat-contract.md`, "Which message carries which buttons"),
 * and what a step records.
 */
import { ACTION_IDS, type ActionId, STEP_IDS, type StepId } from '../domain/ids';

/** How a step is completed. */
export type StepKind = 'back_office' | 'support' | 'verification' | 'email';

export interface StepDefinition {
  id: StepId;
  /** 1-based position shown to people. */
  number: number;
  kind: StepKind;
  /** Steps 5 and 6 may be skipped ("no events", "no passes"). */
  skippable: boolean;
  /** A form must be filled before the step is done. */
  input?: 'contingents' | 'contact';
  /** Buttons of the step message, the primary one first. */
  actions: readonly ActionId[];
}

const backOffice = (id: StepId, extra: Partial<StepDefinition> = {}): Omit<StepDefinition, 'number'> => ({
  id,
  kind: 'back_office',
  skippable: false,
  actions: [ACTION_IDS.stepDone, ACTION_IDS.runCancel],
  ...extra,
});

const DEFINITIONS: Omit<StepDefinition, 'number'>[] = [
  backOffice('sales_channel'),
  backOffice('point_of_sale'),
  backOffice('contingents', { input: 'contingents' }),
  backOffice('technical_contact', { input: 'contact' }),
  backOffice('event_products', { skippable: true, actions: [ACTION_IDS.stepDone, ACTION_IDS.stepSkip, ACTION_IDS.runCancel] }),
  backOffice('pass_products', { skippable: true, actions: [ACTION_IDS.stepDone, ACTION_IDS.stepSkip, ACTION_IDS.runCancel] }),
  backOffice('sales_interface'),
  { id: 'password_request', kind: 'support', skippable: false, actions: [ACTION_IDS.runCancel] },
  {
    id: 'verification',
    kind: 'verification',
    skippable: false,
    // `verify_confirm` is on reports with checks to confirm only (`MessageBuilder.report`).
    actions: [ACTION_IDS.verifyStart, ACTION_IDS.answersEdit, ACTION_IDS.verifySkip, ACTION_IDS.verifyConfirm, ACTION_IDS.runCancel],
  },
  { id: 'email_draft', kind: 'email', skippable: false, actions: [ACTION_IDS.emailSent, ACTION_IDS.runCancel] },
];

/** All steps in order. */
export const STEPS: readonly StepDefinition[] = DEFINITIONS.map((d, i) => ({ ...d, number: i + 1 }));

if (STEPS.map((s) => s.id).join() !== STEP_IDS.join()) {
  throw new Error('steps table out of order with STEP_IDS');
}

/** The definition of a step. */
export function stepDefinition(id: StepId): StepDefinition {
  const def = STEPS.find((s) => s.id === id);
  if (!def) throw new Error(`unknown step ${id}`);
  return def;
}

/** The step after `id`, or null after the last one. */
export function nextStep(id: StepId): StepId | null {
  const i = STEP_IDS.indexOf(id);
  return i >= 0 && i + 1 < STEP_IDS.length ? STEP_IDS[i + 1] : null;
}

/** Which action a button belongs to, for the step kinds that accept it. */
export function isStepAction(step: StepId, action: ActionId): boolean {
  return stepDefinition(step).actions.includes(action);
}
