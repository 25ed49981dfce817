/**
 * The progress card says each step's state once and as it stands (issue 9): a cancelled run has
 * no current step; a step failed by the last verification says "failed" once; a finished run
 * (verification skipped, email sent) shows no failure notes. Rendered on Slack, Teams and console.
 */
import { loadTemplates } from '../../../adapters/templates-loader';
import { renderMessage as slackRender } from '../../../adapters/slack/block-kit';
import { renderMessage as teamsRender } from '../../../adapters/teams/cards';
import { renderMessage as consoleRender } from '../../../adapters/console/text';
import { MessageBuilder } from '../../../src/messages/builder';
import { Renderer } from '../../../src/messages/renderer';
import { createRun, transition } from '../../../src/workflow/transition';
import type { Actor, Run, RunEvent } from '../../../src/workflow/types';

const builder = new MessageBuilder(new Renderer(loadTemplates()), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'en',
});
const op: Actor = { id: 'U1', name: 'Ola' };
const T = '2026-11-29T14:00:00.000Z';

function runTo(language: 'en' | 'fr', events: RunEvent[]): Run {
  let run = createRun({
    id: 'RUN00001',
    surface: 'slack',
    channelId: 'C1',
    details: {
      institutionCode: 'ACME',
      institutionName: 'Acme',
      channelCode: 'DGTK',
      digitickContactName: 'Dana',
      digitickContactEmail: 'dana@digitick.example',
      language,
    },
    actor: op,
    at: T,
  }).run;
  for (const ev of events) {
    const r = transition(run, ev);
    if (!r.ok) throw new Error(`${ev.type}: ${r.refusal.code}`);
    run = r.run;
  }
  return run;
}

const toVerification: RunEvent[] = [
  { type: 'step_done', step: 'sales_channel', actor: op, at: T },
  { type: 'step_done', step: 'point_of_sale', actor: op, at: T },
  { type: 'step_done', step: 'contingents', actor: op, at: T, contingentIds: [11] },
  { type: 'step_done', step: 'technical_contact', actor: op, at: T, contactNumber: '000123' },
  { type: 'step_done', step: 'event_products', actor: op, at: T },
  { type: 'step_done', step: 'pass_products', actor: op, at: T },
  { type: 'step_done', step: 'sales_interface', actor: op, at: T },
  { type: 'password_assigned', actor: op, at: T },
  {
    type: 'verification_result',
    actor: op,
    at: T,
    report: {
      passed: false,
      at: T,
      checks: [
        { id: 'credentials', outcome: 'passed' },
        {
          id: 'sales_channel',
          outcome: 'failed',
          reason: { code: 'channel_not_running', params: { channelCode: 'DGTK', state: 'CLOSED' } },
        },
      ],
    },
  },
];

const slackText = (run: Run) =>
  JSON.stringify(slackRender(builder.card(run), { stateLabel: (s) => builder.t(run.details.language, `state.${s}`) }).blocks);
const teamsText = (run: Run) => JSON.stringify(teamsRender(builder.card(run), { runLabel: run.id }).body);

describe('progress card states', () => {
  it('a cancelled run shows no current step on Slack, Teams and the console', () => {
    const run = runTo('en', [
      { type: 'step_done', step: 'sales_channel', actor: op, at: T },
      { type: 'step_done', step: 'point_of_sale', actor: op, at: T },
      { type: 'cancel', actor: op, at: T },
    ]);
    expect(run.steps.contingents.state).toBe('current'); // as stored
    const card = builder.card(run);
    const steps = card.blocks.find((b) => b.type === 'steps');
    expect(steps?.type === 'steps' && steps.items.map((i) => i.state)).not.toContain('current');
    expect(slackText(run)).not.toContain(':arrow_forward:');
    expect(slackText(run)).not.toContain('*3. Contingents*');
    expect(teamsText(run)).not.toContain('▶️');
    expect(teamsText(run)).not.toContain('**Contingents**');
    // Said where it stopped, on every surface.
    const stopped = builder.t('en', 'card.stopped.cancelled');
    expect(slackText(run)).toContain(`3. Contingents _(${stopped})_`);
    expect(teamsText(run)).toContain(stopped);
    expect(consoleRender(card)).toContain(stopped);
    expect(consoleRender(card)).not.toMatch(/\[>+ *\]/);
  });

  it('a step failed by the last verification says so once', () => {
    for (const L of ['en', 'fr'] as const) {
      const run = runTo(L, toVerification);
      const line = slackText(run)
        .split('\\n')
        .find((l) => l.includes(':x:'))!;
      const word = builder.t(L, 'state.failed');
      expect([L, line.split(word).length - 1]).toEqual([L, 1]);
      expect(line).toContain(builder.t(L, 'card.check_pointer.failed'));
    }
  });

  it('a finished run (verification skipped, email sent) shows no failure notes', () => {
    const run = runTo('en', [
      ...toVerification,
      { type: 'verify_skip', reason: 'SecuTix will fix it', actor: op, at: T },
      { type: 'email_sent', actor: op, at: T },
    ]);
    expect(run.status).toBe('completed');
    const pointer = builder.t('en', 'card.check_pointer.failed');
    for (const text of [slackText(run), teamsText(run), consoleRender(builder.card(run))]) {
      expect(text).not.toContain(pointer);
      expect(text).not.toMatch(/:x:|❌|XX /);
    }
  });
});
