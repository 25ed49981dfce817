/**
 * The console surface's inbound side (`product.md`, "Surfaces > Console"): the same conversation
 * as in chat, in a terminal. It offers to resume an open console run or asks the start form's
 * questions one by one, shows each step's buttons as numbered choices (1 = the primary one),
 * asks forms as questions, and calls the run service, whose outbox prints every message through
 * the console notifier (`createConsoleNotifier`, same output stream). The operator password is
 * read without echo, passed to `RunService.verify` and dropped: never printed, logged or stored.
 */
import { ACTION_IDS, FORM_IDS, type RunFormId } from '../../src/domain/ids';
import {
  parseContactForm,
  parseContingentsForm,
  parsePasswordForm,
  parseVerifySkipForm,
  parseAnswersForm,
  type FormResult,
  type RawValues,
} from '../../src/app/forms';
import { errorSummary, type Outcome } from '../../src/app/run-service';
import { stepDefinition } from '../../src/workflow/steps';
import type { AnswerChanges, Run } from '../../src/workflow/types';
import type { ConsoleChoice } from './channel';
import { ConsoleCommands } from './commands';
import { type ConsoleDeps, type ConsoleInstitutionHint, InputEnded, SessionFailed, SessionIO, type SessionCommand } from './session-io';
import { StartFlow } from './start';
import { sqliteProblemOf } from '../store/sqlite-probe';
import { rule, stripMarkup } from './text';

export type { ConsoleDeps, ConsoleHints, ConsoleInstitutionHint, ConsoleDemoShows } from './session-io';

/**
 * Runs one console session until the run ends, the user types `quit`, or input ends.
 * Resolves `{ exitCode: 0 }` in those cases (an open run is saved at its step and a line says
 * how to resume), `{ exitCode: 1 }` after an unexpected error (printed, never with a password).
 * Never rejects.
 */
export async function runConsole(deps: ConsoleDeps): Promise<{ exitCode: number }> {
  return new ConsoleSession(deps).run();
}

class ConsoleSession extends SessionIO {
  private readonly commands = new ConsoleCommands(this);
  private readonly start = new StartFlow(this);

  constructor(deps: ConsoleDeps) {
    super(deps);
  }

  command(typed: SessionCommand): Promise<void> {
    return this.commands.run(typed);
  }

  /** Rejects with `InputEnded('stop')` when the session is stopped: a verification under way is not waited for. */
  private stopped: Promise<never> = new Promise<never>(() => undefined);

  async run(): Promise<{ exitCode: number }> {
    let stop: () => void = () => undefined;
    this.stopped = new Promise<never>((_resolve, reject) => {
      stop = () => reject(new InputEnded('stop'));
    });
    this.stopped.catch(() => undefined);
    this.ch.muted = false;
    const onStop = (): void => {
      this.stoppedBy = String(this.deps.stop?.reason ?? 'SIGTERM');
      // Nothing more is printed until the stop message (a verification finishing, its report...).
      this.ch.muted = true;
      this.input.close();
      stop();
    };
    this.deps.stop?.addEventListener('abort', onStop, { once: true });
    try {
      this.banner();
      let run = await this.start.chooseRun();
      while (run.status === 'open') {
        run = await this.turn(run);
        this.current = run;
      }
      // The run's own final line ("complete" / "cancelled") was printed by its notice: no second one.
      if (!this.ch.endings.has(run.id)) {
        this.ch.line();
        this.ch.line(this.t('console.end.finished', { runId: run.id, state: this.t(`run_state.${run.status}`) }));
      }
      return { exitCode: 0 };
    } catch (err) {
      if (err instanceof InputEnded) {
        if (this.stoppedBy) {
          // The stop message and where the run is saved, then nothing (the caller exits at once).
          this.ch.muted = false;
          this.ch.line();
          this.ch.line(this.t('console.end.signal', { signal: this.stoppedBy }));
        }
        await this.saved().catch((e: unknown) => this.failed(e));
        if (this.stoppedBy) this.ch.muted = true;
        return { exitCode: 0 };
      }
      // Already described (with its reference); where the run stands follows.
      if (!(err instanceof SessionFailed)) this.failed(err);
      // Say where the run stands only after reading it back (never "saved" on a guess).
      if (!sqliteProblemOf(err)) await this.saved().catch((e: unknown) => this.failed(e));
      return { exitCode: 1 };
    } finally {
      this.deps.stop?.removeEventListener('abort', onStop);
      this.input.close();
    }
  }

  /** Prints an unexpected error: the database file's problem and what to do, or the error itself. */
  private failed(err: unknown): void {
    const problem = sqliteProblemOf(err);
    this.ch.line();
    if (problem && this.deps.databaseFile) {
      this.ch.line(this.t(`console.db.${problem.kind}`, { file: this.deps.databaseFile, detail: problem.detail }));
    } else {
      this.ch.line(this.t('console.error.fatal', { message: errorSummary(err) }));
    }
  }

  // ---- session start and end ----------------------------------------------------------

  private banner(): void {
    const L = this.deps.defaultLocale;
    this.ch.line(rule('='));
    this.ch.line(this.t('console.banner.title', {}, L));
    this.ch.line(this.t('console.banner.usage', {}, L));
    const h = this.deps.hints;
    if (h) {
      this.ch.line();
      const view = (i: ConsoleInstitutionHint) => ({
        institutionCode: i.institutionCode,
        password: i.password,
        contingents: i.contingentIds.join(', '),
        contactNumber: i.contactNumbers[0] ?? '?',
      });
      if (!h.others?.length) this.ch.line(this.t('console.hints.title', view(h), L));
      else {
        this.ch.line(this.t('console.hints.list', {}, L));
        for (const i of [h, ...h.others]) {
          const shows = this.t(`console.hints.shows.${i.shows ?? 'none'}`, {}, L);
          this.ch.line(this.t('console.hints.line', { ...view(i), shows }, L));
        }
      }
      if (h.extra) this.ch.line(this.t('console.hints.extra', { extra: h.extra }, L));
    }
    this.ch.line(rule('='));
  }

  /** Prints where things stand when input ends or the user quits. */
  private async saved(): Promise<void> {
    this.ch.line();
    if (!this.current) {
      const open = await this.deps.service.openRuns('console');
      if (open.length === 0) this.ch.line(this.t('console.end.nothing'));
      else this.ch.line(this.t('console.end.kept', { count: open.length, runs: open.map((r) => r.id).join(', ') }));
      return;
    }
    let run: Run;
    try {
      const loaded = await this.deps.service.load(this.current.id);
      if (!loaded.ok) throw new Error(loaded.error.code);
      run = loaded.value;
    } catch (err) {
      this.ch.line(this.t('console.end.unknown', { runId: this.current.id, detail: errorSummary(err) }));
      const problem = sqliteProblemOf(err);
      if (problem && this.deps.databaseFile)
        this.ch.line(this.t(`console.db.${problem.kind}`, { file: this.deps.databaseFile, detail: problem.detail }));
      return;
    }
    if (run.status === 'open' && run.currentStep) {
      const def = stepDefinition(run.currentStep);
      this.ch.line(this.t('console.end.saved', { runId: run.id, number: def.number, title: this.t(`step.${def.id}.title`) }));
    } else {
      this.ch.line(this.t('console.end.finished', { runId: run.id, state: this.t(`run_state.${run.status}`) }));
    }
  }

  // ---- one turn: choose an action, fill its form, call the service ------------------------

  /**
   * The run as stored now. When it moved on since this terminal last saw it (another console on
   * the same run), says so and shows its current step before any choice is offered.
   */
  private async reload(run: Run): Promise<Run> {
    const loaded = await this.deps.service.load(run.id);
    if (!loaded.ok) return run;
    const fresh = loaded.value;
    if (runSignature(fresh) === runSignature(run)) return fresh;
    const L = fresh.details.language;
    this.ch.line();
    if (fresh.status !== 'open' || !fresh.currentStep) {
      this.ch.line(this.t('console.changed.ended', { runId: fresh.id }, L));
      this.ch.printFullCard(fresh);
      return fresh;
    }
    const def = stepDefinition(fresh.currentStep);
    this.ch.line(this.t('console.changed', { runId: fresh.id, number: def.number, title: this.t(`step.${def.id}.title`, {}, L) }, L));
    this.ch.printCardUpdate(fresh);
    this.ch.line(rule());
    this.ch.printMessage(this.deps.builder.stepPrompt(fresh, fresh.currentStep));
    if (fresh.currentStep === 'verification' && fresh.verification) this.ch.printMessage(this.deps.builder.report(fresh));
    this.ch.offer(fresh, fresh.currentStep);
    return fresh;
  }

  private async turn(stale: Run): Promise<Run> {
    const run = await this.reload(stale);
    this.current = run;
    if (run.status !== 'open') return run;
    const L = run.details.language;
    const choices = this.ch.choicesFor(run);
    const i = await this.choose(
      choices.map((c) => c.label),
      L,
      () => {
        this.ch.line();
        this.ch.line(this.t('console.choices.title', {}, L));
      },
    );
    const choice = choices[i];
    const result = await this.perform(run, choice);
    if (result === null) return run; // back to the choices, nothing changed
    if (result.ok) return result.value;
    this.ch.line(stripMarkup(this.deps.builder.describeError(result.error, L, undefined, 'console')));
    // The next turn re-loads the run and, if it moved on meanwhile, shows where it is now.
    return run;
  }

  /** Carries out a choice; `null` when the user went back from its form or declined the confirmation. */
  private async perform(run: Run, c: ConsoleChoice): Promise<Outcome<Run> | null> {
    const { service } = this.deps;
    const base = { runId: run.id, step: c.step, actor: this.actor, surface: 'console' as const };
    switch (c.action) {
      case ACTION_IDS.stepDone: {
        const input = stepDefinition(c.step).input;
        if (input === 'contingents') {
          const ids = await this.runForm(run, FORM_IDS.contingents, parseContingentsForm, this.hintFor(run, 'contingents'));
          return ids === null ? null : service.act({ ...base, action: c.action, contingentIds: ids });
        }
        if (input === 'contact') {
          const contact = await this.runForm(run, FORM_IDS.contact, parseContactForm, this.hintFor(run, 'contact'));
          return contact === null ? null : service.act({ ...base, action: c.action, contactNumber: contact });
        }
        return service.act({ ...base, action: c.action });
      }
      case ACTION_IDS.passwordAssigned:
        return service.act({
          ...base,
          action: c.action,
          actor: {
            id: this.actor.id,
            name: this.t('console.support.actor', { name: this.actor.name ?? this.actor.id }, run.details.language),
          },
        });
      case ACTION_IDS.verifyStart: {
        const password = await this.runForm(run, FORM_IDS.password, parsePasswordForm, this.hintFor(run, 'password'), true);
        if (password === null) return null;
        this.ch.progress.begin(run.id); // its progress lines start afresh
        // Stopped meanwhile: not waited for. The caller exits at once, so the result is either
        // saved whole (one transaction) before that or never, and the run stays at verification.
        return Promise.race([service.verify({ runId: run.id, actor: this.actor, surface: 'console', password }), this.stopped]);
      }
      case ACTION_IDS.verifySkip: {
        const reason = await this.runForm(run, FORM_IDS.verifySkip, parseVerifySkipForm);
        return reason === null ? null : service.act({ ...base, action: c.action, reason });
      }
      case ACTION_IDS.verifyConfirm:
        return service.act({ ...base, action: c.action });
      case ACTION_IDS.answersEdit: {
        const answers = await this.runAnswersForm(run);
        return answers === null ? null : service.editAnswers({ runId: run.id, actor: this.actor, surface: 'console', answers });
      }
      case ACTION_IDS.runCancel: {
        const yes = await this.confirm(run, c);
        if (!yes) {
          this.ch.line(this.t('console.confirm.kept', {}, run.details.language));
          return null;
        }
        return service.act({ ...base, action: c.action });
      }
      case ACTION_IDS.stepSkip:
      case ACTION_IDS.emailSent:
      case ACTION_IDS.reminderSnooze: // console runs get no reminders (see adapters/main.ts); kept total
        return service.act({ ...base, action: c.action });
      case ACTION_IDS.runResume:
        return service.resume({ runId: run.id, actor: this.actor, surface: 'console' });
    }
  }

  private hintFor(run: Run, what: 'contingents' | 'contact' | 'password'): string | undefined {
    const code = run.details.institutionCode;
    const h = [...(this.deps.hints ? [this.deps.hints] : []), ...(this.deps.hints?.others ?? [])].find(
      (i) => i.institutionCode.toUpperCase() === code,
    );
    if (!h) return undefined;
    const L = run.details.language;
    const view = { institutionCode: h.institutionCode, contingents: h.contingentIds.join(', '), contactNumber: h.contactNumbers[0] ?? '?' };
    return this.t(`console.hint.${what}`, view, L);
  }

  /**
   * Asks the single question of a run form (contingents, contact, password, skip reason) until
   * the value is valid. An empty line takes the form's initial value, or goes back (`null`) when
   * there is none. A `secret` answer is read without echo and never written anywhere.
   */
  private async runForm<T>(
    run: Run,
    id: RunFormId,
    parse: (raw: RawValues) => FormResult<T>,
    hint?: string,
    secret = false,
  ): Promise<T | null> {
    const pre = await this.deps.service.precheck({
      runId: run.id,
      step: run.currentStep ?? 'email_draft',
      action: formAction(id),
      surface: 'console',
    });
    if (!pre.ok) {
      this.ch.line(stripMarkup(this.deps.builder.describeError(pre.error, run.details.language, undefined, 'console')));
      return null;
    }
    const L = run.details.language;
    const form = this.deps.builder.runForm(run, id, run.id);
    const input = form.inputs[0];
    this.formHeader(form);
    if (hint) this.ch.line(hint);
    this.ch.line(this.t('console.form.back_hint', {}, L));
    const prompt = this.t('console.prompt.label', { label: `${input.label}${input.initial ? ` [${input.initial}]` : ''}` }, L);
    for (;;) {
      const asked = await this.askInput(prompt, input.id, secret);
      // The password is never altered (control characters are refused by its parser instead).
      const line = secret ? asked : this.cleaned(asked, L);
      const empty = secret ? line.length === 0 : line.trim().length === 0;
      if (empty && !input.initial) {
        this.ch.line(this.t('console.form.back', {}, L));
        return null;
      }
      const r = parse({ [input.id]: empty ? input.initial : line });
      if (r.ok) return r.value;
      this.fieldError(r.errors[input.id] ?? 'error.field.required', L);
    }
  }

  /**
   * `onboard_answers` as questions, one per input, Enter keeping the recorded value; a wrong value
   * is said on its field and asked again. An empty required answer with nothing recorded goes back.
   */
  private async runAnswersForm(run: Run): Promise<AnswerChanges | null> {
    const pre = await this.deps.service.precheck({
      runId: run.id,
      step: 'verification',
      action: ACTION_IDS.answersEdit,
      surface: 'console',
    });
    if (!pre.ok) {
      this.ch.line(stripMarkup(this.deps.builder.describeError(pre.error, run.details.language, undefined, 'console')));
      return null;
    }
    const L = run.details.language;
    const form = this.deps.builder.runForm(pre.value, FORM_IDS.answers, run.id);
    this.formHeader(form);
    this.ch.line(this.t('console.form.back_hint', {}, L));
    const values: Record<string, string> = {};
    for (const input of form.inputs) {
      for (;;) {
        const label = `${input.label}${input.initial ? ` [${input.initial}]` : ''}`;
        const line = this.cleaned(await this.askInput(this.t('console.prompt.label', { label }, L), input.id), L);
        const empty = line.trim().length === 0;
        if (empty && !input.initial) {
          this.ch.line(this.t('console.form.back', {}, L));
          return null;
        }
        const value = empty ? input.initial! : line;
        const r = parseAnswersForm({ ...values, [input.id]: value }, pre.value.erasedAnswers);
        const err = r.ok ? undefined : r.errors[input.id];
        if (err) {
          this.fieldError(err, L);
          continue;
        }
        values[input.id] = value;
        break;
      }
    }
    const r = parseAnswersForm(values, pre.value.erasedAnswers);
    if (!r.ok) return null;
    // Enter everywhere changes nothing: back to the choices rather than a refusal.
    const same =
      (r.value.contingentIds ?? []).join(', ') === pre.value.contingentIds.join(', ') &&
      r.value.contactNumber === pre.value.contactNumber &&
      !pre.value.erasedAnswers?.length;
    if (same) {
      this.ch.line(this.t('console.form.back', {}, L));
      return null;
    }
    return r.value;
  }

  private async confirm(run: Run, c: ConsoleChoice): Promise<boolean> {
    const L = run.details.language;
    const yes = this.t('console.confirm.yes', {}, L).split(',');
    const no = this.t('console.confirm.no', {}, L).split(',');
    // Cancelling asks first, then says what happens on yes (never "it stops here" before the answer).
    const def = stepDefinition(run.currentStep ?? c.step);
    const question =
      c.action === ACTION_IDS.runCancel
        ? this.t(
            'console.confirm.cancel',
            {
              runId: run.id,
              institutionCode: run.details.institutionCode,
              number: def.number,
              title: this.t(`step.${def.id}.title`, {}, L),
            },
            L,
          )
        : stripMarkup(c.confirm?.title ?? c.label);
    for (;;) {
      const line = (await this.ask(this.t('console.confirm.prompt', { question }, L))).trim().toLowerCase();
      if (yes.includes(line)) return true;
      if (no.includes(line) || line === '') return false;
      this.ch.line(this.t('console.confirm.invalid', {}, L));
    }
  }
}

/** The button action whose form `id` is (for the precheck before asking). */
function formAction(id: RunFormId): (typeof ACTION_IDS)[keyof typeof ACTION_IDS] {
  switch (id) {
    case FORM_IDS.contingents:
    case FORM_IDS.contact:
      return ACTION_IDS.stepDone;
    case FORM_IDS.password:
      return ACTION_IDS.verifyStart;
    case FORM_IDS.verifySkip:
      return ACTION_IDS.verifySkip;
    case FORM_IDS.answers:
      return ACTION_IDS.answersEdit;
  }
}

/** What a second terminal must notice: status, current step, every step's state, the last report. */
function runSignature(run: Run): string {
  return JSON.stringify([run.status, run.currentStep, Object.values(run.steps).map((st) => st.state), run.verification?.at ?? null]);
}
