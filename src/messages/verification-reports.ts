/**
 * The verification of step 9 as messages: the report and its check lines, and the progress card
 * while it runs. Pure: no I/O.
 */
import { reasonsOf } from '../workflow/check-reasons';
import { ACTION_IDS, type ActionId, type Locale, type StepId } from '../domain/ids';
import { overallOutcome } from '../workflow/outcome';
import type { CheckResult, Reason, Run, VerificationProgress } from '../workflow/types';
import type { Block, Message } from './model';
import { localiseListSeparators } from './typography';
import { RunMessages } from './run-messages';

/**
 * A reason's template view: its params, plus `count` (the plural forms' number) where a report
 * stored before reasons carried it lists contingents (`no_event_availability`, `no_pass_availability`).
 * A value SecuTix gave (or that was recorded) that is empty shows as `noValue` ("(no value)" in the
 * reader's language), never as nothing.
 */
export function reasonView(r: Reason, L: Locale | undefined, noValue: string): Record<string, unknown> {
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

export class VerificationMessages extends RunMessages {
  /** A check's name, its outcome word and its line heading in `L` (`report.check_heading`). */
  protected checkHeading(L: Locale, name: string, outcome: CheckResult['outcome']): { name: string; outcomeWord: string; heading: string } {
    const outcomeWord = this.r.t(L, `report.outcome.${outcome}`);
    return { name, outcomeWord, heading: this.r.t(L, 'report.check_heading', { name, outcome: outcomeWord }) };
  }

  /**
   * The `checks` block items of verification results, in `L` (names, reasons, warnings);
   * `warningVariant`: a catalog prefix whose key, when present, words a warning instead (e.g. without a run).
   */
  protected checkItems(L: Locale, checks: readonly CheckResult[], warningVariant?: string): Extract<Block, { type: 'checks' }>['items'] {
    const warningKey = (code: string) =>
      warningVariant && this.r.has(L, `${warningVariant}.${code}`) ? `${warningVariant}.${code}` : `check.warning.${code}`;
    return checks.map((c) => ({
      ...this.checkHeading(L, this.r.t(L, `check.name.${c.id}`), c.outcome),
      id: c.id,
      outcome: c.outcome,
      ...(c.reason
        ? {
            // Every reason (several values to confirm), one sentence after the other.
            reason: reasonsOf(c)
              .map((r) =>
                this.r.t(
                  L,
                  `check.${c.outcome === 'to_confirm' ? 'confirm' : 'reason'}.${r.code}`,
                  reasonView(r, L, this.r.t(L, 'value.none')),
                ),
              )
              .join(' '),
          }
        : {}),
      warnings: (c.warnings ?? []).map((w) => this.r.t(L, warningKey(w.code), reasonView(w, L, this.r.t(L, 'value.none')))),
    }));
  }

  /**
   * A step message; after a report with checks to confirm, the verification step posted again
   * (resume) offers what that report offered: it becomes the one live set of buttons, so
   * `verify_confirm` must be there.
   */
  override stepPrompt(run: Run, step: StepId): Message {
    const m = super.stepPrompt(run, step);
    return step === 'verification' && run.verification && run.steps.verification.state === 'to_confirm'
      ? { ...m, actions: this.report(run).actions }
      : m;
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
      const TRANSIENT = ['secutix_unavailable', 'secutix_service_error', 'secutix_protocol', 'secutix_not_api', 'secutix_unexpected'];
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
}
