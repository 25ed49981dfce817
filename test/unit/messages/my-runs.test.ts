/**
 * `MessageBuilder.myRuns` ("My runs": Slack App Home, Teams `status` in personal chat): languages
 * of headings and run lines, the Resume button of each open run, empty lists, runs not listed.
 */
import { loadTemplates } from '../../../adapters/templates-loader';
import { LOCALES } from '../../../src/domain/ids';
import { decodeActionValue } from '../../../src/messages/action-value';
import { MessageBuilder } from '../../../src/messages/builder';
import type { Block } from '../../../src/messages/model';
import { Renderer } from '../../../src/messages/renderer';
import { dummyRun } from '../../fixtures/dummy-run';

const builder = new MessageBuilder(new Renderer(loadTemplates()), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'en',
});
const frRun = dummyRun({ id: 'RUNFR001' }); // language fr, step 1
const enRun = dummyRun({
  id: 'RUNEN001',
  details: { ...dummyRun().details, institutionCode: 'BETA', language: 'en' },
  currentStep: 'contingents',
});
const done = dummyRun({
  id: 'RUNDONE1',
  status: 'completed',
  currentStep: null,
  endedBy: { id: 'U9', name: 'Jo' },
  endedAt: '2026-03-01T08:05:00.000Z',
});
const texts = (blocks: Block[]) => blocks.map((b) => ('text' in b ? b.text : '')).join('\n');
const lines = (blocks: Block[]) => blocks.filter((b): b is Extract<Block, { type: 'text' }> => b.type === 'text' && b.button !== undefined);

test('without the user’s locale: headings in DEFAULT_LOCALE, each run line and its button in the run’s language', () => {
  const m = builder.myRuns('slack', undefined, { open: [frRun, enRun], moreOpen: 0, completed: [done] });
  expect(m.locale).toBe('en');
  expect(m.blocks[0]).toEqual({ type: 'header', text: builder.t('en', 'home.header') });
  const [fr, en] = lines(m.blocks);
  expect(fr!.text).toContain('Étape 1/10');
  expect(fr!.button).toMatchObject({ actionId: 'run_resume', label: 'Reprendre', style: 'primary' });
  expect(decodeActionValue(fr!.button!.value)).toEqual({ runId: 'RUNFR001', step: 'sales_channel' });
  expect(en!.text).toContain(`Step 3/10: ${builder.t('en', 'step.contingents.title')}`);
  expect(en!.button!.label).toBe('Resume');
  expect(texts(m.blocks)).toContain('terminé le 2026-03-01 à 08:05 UTC par Jo');
  expect(m.actions).toEqual([]);
  expect(m.text).toBe(builder.t('en', 'home.text', { open: 2, completed: 1 }));
});

test.each(LOCALES)('with the user’s locale (%s): everything in it, empty lists said, hidden open runs counted', (L) => {
  const full = builder.myRuns('teams', L, { open: [frRun], moreOpen: 3, completed: [done] });
  expect(lines(full.blocks)[0]!.button!.label).toBe(builder.t(L, 'home.resume'));
  expect(texts(full.blocks)).toContain(builder.t(L, 'home.open.header', { count: 4 }));
  expect(texts(full.blocks)).toContain(builder.t(L, 'home.open.more', { count: 3 }));
  expect(texts(full.blocks)).toContain(builder.t(L, 'home.intro.teams'));
  const empty = builder.myRuns('slack', L, { open: [], moreOpen: 0, completed: [] });
  expect(lines(empty.blocks)).toHaveLength(0);
  expect(texts(empty.blocks)).toContain(builder.t(L, 'home.open.none'));
  expect(texts(empty.blocks)).toContain(builder.t(L, 'home.completed.none'));
});
