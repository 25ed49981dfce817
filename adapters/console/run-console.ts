/**
 * The console surface's inbound side (`product.md`, "Surfaces > Console"): the same conversation
 * as in chat, in a terminal. It offers to resume an open console run or asks the start form's
 * questions one by one, shows each step's buttons as numbered choices (1 = the primary one),
 * asks forms as questions, and calls the run service, whose outbox prints every message through
 * the console notifier (`createConsoleNotifier`, same output stream). The operator password is
 * read without echo, passed to `RunService.verify` and dropped: never printed, logged or stored.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { auditCsv, auditFileName, buildAuditExport } from '../../src/app/audit-export';
import { ACTION_IDS, INPUT_IDS, type Locale, FORM_IDS, type RunFormId } from '../../src/domain/ids';
import { channelCodeSchema, institutionCodeSchema } from '../../src/domain/schemas';
import {
  parseContactForm,
  parseContingentsForm,
  parsePasswordForm,
  parseStartForm,
  parseVerifySkipForm,
  parseAnswersForm,
  type FormResult,
  type RawValues,
} from '../../src/app/forms';
import { errorSummary, type Outcome, type RunService } from '../../src/app/run-service';
import { type HealthCheckService, parseCheckArgs, parseCheckForm } from '../../src/app/health-check';
import type { MessageBuilder } from '../../src/messages/builder';
import type { FormModel } from '../../src/messages/model';
import type { RunStore } from '../../src/ports/run-store.port';
import { stepDefinition } from '../../src/workflow/steps';
import type { Actor, AnswerChanges, Run } from '../../src/workflow/types';
import { type ConsoleChannel, type ConsoleChoice, consoleChannel } from './channel';
import { LineInput } from './line-input';
import { sqliteProblemOf } from '../store/sqlite-probe';
import { cleanAnswer, rule, stripMarkup } from './text';

/**
 * What a new user needs to finish a run against the sandbox, printed at start (source: the
 * sandbox fixture, `adapters/sandbox` `demoHints()`). The password is a demo value, not a secret.
 */
export interface ConsoleHints {
  institutionCode: string;
  password: string;
  contingentIds: number[];
  contactNumbers: string[];
  /** One more line printed under the hints (e.g. where the sandbox listens). */
  extra?: string;
}

/** Dependencies of `runConsole` (wired like every surface: see `adapters/core-wiring.ts`). */
export interface ConsoleDeps {
  service: RunService;
  builder: MessageBuilder;
  store: RunStore;
  /** Read line by line; lines arriving early are queued; its end ends the session. */
  input: NodeJS.ReadableStream;
  /** Must be the stream given to `createConsoleNotifier` (they share the numbered choices). */
  output: NodeJS.WritableStream;
  /** Language of the start form and of answers outside a run. */
  defaultLocale: Locale;
  hints?: ConsoleHints;
  /** The checks without a run (`check` at any prompt); absent: `check` says they are not available. */
  health?: HealthCheckService;
  /** Who acts (audit trail, step lines). Default: the OS user (`os.userInfo()`). */
  user?: { id: string; name: string };
  /** Where `audit` writes the run's CSV trail (default `./data/audit`). */
  auditDir?: string;
  /** Time zone of the audit's local times when SecuTix gave none (`DEFAULT_TIME_ZONE`). */
  defaultTimeZone?: string;
  /** Aborted on SIGTERM/SIGINT: the session stops reading and says where the run is saved. */
  stop?: AbortSignal;
  /** The SQLite file of the run store, named when it turns out unreadable or read-only. */
  databaseFile?: string;
}

/** The session ended because input ended (`eof`) or the user typed `quit`. */
class InputEnded extends Error {
  constructor(readonly reason: 'eof' | 'quit') {
    super(`input ended (${reason})`);
  }
}

const COMMANDS = ['help', 'status', 'product', 'check', 'audit', 'quit'] as const;
type Command = (typeof COMMANDS)[number];
/** A run id as typed after `status` or `audit` (8 letters or digits; see `src/domain/ids.ts`). */
const RUN_ARG = /^[A-Za-z0-9]{8}$/;
/** `help`, `quit`..., or `status RUN` / `audit RUN`; `null` for anything else (an answer). */
const asCommand = (line: string): { cmd: Command; runId?: string } | null => {
  const [word = '', arg, ...rest] = line.trim().split(/\s+/);
  const cmd = word.toLowerCase() as Command;
  if (!(COMMANDS as readonly string[]).includes(cmd) || rest.length > 0) return null;
  if (arg === undefined) return { cmd };
  return (cmd === 'status' || cmd === 'audit') && RUN_ARG.test(arg) ? { cmd, runId: arg.toUpperCase() } : null;
};

/** The OS user, or `console` when the OS cannot tell. */
function defaultUser(): { id: string; name: string } {
  try {
    const name = os.userInfo().username;
    if (name) return { id: name, name };
  } catch {
    // no passwd entry for this uid (some containers): fall through.
  }
  return { id: 'console', name: 'console' };
}

/**
 * Runs one console session until the run ends, the user types `quit`, or input ends.
 * Resolves `{ exitCode: 0 }` in those cases (an open run is saved at its step and a line says
 * how to resume), `{ exitCode: 1 }` after an unexpected error (printed, never with a password).
 * Never rejects.
 */
export async function runConsole(deps: ConsoleDeps): Promise<{ exitCode: number }> {
  return new ConsoleSession(deps).run();
}

class ConsoleSession {
  private readonly ch: ConsoleChannel;
  private readonly input: LineInput;
  private readonly actor: Actor;
  /** The run this session works on, as last seen. */
  private current: Run | null = null;
  /** Set when `deps.stop` aborted the session (the signal's name). */
  private stoppedBy: string | null = null;

  constructor(private readonly deps: ConsoleDeps) {
    this.ch = consoleChannel(deps.output, deps.builder);
    this.input = new LineInput(deps.input, deps.output);
    // The console user is always allowed (local use on the operator's own machine, no chat
    // identity to check): `AccessPolicy` lets every `surface: 'console'` principal through.
    this.actor = deps.user ?? defaultUser();
  }

  private get locale(): Locale {
    return this.current?.details.language ?? this.deps.defaultLocale;
  }

  private t(key: string, view: Record<string, unknown> = {}, locale: Locale = this.locale): string {
    return stripMarkup(this.deps.builder.t(locale, key, view));
  }

  async run(): Promise<{ exitCode: number }> {
    const onStop = (): void => {
      this.stoppedBy = String(this.deps.stop?.reason ?? 'SIGTERM');
      this.input.close();
    };
    this.deps.stop?.addEventListener('abort', onStop, { once: true });
    try {
      this.banner();
      let run = await this.chooseRun();
      while (run.status === 'open') {
        run = await this.turn(run);
        this.current = run;
      }
      this.ch.line();
      this.ch.line(this.t('console.end.finished', { runId: run.id, state: this.t(`run_state.${run.status}`) }));
      return { exitCode: 0 };
    } catch (err) {
      if (err instanceof InputEnded) {
        if (this.stoppedBy) {
          this.ch.line();
          this.ch.line(this.t('console.end.signal', { signal: this.stoppedBy }));
        }
        await this.saved().catch((e: unknown) => this.failed(e));
        return { exitCode: 0 };
      }
      this.failed(err);
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
      this.ch.line(
        this.t(
          'console.hints.title',
          {
            institutionCode: h.institutionCode,
            password: h.password,
            contingents: h.contingentIds.join(', '),
            contactNumber: h.contactNumbers[0] ?? '?',
          },
          L,
        ),
      );
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

  /** Resumes an open console run (when the user says so) or starts a new one. */
  private async chooseRun(): Promise<Run> {
    const open = (await this.deps.service.openRuns('console')).slice(0, 5);
    if (open.length > 0) {
      const L = this.deps.defaultLocale;
      const labels = open.map((r) => {
        const def = stepDefinition(r.currentStep ?? 'email_draft');
        return this.t('console.choice.resume', { runId: r.id, institutionCode: r.details.institutionCode, number: def.number }, L);
      });
      labels.push(this.t('console.choice.new', {}, L));
      const i = await this.choose(labels, L, () => {
        this.ch.line();
        this.ch.line(this.t('console.resume.found', {}, L));
        for (const r of open) {
          const def = stepDefinition(r.currentStep ?? 'email_draft');
          this.ch.line(
            `  ${this.t('console.resume.line', { runId: r.id, institutionName: r.details.institutionName, institutionCode: r.details.institutionCode, channelCode: r.details.channelCode, number: def.number, title: this.t(`step.${def.id}.title`, {}, r.details.language) }, L)}`,
          );
        }
      });
      if (i < open.length) {
        const resumed = await this.resume(open[i].id);
        if (resumed) return resumed;
      }
    }
    return this.startRun();
  }

  private async resume(runId: string): Promise<Run | null> {
    const r = await this.deps.service.resume({ runId, actor: this.actor, surface: 'console' });
    if (r.ok) {
      this.current = r.value;
      return r.value;
    }
    this.ch.line(stripMarkup(this.deps.builder.describeError(r.error, this.deps.defaultLocale, undefined, 'console')));
    return null;
  }

  /** Asks the start form's questions in order, then starts the run (or resumes the open one for the same institution). */
  private async startRun(): Promise<Run> {
    const L = this.deps.defaultLocale;
    form: for (;;) {
      const form = this.deps.builder.startForm(L, 'console', this.deps.hints ? { institutionCode: this.deps.hints.institutionCode } : {});
      this.formHeader(form);
      this.ch.line(this.t('console.form.default_hint', {}, L));
      const raw: RawValues = {};
      for (const input of form.inputs) {
        const options = input.options?.map((o) => `${o.value} = ${o.label}`).join(', ');
        const suffix = input.initial
          ? ` [${input.initial}]`
          : input.placeholder
            ? ` (${this.t('console.form.example', { example: input.placeholder }, L)})`
            : '';
        const prompt = this.t('console.prompt.label', { label: `${input.label}${options ? ` (${options})` : ''}${suffix}` }, L);
        for (;;) {
          const line = this.cleaned(await this.ask(prompt), L);
          let value = line.trim() === '' ? (input.initial ?? '') : line;
          if (input.options) {
            const v = value.trim().toLowerCase();
            value = input.options.find((o) => o.value === v || o.label.toLowerCase() === v)?.value ?? value;
          }
          raw[input.id] = value;
          const r = parseStartForm(raw, L);
          const key = r.ok ? undefined : r.errors[input.id];
          if (!key) break;
          this.fieldError(key, L);
        }
        // A duplicate is caught as soon as institution and channel are known, not after every question.
        if (input.id === INPUT_IDS.channelCode) {
          const open = await this.openRunFor(raw);
          if (open) {
            this.ch.line(stripMarkup(this.deps.builder.describeError({ code: 'duplicate_run', run: open }, L, undefined, 'console')));
            if (open.surface === 'console') {
              const resumed = await this.resume(open.id);
              if (resumed) return resumed;
            }
            continue form;
          }
        }
      }
      const parsed = parseStartForm(raw, L);
      if (!parsed.ok) continue; // every field was checked above; kept for the type
      const started = await this.deps.service.start({ surface: 'console', channelId: 'console', actor: this.actor, details: parsed.value });
      if (started.ok) {
        this.current = started.value;
        return started.value;
      }
      this.ch.line(stripMarkup(this.deps.builder.describeError(started.error, L, undefined, 'console')));
      if (started.error.code === 'duplicate_run' && started.error.run.surface === 'console') {
        const resumed = await this.resume(started.error.run.id);
        if (resumed) return resumed;
      }
    }
  }

  /** The open run (any surface) for the institution and channel typed so far, if any. */
  private async openRunFor(raw: RawValues): Promise<Run | null> {
    const institution = institutionCodeSchema.safeParse(raw[INPUT_IDS.institutionCode]);
    const channel = channelCodeSchema.safeParse(raw[INPUT_IDS.channelCode]);
    if (!institution.success || !channel.success) return null;
    const [open] = await this.deps.store.list({ status: 'open', institutionCode: institution.data, channelCode: channel.data, limit: 1 });
    return open ?? null;
  }

  /** `line` without control characters and invalid bytes; the user is told when some were removed. */
  private cleaned(line: string, L: Locale): string {
    const { text, removed } = cleanAnswer(line);
    if (removed > 0) this.ch.line(this.t('console.form.cleaned', { count: removed, value: text.trim() }, L));
    return text;
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
        return password === null ? null : service.verify({ runId: run.id, actor: this.actor, surface: 'console', password });
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
    const h = this.deps.hints;
    if (!h || h.institutionCode.toUpperCase() !== run.details.institutionCode) return undefined;
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
      const asked = await this.ask(prompt, secret);
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
        const line = await this.ask(`${input.label}${input.initial ? ` [${input.initial}]` : ''}: `);
        const empty = line.trim().length === 0;
        if (empty && !input.initial) {
          this.ch.line(this.t('console.form.back', {}, L));
          return null;
        }
        const value = empty ? input.initial! : line;
        const r = parseAnswersForm({ ...values, [input.id]: value });
        const err = r.ok ? undefined : r.errors[input.id];
        if (err) {
          this.fieldError(err, L);
          continue;
        }
        values[input.id] = value;
        break;
      }
    }
    const r = parseAnswersForm(values);
    return r.ok ? r.value : null;
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

  // ---- prompts -----------------------------------------------------------------------------

  /**
   * Shows numbered `labels` (after `before`, re-shown after a command) and reads a choice.
   * Empty lines are ignored; anything else that is not a number in range gets a short message.
   * @returns the 0-based index chosen.
   */
  private async choose(labels: string[], L: Locale, before: () => void): Promise<number> {
    const show = (): void => {
      before();
      labels.forEach((label, i) => this.ch.line(`  ${i + 1}) ${label}`));
    };
    show();
    for (;;) {
      const line = (await this.ask(this.t('console.choices.prompt', { max: labels.length }, L), false, show)).trim();
      if (line === '') continue;
      const n = /^[0-9]{1,3}$/.test(line) ? Number(line) : NaN;
      if (n >= 1 && n <= labels.length) return n - 1;
      this.ch.line(this.t('console.choices.invalid', { input: line.slice(0, 40), max: labels.length }, L));
    }
  }

  /**
   * Reads one answer; `help`, `status`, `product`, `quit` are handled here at any prompt (then
   * `reshow` runs and the question is asked again).
   * @throws InputEnded at the end of input or on `quit`.
   */
  private async ask(prompt: string, secret = false, reshow?: () => void): Promise<string> {
    for (;;) {
      const line = await this.input.ask(prompt, secret ? { secret: true, hiddenMarker: this.t('console.password.hidden') } : {});
      if (line === null) throw new InputEnded('eof');
      const cmd = asCommand(line);
      if (!cmd) return line;
      if (cmd.cmd === 'quit') throw new InputEnded('quit');
      await this.command(cmd.cmd, cmd.runId);
      reshow?.();
    }
  }

  /** A console run by id (any status), or `null` after saying why not. */
  private async runById(runId: string): Promise<Run | null> {
    const loaded = await this.deps.service.load(runId, 'console');
    if (loaded.ok) return loaded.value;
    this.ch.line(stripMarkup(this.deps.builder.describeError(loaded.error, this.locale, undefined, 'console')));
    return null;
  }

  private async command(cmd: Exclude<Command, 'quit'>, runId?: string): Promise<void> {
    const L = this.locale;
    const b = this.deps.builder;
    this.ch.line();
    switch (cmd) {
      case 'help':
        // Every command: the console user may use them all (see the constructor).
        this.ch.line(`== ${this.t('help.header')} ==`);
        this.ch.line(this.t('help.text'));
        this.ch.line();
        this.ch.line(this.t('console.help.commands'));
        this.ch.line();
        this.ch.line(this.t('console.help.notes'));
        this.ch.line(this.t('console.check.help'));
        return;
      case 'check':
        await this.healthCheck();
        return;
      case 'audit': {
        const run = runId ? await this.runById(runId) : this.current;
        if (runId && !run) return;
        await this.auditExport(run);
        return;
      }
      case 'product':
        this.ch.printMessage(b.productGuide(L, this.current?.details.channelCode));
        return;
      case 'status': {
        if (runId) {
          const run = await this.runById(runId);
          if (run) this.ch.printFullCard(run);
          return;
        }
        if (this.current) {
          const loaded = await this.deps.service.load(this.current.id);
          if (loaded.ok) {
            this.current = loaded.value;
            this.ch.printFullCard(loaded.value);
            return;
          }
        }
        const open = await this.deps.service.openRuns('console');
        if (open.length === 0) this.ch.line(this.t('console.status.none'));
        else this.ch.printMessage(b.statusList(L, open));
        // Finished runs too: their id is what `status RUN` and `audit RUN` take.
        const finished = (await this.deps.store.list({ surface: 'console', limit: 20 })).filter((r) => r.status !== 'open').slice(0, 5);
        if (finished.length > 0) {
          this.ch.line();
          this.ch.line(this.t('console.status.finished'));
          for (const r of finished) {
            const view = {
              runId: r.id,
              institutionCode: r.details.institutionCode,
              channelCode: r.details.channelCode,
              state: this.t(`run_state.${r.status}`),
            };
            this.ch.line(`  ${this.t('status.run', view)}`);
          }
        }
        return;
      }
    }
  }

  /**
   * `audit`: the current run's whole trail as a CSV file (the same export as Slack's `audit RUN`),
   * written under `auditDir`; prints its path and the number of entries.
   */
  private async auditExport(run: Run | null): Promise<void> {
    if (!run) {
      this.ch.line(this.t('console.audit.none'));
      return;
    }
    const entries = await this.deps.store.audit(run.id);
    const exp = buildAuditExport(run, entries, this.deps.defaultTimeZone ? { defaultTimeZone: this.deps.defaultTimeZone } : {});
    const dir = path.resolve(this.deps.auditDir ?? path.join('data', 'audit'));
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, auditFileName(exp));
    fs.writeFileSync(file, auditCsv(exp), 'utf8');
    this.ch.line(this.t('console.audit.written', { runId: run.id, count: entries.length, path: file }));
  }

  /**
   * `check`: the health check of an existing setup, without a run (issue 5). Asks the institution
   * and channel codes, then the `onboard_check` form's questions (the password without echo; the
   * optional values may be left empty: their checks are reported as skipped), and prints the report.
   * An empty institution code goes back. The password is passed to the check and dropped.
   */
  private async healthCheck(): Promise<void> {
    const L = this.locale;
    const b = this.deps.builder;
    if (!this.deps.health) {
      this.ch.line(this.t('error.check.unavailable', {}, L));
      return;
    }
    let target: { institutionCode: string; channelCode: string };
    for (;;) {
      const institution = (
        await this.ask(this.t('console.prompt.label', { label: this.t('form.product_check.institution_code', {}, L) }, L))
      ).trim();
      if (institution === '') {
        this.ch.line(this.t('console.form.back', {}, L));
        return;
      }
      const channel = await this.ask(
        this.t('console.prompt.label', { label: `${this.t('form.product_check.channel_code', {}, L)} [DGTK]` }, L),
      );
      const args = parseCheckArgs(institution, channel.trim() || undefined);
      if (args.ok) {
        target = args.value;
        break;
      }
      this.fieldError(args.error, L);
    }
    const form = b.checkForm(L, target, 'console');
    this.formHeader(form);
    const raw: RawValues = {};
    for (const input of form.inputs) {
      const secret = input.kind === 'password';
      for (;;) {
        const line = await this.ask(this.t('console.prompt.label', { label: input.label }, L), secret);
        raw[input.id] = secret ? line : line.trim();
        const r = parseCheckForm(raw);
        const key = r.ok ? undefined : r.errors[input.id];
        if (!key) break;
        this.fieldError(key, L);
      }
    }
    const parsed = parseCheckForm(raw);
    delete raw[form.inputs[0]!.id]; // the password: not kept past this point
    if (!parsed.ok) return;
    const out = await this.deps.health.check({
      surface: 'console',
      actor: this.actor,
      ...target,
      password: parsed.value.password,
      ...(parsed.value.contingentIds ? { contingentIds: parsed.value.contingentIds } : {}),
      ...(parsed.value.contactNumber ? { contactNumber: parsed.value.contactNumber } : {}),
      locale: L,
    });
    this.ch.line();
    if (out.ok) this.ch.printMessage(b.healthReport(L, out.value));
    else this.ch.line(stripMarkup(b.describeError(out.error, L, undefined, 'console')));
  }

  private formHeader(form: FormModel): void {
    this.ch.line();
    this.ch.line(`== ${stripMarkup(form.title)} ==`);
    if (form.intro) this.ch.line(stripMarkup(form.intro));
  }

  private fieldError(key: string, L: Locale): void {
    this.ch.line(this.t('console.form.error', { message: this.t(key, {}, L) }, L));
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
