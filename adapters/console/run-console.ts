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
import { ACTION_IDS, type Locale, FORM_IDS, type RunFormId } from '../../src/domain/ids';
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
import { rule, stripMarkup } from './text';

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
}

/** The session ended because input ended (`eof`) or the user typed `quit`. */
class InputEnded extends Error {
  constructor(readonly reason: 'eof' | 'quit') {
    super(`input ended (${reason})`);
  }
}

const COMMANDS = ['help', 'status', 'product', 'check', 'audit', 'quit'] as const;
type Command = (typeof COMMANDS)[number];
const asCommand = (line: string): Command | null => {
  const w = line.trim().toLowerCase();
  return (COMMANDS as readonly string[]).includes(w) ? (w as Command) : null;
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
        await this.saved();
        return { exitCode: 0 };
      }
      this.ch.line();
      this.ch.line(this.t('console.error.fatal', { message: errorSummary(err) }));
      return { exitCode: 1 };
    } finally {
      this.input.close();
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
      this.ch.line(this.t('console.end.nothing'));
      return;
    }
    const loaded = await this.deps.service.load(this.current.id);
    const run = loaded.ok ? loaded.value : this.current;
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
    for (;;) {
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
        const prompt = `${input.label}${options ? ` (${options})` : ''}${suffix}: `;
        for (;;) {
          const line = await this.ask(prompt);
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

  // ---- one turn: choose an action, fill its form, call the service ------------------------

  private async turn(run: Run): Promise<Run> {
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
    const fresh = await this.deps.service.load(run.id, 'console');
    return fresh.ok ? fresh.value : run;
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
          actor: { id: this.actor.id, name: `${this.actor.name ?? this.actor.id} (SecuTix support)` },
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
    const prompt = `${input.label}${input.initial ? ` [${input.initial}]` : ''}: `;
    for (;;) {
      const line = await this.ask(prompt, secret);
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
    if (c.confirm) this.ch.line(stripMarkup(c.confirm.text));
    for (;;) {
      const line = (await this.ask(this.t('console.confirm.prompt', { question: c.confirm?.title ?? c.label }, L))).trim().toLowerCase();
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
      if (cmd === 'quit') throw new InputEnded('quit');
      await this.command(cmd);
      reshow?.();
    }
  }

  private async command(cmd: Exclude<Command, 'quit'>): Promise<void> {
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
      case 'audit':
        await this.auditExport();
        return;
      case 'product':
        this.ch.printMessage(b.productGuide(L, this.current?.details.channelCode));
        return;
      case 'status': {
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
        return;
      }
    }
  }

  /**
   * `audit`: the current run's whole trail as a CSV file (the same export as Slack's `audit RUN`),
   * written under `auditDir`; prints its path and the number of entries.
   */
  private async auditExport(): Promise<void> {
    if (!this.current) {
      this.ch.line(this.t('console.audit.none'));
      return;
    }
    const run = this.current;
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
      const institution = (await this.ask(`${this.t('form.product_check.institution_code', {}, L)}: `)).trim();
      if (institution === '') {
        this.ch.line(this.t('console.form.back', {}, L));
        return;
      }
      const channel = await this.ask(`${this.t('form.product_check.channel_code', {}, L)} [DGTK]: `);
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
        const line = await this.ask(`${input.label}: `, secret);
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
