/**
 * What the user is told when something does not go through: a refusal about a run, or a
 * `ServiceError` of the core. Pure: no I/O.
 */
import { literal } from './literal';
import type { Locale, Surface } from '../domain/ids';
import type { Refusal, Run } from '../workflow/types';
import type { ServiceError } from '../workflow/service-error';
import { type MentionFormatter, plainMention, formatTime } from './builder-core';
import { VerificationMessages } from './verification-reports';

export class ErrorMessages extends VerificationMessages {
  /** The plain sentence explaining a refusal to the person who clicked. */
  refusal(run: Run, refusal: Refusal, locale: Locale = run.details.language, mention: MentionFormatter = plainMention): string {
    const L = locale;
    const last = refusal.last;
    const by = last?.by ? mention(last.by) : '?';
    const at = formatTime(this.r, L, last?.at);
    const current = run.currentStep ? this.stepTitle(L, run.currentStep) : this.r.t(L, `run_state.${run.status}`);
    switch (refusal.code) {
      case 'run_not_open':
        return this.r.t(L, 'refusal.run_not_open', { runId: run.id, state: this.r.t(L, `run_state.${run.status}`), by, at });
      case 'stale_step': {
        const step = last?.step;
        const title = step ? this.stepTitle(L, step) : '?';
        if (!last?.by) return this.r.t(L, 'refusal.stale_step_unknown', { title, currentTitle: current });
        const stateKey =
          last.state === 'open' || last.state === 'completed' || last.state === 'cancelled'
            ? `run_state.${last.state}`
            : `state.${last.state}`;
        return this.r.t(L, 'refusal.stale_step', { title, state: this.r.t(L, stateKey), by, at, currentTitle: current });
      }
      case 'not_permitted':
        return this.r.t(L, `refusal.not_permitted.${refusal.rule ?? 'operator'}`, {
          runId: run.id,
          by: mention(run.startedBy),
          title: current,
        });
      case 'already_snoozed':
        return this.r.t(L, 'refusal.already_snoozed', { by, at });
      case 'answers_erased': {
        const fields = (run.erasedAnswers ?? []).map((f) => this.r.t(L, `answers.field.${f}`)).join(', ');
        return this.r.t(L, 'refusal.answers_erased', { fields });
      }
      default:
        return this.r.t(L, `refusal.${refusal.code}`, { title: current });
    }
  }

  /**
   * The plain sentence for a service error. One rule for languages: an answer about a run is in
   * the run's language (as its card, `status RUN`, `resume`, `audit` answers, and the duplicate-run
   * answer to a start form, which is about the open run); `locale` (the caller's) serves errors with no run.
   */
  describeError(error: ServiceError, locale?: Locale, mention: MentionFormatter = plainMention, surface: Surface = 'slack'): string {
    switch (error.code) {
      case 'refused':
        return this.refusal(error.run, error.refusal, error.run.details.language, mention);
      case 'unknown_run': {
        const L = locale ?? this.defaultLocale;
        // Typed by a person: shown as typed (a `**ZZ**` is no bold), without a final period the sentence's own would double.
        const typed = error.runId.replace(/\.+$/, '') || error.runId;
        return this.r.t(L, 'error.unknown_run', { runId: literal(typed), statusHint: this.r.t(L, `hint.status.${surface}`) });
      }
      case 'other_surface':
        return this.r.t(error.run.details.language, 'error.other_surface', { runId: error.run.id, surface: error.run.surface });
      case 'duplicate_run': {
        const L = error.run.details.language;
        const step = error.run.currentStep;
        return this.r.t(L, 'error.duplicate_run', { ...this.baseView(error.run), title: step ? this.stepTitle(L, step) : '' });
      }
      case 'conflict':
        return this.r.t(error.run.details.language, 'error.conflict');
      case 'verification_running':
        return this.r.t(error.run.details.language, 'error.verification_running');
      case 'not_permitted':
        return this.r.t(locale ?? this.defaultLocale, `refusal.not_permitted.${error.rule === 'own_run' ? 'operator' : error.rule}`, {
          runId: '',
          by: '',
          title: '',
        });
      case 'internal':
        if (error.unavailable) return this.r.t(locale ?? this.defaultLocale, 'error.store_unavailable');
        return this.r.t(locale ?? this.defaultLocale, 'error.internal', { correlationId: error.correlationId });
    }
  }

  // ---- forms ----------------------------------------------------------------------------
}
