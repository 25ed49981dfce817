/**
 * The platform-neutral message model. The core builds these; Slack renders Block Kit, Teams
 * Adaptive Cards, the console plain text. Text uses a tiny markup every surface can render:
 * `**bold**`, `_italic_`, `` `code` ``, and line breaks.
 */
import type { ActionId, FormId, InputId, Locale, StepId } from '../domain/ids';
import type { CheckResult, RunStatus, StepState } from '../workflow/types';

/** A button. `value` is opaque (`encodeActionValue`): it carries the run and the step. */
export interface Button {
  actionId: ActionId;
  label: string;
  style?: 'primary' | 'danger';
  value: string;
  /** A confirmation dialog shown before the action (Block Kit `confirm`). */
  confirm?: { title: string; text: string; confirm: string; deny: string };
}

export type Block =
  | { type: 'header'; text: string }
  /**
   * A paragraph; `button` is an action of this paragraph alone (a run line of "My runs" and its
   * Resume): Slack shows it as the section's accessory, Teams as an action set under the text.
   */
  | { type: 'text'; text: string; button?: Button }
  | { type: 'fields'; fields: { label: string; value: string }[] }
  | {
      type: 'steps';
      /** `stateInNote`: the note already says the state in words (a surface writes no state word of its own). */
      items: { step: StepId; number: number; label: string; state: StepState; note?: string; stateInNote?: boolean }[];
    }
  | {
      type: 'checks';
      /**
       * `id`: a verification `CheckId`, or a product check id (`src/app/health-check.ts`).
       * `outcomeWord`: the outcome in the message's language (`report.outcome.*`); `heading`: the
       * check's line, name and outcome word (`report.check_heading`: `**name**: word`, French
       * punctuation included).
       */
      items: {
        id: string;
        name: string;
        outcome: CheckResult['outcome'];
        outcomeWord: string;
        heading: string;
        reason?: string;
        warnings: string[];
      }[];
    }
  /** Text shown as is (monospace where possible): the email draft. */
  | { type: 'preformatted'; text: string }
  | { type: 'context'; text: string };

/** What a message is about; surfaces use it to choose where it goes and how it looks. */
export type MessageKind =
  | 'card'
  | 'step'
  | 'step_closed'
  | 'support_request'
  | 'support_closed'
  | 'report'
  /** The verification while it runs (edited in place; ends pointing to the report). */
  | 'progress'
  | 'email'
  | 'notice'
  | 'help'
  | 'status'
  | 'product_guide'
  | 'error';

export interface Message {
  kind: MessageKind;
  locale: Locale;
  /** Plain one-line text for notifications and fallbacks. */
  text: string;
  blocks: Block[];
  /** Buttons; exactly one has `style: 'primary'` when there are any besides cancel. */
  actions: Button[];
  /** Machine-readable state (Slack `metadata`, Teams action data). */
  run?: { runId: string; step: StepId | null; state: RunStatus; version: number };
}

/** A form (Slack modal, Teams Adaptive Card form, console questions). */
export interface FormModel {
  id: FormId;
  locale: Locale;
  /** At most 24 characters (Slack modal title limit). */
  title: string;
  submit: string;
  close: string;
  /** Explanatory text above the inputs. */
  intro?: string;
  inputs: FormInput[];
  /** Opaque state carried with the form (Slack `private_metadata`, Teams data). */
  privateMetadata: string;
}

export interface FormInput {
  id: InputId;
  label: string;
  kind: 'text' | 'multiline' | 'email' | 'select' | 'password';
  optional: boolean;
  initial?: string;
  placeholder?: string;
  hint?: string;
  options?: { value: string; label: string }[];
  maxLength?: number;
}

/** Field errors of a submitted form: input id -> message, in the form's language. */
export type FieldErrors = Partial<Record<InputId, string>>;
