/**
 * Builds the platform-neutral messages and forms of a run from the catalog and templates.
 * Pure: no I/O. Surfaces pass a `mention` formatter (Slack `<@U123>`, Teams name, console name).
 */
import {
  ACTION_IDS,
  type ActionId,
  COMMAND_NAME,
  FORM_IDS,
  INPUT_IDS,
  type Locale,
  LOCALES,
  type RunFormId,
  type StepId,
  type Surface,
} from '../domain/ids';
import { ERASED } from '../domain/erased';
import { overallOutcome } from '../workflow/outcome';
import { STEPS, stepDefinition } from '../workflow/steps';
import type {
  Actor,
  AnswerField,
  CheckId,
  CheckResult,
  Effect,
  Reason,
  Refusal,
  Run,
  StepState,
  VerificationProgress,
} from '../workflow/types';
import { encodeActionValue } from './action-value';
import type { Block, Button, FormModel, Message } from './model';
import type { Renderer } from './renderer';
import { labelled, localiseListSeparators } from './typography';
import { literal } from './literal';
import type { ServiceError } from '../app/run-service';
import { HELP_COMMANDS, type HelpCommand } from '../app/access';
import type { HealthCheckResult, ProductCheckReport } from '../app/health-check';
import { reminderMessage, snoozedMessage } from '../app/reminders';
import type { MyRuns } from '../app/my-runs';

/** Settings the messages need. */
export interface MessageSettings {
  /**
   * The web services URL written in the email (`SECUTIX_PUBLIC_URL`):
   * `{institution}` is replaced by the lower-case institution code.
   */
  publicUrlTemplate: string;
  /** Locale of forms and answers when no run decides (`DEFAULT_LOCALE`). */
  defaultLocale: Locale;
}

/** How a surface names a person in text. */
export type MentionFormatter = (actor: Actor) => string;

export const plainMention: MentionFormatter = (a) => a.name ?? a.id;

/** The verification check that proves each step (the progress card marks a step whose check failed). */
const CHECK_OF_STEP: Partial<Record<StepId, CheckId>> = {
  sales_channel: 'sales_channel',
  point_of_sale: 'point_of_sale',
  technical_contact: 'technical_contact',
  event_products: 'event_products',
  pass_products: 'pass_products',
  password_request: 'credentials',
};

/** The start-form input of each erasable detail (`onboard_answers` asks for it again once erased). */
const ANSWER_INPUT = {
  institutionName: INPUT_IDS.institutionName,
  digitickContactName: INPUT_IDS.digitickContactName,
  digitickContactEmail: INPUT_IDS.digitickContactEmail,
} as const satisfies Partial<Record<AnswerField, string>>;

/** Reasons meaning SecuTix could not answer (nothing to fix in the back office). */
const TRANSIENT_REASONS: readonly string[] = ['secutix_unavailable', 'secutix_protocol', 'secutix_unexpected'];

/**
 * The view of a check reason: its params, plus `count` (the plural forms' number) where a report
 * stored before reasons carried it lists contingents (`no_event_availability`, `no_pass_availability`).
 */
/**
 * A reason's template view. A value SecuTix gave (or that was recorded) that is empty shows as
 * `noValue` ("(no value)" in the reader's language), never as nothing.
 */
function reasonView(r: Reason, L: Locale | undefined, noValue: string): Record<string, unknown> {
  const params: Record<string, unknown> = Object.fromEntries(
    Object.entries(r.params ?? {}).map(([k, v]) => [k, typeof v === 'string' && v.trim() === '' ? noValue : v]),
  );
  // Lists a check wrote with `; ` follow the language's typography (French: no-break space before `;`).
  if (L) for (const [k, v] of Object.entries(params)) if (typeof v === 'string') params[k] = localiseListSeparators(L, v);
  if (params.count === undefined && typeof params.contingents === 'string') {
    params.count = params.contingents.split(',').filter((x) => x.trim() !== '').length;
  }
  return params;
}

/** The marked placeholder for the password in the email draft (the bot never knows it). */
export const PASSWORD_PLACEHOLDER: Record<Locale, string> = {
  en: '[[PASSWORD PROVIDED BY SECUTIX: type it here before sending]]',
  fr: '[[MOT DE PASSE FOURNI PAR SECUTIX\u00a0: à saisir ici avant envoi]]', // no-break space before ':' (French typography)
  de: '[[PASSWORT VON SECUTIX: vor dem Senden hier eintragen]]',
};

/** `<INSTITUTION>_<CHANNEL>` (source: `product.md`, "Verification"). */
export function operatorLogin(run: Pick<Run, 'details'>): string {
  return `${run.details.institutionCode.toUpperCase()}_${run.details.channelCode}`;
}

/** The public web services URL for the institution. */
export function webServicesUrl(template: string, institutionCode: string): string {
  return template.replace('{institution}', institutionCode.toLowerCase());
}

/** `2026-11-29 at 15:42 UTC` from an ISO time. */
export function formatTime(renderer: Renderer, locale: Locale, iso: string | undefined): string {
  if (!iso) return '?';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const s = d.toISOString();
  return renderer.t(locale, 'time.format', { date: s.slice(0, 10), time: s.slice(11, 16) });
}

export class MessageBuilder {
  constructor(
    private readonly r: Renderer,
    private readonly settings: MessageSettings,
  ) {}

  get defaultLocale(): Locale {
    return this.settings.defaultLocale;
  }

  /** Text of catalog key `key` (for surfaces' own small texts). */
  t(locale: Locale, key: string, view: Record<string, unknown> = {}): string {
    return this.r.t(locale, key, view);
  }

  /** True when the catalog has message `key` in `locale` (for optional wordings, e.g. an action's name). */
  has(locale: Locale, key: string): boolean {
    return this.r.has(locale, key);
  }

  private baseView(run: Run): Record<string, unknown> {
    return {
      runId: run.id,
      institutionCode: run.details.institutionCode,
      // An erased name (it equalled the password) shows as the translated placeholder, never blank;
      // otherwise typed by a person: shown literally by every surface (its `**` or `_x_` is no markup).
      institutionName: run.erasedAnswers?.includes('institutionName') ? ERASED : literal(run.details.institutionName),
      channelCode: run.details.channelCode,
      operatorLogin: operatorLogin(run),
    };
  }

  private runMeta(run: Run): Message['run'] {
    return { runId: run.id, step: run.currentStep, state: run.status, version: run.version };
  }

  private stepTitle(locale: Locale, step: StepId): string {
    return this.r.t(locale, `step.${step}.title`);
  }

  /** The button of `action` for a step message of `run` at `step`. */
  button(run: Run, step: StepId, action: ActionId, primary: boolean): Button {
    const L = run.details.language;
    const specific = `button.${action}.${step}`;
    const label = this.r.has(L, specific) ? this.r.t(L, specific) : this.r.t(L, `button.${action}`);
    const b: Button = { actionId: action, label, value: encodeActionValue({ runId: run.id, step }) };
    if (primary) b.style = 'primary';
    if (action === ACTION_IDS.runCancel) {
      const v = this.baseView(run);
      b.confirm = {
        title: this.r.t(L, 'confirm.cancel.title', v),
        text: this.r.t(L, 'confirm.cancel.text', v),
        confirm: this.r.t(L, 'confirm.cancel.confirm', v),
        deny: this.r.t(L, 'confirm.cancel.deny', v),
      };
    }
    return b;
  }

  /** The `run_resume` button (primary): posts the run's current step again in its thread. */
  resumeButton(run: Run, locale: Locale = run.details.language): Button {
    return {
      actionId: ACTION_IDS.runResume,
      label: this.r.t(locale, 'button.run_resume'),
      style: 'primary',
      value: encodeActionValue({ runId: run.id, step: run.currentStep ?? 'email_draft' }),
    };
  }

  /** The buttons of a step message: the step table's actions, the first one primary. */
  stepButtons(run: Run, step: StepId, actions?: readonly ActionId[]): Button[] {
    // `verify_confirm` belongs to reports with checks to confirm only, never to the step message.
    const list = actions ?? stepDefinition(step).actions.filter((a) => a !== ACTION_IDS.verifyConfirm);
    return list.map((a, i) => this.button(run, step, a, i === 0 && a !== ACTION_IDS.runCancel));
  }

  /**
   * How a step shows on the progress card: its record's state, except that a done step whose
   * check failed (or is to confirm) in the last verification shows so, with a pointer to the
   * report, until a later verification passes.
   */
  private displayState(run: Run, step: StepId): { state: StepState; pointer: boolean; confirmedBy?: Actor } {
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
    const blocks: Block[] = [
      { type: 'header', text: this.r.t(L, 'prompt.header', v) },
      { type: 'text', text: this.r.t(L, `step.${step}.guide`, v) },
    ];
    if (step === 'email_draft') blocks.push({ type: 'preformatted', text: this.emailDraft(run) });
    return {
      kind: step === 'email_draft' ? 'email' : 'step',
      locale: L,
      text: this.r.t(L, 'prompt.text', v),
      blocks,
      // After a report with checks to confirm, the step posted again (resume) offers what that
      // report offered: it becomes the one live set of buttons, so `verify_confirm` must be there.
      actions:
        step === 'verification' && run.verification && run.steps.verification.state === 'to_confirm'
          ? this.report(run).actions
          : this.stepButtons(run, step),
      run: { ...this.runMeta(run)!, step },
    };
  }

  /**
   * What an older verification message (the step message, an earlier report) shows instead of
   * its buttons once a newer report is posted: only the newest report's buttons are live.
   */
  superseded(run: Run, newer: 'report' | 'step' = 'report', step: StepId = 'verification'): Message {
    const L = run.details.language;
    const text = this.r.t(L, newer === 'report' ? 'report.superseded' : 'step.superseded', { runId: run.id });
    return {
      kind: 'step_closed',
      locale: L,
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
    return {
      kind: 'step_closed',
      locale: L,
      text,
      blocks: [{ type: 'context', text }],
      actions: [],
      run: { ...this.runMeta(run)!, step: effect.step },
    };
  }

  /** The request to SecuTix support, with the `password_assigned` button. */
  supportRequest(run: Run, opts: { mention?: MentionFormatter; runLink?: string | null } = {}): Message {
    const L = run.details.language;
    const mention = opts.mention ?? plainMention;
    const body = this.r.file(`support-request.${L}`, {
      ...this.baseView(run),
      startedBy: mention(run.startedBy),
      runLink: opts.runLink ?? null,
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
  supportClosed(
    run: Run,
    effect: Extract<Effect, { type: 'support_closed' }>,
    opts: { mention?: MentionFormatter; runLink?: string | null } = {},
  ): Message {
    const L = run.details.language;
    const mention = opts.mention ?? plainMention;
    const req = this.supportRequest(run, opts);
    const line = this.r.t(L, `support.closed.${effect.outcome}`, { by: mention(effect.by), at: formatTime(this.r, L, effect.at) });
    return { ...req, kind: 'support_closed', blocks: [...req.blocks, { type: 'context', text: line }], actions: [] };
  }

  /**
   * The verification report stored on the run. While the run is still at `verification`, a
   * failed one carries `verify_start`, `answers_edit`, `verify_skip`, `run_cancel`; one with
   * checks to confirm and none failed carries `verify_confirm`, `answers_edit`, `verify_start`,
   * `run_cancel` (`chat-contract.md`).
   */
  report(run: Run): Message {
    const L = run.details.language;
    const rep = run.verification;
    if (!rep) throw new Error(`run ${run.id} has no verification report`);
    const items = this.checkItems(L, rep.checks);
    const failed = rep.checks.filter((c) => c.outcome === 'failed').length;
    const toConfirm = rep.checks.filter((c) => c.outcome === 'to_confirm').length;
    const notChecked = rep.checks.filter((c) => c.outcome === 'not_checked').length;
    const outcome = rep.passed ? 'passed' : overallOutcome(rep.checks);
    const blocks: Block[] = [
      { type: 'header', text: this.r.t(L, `report.header.${outcome}`) },
      { type: 'checks', items },
    ];
    if (rep.posId !== undefined) blocks.push({ type: 'text', text: this.r.t(L, 'report.pos_id', { posId: rep.posId }) });
    if (outcome === 'failed') {
      // When every failure is SecuTix being unreachable or answering badly, nothing is to be fixed in the back office.
      const TRANSIENT = ['secutix_unavailable', 'secutix_protocol', 'secutix_unexpected'];
      const failures = rep.checks.filter((c) => c.outcome === 'failed');
      const transient = failures.length > 0 && failures.every((c) => c.reason && TRANSIENT.includes(c.reason.code));
      blocks.push({ type: 'text', text: this.r.t(L, transient ? 'report.retry_hint.transient' : 'report.retry_hint') });
    } else if (outcome === 'to_confirm') {
      blocks.push({ type: 'text', text: this.r.t(L, 'report.confirm_hint') });
    } else if (outcome === 'not_checked') {
      blocks.push({ type: 'text', text: this.r.t(L, 'report.not_checked_hint') });
    }
    const stillHere = outcome !== 'passed' && run.status === 'open' && run.currentStep === 'verification';
    const actions: ActionId[] =
      outcome === 'to_confirm'
        ? [ACTION_IDS.verifyConfirm, ACTION_IDS.answersEdit, ACTION_IDS.verifyStart, ACTION_IDS.runCancel]
        : [ACTION_IDS.verifyStart, ACTION_IDS.answersEdit, ACTION_IDS.verifySkip, ACTION_IDS.runCancel];
    return {
      kind: 'report',
      locale: L,
      text: this.r.t(L, `report.text.${outcome}`, {
        runId: run.id,
        failed,
        toConfirm,
        notChecked,
        count: outcome === 'not_checked' ? notChecked : failed,
      }),
      blocks,
      actions: stillHere ? this.stepButtons(run, 'verification', actions) : [],
      run: { ...this.runMeta(run)!, step: 'verification' },
    };
  }

  /**
   * The verification message while it runs, edited in place: each check waiting, passed, failed,
   * to confirm or skipped, and how long SecuTix has been extracting the catalog. Once `done`, it
   * points to the report posted below it.
   */
  progress(run: Run, p: VerificationProgress): Message {
    const L = run.details.language;
    const v = this.baseView(run);
    // The process died mid-verification (interrupted) or the report could not be saved (not_saved):
    // nothing was recorded; close the message plainly, no check marks that could read as a success.
    const closed = p.interrupted ? 'interrupted' : p.done && p.outcome === 'not_saved' ? 'not_saved' : undefined;
    if (closed) {
      const header = this.r.t(L, `progress.header.${closed}`, v);
      return {
        kind: 'progress',
        locale: L,
        text: header,
        blocks: [
          { type: 'header', text: header },
          { type: closed === 'interrupted' ? 'context' : 'text', text: this.r.t(L, `progress.done.${closed}`) },
        ],
        actions: [],
        run: { ...this.runMeta(run)!, step: 'verification' },
      };
    }
    const lines = p.checks.map((c) => this.r.t(L, `progress.line.${c.state}`, { name: this.r.t(L, `check.name.${c.id}`) }));
    const blocks: Block[] = [{ type: 'header', text: this.r.t(L, p.done ? 'progress.header.done' : 'progress.header', v) }];
    blocks.push({ type: 'text', text: lines.join('\n') });
    if (!p.done && p.catalogWaitedMs !== undefined) {
      blocks.push({ type: 'context', text: this.r.t(L, 'progress.catalog_waiting', { seconds: Math.floor(p.catalogWaitedMs / 1000) }) });
    }
    if (p.done) blocks.push({ type: 'context', text: this.r.t(L, `progress.done.${p.outcome ?? 'failed'}`) });
    return {
      kind: 'progress',
      locale: L,
      text: this.r.t(L, p.done ? 'progress.header.done' : 'progress.header', v),
      blocks,
      actions: [],
      run: { ...this.runMeta(run)!, step: 'verification' },
    };
  }

  /** Recorded answers changed (`answers_edit`): who, when, each old and new value. */
  answersChanged(run: Run, effect: Extract<Effect, { type: 'answers_changed' }>, mention: MentionFormatter = plainMention): Message {
    const L = run.details.language;
    const lines = effect.changes.map((c) =>
      this.r.t(L, c.from ? 'answers.change_line' : 'answers.change_line_new', {
        field: this.r.t(L, `answers.field.${c.field}`),
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

  /** The filled email draft for Digitick (`To:` line, subject, body), with the password placeholder. */
  emailDraft(run: Run): string {
    const L = run.details.language;
    const posId =
      run.verification?.checks.find((c) => c.id === 'credentials')?.outcome === 'passed' ? (run.verification.posId ?? null) : null;
    return this.r
      .file(`email.${L}`, {
        contactName: run.details.digitickContactName,
        contactEmail: run.details.digitickContactEmail,
        institutionName: run.details.institutionName,
        webServicesUrl: webServicesUrl(this.settings.publicUrlTemplate, run.details.institutionCode),
        operatorLogin: operatorLogin(run),
        passwordPlaceholder: PASSWORD_PLACEHOLDER[L],
        posId,
        // Signed by the person who started the run (the operator who sends it); a chat user
        // whose name the surface does not know signs as the institution, never as a raw id.
        senderName: run.startedBy.name?.trim() || run.details.institutionName,
      })
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  }

  /** A short notice in the run's thread (`notice.<code>`). */
  notice(run: Run, code: string, params: Record<string, string | number> = {}): Message {
    const L = run.details.language;
    const startHint = this.r.t(L, `hint.start.${run.surface}`, this.baseView(run));
    const text = this.r.t(L, `notice.${code}`, { ...this.baseView(run), startHint, ...params });
    return { kind: 'notice', locale: L, text, blocks: [{ type: 'text', text }], actions: [], run: this.runMeta(run) };
  }

  /** The message of an effect, for effects that are one message. */
  forEffect(run: Run, effect: Effect, opts: { mention?: MentionFormatter; runLink?: string | null } = {}): Message {
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
        return reminderMessage(this, run, effect, mention);
      case 'reminder_snoozed':
        return snoozedMessage(this, run, effect, mention);
    }
  }

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
      default:
        return this.r.t(L, `refusal.${refusal.code}`, { title: current });
    }
  }

  /** An ephemeral text message (help, status, errors). */
  textMessage(kind: Message['kind'], locale: Locale, text: string, header?: string): Message {
    const blocks: Block[] = header
      ? [
          { type: 'header', text: header },
          { type: 'text', text },
        ]
      : [{ type: 'text', text }];
    return { kind, locale, text: header ? `${header}\n${text}` : text, blocks, actions: [] };
  }

  /**
   * `help`: what the bot does, the commands, threads, no mappings. `commands` are the ones the
   * caller may use (`AccessPolicy.commands`); default: all of them.
   */
  help(locale: Locale, surface: Surface, commands: readonly HelpCommand[] = HELP_COMMANDS): Message {
    const command = surface === 'slack' ? COMMAND_NAME : 'digitick-onboard';
    const text = [this.r.t(locale, 'help.text'), this.commandList(locale, command, commands), this.r.t(locale, 'help.notes')].join('\n\n');
    return this.textMessage('help', locale, text, this.r.t(locale, 'help.header'));
  }

  /** The `help` list of `commands` (one line each, `help.command.<name>`), written with `command` (`/digitick-onboard`). */
  commandList(locale: Locale, command: string, commands: readonly HelpCommand[] = HELP_COMMANDS): string {
    const lines = HELP_COMMANDS.filter((c) => commands.includes(c)).map((c) => this.r.t(locale, `help.command.${c}`, { command }));
    return [this.r.t(locale, 'help.commands.header'), ...lines].join('\n');
  }

  /** `product`: the short guide to put a product on sale on Digitick. */
  productGuide(locale: Locale, channelCode = 'DGTK'): Message {
    return this.textMessage('product_guide', locale, this.r.t(locale, 'product.text', { channelCode }), this.r.t(locale, 'product.header'));
  }

  /** `status` without a run: the caller's open runs. */
  statusList(locale: Locale, runs: Run[]): Message {
    if (runs.length === 0) return this.textMessage('status', locale, this.r.t(locale, 'status.none'));
    const lines = runs.map((run) => {
      const def = run.currentStep ? stepDefinition(run.currentStep) : null;
      return this.r.t(locale, 'status.line', {
        ...this.baseView(run),
        number: def?.number ?? 10,
        title: def ? this.stepTitle(locale, def.id) : '',
      });
    });
    return this.textMessage('status', locale, lines.join('\n'), this.r.t(locale, 'status.header'));
  }

  /**
   * "My runs" (Slack App Home, Teams `status` in personal chat): the person's open runs, each with
   * institution, channel code, current step (number/10 and title), start time and a `run_resume`
   * button on its own line (`Block.button`), then their last completed runs (institution, when,
   * by whom). Headings are in `locale` (the person's language; `DEFAULT_LOCALE` when unknown); a
   * run line is in `locale` when given, else in the run's language. `surface` picks the intro.
   * Texts are used as given: a Slack caller passes runs escaped for mrkdwn.
   */
  myRuns(surface: Surface, locale: Locale | undefined, runs: MyRuns, mention: MentionFormatter = plainMention): Message {
    const L = locale ?? this.settings.defaultLocale;
    const blocks: Block[] = [
      { type: 'header', text: this.r.t(L, 'home.header') },
      { type: 'context', text: this.r.t(L, `home.intro.${surface}`) },
      { type: 'text', text: this.r.t(L, 'home.open.header', { count: runs.open.length + runs.moreOpen }) },
    ];
    for (const run of runs.open) {
      const RL = locale ?? run.details.language;
      const def = run.currentStep ? stepDefinition(run.currentStep) : null;
      const text = this.r.t(RL, 'home.open.line', {
        ...this.baseView(run),
        number: def?.number ?? 10,
        title: def ? this.stepTitle(RL, def.id) : this.r.t(RL, `run_state.${run.status}`),
        startedAt: formatTime(this.r, RL, run.createdAt),
      });
      blocks.push({ type: 'text', text, button: { ...this.resumeButton(run, RL), label: this.r.t(RL, 'home.resume') } });
    }
    if (runs.open.length === 0) blocks.push({ type: 'context', text: this.r.t(L, 'home.open.none') });
    if (runs.moreOpen > 0) blocks.push({ type: 'context', text: this.r.t(L, 'home.open.more', { count: runs.moreOpen }) });
    blocks.push({ type: 'text', text: this.r.t(L, 'home.completed.header') });
    const lines = runs.completed.map((run) => {
      const RL = locale ?? run.details.language;
      return this.r.t(RL, 'home.completed.line', {
        ...this.baseView(run),
        at: formatTime(this.r, RL, run.endedAt),
        by: run.endedBy ? mention(run.endedBy) : '?',
      });
    });
    blocks.push(
      lines.length > 0 ? { type: 'text', text: lines.join('\n') } : { type: 'context', text: this.r.t(L, 'home.completed.none') },
    );
    return {
      kind: 'status',
      locale: L,
      text: this.r.t(L, 'home.text', { open: runs.open.length + runs.moreOpen, completed: runs.completed.length }),
      blocks,
      actions: [],
    };
  }

  /**
   * The plain sentence for a service error. One rule for languages: an answer about a run is in
   * the run's language (as its card, `status RUN`, `resume`, `audit` answers); `locale` (the
   * caller's) serves errors with no run, and the duplicate-run answer to a start form (the form's).
   */
  describeError(error: ServiceError, locale?: Locale, mention: MentionFormatter = plainMention, surface: Surface = 'slack'): string {
    switch (error.code) {
      case 'refused':
        return this.refusal(error.run, error.refusal, error.run.details.language, mention);
      case 'unknown_run': {
        const L = locale ?? this.defaultLocale;
        return this.r.t(L, 'error.unknown_run', { runId: error.runId, statusHint: this.r.t(L, `hint.status.${surface}`) });
      }
      case 'other_surface':
        return this.r.t(error.run.details.language, 'error.other_surface', { runId: error.run.id, surface: error.run.surface });
      case 'duplicate_run': {
        const L = locale ?? error.run.details.language;
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

  /** The start form (`onboard_start`), prefilled with an institution code when given. */
  startForm(locale: Locale, privateMetadata: string, prefill: { institutionCode?: string } = {}): FormModel {
    const f = (k: string): string => this.r.t(locale, `form.start.${k}`);
    return {
      id: FORM_IDS.start,
      locale,
      title: f('title'),
      submit: this.r.t(locale, 'form.submit'),
      close: this.r.t(locale, 'form.close'),
      intro: f('intro'),
      privateMetadata,
      inputs: [
        {
          id: INPUT_IDS.institutionCode,
          label: f('institution_code'),
          kind: 'text',
          optional: false,
          maxLength: 15,
          placeholder: f('institution_code.placeholder'),
          ...(prefill.institutionCode ? { initial: prefill.institutionCode } : {}),
        },
        { id: INPUT_IDS.institutionName, label: f('institution_name'), kind: 'text', optional: false, maxLength: 120 },
        { id: INPUT_IDS.channelCode, label: f('channel_code'), kind: 'text', optional: true, initial: 'DGTK', maxLength: 8 },
        { id: INPUT_IDS.digitickContactName, label: f('digitick_contact_name'), kind: 'text', optional: false, maxLength: 120 },
        { id: INPUT_IDS.digitickContactEmail, label: f('digitick_contact_email'), kind: 'email', optional: false, maxLength: 254 },
        {
          id: INPUT_IDS.language,
          label: f('language'),
          kind: 'select',
          optional: true,
          initial: locale,
          options: LOCALES.map((l) => ({ value: l, label: this.r.t(locale, `form.language.${l}`) })),
        },
      ],
    };
  }

  /** The form of a step input or of the verification (`onboard_contingents`, `onboard_contact`, `onboard_password`, `onboard_verify_skip`). */
  runForm(run: Run, id: RunFormId, privateMetadata: string): FormModel {
    const L = run.details.language;
    const v = this.baseView(run);
    const base = { locale: L, submit: this.r.t(L, 'form.submit'), close: this.r.t(L, 'form.close'), privateMetadata };
    switch (id) {
      case FORM_IDS.contingents:
        return {
          ...base,
          id,
          title: this.r.t(L, 'form.contingents.title'),
          intro: this.r.t(L, 'form.contingents.intro', v),
          inputs: [
            {
              id: INPUT_IDS.contingentIds,
              label: this.r.t(L, 'form.contingents.label'),
              kind: 'multiline',
              optional: false,
              placeholder: this.r.t(L, 'form.contingents.placeholder'),
              maxLength: 1000,
              ...(run.contingentIds.length ? { initial: run.contingentIds.join(', ') } : {}),
            },
          ],
        };
      case FORM_IDS.contact:
        return {
          ...base,
          id,
          title: this.r.t(L, 'form.contact.title'),
          intro: this.r.t(L, 'form.contact.intro', v),
          inputs: [
            {
              id: INPUT_IDS.contactNumber,
              label: this.r.t(L, 'form.contact.label'),
              kind: 'text',
              optional: false,
              maxLength: 20,
              ...(run.contactNumber ? { initial: run.contactNumber } : {}),
            },
          ],
        };
      case FORM_IDS.password:
        return {
          ...base,
          id,
          submit: this.r.t(L, 'form.password.submit'),
          title: this.r.t(L, 'form.password.title'),
          intro: this.r.t(L, 'form.password.intro', v),
          inputs: [
            {
              id: INPUT_IDS.operatorPassword,
              label: this.r.t(L, 'form.password.label'),
              kind: 'password',
              optional: false,
              maxLength: 200,
            },
          ],
        };
      case FORM_IDS.answers: {
        const erased = run.erasedAnswers ?? [];
        const details = (['institutionName', 'digitickContactName', 'digitickContactEmail'] as const).filter((f) => erased.includes(f));
        return {
          ...base,
          id,
          title: this.r.t(L, 'form.answers.title'),
          intro: this.r.t(L, erased.length ? 'form.answers.intro_erased' : 'form.answers.intro', v),
          inputs: [
            {
              id: INPUT_IDS.contingentIds,
              label: this.r.t(L, 'form.contingents.label'),
              kind: 'multiline',
              optional: false,
              placeholder: this.r.t(L, 'form.contingents.placeholder'),
              maxLength: 1000,
              ...(run.contingentIds.length ? { initial: run.contingentIds.join(', ') } : {}),
            },
            {
              id: INPUT_IDS.contactNumber,
              label: this.r.t(L, 'form.contact.label'),
              kind: 'text',
              optional: false,
              maxLength: 20,
              ...(run.contactNumber ? { initial: run.contactNumber } : {}),
            },
            ...details.map((f) => ({
              id: ANSWER_INPUT[f],
              label: this.r.t(L, `form.start.${ANSWER_INPUT[f]}`),
              kind: f === 'digitickContactEmail' ? ('email' as const) : ('text' as const),
              optional: false,
              maxLength: f === 'digitickContactEmail' ? 254 : 100,
            })),
          ],
        };
      }
      case FORM_IDS.verifySkip:
        return {
          ...base,
          id,
          title: this.r.t(L, 'form.verify_skip.title'),
          intro: this.r.t(L, 'form.verify_skip.intro', v),
          inputs: [
            { id: INPUT_IDS.skipReason, label: this.r.t(L, 'form.verify_skip.label'), kind: 'multiline', optional: false, maxLength: 500 },
          ],
        };
    }
  }

  // ---- checks without a run (`check INSTITUTION`, `product CODE`) ----------------------------

  /** The `checks` block items of verification results, in `L` (names, reasons, warnings). */
  /** Check lines; `warningVariant`: a catalog prefix whose key, when present, words a warning instead (e.g. without a run). */
  /** A check's name, its outcome word and its line heading in `L` (`report.check_heading`). */
  private checkHeading(L: Locale, name: string, outcome: CheckResult['outcome']): { name: string; outcomeWord: string; heading: string } {
    const outcomeWord = this.r.t(L, `report.outcome.${outcome}`);
    return { name, outcomeWord, heading: this.r.t(L, 'report.check_heading', { name, outcome: outcomeWord }) };
  }

  private checkItems(L: Locale, checks: readonly CheckResult[], warningVariant?: string): Extract<Block, { type: 'checks' }>['items'] {
    const warningKey = (code: string) =>
      warningVariant && this.r.has(L, `${warningVariant}.${code}`) ? `${warningVariant}.${code}` : `check.warning.${code}`;
    return checks.map((c) => ({
      ...this.checkHeading(L, this.r.t(L, `check.name.${c.id}`), c.outcome),
      id: c.id,
      outcome: c.outcome,
      ...(c.reason
        ? {
            reason: this.r.t(
              L,
              `check.${c.outcome === 'to_confirm' ? 'confirm' : 'reason'}.${c.reason.code}`,
              reasonView(c.reason, L, this.r.t(L, 'value.none')),
            ),
          }
        : {}),
      warnings: (c.warnings ?? []).map((w) => this.r.t(L, warningKey(w.code), reasonView(w, L, this.r.t(L, 'value.none')))),
    }));
  }

  /**
   * The report of `check INSTITUTION [CHANNEL]` (no run): the checks as in a run's report, then
   * one "where to fix it" line per failed check naming the back-office screen (`check.fix.<id>`;
   * a SecuTix outage says to try again later instead), and a hint when checks were skipped for
   * want of a value. Shown only to the person who asked.
   */
  healthReport(locale: Locale, result: HealthCheckResult): Message {
    const L = locale;
    const rep = result.report;
    const login = `${result.institutionCode}_${result.channelCode}`;
    const v = { institutionCode: result.institutionCode, channelCode: result.channelCode, login };
    const failures = rep.checks.filter((c) => c.outcome === 'failed');
    const toConfirm = rep.checks.filter((c) => c.outcome === 'to_confirm').length;
    const notChecked = rep.checks.filter((c) => c.outcome === 'not_checked').length;
    const headerKey = `health.header.${rep.passed ? 'passed' : overallOutcome(rep.checks)}`;
    const header = this.r.t(L, headerKey, { ...v, failed: failures.length, toConfirm, notChecked, count: failures.length });
    // No run here: a warning that speaks of "the run's contingents" has a no-run wording; each
    // failed check is one line, its reason followed by the back-office screen where to fix it.
    const items = this.checkItems(L, rep.checks, 'check.warning_no_run').map((item, i) => {
      const c = rep.checks[i]!;
      if (c.outcome !== 'failed') return item;
      const reason = item.reason ?? '';
      const transient = c.reason !== undefined && TRANSIENT_REASONS.includes(c.reason.code);
      // The screen is named once, by the fix: a reason whose own remedy names it again is cut
      // to its cause (`check.cause.<code>`: the reason's first sentence).
      const causeKey = c.reason ? `check.cause.${c.reason.code}` : '';
      const cause =
        c.reason && this.r.has(L, causeKey) ? this.r.t(L, causeKey, reasonView(c.reason, L, this.r.t(L, 'value.none'))) : reason;
      const line = transient
        ? this.r.t(L, 'health.transient_line', { reason })
        : this.r.t(L, 'health.failed_line', { reason: cause, fix: this.r.t(L, `check.fix.${c.id}`, v) });
      return { ...item, reason: line.trim() };
    });
    const blocks: Block[] = [
      { type: 'header', text: header },
      { type: 'context', text: this.r.t(L, 'health.context', { ...v, at: formatTime(this.r, L, rep.at) }) },
      { type: 'checks', items },
    ];
    if (rep.posId !== undefined) blocks.push({ type: 'text', text: this.r.t(L, 'report.pos_id', { posId: rep.posId }) });
    const NOT_GIVEN = ['contingents_not_given', 'no_contact_number'];
    if (rep.checks.some((c) => c.outcome === 'skipped' && c.reason && NOT_GIVEN.includes(c.reason.code))) {
      blocks.push({ type: 'context', text: this.r.t(L, 'health.skipped_hint') });
    }
    return { kind: 'report', locale: L, text: header, blocks, actions: [] };
  }

  /** The form of `check INSTITUTION [CHANNEL]` (`onboard_check`): the password, optional contingent ids and contact number. */
  checkForm(locale: Locale, target: { institutionCode: string; channelCode: string }, privateMetadata: string): FormModel {
    const L = locale;
    const v = { ...target, login: `${target.institutionCode}_${target.channelCode}` };
    return {
      id: FORM_IDS.check,
      locale: L,
      title: this.r.t(L, 'form.check.title'),
      submit: this.r.t(L, 'form.check.submit'),
      close: this.r.t(L, 'form.close'),
      intro: this.r.t(L, 'form.check.intro', v),
      privateMetadata,
      inputs: [
        { id: INPUT_IDS.operatorPassword, label: this.r.t(L, 'form.check.password', v), kind: 'password', optional: false, maxLength: 200 },
        {
          id: INPUT_IDS.contingentIds,
          label: this.r.t(L, 'form.check.contingents'),
          kind: 'text',
          optional: true,
          maxLength: 1000,
          placeholder: this.r.t(L, 'form.contingents.placeholder'),
          hint: this.r.t(L, 'form.check.contingents.hint'),
        },
        {
          id: INPUT_IDS.contactNumber,
          label: this.r.t(L, 'form.check.contact'),
          kind: 'text',
          optional: true,
          maxLength: 20,
          hint: this.r.t(L, 'form.check.contact.hint'),
        },
      ],
    };
  }

  /** `product CODE`: the guide, then a line offering the check of that product (surfaces add the `product_check` button). */
  productGuideWithCheck(locale: Locale, productCode: string, channelCode = 'DGTK'): Message {
    const guide = this.productGuide(locale, channelCode);
    const offer = this.r.t(locale, 'product_check.offer', { productCode });
    return { ...guide, blocks: [...guide.blocks, { type: 'text', text: offer }] };
  }

  /** The label of the `product_check` button under `productGuideWithCheck`. */
  productCheckButtonLabel(locale: Locale, productCode: string): string {
    return this.r.t(locale, 'product_check.button', { productCode });
  }

  /** The form of the `product CODE` check (`onboard_product_check`): institution, channel, password, optional contingents. */
  productCheckForm(locale: Locale, productCode: string, privateMetadata: string): FormModel {
    const L = locale;
    return {
      id: FORM_IDS.productCheck,
      locale: L,
      title: this.r.t(L, 'form.product_check.title'),
      submit: this.r.t(L, 'form.check.submit'),
      close: this.r.t(L, 'form.close'),
      intro: this.r.t(L, 'form.product_check.intro', { productCode }),
      privateMetadata,
      inputs: [
        {
          id: INPUT_IDS.institutionCode,
          label: this.r.t(L, 'form.product_check.institution_code'),
          kind: 'text',
          optional: false,
          maxLength: 15,
          placeholder: this.r.t(L, 'form.start.institution_code.placeholder'),
        },
        {
          id: INPUT_IDS.channelCode,
          label: this.r.t(L, 'form.product_check.channel_code'),
          kind: 'text',
          optional: true,
          initial: 'DGTK',
          maxLength: 8,
        },
        {
          id: INPUT_IDS.operatorPassword,
          label: this.r.t(L, 'form.product_check.password'),
          kind: 'password',
          optional: false,
          maxLength: 200,
        },
        {
          id: INPUT_IDS.contingentIds,
          label: this.r.t(L, 'form.check.contingents'),
          kind: 'text',
          optional: true,
          maxLength: 1000,
          placeholder: this.r.t(L, 'form.contingents.placeholder'),
          hint: this.r.t(L, 'form.product_check.contingents.hint'),
        },
      ],
    };
  }

  /** The report of the `product CODE` check: found or not, running or not, available in the contingents or not. */
  productReport(locale: Locale, rep: ProductCheckReport): Message {
    const L = locale;
    const reasonText = (r: Reason): string =>
      this.r.has(L, `product_check.reason.${r.code}`)
        ? this.r.t(L, `product_check.reason.${r.code}`, reasonView(r, L, this.r.t(L, 'value.none')))
        : this.r.t(L, `check.reason.${r.code}`, reasonView(r, L, this.r.t(L, 'value.none')));
    const header = this.r.t(L, `product_check.header.${rep.passed ? 'passed' : overallOutcome(rep.checks)}`, {
      productCode: rep.productCode,
    });
    const blocks: Block[] = [{ type: 'header', text: header }];
    if (rep.product) blocks.push({ type: 'text', text: this.r.t(L, 'product_check.product', rep.product) });
    blocks.push({
      type: 'checks',
      items: rep.checks.map((c) => ({
        ...this.checkHeading(L, this.r.t(L, `product_check.name.${c.id}`), c.outcome),
        id: c.id,
        outcome: c.outcome,
        ...(c.reason ? { reason: reasonText(c.reason) } : {}),
        warnings: [],
      })),
    });
    blocks.push({
      type: 'context',
      text: this.r.t(L, 'product_check.context', {
        institutionCode: rep.institutionCode,
        channelCode: rep.channelCode,
        at: formatTime(this.r, L, rep.at),
      }),
    });
    return { kind: 'report', locale: L, text: header, blocks, actions: [] };
  }
}
