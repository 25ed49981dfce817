/**
 * Issue 9 QA defects (what people see): values typed by people shown as typed in Teams (A), the
 * Teams audit table in words (B), plural contingents (C), French wording (D), the health report
 * naming each screen once (E), check outcome words translated in Slack and the console (F).
 */
import { renderMessage as consoleText } from '../../../adapters/console/text';
import { renderMessage as slackRender } from '../../../adapters/slack/block-kit';
import { auditTableRow } from '../../../adapters/teams/audit-cards';
import { renderMessage as teamsRender } from '../../../adapters/teams/cards';
import { escapeTeamsMarkdown, toTeamsMarkdown } from '../../../adapters/teams/markdown';
import { loadTemplates } from '../../../adapters/templates-loader';
import type { AuditRow } from '../../../src/app/audit-export';
import { LOCALES, type Locale } from '../../../src/domain/ids';
import { MessageBuilder } from '../../../src/messages/builder';
import { Renderer } from '../../../src/messages/renderer';
import type { CheckResult } from '../../../src/workflow/types';
import { dummyRun } from '../../fixtures/dummy-run';
import { cardProblems, renderedLines, teamsMarkdown, valueProblems } from '../../helpers/teams-card-check';

const templates = loadTemplates();
const builder = new MessageBuilder(new Renderer(templates), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'en',
});
const HOSTILE = 'Théâtre <b>*gras*</b> & _x_';

describe('A. Teams shows typed values as typed', () => {
  test.each([
    HOSTILE,
    '1. Théâtre',
    '- Théâtre',
    '# Théâtre',
    '> Théâtre',
    '[Théâtre](https://x.example)',
    '`Théâtre`',
    'Théâtre &amp; co',
  ])('%s renders literally, with no Markdown element', (value) => {
    const html = teamsMarkdown.render(escapeTeamsMarkdown(value));
    expect(html).not.toMatch(/<(em|strong|ol|ul|li|h\d|blockquote|a|code)\b/);
    expect(html.replace(/<\/?p>\n?/g, '')).toBe(
      value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
    );
  });

  test("the catalog's bold is kept around a hostile value, the value's markup is not", () => {
    const html = teamsMarkdown.render(toTeamsMarkdown(`Onboarding **${HOSTILE}** for _you_\n1. next`));
    expect(html).toBe('<p>Onboarding <strong>Théâtre &lt;b&gt;*gras*&lt;/b&gt; &amp; _x_</strong> for _you_</p>\n<p>1. next</p>\n');
  });

  test.each(LOCALES)('%s: every card of a run with a hostile name keeps the name as typed', (L) => {
    const run = dummyRun({ surface: 'teams', channelId: 'a:personal' });
    const named = { ...run, details: { ...run.details, institutionName: `1. ${HOSTILE}`, language: L as Locale } };
    const cards = [builder.card(named), builder.stepPrompt(named, 'sales_channel'), builder.supportRequest(named)].map((m) =>
      teamsRender(m),
    );
    expect(cards.length).toBeGreaterThan(0);
    const shown = cards.filter((c) => renderedLines(c).some((l) => l.includes('Théâtre')));
    expect(shown.length).toBeGreaterThan(0);
    expect(cards.flatMap((c) => [...cardProblems(c), ...valueProblems(c, `1. ${HOSTILE}`, 'Théâtre')])).toEqual([]);
  });
});

describe('B. the Teams audit table speaks words, in the reader language', () => {
  const row: AuditRow = {
    seq: 3,
    timeUtc: '2026-11-29T15:00:00.000Z',
    timeLocal: '2026-11-29T16:00:00+01:00',
    actorId: 'aad-alex',
    actorName: 'Alex Operator',
    surface: 'teams',
    step: 'verification',
    action: 'verify',
    outcome: 'ok',
    checks: { credentials: 'failed:credentials_rejected', sales_channel: 'skipped:credentials_failed' },
    details: { passed: false, posId: 4242 },
  };
  const lines = (L: Locale) =>
    renderedLines({
      type: 'AdaptiveCard',
      version: '1.5',
      body: [{ type: 'Table', columns: [{ width: 1 }, { width: 1 }, { width: 1 }], rows: [auditTableRow(row, builder, L)] }],
    }).join('\n');

  test.each(LOCALES)('%s: check names, outcome words, pointOfSalesId; no code', (L) => {
    const text = lines(L);
    expect(text).toContain(builder.t(L, 'check.name.credentials'));
    expect(text).toContain(builder.t(L, 'report.outcome.failed'));
    expect(text).toContain(builder.t(L, 'report.outcome.skipped'));
    expect(text).toContain('pointOfSalesId 4242');
    expect(text).toContain(builder.t(L, 'report.header.failed'));
    expect(text).not.toMatch(/credentials rejected|credentials failed|passed: false|pos id/);
  });
});

const failed = (id: CheckResult['id'], code: string, params?: Record<string, string | number>): CheckResult => ({
  id,
  outcome: 'failed',
  reason: params ? { code: code as never, params } : { code: code as never },
});

describe('C. contingents counted with plural forms', () => {
  test.each([
    ['en', 1, 'in the contingent 7.'],
    ['en', 2, 'in the 2 contingents 7, 8.'],
    ['fr', 1, 'dans le contingent 7.'],
    ['de', 1, 'im Kontingent 7.'],
  ] as const)('%s, %d contingent(s)', (L, n, expected) => {
    const contingents = n === 1 ? '7' : '7, 8';
    for (const code of ['no_event_availability', 'no_pass_availability'])
      expect(builder.t(L, `check.reason.${code}`, { contingents, count: n })).toContain(expected.replace('.', ''));
    // A report stored before the count existed still reads right.
    const msg = builder.healthReport(L, {
      institutionCode: 'DEMO',
      channelCode: 'DGTK',
      report: { checks: [failed('event_products', 'no_event_availability', { contingents })], passed: false, at: '2026-11-29T15:00:00Z' },
    });
    expect(JSON.stringify(msg.blocks)).toContain(expected.replace('.', ''));
  });
});

describe('D. French wording', () => {
  const fr = templates.messages.fr;
  const frTexts = [
    ...Object.values(fr).flatMap((v) => (typeof v === 'string' ? [v] : Object.values(v))),
    ...Object.entries(templates.files)
      .filter(([k]) => k.endsWith('.fr'))
      .map(([, v]) => v),
  ];
  test('one e-mail spelling, one apostrophe, "parcours" not "onboarding" for the run', () => {
    expect(frTexts.filter((t) => /(?<![-_.{A-Za-z])[Ee]mails?\b|courriel/.test(t))).toEqual([]);
    expect(frTexts.filter((t) => t.includes('’'))).toEqual([]);
    expect(frTexts.filter((t) => /contingents de l'onboarding/.test(t))).toEqual([]);
  });
  test('the health check (no run) is a "Contrôle", a run verification a "Vérification"', () => {
    for (const k of Object.keys(fr).filter((k) => k.startsWith('health.header') || k === 'form.check.title'))
      expect([k, JSON.stringify(fr[k])]).toEqual([k, expect.stringContaining('Contrôle')]);
    for (const k of ['report.header.passed', 'report.header.failed', 'report.header.to_confirm', 'progress.header'])
      expect([k, fr[k]]).toEqual([k, expect.stringContaining('Vérification')]);
  });
  test('form titles are not abbreviated ("config") and fit a Slack modal title (24 characters)', () => {
    for (const L of LOCALES)
      for (const [k, v] of Object.entries(templates.messages[L]).filter(([k]) => /^form\.[a-z_]+\.title$/.test(k))) {
        expect([L, k, v]).toEqual([L, k, expect.not.stringMatching(/\bconfig\b/i)]);
        expect([L, k, String(v).length <= 24]).toEqual([L, k, true]);
      }
  });
});

describe('E. the health report names each screen once', () => {
  test.each(LOCALES)('%s: the sales channel line has its screen once', (L) => {
    const msg = builder.healthReport(L, {
      institutionCode: 'DEMO',
      channelCode: 'DGTK',
      report: {
        checks: [failed('sales_channel', 'channel_not_running', { channelCode: 'DGTK', state: 'SUSPENDED' })],
        passed: false,
        at: '2026-11-29T15:00:00Z',
      },
    });
    const item = msg.blocks.flatMap((b) => (b.type === 'checks' ? b.items : []))[0]!;
    const screen = builder.t(L, 'check.fix.sales_channel', { channelCode: 'DGTK' }).split(':')[0]!.trim();
    expect(item.reason!.split(screen).length - 1).toBe(1);
    expect(item.reason).toContain('SUSPENDED');
  });
});

describe('F. outcome words translated in Slack and console check reports', () => {
  const outcomes: CheckResult[] = [
    failed('credentials', 'credentials_rejected', { login: 'DEMO_DGTK' }),
    {
      id: 'sales_channel',
      outcome: 'to_confirm',
      reason: { code: 'channel_state_unknown' as never, params: { channelCode: 'DGTK', state: 'X' } },
    },
  ];
  const report = (L: Locale) =>
    builder.healthReport(L, {
      institutionCode: 'DEMO',
      channelCode: 'DGTK',
      report: { checks: outcomes, passed: false, at: '2026-11-29T15:00:00Z' },
    });
  test.each(['fr', 'de'] as const)('%s: no raw outcome code; French puts a no-break space before ":"', (L) => {
    if (!builder.has(L, 'check.confirm.channel_state_unknown'))
      outcomes[1] = { id: 'sales_channel', outcome: 'skipped', reason: { code: 'credentials_failed' } };
    const slack = slackRender(report(L))
      .blocks.map((b) => JSON.stringify(b))
      .join('\n');
    const console = consoleText(report(L));
    for (const text of [slack, console]) {
      expect(text).not.toMatch(/\b(to_confirm|to confirm|failed|skipped)\b/);
      expect(text).toContain(builder.t(L, 'report.outcome.failed'));
    }
    if (L === 'fr') expect(slack).toContain(`*${builder.t(L, 'check.name.credentials')}*\u00a0: en échec`);
  });
});
