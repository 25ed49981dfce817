/**
 * The console's shared state: the terminal output and the numbered choices currently offered.
 * The notifier (outbound side, called by the run service's outbox) prints messages and records
 * the choices of the step it just showed; the console loop (inbound side) reads them to map a
 * typed number to an action. Both get the same `ConsoleChannel` for the same output stream via
 * `consoleChannel(output, builder)`.
 */
import { dropLiterals } from '../../src/messages/literal';
import { ACTION_IDS, type ActionId, type Locale, STEP_IDS, type StepId } from '../../src/domain/ids';
import type { MessageBuilder } from '../../src/messages/builder';
import type { Button, Message } from '../../src/messages/model';
import { stepDefinition } from '../../src/workflow/steps';
import type { Run, StepState } from '../../src/workflow/types';
import { ConsoleProgress } from './progress';
import { progressBar, renderMessage, rule, type BlockTextOptions } from './text';

/** A numbered choice: one button of a step message (or the simulated support answer). */
export interface ConsoleChoice {
  action: ActionId;
  /** Shown after the number; from the catalog (`button.*`, `console.choice.support`). */
  label: string;
  /** True for the primary button, which is always number 1. */
  primary: boolean;
  runId: string;
  step: StepId;
  /** Confirmation asked (y/n) before the action (`run_cancel`). */
  confirm?: Button['confirm'];
}

/** The choices offered for one run at one step, in display order (primary first). */
export interface OfferedChoices {
  runId: string;
  step: StepId;
  items: ConsoleChoice[];
}

/** Shared output + choices of one terminal. Create with `consoleChannel`. */
export class ConsoleChannel {
  /** Last card signature printed per run id (step states + status), to print only changes. */
  private readonly cardSignatures = new Map<string, string>();
  private offered: OfferedChoices | null = null;
  /** Runs whose final line ("complete" / "cancelled") was printed: the session adds no second one. */
  readonly endings = new Set<string>();
  /** A verification's progress lines (`ChatNotifier.progress`). */
  readonly progress: ConsoleProgress;

  constructor(
    readonly output: NodeJS.WritableStream,
    readonly builder: MessageBuilder,
  ) {
    this.progress = new ConsoleProgress((text) => this.line(text), builder);
  }

  /**
   * Set when the session is stopped (SIGTERM/SIGINT): nothing more is written (a verification
   * still finishing must not print its report, the email or a prompt after the stop message).
   */
  muted = false;

  /** Writes text as is. */
  write(text: string): void {
    if (!this.muted) this.output.write(dropLiterals(text));
  }

  /** Writes text followed by a newline. */
  line(text = ''): void {
    if (!this.muted) this.output.write(`${dropLiterals(text)}\n`);
  }

  /** Renders options shared by every message of `locale` (translated outcome words, email rules). */
  textOptions(locale: Locale): BlockTextOptions {
    const t = (k: string): string => this.builder.t(locale, k);
    return {
      outcomeWords: {
        passed: t('report.outcome.passed'),
        failed: t('report.outcome.failed'),
        skipped: t('report.outcome.skipped'),
        to_confirm: t('report.outcome.to_confirm'),
      },
      preformattedRules: { begin: t('console.email.begin'), end: t('console.email.end') },
      warningLabel: t('console.warning_label'),
    };
  }

  /** Prints a message as plain text. */
  printMessage(message: Message): void {
    this.write(renderMessage(message, this.textOptions(message.locale)));
  }

  /**
   * The choices of a step message of `run` at `step`: the step's buttons (primary first); at
   * `password_request` the support answer comes first, as the primary choice, since the console
   * user plays SecuTix support too. At `verification` they follow what happened there last:
   * after a report that failed or has checks to confirm, that report's buttons (`verify_confirm`
   * first when nothing failed); once answers were erased (the password guard), "Edit answers"
   * first and no "Verify now" until they are entered again.
   */
  stepChoices(run: Run, step: StepId): ConsoleChoice[] {
    const L = run.details.language;
    const items = this.toChoices(run, step, this.verificationButtons(run, step) ?? this.builder.stepButtons(run, step));
    if (step === 'password_request') {
      items.unshift({
        action: ACTION_IDS.passwordAssigned,
        label: this.builder.t(L, 'console.choice.support'),
        primary: true,
        runId: run.id,
        step,
      });
    }
    return items;
  }

  /** The buttons of the verification step as they stand (see `stepChoices`); `undefined` elsewhere. */
  private verificationButtons(run: Run, step: StepId): Button[] | undefined {
    if (step !== 'verification' || run.status !== 'open' || run.currentStep !== step) return undefined;
    if (run.erasedAnswers?.length) {
      const rest = this.builder
        .stepButtons(run, step)
        .filter((b) => b.actionId !== ACTION_IDS.answersEdit && b.actionId !== ACTION_IDS.verifyStart);
      return [...this.builder.answersErased(run, { type: 'answers_erased', fields: run.erasedAnswers }).actions, ...rest];
    }
    const state = run.steps.verification.state;
    if (run.verification && (state === 'failed' || state === 'to_confirm')) return this.builder.report(run).actions;
    return undefined;
  }

  private toChoices(run: Run, step: StepId, buttons: readonly Button[]): ConsoleChoice[] {
    return buttons.map((b) => ({
      action: b.actionId,
      label: b.label,
      primary: b.style === 'primary',
      runId: run.id,
      step,
      ...(b.confirm ? { confirm: b.confirm } : {}),
    }));
  }

  /** Records the choices now offered for `run` at `step`. */
  offer(run: Run, step: StepId): void {
    this.offered = { runId: run.id, step, items: this.stepChoices(run, step) };
  }

  /**
   * The choices to show for `run` now: those the notifier offered when they belong to the run's
   * current step, otherwise computed from the run (e.g. when a delivery is still in the outbox).
   * Empty when the run is not open.
   */
  choicesFor(run: Run): ConsoleChoice[] {
    if (run.status !== 'open' || !run.currentStep) return [];
    if (this.offered && this.offered.runId === run.id && this.offered.step === run.currentStep) return this.offered.items;
    return this.stepChoices(run, run.currentStep);
  }

  /** True once this terminal has shown the run's full card. */
  hasShownCard(runId: string): boolean {
    return this.cardSignatures.has(runId);
  }

  /** Prints the full progress card (institution, fields, every step with its marker) and its legend. */
  printFullCard(run: Run): void {
    // The card's status line ("In progress: step 3 of 10, Contingents.") says it in words, as on chat.
    // An ended run shows no current step (the builder notes where it stopped).
    const card = this.builder.card(run);
    this.line(rule('='));
    this.write(renderMessage(card, this.textOptions(card.locale)));
    this.line(this.builder.t(card.locale, 'console.card.legend'));
    this.line(rule('='));
    this.cardSignatures.set(run.id, this.cardSignature(run));
  }

  /**
   * Prints the card after a transition: the full card the first time and once the run has ended,
   * a one-line progress bar otherwise, nothing when no step changed since the last print.
   */
  printCardUpdate(run: Run): void {
    const sig = this.cardSignature(run);
    const last = this.cardSignatures.get(run.id);
    if (last === sig) return;
    if (last === undefined || run.status !== 'open' || !run.currentStep) {
      this.printFullCard(run);
      return;
    }
    const L = run.details.language;
    const states = this.shownStates(run);
    const def = stepDefinition(run.currentStep);
    this.line(
      this.builder.t(L, 'console.progress', {
        bar: progressBar(states),
        done: STEP_IDS.filter((id) => run.steps[id].state === 'done' || run.steps[id].state === 'skipped').length,
        number: def.number,
        title: this.builder.t(L, `step.${def.id}.title`),
      }),
    );
    this.cardSignatures.set(run.id, sig);
  }

  /**
   * Every step's state as the card shows it: a done step whose check failed or is to confirm in
   * the last verification shows so (`MessageBuilder.card`), not as a plain done step.
   */
  private shownStates(run: Run): StepState[] {
    const steps = this.builder.card(run).blocks.find((b) => b.type === 'steps');
    return steps?.type === 'steps' ? steps.items.map((i) => i.state) : STEP_IDS.map((id) => run.steps[id].state);
  }

  /** What the card shows that can change: status and every step's state. */
  private cardSignature(run: Run): string {
    return `${run.status}:${this.shownStates(run).join(',')}`;
  }
}

const channels = new WeakMap<NodeJS.WritableStream, ConsoleChannel>();

/**
 * The channel of `output`: created on first use, then shared by every caller with the same stream
 * (the notifier and `runConsole`). The builder of the first call is kept.
 */
export function consoleChannel(output: NodeJS.WritableStream, builder: MessageBuilder): ConsoleChannel {
  let channel = channels.get(output);
  if (!channel) {
    channel = new ConsoleChannel(output, builder);
    channels.set(output, channel);
  }
  return channel;
}
