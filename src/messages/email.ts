/**
 * The email to the Digitick contact (step 10): a draft the operator copies, with a marked place
 * for the password the bot never knows. Pure: no I/O.
 */
import type { Locale } from '../domain/ids';
import type { Run } from '../workflow/types';
import { operatorLogin, BuilderCore } from './builder-core';

/** The marked placeholder for the password in the email draft (the bot never knows it). */
export const PASSWORD_PLACEHOLDER: Record<Locale, string> = {
  en: '[[PASSWORD PROVIDED BY SECUTIX: type it here before sending]]',
  fr: '[[MOT DE PASSE FOURNI PAR SECUTIX\u00a0: à saisir ici avant envoi]]', // no-break space before ':' (French typography)
  de: '[[PASSWORT VON SECUTIX: vor dem Senden hier eintragen]]',
};

/** The public web services URL for the institution. */
export function webServicesUrl(template: string, institutionCode: string): string {
  return template.replace('{institution}', institutionCode.toLowerCase());
}

export class EmailMessages extends BuilderCore {
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
}
