/**
 * `adapters/teams/answers.ts`: which answers a submit of `onboard_answers` changes (an erased one
 * counts as entered again), and the card answering it (who, old and new values, no buttons).
 */
import { loadTemplates } from '../../../adapters/templates-loader';
import { answerChanges, answersChangedCard, changesAnswers } from '../../../adapters/teams/answers';
import { MessageBuilder } from '../../../src/messages/builder';
import { Renderer } from '../../../src/messages/renderer';
import { dummyRun } from '../../fixtures/dummy-run';

const builder = new MessageBuilder(new Renderer(loadTemplates()), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'en',
});
const base = dummyRun({ contingentIds: [11, 12], contactNumber: '000123' });
const run = { ...base, details: { ...base.details, language: 'en' as const } };

test('the same answers (any separator) change nothing; a different value or an erased answer does', () => {
  expect(changesAnswers(run, { contingentIds: [11, 12], contactNumber: '000123' })).toBe(false);
  expect(changesAnswers(run, { contingentIds: [12] })).toBe(true);
  expect(changesAnswers(run, { contactNumber: '000124' })).toBe(true);
  const erased = { ...run, contactNumber: undefined, erasedAnswers: ['contactNumber' as const] };
  expect(changesAnswers(erased, { contingentIds: [11, 12], contactNumber: '000123' })).toBe(true);
});

test('the changes list old and new values; an erased answer shows as entered again, never its old value', () => {
  const after = { ...run, contingentIds: [12], contactNumber: '000999', version: run.version + 1 };
  expect(answerChanges(run, after)).toEqual([
    { field: 'contingentIds', from: '11, 12', to: '12' },
    { field: 'contactNumber', from: '000123', to: '000999' },
  ]);
  const erased = { ...run, contactNumber: undefined, erasedAnswers: ['contactNumber' as const] };
  expect(answerChanges(erased, run)).toEqual([{ field: 'contactNumber', from: '', to: '000123' }]);
  const card = answersChangedCard(builder, run, after, { id: 'aad-alex', name: 'Alex Operator' }, 'Run RUN0ACME');
  const text = card.body.map((n) => String(n.text)).join('\n');
  expect(text).toContain('Recorded answers changed by Alex Operator');
  expect(text).toContain('Contingent ids: 11, 12 → 12');
  expect(card.actions ?? []).toHaveLength(0);
});
