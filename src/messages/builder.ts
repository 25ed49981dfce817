/**
 * Builds the platform-neutral messages and forms of a run from the catalog and templates.
 * Pure: no I/O. Surfaces pass a `mention` formatter (Slack `<@U123>`, Teams name, console name).
 *
 * The one entry point of `src/messages`: `MessageBuilder` gathers the per-feature builders, each a
 * layer of one class chain so that every feature keeps `this` (lowest first): `builder-core.ts`
 * (texts, common view, buttons), `email.ts`, `run-messages.ts` (run and steps),
 * `verification-reports.ts`, `errors.ts`, `help.ts`, `home.ts` (status list, My runs), `forms.ts`,
 * `health-checks.ts`; reminders are `reminders.ts`. Here: the message of each effect.
 */
import type { Effect, Run } from '../workflow/types';
import { plainMention } from './builder-core';
import { HealthCheckMessages } from './health-checks';
import type { Message } from './model';
import { reminderMessage, snoozedMessage } from './reminders';
import type { SupportRequestOptions } from './run-messages';

export { formatTime, type MentionFormatter, type MessageSettings, operatorLogin, plainMention } from './builder-core';
export { PASSWORD_PLACEHOLDER, webServicesUrl } from './email';
export type { SupportOrigin, SupportRequestOptions } from './run-messages';

export class MessageBuilder extends HealthCheckMessages {
  /** The message of an effect, for effects that are one message. */
  forEffect(run: Run, effect: Effect, opts: SupportRequestOptions = {}): Message {
    const mention = opts.mention ?? plainMention;
    switch (effect.type) {
      case 'card':
        return this.card(run, mention);
      case 'step_prompt':
        return this.stepPrompt(run, effect.step);
      case 'step_closed':
        return this.stepClosed(run, effect, mention);
      case 'support_request':
        return this.supportRequest(run, opts);
      case 'support_closed':
        return this.supportClosed(run, effect, opts);
      case 'verification_report':
        return this.report(run);
      case 'answers_changed':
        return this.answersChanged(run, effect, mention);
      case 'answers_erased':
        return this.answersErased(run, effect);
      case 'notice':
        return this.notice(run, effect.code, effect.params);
      case 'reminder':
        return reminderMessage(this, run, effect, mention, opts.origin);
      case 'reminder_snoozed':
        return snoozedMessage(this, run, effect, mention);
    }
  }
}
