/**
 * Issue 11 (QA): the database is down when a verification finishes and stays down through the
 * retries. The progress message closes with a plain "the result could not be saved, verify
 * again", in en, fr and de, on Slack (Block Kit), Teams (Adaptive Card) and the console; no check
 * mark or "passed" that could read as a success.
 */
import { PassThrough } from 'node:stream';
import { createConsoleNotifier } from '../../../adapters/console';
import { renderMessage as slackMessage } from '../../../adapters/slack/block-kit';
import { renderMessage as teamsCard } from '../../../adapters/teams/cards';
import { loadTemplates } from '../../../adapters/templates-loader';
import type { Locale } from '../../../src/domain/ids';
import { MessageBuilder } from '../../../src/messages/builder';
import { Renderer } from '../../../src/messages/renderer';
import { CHECK_IDS, type Run, type VerificationProgress } from '../../../src/workflow/types';
import { dummyRun } from '../../fixtures/dummy-run';

const builder = new MessageBuilder(new Renderer(loadTemplates()), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'en',
});

/** Every check passed, but the report could not be saved. */
const NOT_SAVED: VerificationProgress = { checks: CHECK_IDS.map((id) => ({ id, state: 'passed' })), done: true, outcome: 'not_saved' };

const EXPECTED: Record<Locale, { says: RegExp; again: RegExp; success: RegExp }> = {
  en: { says: /could not be saved/, again: /Verify again/, success: /passed|finished:|✓|white_check_mark/i },
  fr: { says: /n'a pas pu être enregistré/, again: /Vérifiez à nouveau/, success: /réussi|✓|white_check_mark/i },
  de: { says: /konnte nicht gespeichert werden/, again: /erneut/, success: /bestanden|✓|white_check_mark/i },
};

const runIn = (language: Locale, surface: Run['surface'] = 'slack'): Run => {
  const run = dummyRun({ surface, currentStep: 'verification' });
  run.details = { ...run.details, language };
  return run;
};

describe.each(['en', 'fr', 'de'] as const)('verification result not saved (%s)', (locale) => {
  const { says, again, success } = EXPECTED[locale];

  it('Slack: the progress message says it was not saved and to verify again, nothing reads as passed', () => {
    const payload = slackMessage(builder.progress(runIn(locale), NOT_SAVED));
    const text = `${payload.text}\n${JSON.stringify(payload.blocks)}`;
    expect(text).toMatch(says);
    expect(text).toMatch(again);
    expect(text).not.toMatch(success);
    expect(payload.metadata?.event_payload).toMatchObject({ step: 'verification' });
  });

  it('Teams: the progress card says the same', () => {
    const card = JSON.stringify(teamsCard(builder.progress(runIn(locale, 'teams'), NOT_SAVED)));
    expect(card).toMatch(says);
    expect(card).toMatch(again);
    expect(card).not.toMatch(success);
  });

  it('console: one line says the same, no check lines', async () => {
    const output = new PassThrough();
    let text = '';
    output.on('data', (c: Buffer) => (text += c.toString('utf8')));
    const notifier = createConsoleNotifier(output, builder);
    const run = runIn(locale, 'console');
    await notifier.progress!(run, { checks: CHECK_IDS.map((id) => ({ id, state: 'waiting' })), done: false });
    await notifier.progress!(run, NOT_SAVED);
    const last = text.trim().split('\n').at(-1)!;
    expect(last).toMatch(says);
    expect(last).toMatch(again);
    expect(text).not.toMatch(success);
  });
});

test('French typography: a no-break space before the colon', () => {
  const text = JSON.stringify(slackMessage(builder.progress(runIn('fr'), NOT_SAVED)));
  expect(text).toContain('enregistré\u00a0:');
  expect(text).not.toMatch(/\S :/);
});
