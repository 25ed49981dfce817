/**
 * The console surface's outbound side: renders each effect of a console run as plain text on the
 * terminal and records the numbered choices of the step it shows (shared with `runConsole` through
 * `ConsoleChannel`). Console runs have no thread or message ids, so delivering again simply prints
 * again; nothing is posted anywhere else.
 */
import type { MessageBuilder } from '../../src/messages/builder';
import type { ChatNotifier } from '../../src/ports/chat-notifier.port';
import type { Effect, Run, VerificationProgress } from '../../src/workflow/types';
import { type ConsoleChannel, consoleChannel } from './channel';
import { rule, stripMarkup } from './text';

/** The console notifier; `channel` is the terminal state it shares with `runConsole`. */
export interface ConsoleNotifier extends ChatNotifier {
  readonly channel: ConsoleChannel;
}

/**
 * Creates the notifier of the console surface writing to `output` (the lead wires it as
 * `notifiers.console` before calling `runConsole` with the same `output`).
 * `deliver` never throws for a well-formed run; a write to a closed stream is the stream's error.
 */
export function createConsoleNotifier(output: NodeJS.WritableStream, builder: MessageBuilder): ConsoleNotifier {
  const channel = consoleChannel(output, builder);
  return {
    channel,
    async deliver(run: Run, effect: Effect): Promise<void> {
      deliverToConsole(channel, run, effect);
    },
    /**
     * A verification's progress as lines (`ConsoleProgress`): a header, a line per check whose
     * state changed, the catalog wait at most every 5 s, and a final line before the report.
     */
    async progress(run: Run, progress: VerificationProgress): Promise<void> {
      channel.progress.update(run, progress);
    },
  };
}

/** Prints one effect of `run` (the run as it is now). */
function deliverToConsole(ch: ConsoleChannel, run: Run, effect: Effect): void {
  const b = ch.builder;
  const L = run.details.language;
  // A verification's progress lines end before the first message of its outcome.
  ch.progress.ended(run);
  switch (effect.type) {
    case 'card':
      ch.printCardUpdate(run);
      return;
    case 'step_prompt': {
      if (!ch.hasShownCard(run.id)) ch.printFullCard(run);
      ch.line();
      ch.line(rule());
      ch.printMessage(b.stepPrompt(run, effect.step));
      if (run.status === 'open' && run.currentStep === effect.step) ch.offer(run, effect.step);
      return;
    }
    case 'step_closed':
      ch.line(`  ${stripMarkup(b.stepClosed(run, effect).text)}`);
      return;
    case 'support_request': {
      ch.line();
      ch.printMessage(b.supportRequest(run));
      ch.line(stripMarkup(b.t(L, 'console.support.to')));
      if (run.status === 'open' && run.currentStep === 'password_request') ch.offer(run, 'password_request');
      return;
    }
    case 'support_closed': {
      const closed = b.supportClosed(run, effect);
      const last = closed.blocks[closed.blocks.length - 1];
      ch.line(`  ${stripMarkup(last && last.type === 'context' ? last.text : closed.text)}`);
      return;
    }
    case 'verification_report': {
      if (!run.verification) return;
      ch.line();
      const report = b.report(run);
      ch.printMessage(report);
      if (report.actions.length > 0 && run.currentStep) ch.offer(run, run.currentStep);
      return;
    }
    case 'answers_changed':
      ch.line();
      ch.printMessage(b.answersChanged(run, effect));
      return;
    case 'answers_erased': {
      ch.line();
      ch.printMessage(b.answersErased(run, effect));
      if (run.status === 'open' && run.currentStep) ch.offer(run, run.currentStep);
      return;
    }
    case 'notice': {
      const text =
        effect.code === 'completed' || effect.code === 'cancelled'
          ? b.t(L, `console.notice.${effect.code}`, { runId: run.id, institutionCode: run.details.institutionCode })
          : b.notice(run, effect.code, effect.params).text;
      ch.line(stripMarkup(text));
      return;
    }
    case 'reminder':
    case 'reminder_snoozed':
      // Console runs get no reminders (RunService `reminders.surfaces`); printed plainly should one come.
      ch.line(stripMarkup(b.forEffect(run, effect).text));
      return;
  }
}
