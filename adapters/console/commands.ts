/**
 * The commands typed at any console prompt: `help`, `status [RUN]` (finished runs too), `product`,
 * `check` (the health check without a run) and `audit [RUN]` (a run's trail as a CSV file).
 */
import fs from 'node:fs';
import path from 'node:path';
import { auditCsv, auditFileName, buildAuditExport } from '../../src/app/audit-export';
import { parseCheckArgs, parseCheckForm, parseProductCheckForm } from '../../src/app/health-check';
import type { RawValues } from '../../src/app/forms';
import type { Run } from '../../src/workflow/types';
import { INPUT_IDS } from '../../src/domain/ids';
import { InputEnded, type SessionCommand, type SessionIO } from './session-io';
import { stripMarkup } from './text';

/** Runs the commands of one session `s`. */
export class ConsoleCommands {
  constructor(private readonly s: SessionIO) {}

  /** A console run by id (any status), or `null` after saying why not. */
  private async runById(runId: string): Promise<Run | null> {
    const loaded = await this.s.deps.service.load(runId, 'console');
    if (loaded.ok) return loaded.value;
    // An error carrying a run is worded in its language (`describeError`); an unknown id in the console's.
    this.s.ch.line(stripMarkup(this.s.deps.builder.describeError(loaded.error, this.s.consoleLocale, undefined, 'console')));
    return null;
  }

  async run(typed: SessionCommand): Promise<void> {
    const { cmd, runId } = typed;
    // Not about one run: in the console's language, whatever run is current.
    const L = this.s.consoleLocale;
    const b = this.s.deps.builder;
    this.s.ch.line();
    switch (cmd) {
      case 'help':
        // Every command: the console user may use them all (see the constructor).
        this.s.ch.line(`== ${this.s.t('help.header', {}, L)} ==`);
        this.s.ch.line(this.s.t('help.text', {}, L));
        this.s.ch.line();
        this.s.ch.line(this.s.t('console.help.commands', {}, L));
        this.s.ch.line();
        this.s.ch.line(this.s.t('console.help.notes', {}, L));
        this.s.ch.line(this.s.t('console.check.help', {}, L));
        return;
      case 'check':
        await this.healthCheck();
        return;
      case 'audit': {
        const run = runId ? await this.runById(runId) : this.s.current;
        if (runId && !run) return;
        await this.auditExport(run);
        return;
      }
      case 'product':
        if (typed.badProductCode !== undefined) {
          this.s.ch.line(this.s.t('error.product_check.bad_code', { productCode: typed.badProductCode }, L));
          return;
        }
        if (typed.productCode) {
          await this.productCheck(typed.productCode);
          return;
        }
        this.s.ch.printMessage(b.productGuide(L, this.s.current?.details.channelCode));
        return;
      case 'status': {
        if (runId) {
          const run = await this.runById(runId);
          if (run) this.s.ch.printFullCard(run);
          return;
        }
        if (this.s.current) {
          const loaded = await this.s.deps.service.load(this.s.current.id);
          if (loaded.ok) {
            this.s.current = loaded.value;
            this.s.ch.printFullCard(loaded.value);
            return;
          }
        }
        const open = await this.s.deps.service.openRuns('console');
        if (open.length === 0) this.s.ch.line(this.s.t('console.status.none', {}, L));
        else this.s.ch.printMessage(b.statusList(L, open));
        // Finished runs too: their id is what `status RUN` and `audit RUN` take.
        const finished = (await this.s.deps.store.list({ surface: 'console', limit: 20 })).filter((r) => r.status !== 'open').slice(0, 5);
        if (finished.length > 0) {
          this.s.ch.line();
          this.s.ch.line(this.s.t('console.status.finished', {}, L));
          for (const r of finished) {
            const view = {
              runId: r.id,
              institutionCode: r.details.institutionCode,
              channelCode: r.details.channelCode,
              state: this.s.t(`run_state.${r.status}`, {}, L),
            };
            this.s.ch.line(`  ${this.s.t('status.run', view, L)}`);
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
      this.s.ch.line(this.s.t('console.audit.none', {}, this.s.consoleLocale));
      return;
    }
    const entries = await this.s.deps.store.audit(run.id);
    const exp = buildAuditExport(run, entries, {
      ...(this.s.deps.defaultTimeZone ? { defaultTimeZone: this.s.deps.defaultTimeZone } : {}),
      erasedText: this.s.deps.builder.t(run.details.language, 'value.erased'),
    });
    const dir = path.resolve(this.s.deps.auditDir ?? path.join('data', 'audit'));
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, auditFileName(exp));
    fs.writeFileSync(file, auditCsv(exp), 'utf8');
    // About one run: in its language.
    this.s.ch.line(this.s.t('console.audit.written', { runId: run.id, count: entries.length, path: file }, run.details.language));
  }

  /**
   * `check`: the health check of an existing setup, without a run (issue 5). Asks the institution
   * and channel codes, then the `onboard_check` form's questions (the password without echo; the
   * optional values may be left empty: their checks are reported as skipped), and prints the report.
   * An empty institution code goes back. The password is passed to the check and dropped.
   */
  private async healthCheck(): Promise<void> {
    const L = this.s.consoleLocale; // no run: the console's language
    const b = this.s.deps.builder;
    if (!this.s.deps.health) {
      this.s.ch.line(this.s.t('error.check.unavailable', {}, L));
      return;
    }
    let target: { institutionCode: string; channelCode: string };
    for (;;) {
      const institution = (
        await this.s.ask(this.s.t('console.prompt.label', { label: this.s.t('form.product_check.institution_code', {}, L) }, L))
      ).trim();
      if (institution === '') {
        this.s.ch.line(this.s.t('console.form.back', {}, L));
        return;
      }
      const channel = await this.s.ask(
        this.s.t('console.prompt.label', { label: `${this.s.t('form.product_check.channel_code', {}, L)} [DGTK]` }, L),
      );
      const args = parseCheckArgs(institution, channel.trim() || undefined);
      if (args.ok) {
        target = args.value;
        break;
      }
      this.s.fieldError(args.error, L);
    }
    const form = b.checkForm(L, target, 'console');
    this.s.formHeader(form);
    const raw: RawValues = {};
    for (const input of form.inputs) {
      const secret = input.kind === 'password';
      for (;;) {
        const line = await this.s.ask(this.s.t('console.prompt.label', { label: input.label }, L), secret);
        raw[input.id] = secret ? line : line.trim();
        const r = parseCheckForm(raw);
        const key = r.ok ? undefined : r.errors[input.id];
        if (!key) break;
        this.s.fieldError(key, L);
      }
    }
    const parsed = parseCheckForm(raw);
    delete raw[form.inputs[0]!.id]; // the password: not kept past this point
    if (!parsed.ok) return;
    // SIGTERM / SIGINT meanwhile: not waited for (a hung SecuTix call would hold the stop for its
    // timeout and retries, then print the whole report); the session says it stopped.
    const check = this.s.deps.health.check({
      surface: 'console',
      actor: this.s.actor,
      ...target,
      password: parsed.value.password,
      ...(parsed.value.contingentIds ? { contingentIds: parsed.value.contingentIds } : {}),
      ...(parsed.value.contactNumber ? { contactNumber: parsed.value.contactNumber } : {}),
      locale: L,
    });
    const out = await untilStopped(check, this.s.deps.stop);
    this.s.ch.line();
    if (out.ok) this.s.ch.printMessage(b.healthReport(L, out.value));
    else this.s.ch.line(stripMarkup(b.describeError(out.error, L, undefined, 'console')));
  }
  /**
   * `product CODE`: the check of one product without a run (as Slack's and Teams' `product CODE`
   * button and form). Asks the form's questions (institution, channel with its default, the
   * password without echo, optional contingents; an empty institution code goes back), then
   * prints the report. The password is passed to the check and dropped.
   */
  private async productCheck(productCode: string): Promise<void> {
    const L = this.s.consoleLocale;
    const b = this.s.deps.builder;
    const health = this.s.deps.health;
    if (!health) {
      this.s.ch.line(this.s.t('error.check.unavailable', {}, L));
      return;
    }
    const form = b.productCheckForm(L, productCode, '');
    this.s.formHeader(form);
    const raw: RawValues = {};
    for (const input of form.inputs) {
      const secret = input.kind === 'password';
      // The password's label names the operator once the institution and channel are known (as `check` does).
      const code = (id: string) => String(raw[id] ?? '').toUpperCase();
      const named =
        secret && raw[INPUT_IDS.institutionCode]
          ? b.t(L, 'form.check.password', { login: `${code(INPUT_IDS.institutionCode)}_${code(INPUT_IDS.channelCode)}` })
          : input.label;
      const label = input.initial ? `${named} [${input.initial}]` : named;
      for (;;) {
        const line = await this.s.ask(this.s.t('console.prompt.label', { label }, L), secret);
        const typed = secret ? line : line.trim();
        if (input.id === form.inputs[0]!.id && typed === '') {
          this.s.ch.line(this.s.t('console.form.back', {}, L));
          return;
        }
        raw[input.id] = typed === '' && input.initial ? input.initial : typed;
        const r = parseProductCheckForm(raw);
        const key = r.ok ? undefined : r.errors[input.id];
        if (!key) break;
        this.s.fieldError(key, L);
      }
    }
    const parsed = parseProductCheckForm(raw);
    for (const input of form.inputs) if (input.kind === 'password') delete raw[input.id]; // not kept past this point
    if (!parsed.ok) return;
    const { password, contingentIds, institutionCode, channelCode } = parsed.value;
    const check = health.checkProduct({
      surface: 'console',
      actor: this.s.actor,
      institutionCode,
      channelCode,
      password,
      productCode,
      ...(contingentIds ? { contingentIds } : {}),
      locale: L,
    });
    const out = await untilStopped(check, this.s.deps.stop);
    this.s.ch.line();
    if (out.ok) this.s.ch.printMessage(b.productReport(L, out.value));
    else this.s.ch.line(stripMarkup(b.describeError(out.error, L, undefined, 'console')));
  }
}

/** `work`, unless `stop` aborts first: then `InputEnded`, and the session ends as on a signal. */
function untilStopped<T>(work: Promise<T>, stop: AbortSignal | undefined): Promise<T> {
  if (!stop) return work;
  if (stop.aborted) return Promise.reject(new InputEnded('quit'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new InputEnded('quit'));
    stop.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => stop.removeEventListener('abort', onAbort));
  });
}
