/**
 * The base of the message builder: catalog texts, the common view of a run, buttons, and the
 * small helpers every feature's messages share. Pure: no I/O.
 */
import { ACTION_IDS, type ActionId, type Locale, type StepId } from '../domain/ids';
import { ERASED } from '../domain/erased';
import { stepDefinition } from '../workflow/steps';
import type { Actor, Run } from '../workflow/types';
import { encodeActionValue } from './action-value';
import type { Block, Button, Message } from './model';
import type { Renderer } from './renderer';
import { literal } from './literal';

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

/** Actions refused at verification while an erased answer has not been entered again. */
const ERASED_BLOCKS: readonly ActionId[] = [ACTION_IDS.verifyStart, ACTION_IDS.verifySkip, ACTION_IDS.verifyConfirm];

export const plainMention: MentionFormatter = (a) => a.name ?? a.id;

/** `<INSTITUTION>_<CHANNEL>` (source: `product.md`, "Verification"). */
export function operatorLogin(run: Pick<Run, 'details'>): string {
  return `${run.details.institutionCode.toUpperCase()}_${run.details.channelCode}`;
}

/** `2026-11-29 at 15:42 UTC` from an ISO time. */
export function formatTime(renderer: Renderer, locale: Locale, iso: string | undefined): string {
  if (!iso) return '?';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const s = d.toISOString();
  return renderer.t(locale, 'time.format', { date: s.slice(0, 10), time: s.slice(11, 16) });
}

export class BuilderCore {
  constructor(
    protected readonly r: Renderer,
    protected readonly settings: MessageSettings,
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

  protected baseView(run: Run): Record<string, unknown> {
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

  protected runMeta(run: Run): Message['run'] {
    return { runId: run.id, step: run.currentStep, state: run.status, version: run.version };
  }

  protected stepTitle(locale: Locale, step: StepId): string {
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
    let list = actions ?? stepDefinition(step).actions.filter((a) => a !== ACTION_IDS.verifyConfirm);
    // Once the password guard erased answers, verifying, skipping and confirming are refused until
    // they are entered again: only "Edit answers" (then primary) and cancel are offered.
    if (step === 'verification' && run.erasedAnswers?.length) list = list.filter((a) => !ERASED_BLOCKS.includes(a));
    return list.map((a, i) => this.button(run, step, a, i === 0 && a !== ACTION_IDS.runCancel));
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

  /** A short notice in the run's thread (`notice.<code>`). */
  notice(run: Run, code: string, params: Record<string, string | number> = {}): Message {
    const L = run.details.language;
    const startHint = this.r.t(L, `hint.start.${run.surface}`, this.baseView(run));
    const text = this.r.t(L, `notice.${code}`, { ...this.baseView(run), startHint, ...params });
    return { kind: 'notice', locale: L, text, blocks: [{ type: 'text', text }], actions: [], run: this.runMeta(run) };
  }
}
