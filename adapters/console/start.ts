/**
 * The start of a console session: resume an open console run, or ask the start form's questions
 * one by one (a duplicate run is caught as soon as institution and channel are known) and start it.
 */
import { parseStartForm, type RawValues } from '../../src/app/forms';
import { INPUT_IDS } from '../../src/domain/ids';
import { channelCodeSchema, institutionCodeSchema } from '../../src/domain/schemas';
import { stepDefinition } from '../../src/workflow/steps';
import type { Run } from '../../src/workflow/types';
import { type SessionIO, SessionFailed } from './session-io';
import { stripMarkup } from './text';
import { CONSOLE_ORG } from '../../src/domain/org';

/** Chooses or starts the run of session `s` (`chooseRun`). */
export class StartFlow {
  constructor(private readonly s: SessionIO) {}

  /** Resumes an open console run (when the user says so) or starts a new one. */
  async chooseRun(): Promise<Run> {
    const open = (await this.s.deps.service.openRuns('console')).slice(0, 5);
    if (open.length > 0) {
      const L = this.s.deps.defaultLocale;
      const labels = open.map((r) => {
        const def = stepDefinition(r.currentStep ?? 'email_draft');
        return this.s.t('console.choice.resume', { runId: r.id, institutionCode: r.details.institutionCode, number: def.number }, L);
      });
      labels.push(this.s.t('console.choice.new', {}, L));
      const i = await this.s.choose(labels, L, () => {
        this.s.ch.line();
        this.s.ch.line(this.s.t('console.resume.found', {}, L));
        for (const r of open) {
          const def = stepDefinition(r.currentStep ?? 'email_draft');
          this.s.ch.line(
            `  ${this.s.t('console.resume.line', { runId: r.id, institutionName: r.details.institutionName, institutionCode: r.details.institutionCode, channelCode: r.details.channelCode, number: def.number, title: this.s.t(`step.${def.id}.title`, {}, r.details.language) }, L)}`,
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
    // One console process per database: a verification still marked under way was cut by a crash. Say so first.
    await this.s.deps.service.recoverInterruptedVerifications(0, runId).catch(() => []);
    const r = await this.s.deps.service.resume({ runId, actor: this.s.actor, surface: 'console' });
    if (r.ok) {
      this.s.current = r.value;
      return r.value;
    }
    this.s.ch.line(stripMarkup(this.s.deps.builder.describeError(r.error, this.s.deps.defaultLocale, undefined, 'console')));
    // An internal error would come back on every try: end the session instead of looping.
    if (r.error.code === 'internal') throw new SessionFailed(r.error.correlationId);
    return null;
  }

  /** Asks the start form's questions in order, then starts the run (or resumes the open one for the same institution). */
  private async startRun(): Promise<Run> {
    const L = this.s.deps.defaultLocale;
    form: for (;;) {
      const form = this.s.deps.builder.startForm(
        L,
        'console',
        this.s.deps.hints ? { institutionCode: this.s.deps.hints.institutionCode } : {},
      );
      this.s.formHeader(form);
      this.s.ch.line(this.s.t('console.form.default_hint', {}, L));
      const raw: RawValues = {};
      for (const input of channelAfterInstitution(form.inputs)) {
        const options = input.options?.map((o) => `${o.value} = ${o.label}`).join(', ');
        const suffix = input.initial
          ? ` [${input.initial}]`
          : input.placeholder
            ? ` (${this.s.t('console.form.example', { example: input.placeholder }, L)})`
            : '';
        const prompt = this.s.t('console.prompt.label', { label: `${input.label}${options ? ` (${options})` : ''}${suffix}` }, L);
        for (;;) {
          const line = this.s.cleaned(await this.s.askInput(prompt, input.id), L);
          let value = line.trim() === '' ? (input.initial ?? '') : line;
          if (input.options) {
            const v = value.trim().toLowerCase();
            value = input.options.find((o) => o.value === v || o.label.toLowerCase() === v)?.value ?? value;
          }
          raw[input.id] = value;
          const r = parseStartForm(raw, L);
          const key = r.ok ? undefined : r.errors[input.id];
          if (!key) break;
          this.s.fieldError(key, L);
        }
        // A duplicate is caught as soon as institution and channel are known, not after every question.
        if (input.id === INPUT_IDS.channelCode) {
          const open = await this.openRunFor(raw);
          if (open) {
            // About the open run: in its language (describeError), whatever the session's.
            this.s.ch.line(stripMarkup(this.s.deps.builder.describeError({ code: 'duplicate_run', run: open }, L, undefined, 'console')));
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
      const started = await this.s.deps.service.start({
        surface: 'console',
        channelId: 'console',
        actor: this.s.actor,
        org: CONSOLE_ORG,
        details: parsed.value,
      });
      if (started.ok) {
        this.s.current = started.value;
        return started.value;
      }
      this.s.ch.line(stripMarkup(this.s.deps.builder.describeError(started.error, L, undefined, 'console')));
      if (started.error.code === 'internal') throw new SessionFailed(started.error.correlationId);
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
    const [open] = await this.s.deps.store.list({ status: 'open', institutionCode: institution.data, channelCode: channel.data, limit: 1 });
    return open ?? null;
  }
}

/**
 * The start form's questions with the channel code right after the institution code, so that a
 * duplicate run is caught before the other questions are asked.
 */
export function channelAfterInstitution<T extends { id: string }>(inputs: readonly T[]): T[] {
  const channel = inputs.find((i) => i.id === INPUT_IDS.channelCode);
  const at = inputs.findIndex((i) => i.id === INPUT_IDS.institutionCode);
  if (!channel || at < 0) return [...inputs];
  const rest = inputs.filter((i) => i !== channel);
  rest.splice(at + 1, 0, channel);
  return rest;
}
