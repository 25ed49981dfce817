/**
 * Lists of runs: `status` without a run id, and "My runs" (Slack App Home, Teams personal
 * `status`). Pure: no I/O.
 */
import type { Locale, Surface } from '../domain/ids';
import { stepDefinition } from '../workflow/steps';
import type { Run } from '../workflow/types';
import type { Block, Message } from './model';
import type { MyRuns } from '../workflow/my-runs';
import { type MentionFormatter, plainMention, formatTime } from './builder-core';
import { HelpMessages } from './help';
import { literal } from './literal';

export class HomeMessages extends HelpMessages {
  /** `status` without a run: the caller's open runs. */
  statusList(locale: Locale, runs: Run[]): Message {
    if (runs.length === 0) return this.textMessage('status', locale, this.r.t(locale, 'status.none'));
    const lines = runs.map((run) => {
      const def = run.currentStep ? stepDefinition(run.currentStep) : null;
      return this.r.t(locale, 'status.line', {
        ...this.baseView(run),
        number: def?.number ?? 10,
        title: def ? this.stepTitle(locale, def.id) : '',
      });
    });
    return this.textMessage('status', locale, lines.join('\n'), this.r.t(locale, 'status.header'));
  }

  /**
   * `status` in the support desk: the runs of every organisation waiting on SecuTix support,
   * as given (oldest first), each with its organisation (shown literally), how long it has waited
   * and since when, and who asked. `nowIso`: the time the ages are counted to.
   */
  supportQueue(locale: Locale, items: { run: Run; organisation: string }[], nowIso: string): Message {
    if (items.length === 0) return this.textMessage('status', locale, this.r.t(locale, 'support_queue.none'));
    const lines = items.map(({ run, organisation }) => {
      const since = run.steps.password_request.at ?? run.updatedAt;
      return this.r.t(locale, 'support_queue.line', {
        ...this.baseView(run),
        organisation: literal(organisation),
        age: this.age(locale, Date.parse(nowIso) - Date.parse(since)),
        since: formatTime(this.r, locale, since),
        startedBy: literal(run.startedBy.name ?? run.startedBy.id),
      });
    });
    return this.textMessage('status', locale, lines.join('\n'), this.r.t(locale, 'support_queue.header', { count: items.length }));
  }

  /** A waiting time: minutes under an hour, hours and minutes under a day, else days and hours. */
  private age(locale: Locale, ms: number): string {
    const m = Math.max(0, Math.floor(ms / 60_000));
    if (m < 60) return this.r.t(locale, 'age.minutes', { m });
    if (m < 24 * 60) return this.r.t(locale, 'age.hours', { h: Math.floor(m / 60), m: m % 60 });
    return this.r.t(locale, 'age.days', { d: Math.floor(m / 1440), h: Math.floor((m % 1440) / 60) });
  }

  /**
   * "My runs" (Slack App Home, Teams `status` in personal chat): the person's open runs, each with
   * institution, channel code, current step (number/10 and title), start time and a `run_resume`
   * button on its own line (`Block.button`), then their last completed runs (institution, when,
   * by whom). Headings are in `locale` (the person's language; `DEFAULT_LOCALE` when unknown); a
   * run line is in `locale` when given, else in the run's language. `surface` picks the intro.
   * Texts are used as given: a Slack caller passes runs escaped for mrkdwn.
   */
  myRuns(surface: Surface, locale: Locale | undefined, runs: MyRuns, mention: MentionFormatter = plainMention): Message {
    const L = locale ?? this.settings.defaultLocale;
    const blocks: Block[] = [
      { type: 'header', text: this.r.t(L, 'home.header') },
      { type: 'context', text: this.r.t(L, `home.intro.${surface}`) },
      { type: 'text', text: this.r.t(L, 'home.open.header', { count: runs.open.length + runs.moreOpen }) },
    ];
    for (const run of runs.open) {
      const RL = locale ?? run.details.language;
      const def = run.currentStep ? stepDefinition(run.currentStep) : null;
      const text = this.r.t(RL, 'home.open.line', {
        ...this.baseView(run),
        number: def?.number ?? 10,
        title: def ? this.stepTitle(RL, def.id) : this.r.t(RL, `run_state.${run.status}`),
        startedAt: formatTime(this.r, RL, run.createdAt),
      });
      blocks.push({ type: 'text', text, button: { ...this.resumeButton(run, RL), label: this.r.t(RL, 'home.resume') } });
    }
    if (runs.open.length === 0) blocks.push({ type: 'context', text: this.r.t(L, 'home.open.none') });
    if (runs.moreOpen > 0) blocks.push({ type: 'context', text: this.r.t(L, 'home.open.more', { count: runs.moreOpen }) });
    blocks.push({ type: 'text', text: this.r.t(L, 'home.completed.header') });
    const lines = runs.completed.map((run) => {
      const RL = locale ?? run.details.language;
      return this.r.t(RL, 'home.completed.line', {
        ...this.baseView(run),
        at: formatTime(this.r, RL, run.endedAt),
        by: run.endedBy ? mention(run.endedBy) : '?',
      });
    });
    blocks.push(
      lines.length > 0 ? { type: 'text', text: lines.join('\n') } : { type: 'context', text: this.r.t(L, 'home.completed.none') },
    );
    return {
      kind: 'status',
      locale: L,
      text: this.r.t(L, 'home.text', { open: runs.open.length + runs.moreOpen, completed: runs.completed.length }),
      blocks,
      actions: [],
    };
  }
}
