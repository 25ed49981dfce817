/**
 * Values people typed show literally everywhere (issue 9): an institution name or an answer that is
 * itself `**x**`, `_x_`, `~x~`, in backticks, or has `**` inside a word, is no markup on Teams
 * (rendered by `adaptivecards`), in Slack mrkdwn (support request, card, answers changed; the email
 * draft's code block) or on the console.
 */
import { renderMessage as consoleText } from '../../../adapters/console/text';
import { literalMrkdwn, renderMessage as slackRender } from '../../../adapters/slack/block-kit';
import { renderMessage as teamsRender } from '../../../adapters/teams/cards';
import { loadTemplates } from '../../../adapters/templates-loader';
import { MessageBuilder } from '../../../src/messages/builder';
import type { Message } from '../../../src/messages/model';
import { Renderer } from '../../../src/messages/renderer';
import type { Run } from '../../../src/workflow/types';
import { dummyRun } from '../../fixtures/dummy-run';
import { cardProblems, valueProblems } from '../../helpers/teams-card-check';

const builder = new MessageBuilder(new Renderer(loadTemplates()), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'en',
});

const VALUES = ['**Théâtre**', '_Théâtre_', '`Théâtre`', 'Thé**â**tre', '~Théâtre~ *x*', 'Théâtre ```code``` end'];

function runNamed(name: string): Run {
  const run = dummyRun({ currentStep: 'email_draft' });
  return { ...run, details: { ...run.details, institutionName: name, language: 'en' } };
}

function messages(run: Run, value: string): Message[] {
  const at = '2026-11-29T14:00:00.000Z';
  return [
    builder.card(run),
    builder.stepPrompt(run, 'sales_channel'),
    builder.supportRequest(run),
    builder.answersChanged(run, {
      type: 'answers_changed',
      by: run.startedBy,
      at,
      changes: [{ field: 'contactNumber', from: '1', to: value }],
    }),
  ];
}

/** Every mrkdwn text of a Slack payload (and its `text`). */
function mrkdwnTexts(p: { text: string; blocks: unknown[] }): string[] {
  const out = [p.text];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      const o = n as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(p.blocks);
  return out;
}

describe('values typed by people are shown literally', () => {
  test.each(VALUES)('%s: Teams renders it as typed, with no Markdown element of its own', (value) => {
    const run = runNamed(value);
    const cards = messages(run, value).map((m) => teamsRender(m, { runLabel: run.id }));
    expect(cards.flatMap((c) => [...cardProblems(c), ...valueProblems(c, value, 'Thé')])).toEqual([]);
  });

  test.each(VALUES)('%s: Slack mrkdwn keeps every formatting sign of the value from formatting', (value) => {
    const run = runNamed(value);
    let shown = 0;
    for (const m of messages(run, value)) {
      for (const text of mrkdwnTexts(slackRender(m))) {
        // Wherever the value shows, it is its literal form: each formatting sign flanked by zero-width spaces.
        if (!text.replace(/\u200b/g, '').includes(value)) continue;
        shown++;
        expect(text).toContain(literalMrkdwn(value));
      }
    }
    expect(shown).toBeGreaterThanOrEqual(2); // the support request's body and the answers changed
  });

  test('Slack: the email draft code block cannot be closed by a value, and shows the value', () => {
    const run = runNamed('Théâtre ```code``` end');
    const payload = slackRender(builder.stepPrompt(run, 'email_draft'));
    const pre = mrkdwnTexts(payload).filter((t) => t.startsWith('```'));
    expect(pre.length).toBeGreaterThan(0);
    for (const t of pre) expect(t.slice(3, -3)).not.toContain('```');
    expect(pre.join('\n').replace(/\u200b/g, '')).toContain('Théâtre ```code``` end');
  });

  test.each(VALUES)('%s: the console prints it as typed', (value) => {
    const run = runNamed(value);
    const out = messages(run, value).map((m) => consoleText(m));
    expect(out.join('\n')).toContain(value);
    for (const text of out) expect(text).not.toMatch(/[\uE000-\uF8FF]/);
  });
});
