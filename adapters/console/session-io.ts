/**
 * What every part of a console session shares (`run-console.ts` composes them): the deps, the
 * terminal channel, line input, the acting user and the run being worked on; translated text
 * (`t`, console wording applied), questions (`ask`, which handles the commands typed at any
 * prompt), numbered choices (`choose`), cleaned answers and field errors.
 */
import os from 'node:os';
import { type HealthCheckService, productCodeSchema } from '../../src/app/health-check';
import type { RunService } from '../../src/app/run-service';
import { INPUT_IDS, type Locale } from '../../src/domain/ids';
import type { MessageBuilder } from '../../src/messages/builder';
import type { FormModel } from '../../src/messages/model';
import type { RunStore } from '../../src/ports/run-store.port';
import type { Actor, Run } from '../../src/workflow/types';
import { type ConsoleChannel, consoleChannel } from './channel';
import { LineInput } from './line-input';
import { cleanAnswer, stripMarkup } from './text';

/** What a sandbox institution shows in a demo (`console.hints.shows.*`; the fixture's `demoShows`). */
export type ConsoleDemoShows = 'passes' | 'fails' | 'to_confirm' | 'large_catalog';

/** One sandbox institution as the console presents it (a demo password, not a secret). */
export interface ConsoleInstitutionHint {
  institutionCode: string;
  password: string;
  contingentIds: number[];
  contactNumbers: string[];
  shows?: ConsoleDemoShows;
}

/**
 * What a new user needs to finish a run against the sandbox, printed at start (source: the
 * sandbox fixture, `adapters/sandbox` `allSandboxHints()`): the default institution, and with
 * `others` every other one, one line each with what it shows.
 */
export interface ConsoleHints extends ConsoleInstitutionHint {
  /** The other demo institutions (the banner lists them all, the default first). */
  others?: ConsoleInstitutionHint[];
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

/**
 * An internal error the service answered (already described to the user, with its reference):
 * the session ends (exit code 1) rather than asking the same questions again.
 */
export class SessionFailed extends Error {
  constructor(readonly correlationId: string) {
    super(`internal error (reference ${correlationId})`);
  }
}

/** The session ended because input ended (`eof`), the user typed `quit`, or the session was stopped (`stop`). */
export class InputEnded extends Error {
  constructor(readonly reason: 'eof' | 'quit' | 'stop') {
    super(`input ended (${reason})`);
  }
}

export const COMMANDS = ['help', 'status', 'product', 'check', 'audit', 'quit'] as const;
export type Command = (typeof COMMANDS)[number];
/** A command typed at a prompt: its word, and its argument as read (a run id, a product code, or a malformed one). */
/** A run id as typed after `status` or `audit` (8 letters or digits; see `src/domain/ids.ts`). */
const RUN_ARG = /^[A-Za-z0-9]{8}$/;

/** Inputs whose answer is free text (names, reasons): a command word followed by a word is an answer there. */
export const FREE_TEXT_INPUTS: ReadonlySet<string> = new Set([
  INPUT_IDS.institutionName,
  INPUT_IDS.digitickContactName,
  INPUT_IDS.skipReason,
]);

export interface TypedCommand {
  cmd: Command;
  /** `status RUN` / `audit RUN`: upper-case, as typed (an unknown or malformed id is answered "I know no run"). */
  runId?: string;
  /** `product CODE`: a well-formed product code, upper-case. */
  productCode?: string;
  /** `product X` where X is not a product code: what was typed (answered with the format error). */
  badProductCode?: string;
}

/** A typed command a session runs (`quit` ends the session instead). */
export type SessionCommand = TypedCommand & { cmd: Exclude<Command, 'quit'> };

/**
 * `help`, `quit`..., `status RUN`, `audit RUN`, `product CODE`; `null` for anything else (an
 * answer). A command word with one argument is a command even when the argument is malformed
 * (`status xxxx`, `audit 12`, `product a$b`): it answers what is wrong, never becomes the field's
 * answer. `help`, `check` and `quit` take no argument; two or more arguments make an answer
 * (a name such as "Status Quo Theatre").
 */
export const asCommand = (line: string, freeText = false): TypedCommand | null => {
  const [word = '', arg, ...rest] = line.trim().split(/\s+/);
  const cmd = word.toLowerCase() as Command;
  if (!(COMMANDS as readonly string[]).includes(cmd) || rest.length > 0) return null;
  if (arg === undefined) return { cmd };
  // At a free-text prompt (a name, a reason) "Status Quo" or "Product Lab" is an answer: only a
  // well-formed run id makes `status` / `audit` a command there, and `product` never takes one.
  if (freeText) return (cmd === 'status' || cmd === 'audit') && RUN_ARG.test(arg) ? { cmd, runId: arg.toUpperCase() } : null;
  if (cmd === 'status' || cmd === 'audit') return { cmd, runId: arg.slice(0, 30).toUpperCase() };
  if (cmd === 'product') {
    const code = productCodeSchema.safeParse(arg);
    return code.success ? { cmd, productCode: code.data } : { cmd, badProductCode: arg.slice(0, 40) };
  }
  return null;
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

/** The shared state and prompts of one console session; `command` runs what was typed at a prompt. */
export abstract class SessionIO {
  readonly ch: ConsoleChannel;
  readonly input: LineInput;
  readonly actor: Actor;
  /** The run this session works on, as last seen. */
  current: Run | null = null;
  /** Set when `deps.stop` aborted the session (the signal's name). */
  stoppedBy: string | null = null;

  constructor(readonly deps: ConsoleDeps) {
    this.ch = consoleChannel(deps.output, deps.builder);
    this.input = new LineInput(deps.input, deps.output);
    // The console user is always allowed (local use on the operator's own machine, no chat
    // identity to check): `AccessPolicy` lets every `surface: 'console'` principal through.
    this.actor = deps.user ?? defaultUser();
  }

  /** Runs a command typed at a prompt (`help`, `status [RUN]`, ...; never `quit`). */
  abstract command(typed: SessionCommand): Promise<void>;

  get locale(): Locale {
    return this.current?.details.language ?? this.deps.defaultLocale;
  }

  /**
   * The console's own language (`DEFAULT_LOCALE`): what is not about one run (help, the product
   * guide, the health check, the list of runs, an unknown run id) is in it, whatever run is
   * current; an answer about one run is in that run's language (as on Slack and Teams).
   */
  get consoleLocale(): Locale {
    return this.deps.defaultLocale;
  }

  t(key: string, view: Record<string, unknown> = {}, locale: Locale = this.locale): string {
    return stripMarkup(this.deps.builder.t(locale, key, view));
  }

  /**
   * Shows numbered `labels` (after `before`, re-shown after a command) and reads a choice.
   * Empty lines are ignored; anything else that is not a number in range gets a short message.
   * @returns the 0-based index chosen.
   */
  async choose(labels: string[], L: Locale, before: () => void): Promise<number> {
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
   * `reshow` runs and the question is asked again). At a `secret` prompt (the password) a command
   * is run only once the user says so (`commandAtSecret`): a password that is a command word can
   * still be given. At a `freeText` prompt (a name, a reason) a command word followed by one word
   * is an answer unless that word is a run id (`asCommand`).
   * @throws InputEnded at the end of input or on `quit`.
   */
  async ask(prompt: string, secret = false, reshow?: () => void, freeText = false): Promise<string> {
    for (;;) {
      const line = await this.input.ask(prompt, secret ? { secret: true, hiddenMarker: this.t('console.password.hidden') } : {});
      if (line === null) throw new InputEnded('eof');
      const cmd = asCommand(line, freeText);
      if (!cmd) return line;
      if (secret && !(await this.commandAtSecret(cmd.cmd))) return line;
      if (cmd.cmd === 'quit') throw new InputEnded('quit');
      await this.command({ ...cmd, cmd: cmd.cmd });
      reshow?.();
    }
  }

  /** `ask` for the answer to a form input (free text for names and reasons: `FREE_TEXT_INPUTS`). */
  askInput(prompt: string, inputId: string, secret = false): Promise<string> {
    return this.ask(prompt, secret, undefined, FREE_TEXT_INPUTS.has(inputId));
  }

  /**
   * A command word typed at the password prompt: asks whether to run it (yes, or an empty line)
   * or to send it as the password (no). Only the command's name is shown, never what was typed.
   */
  private async commandAtSecret(cmd: Command): Promise<boolean> {
    const yes = this.t('console.confirm.yes').split(',');
    const no = this.t('console.confirm.no').split(',');
    const question = this.t('console.password.command', { command: cmd });
    for (;;) {
      const line = await this.input.ask(this.t('console.confirm.prompt', { question }));
      if (line === null) throw new InputEnded('eof');
      const answer = line.trim().toLowerCase();
      if (answer === '' || yes.includes(answer)) return true;
      if (no.includes(answer)) return false;
      this.ch.line(this.t('console.confirm.invalid'));
    }
  }

  /** `line` without control characters and invalid bytes; the user is told when some were removed. */
  cleaned(line: string, L: Locale): string {
    const { text, removed } = cleanAnswer(line);
    // Nothing left: said so, never "it now reads:" an empty value (the field then asks again or goes back).
    if (removed > 0 && text.trim() === '') this.ch.line(this.t('console.form.cleaned_empty', { count: removed }, L));
    else if (removed > 0) this.ch.line(this.t('console.form.cleaned', { count: removed, value: text.trim() }, L));
    return text;
  }

  formHeader(form: FormModel): void {
    this.ch.line();
    this.ch.line(`== ${stripMarkup(form.title)} ==`);
    if (form.intro) this.ch.line(stripMarkup(form.intro));
  }

  fieldError(key: string, L: Locale): void {
    this.ch.line(this.t('console.form.error', { message: this.t(key, {}, L) }, L));
  }
}
