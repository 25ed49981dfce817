/**
 * French typography on every surface (issue 9): every message of a full French run (card in each
 * state, step messages, support request and its answer, progress, failed / to-confirm / passed
 * reports with listed values and warnings, answers changed, email, reminders, cancel) and the
 * Teams audit table are rendered as Slack payloads (blocks and the `text` fallback), Teams cards
 * (every TextBlock, TextRun and the summary) and console text; each text must have a no-break
 * space before `:` `;` `?` `!` and inside `« »` (URLs, times, ids and emoji codes aside).
 */
import { loadTemplates } from '../../../adapters/templates-loader';
import { renderMessage as slackRender } from '../../../adapters/slack/block-kit';
import { renderMessage as teamsRender } from '../../../adapters/teams/cards';
import { auditCards } from '../../../adapters/teams/audit-cards';
import { renderMessage as consoleRender, stripMarkup } from '../../../adapters/console/text';
import { buildAuditExport } from '../../../src/app/audit-export';
import { MessageBuilder } from '../../../src/messages/builder';
import type { Message } from '../../../src/messages/model';
import { Renderer } from '../../../src/messages/renderer';
import { createRun, transition } from '../../../src/workflow/transition';
import type { Actor, Effect, Run, RunEvent, VerificationReport } from '../../../src/workflow/types';
import { frenchTypographyProblems } from '../../helpers/french-typography';

const builder = new MessageBuilder(new Renderer(loadTemplates()), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'fr',
});
const op: Actor = { id: 'U1', name: 'Ola' };
const support: Actor = { id: 'U2', name: 'Sam' };
const at = (min: number) => new Date(Date.UTC(2026, 10, 29, 14, min)).toISOString();

function start(): Run {
  return createRun({
    id: 'RUN00001',
    surface: 'slack',
    channelId: 'C1',
    details: {
      institutionCode: 'ACME',
      institutionName: 'Théâtre Acme',
      channelCode: 'DGTK',
      digitickContactName: 'Dana Digitick',
      digitickContactEmail: 'dana@digitick.example',
      language: 'fr',
    },
    actor: op,
    at: at(0),
  }).run;
}

const failedReport = (t: string): VerificationReport => ({
  passed: false,
  at: t,
  posId: 4242,
  checks: [
    { id: 'credentials', outcome: 'passed' },
    { id: 'sales_channel', outcome: 'failed', reason: { code: 'channel_not_running', params: { channelCode: 'DGTK', state: 'CLOSED' } } },
    {
      id: 'point_of_sale',
      outcome: 'to_confirm',
      reason: { code: 'payment_types_unknown', params: { posCode: 'POS1', methods: 'CARD_X; WIRE_Y; CHEQUE_Z' } },
    },
    { id: 'event_products', outcome: 'to_confirm', reason: { code: 'event_states_unknown', params: { states: 'DRAFT; HIDDEN' } } },
    { id: 'pass_products', outcome: 'skipped' },
    { id: 'technical_contact', outcome: 'passed' },
  ],
});

/** Every message of a full French run, a failed verification included, and of a cancelled one. */
function frenchRun(): { messages: Message[]; runs: Run[] } {
  const messages: Message[] = [];
  const runs: Run[] = [];
  let run = start();
  const collect = (r: Run, effects: Effect[]) => {
    runs.push(r);
    for (const e of effects) messages.push(builder.forEffect(r, e, { runLink: 'https://example.slack.com/archives/C1/p1' }));
  };
  collect(run, [{ type: 'card' }, { type: 'step_prompt', step: 'sales_channel' }]);
  const events: RunEvent[] = [
    { type: 'step_done', step: 'sales_channel', actor: op, at: at(1) },
    { type: 'step_done', step: 'point_of_sale', actor: support, at: at(2) },
    { type: 'step_done', step: 'contingents', actor: op, at: at(3), contingentIds: [11, 12] },
    { type: 'step_done', step: 'technical_contact', actor: op, at: at(4), contactNumber: '000123' },
    { type: 'step_skip', step: 'event_products', actor: op, at: at(5) },
    { type: 'step_done', step: 'pass_products', actor: op, at: at(6) },
    { type: 'step_done', step: 'sales_interface', actor: op, at: at(7) },
    { type: 'password_assigned', actor: support, at: at(8) },
    { type: 'verification_result', actor: op, at: at(9), report: failedReport(at(9)) },
    { type: 'answers_edit', actor: op, at: at(10), answers: { contactNumber: '000124' } },
    {
      type: 'verification_result',
      actor: op,
      at: at(11),
      report: { passed: true, at: at(11), posId: 4242, checks: [{ id: 'credentials', outcome: 'passed' }] },
    },
    { type: 'email_sent', actor: op, at: at(12) },
  ];
  for (const ev of events) {
    const r = transition(run, ev);
    if (!r.ok) throw new Error(`${ev.type}: ${r.refusal.code}`);
    collect(r.run, r.effects);
    run = r.run;
    if (ev.type === 'verification_result' && !ev.report.passed) {
      messages.push(
        builder.progress(run, { checks: ev.report.checks.map((c) => ({ id: c.id, state: c.outcome })), done: true, outcome: 'failed' }),
      );
      messages.push(builder.progress(run, { checks: [{ id: 'credentials', state: 'waiting' }], done: false, catalogWaitedMs: 5000 }));
      messages.push(builder.card(run), builder.superseded(run));
    }
  }
  const cancelled = transition(start(), { type: 'cancel', actor: op, at: at(20) });
  if (!cancelled.ok) throw new Error('cancel refused');
  collect(cancelled.run, cancelled.effects);
  for (const kind of ['operator', 'support', 'support_unanswered'] as const) {
    messages.push(builder.forEffect(runs[3]!, { type: 'reminder', kind, step: 'contingents', count: 2 } as Effect));
  }
  return { messages, runs };
}

/** Every text a person sees in a Teams card: TextBlocks, TextRuns, facts, action titles, the summary. */
function teamsTexts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => teamsTexts(n, out));
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if ((o.type === 'TextBlock' || o.type === 'TextRun') && typeof o.text === 'string') out.push(o.text);
    if (typeof o.fallbackText === 'string') out.push(o.fallbackText);
    if (typeof o.title === 'string' && String(o.type).startsWith('Action.')) out.push(o.title);
    for (const [k, v] of Object.entries(o)) if (k !== 'data' && typeof v === 'object') teamsTexts(v, out);
  }
  return out;
}

/** Every mrkdwn and plain_text string of a Slack payload, and its `text` fallback. */
function slackTexts(payload: { text: string; blocks: unknown[] }): string[] {
  // Entities decoded: `&gt;` is a `>` for the reader, its `;` no punctuation.
  const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const out = [payload.text];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(payload.blocks);
  return out.map(decode);
}

describe('a French run on every surface', () => {
  it('every rendered text has a no-break space before : ; ? ! and inside « »', () => {
    const { messages, runs } = frenchRun();
    expect(messages.length).toBeGreaterThan(30);
    const stateLabel = (s: string) => builder.t('fr', `state.${s}`);
    const texts: [string, string][] = [];
    messages.forEach((m, i) => {
      const where = `#${i} ${m.kind}`;
      for (const t of slackTexts(slackRender(m, { stateLabel }))) texts.push([`slack ${where}`, t]);
      for (const t of teamsTexts(teamsRender(m, { runLabel: builder.t('fr', 'card.run_id', { runId: 'RUN00001' }) })))
        texts.push([`teams ${where}`, t]);
      texts.push([`console ${where}`, consoleRender(m, { warningLabel: builder.t('fr', 'console.warning_label') })]);
      texts.push([`console text ${where}`, stripMarkup(m.text)]);
    });
    // The Teams audit table of the run, from the trail the run service records.
    const last = runs[runs.length - 5]!;
    const trail = [
      {
        seq: 1,
        at: at(0),
        actor: op,
        action: 'start',
        step: null,
        outcome: 'ok',
        details: { institutionCode: 'ACME', channelCode: 'DGTK', language: 'fr' },
      },
      { seq: 2, at: at(3), actor: op, action: 'step_done', step: 'contingents', outcome: 'ok', details: { contingentIds: [11, 12] } },
      {
        seq: 3,
        at: at(9),
        actor: op,
        action: 'verify',
        step: 'verification',
        outcome: 'ok',
        details: { passed: false, posId: 4242, checks: { credentials: 'passed', sales_channel: 'failed:channel_not_running' } },
      },
      {
        seq: 4,
        at: at(10),
        actor: op,
        action: 'answers_edit',
        step: 'verification',
        outcome: 'ok',
        details: { changes: [{ field: 'contactNumber', from: '000123', to: '000124' }] },
      },
      {
        seq: 5,
        at: at(10),
        actor: op,
        action: 'verify_confirm',
        step: 'verification',
        outcome: 'ok',
        details: { confirmed: [{ check: 'point_of_sale', code: 'payment_types_unknown' }], reportAt: at(9) },
      },
      {
        seq: 6,
        at: at(10),
        actor: op,
        action: 'answers_erase',
        step: 'verification',
        outcome: 'ok',
        details: { erased: ['institutionName'] },
      },
      {
        seq: 7,
        at: at(11),
        actor: op,
        action: 'reminder_due',
        step: 'verification',
        outcome: 'ok',
        details: { kind: 'operator', count: 1 },
      },
      {
        seq: 8,
        at: at(12),
        actor: op,
        action: 'verify_skip',
        step: 'verification',
        outcome: 'refused:stale_step',
        details: { reason: 'pas le temps' },
      },
    ];
    const exp = buildAuditExport(last, trail as unknown as Parameters<typeof buildAuditExport>[1], {
      erasedText: builder.t('fr', 'value.erased'),
    });
    const auditTexts = auditCards(exp, builder, 'fr').flatMap((card) => teamsTexts(card));
    for (const t of auditTexts) texts.push(['teams audit', t]);
    // The details are in French too: no detail key or code shown as English words.
    expect(auditTexts.join('\n')).not.toMatch(
      /\b(?:institution code|channel code|language|contingent ids|changes|changed|erased|confirmed|report at|kind|count)\b/,
    );
    expect(auditTexts.join('\n')).not.toMatch(/\{"|contactNumber|point_of_sale|stale step/);
    const problems = texts.flatMap(([where, t]) => frenchTypographyProblems(t).map((p) => `${where}: ${p}`));
    expect([...new Set(problems)]).toEqual([]);
  });
});
