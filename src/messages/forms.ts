/**
 * The forms of a run: the start form and the run's own forms (answers, contingents, contact,
 * password). Pure: no I/O.
 */
import { FORM_IDS, INPUT_IDS, type Locale, LOCALES, type RunFormId } from '../domain/ids';
import type { AnswerField, Run } from '../workflow/types';
import type { FormInput, FormModel } from './model';
import { HomeMessages } from './home';

/** The start-form input of each erasable detail (`onboard_answers` asks for it again once erased). */
const ANSWER_INPUT = {
  institutionName: INPUT_IDS.institutionName,
  digitickContactName: INPUT_IDS.digitickContactName,
  digitickContactEmail: INPUT_IDS.digitickContactEmail,
} as const satisfies Partial<Record<AnswerField, string>>;

export class FormMessages extends HomeMessages {
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

  /** The contingent ids input (step 3), filled with the run's. */
  private contingentsInput(run: Run, L: Locale): FormInput {
    return {
      id: INPUT_IDS.contingentIds,
      label: this.r.t(L, 'form.contingents.label'),
      kind: 'multiline',
      optional: false,
      placeholder: this.r.t(L, 'form.contingents.placeholder'),
      maxLength: 1000,
      ...(run.contingentIds.length ? { initial: run.contingentIds.join(', ') } : {}),
    };
  }

  /** The technical contact's number input (step 4), filled with the run's. */
  private contactInput(run: Run, L: Locale): FormInput {
    return {
      id: INPUT_IDS.contactNumber,
      label: this.r.t(L, 'form.contact.label'),
      kind: 'text',
      optional: false,
      maxLength: 20,
      ...(run.contactNumber ? { initial: run.contactNumber } : {}),
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
          inputs: [this.contingentsInput(run, L)],
        };
      case FORM_IDS.contact:
        return {
          ...base,
          id,
          title: this.r.t(L, 'form.contact.title'),
          intro: this.r.t(L, 'form.contact.intro', v),
          inputs: [this.contactInput(run, L)],
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
            this.contingentsInput(run, L),
            this.contactInput(run, L),
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
}
