/**
 * The checks without a run as messages: `check INSTITUTION` (report and form) and `product CODE`
 * (guide, button, form and report). Pure: no I/O.
 */
import { FORM_IDS, INPUT_IDS, type Locale } from '../domain/ids';
import { overallOutcome } from '../workflow/outcome';
import type { Reason } from '../workflow/types';
import type { Block, FormModel, Message } from './model';
import type { HealthCheckResult, ProductCheckReport } from '../workflow/check-results';
import { formatTime } from './builder-core';
import { reasonView } from './verification-reports';
import { FormMessages } from './forms';

/** Reasons meaning SecuTix could not answer (nothing to fix in the back office). */
const TRANSIENT_REASONS: readonly string[] = [
  'secutix_unavailable',
  'secutix_service_error',
  'secutix_protocol',
  'secutix_not_api',
  'secutix_unexpected',
];

export class HealthCheckMessages extends FormMessages {
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
    const outcome = rep.passed ? 'passed' : overallOutcome(rep.checks);
    const count = outcome === 'to_confirm' ? toConfirm : outcome === 'not_checked' ? notChecked : failures.length;
    const header = this.r.t(L, headerKey, { ...v, failed: failures.length, toConfirm, notChecked, count });
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
