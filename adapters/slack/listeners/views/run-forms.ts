/**
 * The run forms' submissions (contingents, technical contact, SecuTix password, verification skip,
 * answers edit): metadata, run, field parsing, ack, then the service call. The password lives only
 * in the submission's handler: it is not logged, stored or echoed.
 */
import { ACTION_IDS, FORM_IDS, type FormId, INPUT_IDS, type StepId } from '../../../../src/domain/ids';
import type { ServiceError } from '../../../../src/app/run-service';
import {
  parseAnswersForm,
  parseContactForm,
  parseContingentsForm,
  parsePasswordForm,
  parseVerifySkipForm,
  type FormResult,
} from '../../../../src/app/forms';
import type { Actor, Run } from '../../../../src/workflow/types';
import { noticeModal, textPayload } from '../../block-kit';
import { formValues, parseMetadata, runMetadataSchema, viewSubmissionSchema } from '../../payloads';
import type { SlackListenerContext } from '../context';
import { StoreUnavailableError } from '../../../../src/ports/run-store.port';
import { orgOfRequest } from '../../org-scope';

/** Registers the view submission listeners of the run forms. */
export function registerRunForms(ctx: SlackListenerContext): void {
  const {
    app,
    service,
    defaultLocale,
    tracked,
    principalsOf,
    localeOfUser,
    t,
    ephemeral,
    describe,
    actorOf,
    acceptForm,
    ackUnavailable,
    formExpired,
  } = ctx;

  /** Common path of the run forms: metadata, run, field parsing, ack, then `work`. */
  function runForm<T>(
    id: FormId,
    /** Reads only the inputs the form showed for `run` (extra submitted values ignored). */
    parse: (raw: Record<string, string | null>, run: Run) => FormResult<T>,
    work: (
      run: Run,
      value: T,
      actor: Actor,
      step: StepId,
      who: { principals?: string[]; org?: string },
    ) => Promise<{ ok: true } | { ok: false; error: ServiceError }>,
  ): void {
    app.view(id, ({ ack, body }) =>
      tracked(async () => {
        const parsed = viewSubmissionSchema.safeParse(body);
        const meta = parsed.success ? parseMetadata(runMetadataSchema, parsed.data.view.private_metadata) : null;
        if (!parsed.success || !meta) {
          await ack(formExpired(defaultLocale));
          return;
        }
        // The user's language, read beside the run (at most 1 s): the answer when the store does not answer.
        const userLocale = localeOfUser(parsed.data.user.id);
        let loaded: Awaited<ReturnType<typeof service.load>>;
        try {
          loaded = await service.load(meta.run, 'slack', { ...orgOfRequest(), action: id });
        } catch (err) {
          if (!(err instanceof StoreUnavailableError)) throw err;
          // The modal stays open with what was typed, "try again in a moment" on its first input.
          await ackUnavailable(ack, body, await userLocale);
          return;
        }
        if (!loaded.ok) {
          await ack({
            response_action: 'update',
            view: noticeModal(t(defaultLocale, 'slack.form_error.title'), describe(loaded.error), t(defaultLocale, 'form.close')) as never,
          });
          return;
        }
        const run = loaded.value;
        const L = run.details.language;
        // Changed answers wait for the verification under way: the modal stays open with what was typed.
        const held = (): Record<string, string> | undefined =>
          id === FORM_IDS.answers && service.verificationRunning(run.id)
            ? { [Object.keys(parsed.data.view.state.values)[0] ?? INPUT_IDS.contingentIds]: t(L, 'form.answers.verification_running') }
            : undefined;
        const form = await acceptForm(ack, body, L, parse(formValues(parsed.data.view.state.values), run), held);
        if (!form) return;
        const user = parsed.data.user;
        const out = await work(run, form.value, actorOf(user), meta.step, await principalsOf(user.id));
        if (!out.ok) await ephemeral(run.channelId, user.id, textPayload(describe(out.error, await localeOfUser(user.id))));
      }),
    );
  }

  runForm(FORM_IDS.contingents, parseContingentsForm, (run, contingentIds, actor, step, who) =>
    service.act({ runId: run.id, step, action: ACTION_IDS.stepDone, actor, ...who, surface: 'slack', contingentIds }),
  );
  runForm(FORM_IDS.contact, parseContactForm, (run, contactNumber, actor, step, who) =>
    service.act({ runId: run.id, step, action: ACTION_IDS.stepDone, actor, ...who, surface: 'slack', contactNumber }),
  );
  // The password lives only in this call: it is not logged, stored or echoed (the modal closed on ack).
  runForm(FORM_IDS.password, parsePasswordForm, (run, password, actor, _step, who) =>
    service.verify({ runId: run.id, actor, ...who, surface: 'slack', password }),
  );
  runForm(FORM_IDS.verifySkip, parseVerifySkipForm, (run, reason, actor, step, who) =>
    service.act({ runId: run.id, step, action: ACTION_IDS.verifySkip, actor, ...who, surface: 'slack', reason }),
  );
  // `answers_edit`: the recorded contingents and contact (and any erased detail), audited with old and new values.
  runForm(
    FORM_IDS.answers,
    (raw, run) => parseAnswersForm(raw, run.erasedAnswers),
    (run, answers, actor, _step, who) => service.editAnswers({ runId: run.id, actor, ...who, surface: 'slack', answers }),
  );
}
