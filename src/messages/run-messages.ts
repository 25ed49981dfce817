/**
 * The messages of a run and its steps: the run card, step prompts and closings, the support
 * request, answers changed or erased. Pure: no I/O.
 */
import { ACTION_IDS, type StepId } from '../domain/ids';
import { STEPS, stepDefinition } from '../workflow/steps';
import type { Actor, CheckId, Effect, Run, StepState } from '../workflow/types';
import type { Block, Message } from './model';
import { labelled } from './typography';
import { literal } from './literal';
import { type MentionFormatter, plainMention, operatorLogin, formatTime } from './builder-core';
import { EmailMessages } from './email';

/** The verification check that proves each step (the progress card marks a step whose check failed). */
const CHECK_OF_STEP: Partial<Record<StepId, CheckId>> = {
  sales_channel: 'sales_channel',
  point_of_sale: 'point_of_sale',
  technical_contact: 'technical_contact',
  event_products: 'event_products',
  pass_products: 'pass_products',
  password_request: 'credentials',
};

/**
 * Who asks SecuTix support, when the support desk serves several organisations (Slack OAuth
 * distribution, Teams tenants): shown in the support request so support can check the requester
 * before assigning a password. Values come from the chat platform (names, email): shown literally.
 */
export interface SupportOrigin {
  /** `workspace` (Slack) or `tenant` (Teams): how the organisation is named. */
  kind: 'workspace' | 'tenant';
  /** The workspace's name (Slack), the tenant id (Teams). */
  organisation: string;
  /** The workspace's domain (`acme-theatre`, from `team.info`), when known. */
  domain?: string;
  /** Who started the run: their name as the platform has it. */
  requester: string;
  /** Their email (`users.info`, scope `users:read.email`), when the platform gave it. */
  email?: string;
  /** No earlier support request for this institution came from this organisation. */
  firstForInstitution: boolean;
}

/** Options of the support request (and of its closed version). */
export interface SupportRequestOptions {
  mention?: MentionFormatter;
  runLink?: string | null;
  origin?: SupportOrigin | null;
}

export class RunMessages extends EmailMessages {
  /**
   * How a step shows on the progress card: its record's state, except that a done step whose
   * check failed (or is to confirm) in the last verification shows so, with a pointer to the
   * report, until a later verification passes.
   */
  protected displayState(run: Run, step: StepId): { state: StepState; pointer: boolean; confirmedBy?: Actor } {
    const rec = run.steps[step];
    const check = CHECK_OF_STEP[step];
    const found = check ? run.verification?.checks.find((c) => c.id === check) : undefined;
    // Values to confirm that an operator confirmed (`verify_confirm`): the step says so, not "to confirm".
    const verification = run.steps.verification;
    if (rec.state === 'done' && found?.outcome === 'to_confirm' && verification.state === 'done' && verification.reason === 'confirmed') {
      return { state: 'done', pointer: false, ...(verification.by ? { confirmedBy: verification.by } : {}) };
    }
    // A run that ended has no current step (the step it stopped at was never done), and a
    // finished run is finished: the last verification's failures no longer show on its steps.
    if (run.status !== 'open') return { state: rec.state === 'current' ? 'todo' : rec.state, pointer: false };
    if (rec.state === 'done' && found && (found.outcome === 'failed' || found.outcome === 'to_confirm')) {
      return { state: found.outcome, pointer: true };
    }
    return { state: rec.state, pointer: false };
  }

  /** The progress card: institution, channel, who started, every step's state, the outcome. */
  card(run: Run, mention: MentionFormatter = plainMention): Message {
    const L = run.details.language;
    const v = this.baseView(run);
    const at = (iso: string | undefined) => formatTime(this.r, L, iso);
    // Compact, like an incident card: the institution once (title), the run id once (summary),
    // the status in words, short step lines; who and when only where it says something (a step
    // done by someone other than the starter, a skipped or failed step).
    const summary = this.r.t(L, 'card.summary', {
      ...v,
      runLabel: this.r.t(L, 'card.run_id', v),
      by: mention(run.startedBy),
      at: at(run.createdAt),
      posId: run.verification?.posId !== undefined ? String(run.verification.posId) : null,
    });
    let status: string;
    if (run.status === 'open' && run.currentStep) {
      const def = stepDefinition(run.currentStep);
      status = this.r.t(L, 'card.status.open', { number: def.number, total: STEPS.length, title: this.stepTitle(L, def.id) });
    } else {
      status = this.r.t(L, run.status === 'cancelled' ? 'card.status.cancelled' : 'card.status.completed', {
        by: run.endedBy ? mention(run.endedBy) : '?',
        at: at(run.endedAt),
      });
    }
    const blocks: Block[] = [
      { type: 'header', text: this.r.t(L, 'card.title', v) },
      { type: 'context', text: summary },
      { type: 'text', text: status },
      {
        type: 'steps',
        items: STEPS.map((s) => {
          const rec = run.steps[s.id];
          const shown = this.displayState(run, s.id);
          const matters =
            rec.by && rec.state !== 'current' && (rec.by.id !== run.startedBy.id || rec.state === 'skipped' || rec.state === 'failed');
          const who = matters && rec.by ? `${mention(rec.by)}, ${at(rec.at)}` : undefined;
          const pointer = shown.pointer ? this.r.t(L, `card.check_pointer.${shown.state}`) : undefined;
          // The step an ended run stopped at: not done, not current, said where the run stopped.
          const stopped = run.status !== 'open' && rec.state === 'current' ? this.r.t(L, `card.stopped.${run.status}`) : undefined;
          const confirmed = shown.confirmedBy ? this.r.t(L, 'card.check_confirmed', { by: mention(shown.confirmedBy) }) : undefined;
          const note = [stopped, who, pointer, confirmed].filter(Boolean).join(' · ') || undefined;
          return {
            step: s.id,
            number: s.number,
            label: this.stepTitle(L, s.id),
            state: shown.state,
            ...(note ? { note } : {}),
            ...(pointer ? { stateInNote: true } : {}),
          };
        }),
      },
    ];
    return {
      kind: 'card',
      locale: L,
      text: this.r.t(L, 'card.text', { ...v, status: this.r.t(L, `run_state.${run.status}`) }),
      blocks,
      actions: [],
      run: this.runMeta(run),
    };
  }

  /** A step message: guidance and the step's buttons (the email step carries the draft). */
  stepPrompt(run: Run, step: StepId): Message {
    const L = run.details.language;
    const def = stepDefinition(step);
    const v = { ...this.baseView(run), number: def.number, title: this.stepTitle(L, step) };
    // Answers erased by the password guard: entered again first, the verification only after.
    const erased = step === 'verification' && run.status === 'open' ? (run.erasedAnswers ?? []) : [];
    const guide =
      erased.length > 0
        ? this.r.t(L, 'step.verification.guide_erased', {
            ...v,
            fields: erased.map((f) => this.r.t(L, `answers.field.${f}`)).join(', '),
          })
        : this.r.t(L, `step.${step}.guide`, v);
    const blocks: Block[] = [
      { type: 'header', text: this.r.t(L, 'prompt.header', v) },
      { type: 'text', text: guide },
    ];
    if (step === 'email_draft') blocks.push({ type: 'preformatted', text: this.emailDraft(run) });
    if (step === 'verification' && run.erasedAnswers?.length) {
      // Its buttons are "Edit answers" and cancel until the erased answers are entered again (`stepButtons`).
      const fields = run.erasedAnswers.map((f) => this.r.t(L, `answers.field.${f}`)).join(', ');
      blocks.push({ type: 'text', text: this.r.t(L, 'prompt.verification.erased', { fields }) });
    }
    return {
      kind: step === 'email_draft' ? 'email' : 'step',
      locale: L,
      text: this.r.t(L, 'prompt.text', v),
      blocks,
      actions: this.stepButtons(run, step),
      run: { ...this.runMeta(run)!, step },
    };
  }

  /**
   * What an older verification message (the step message, an earlier report) shows instead of
   * its buttons once a newer report is posted: only the newest report's buttons are live.
   * `final_report`: the newer report has no buttons (it passed): the pointer only points.
   */
  superseded(run: Run, newer: 'report' | 'final_report' | 'step' = 'report', step: StepId = 'verification'): Message {
    const L = run.details.language;
    const key = newer === 'report' ? 'report.superseded' : newer === 'final_report' ? 'report.superseded_final' : 'step.superseded';
    const text = this.r.t(L, key, { runId: run.id });
    return this.closedLine(run, text, step);
  }

  /** A `step_closed` message of one context line: what replaces a step message's buttons. */
  private closedLine(run: Run, text: string, step: StepId): Message {
    return {
      kind: 'step_closed',
      locale: run.details.language,
      text,
      blocks: [{ type: 'context', text }],
      actions: [],
      run: { ...this.runMeta(run)!, step },
    };
  }

  /** The line that replaces a used step message's buttons. */
  stepClosed(run: Run, effect: Extract<Effect, { type: 'step_closed' }>, mention: MentionFormatter = plainMention): Message {
    const L = run.details.language;
    const def = stepDefinition(effect.step);
    const text = this.r.t(L, `closed.${effect.outcome}`, {
      number: def.number,
      title: this.stepTitle(L, effect.step),
      by: mention(effect.by),
      at: formatTime(this.r, L, effect.at),
    });
    return this.closedLine(run, text, effect.step);
  }

  /** The request to SecuTix support, with the `password_assigned` button. */
  supportRequest(run: Run, opts: SupportRequestOptions = {}): Message {
    const L = run.details.language;
    const mention = opts.mention ?? plainMention;
    const o = opts.origin;
    const body = this.r.file(`support-request.${L}`, {
      ...this.baseView(run),
      startedBy: mention(run.startedBy),
      runLink: opts.runLink ?? null,
      origin: o
        ? {
            workspace: o.kind === 'workspace',
            organisation: literal(o.organisation),
            domain: o.domain ? literal(o.domain) : null,
            requester: literal(o.requester),
            address: o.email ? literal(o.email) : null,
            first: o.firstForInstitution,
          }
        : null,
    });
    return {
      kind: 'support_request',
      locale: L,
      text: labelled(L, this.r.t(L, 'support.header'), operatorLogin(run)),
      blocks: [
        { type: 'header', text: this.r.t(L, 'support.header') },
        { type: 'text', text: body.trim() },
      ],
      actions: [this.button(run, 'password_request', ACTION_IDS.passwordAssigned, true)],
      run: { ...this.runMeta(run)!, step: 'password_request' },
    };
  }

  /** The support request once answered: its button replaced by who did what. */
  supportClosed(run: Run, effect: Extract<Effect, { type: 'support_closed' }>, opts: SupportRequestOptions = {}): Message {
    const L = run.details.language;
    const mention = opts.mention ?? plainMention;
    const req = this.supportRequest(run, opts);
    const line = this.r.t(L, `support.closed.${effect.outcome}`, { by: mention(effect.by), at: formatTime(this.r, L, effect.at) });
    return { ...req, kind: 'support_closed', blocks: [...req.blocks, { type: 'context', text: line }], actions: [] };
  }

  /** Recorded answers changed (`answers_edit`): who, when, each old and new value. */
  answersChanged(run: Run, effect: Extract<Effect, { type: 'answers_changed' }>, mention: MentionFormatter = plainMention): Message {
    const L = run.details.language;
    const lines = effect.changes.map((c) =>
      this.r.t(L, c.from ? 'answers.change_line' : 'answers.change_line_new', {
        // Each line starts with the field's name: capitalised there ("Contingent ids: ...").
        field: upperFirst(this.r.t(L, `answers.field.${c.field}`), L),
        from: c.from ? literal(c.from) : c.from,
        to: literal(c.to),
      }),
    );
    const text = this.r.t(L, 'answers.changed', { by: mention(effect.by), at: formatTime(this.r, L, effect.at) });
    return {
      kind: 'notice',
      locale: L,
      text,
      blocks: [
        { type: 'text', text },
        { type: 'text', text: lines.join('\n') },
      ],
      actions: [],
      run: this.runMeta(run),
    };
  }

  /** Answers equal to the typed password were erased: say which (never the value) and how to enter them again. */
  answersErased(run: Run, effect: Extract<Effect, { type: 'answers_erased' }>): Message {
    const L = run.details.language;
    const fields = effect.fields.map((f) => this.r.t(L, `answers.field.${f}`)).join(', ');
    const text = this.r.t(L, 'answers.erased', { fields });
    return {
      kind: 'notice',
      locale: L,
      text,
      blocks: [{ type: 'text', text }],
      actions:
        run.status === 'open' && run.currentStep === 'verification' ? [this.button(run, 'verification', ACTION_IDS.answersEdit, true)] : [],
      run: { ...this.runMeta(run)!, step: 'verification' },
    };
  }
}

/** `text` with its first letter upper-case in `locale` (the rest as it is). */
function upperFirst(text: string, locale: string): string {
  const first = text.charAt(0);
  return first ? first.toLocaleUpperCase(locale) + text.slice(1) : text;
}
