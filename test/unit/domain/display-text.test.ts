/**
 * Issue 9 QA: display names that are blank or only an id fall back to the surface's name for
 * nobody ("Teams user", the Slack handle or mention); bidirectional controls are removed from
 * names and typed values (kept, they reorder the text shown around them).
 */
import { literal } from '../../../src/messages/literal';
import { actorOf } from '../../../adapters/teams/activity';
import { teamsMentionIn } from '../../../adapters/teams/run-cards';
import { cleanAnswer } from '../../../adapters/console/text';
import { BIDI_CONTROL, cleanDisplayName } from '../../../src/domain/display-text';
import { nameSchema } from '../../../src/domain/schemas';

const BIDI = ['\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];

test('cleanDisplayName: blank, control-only or id-only names are no name; bidi controls removed; spaces collapsed', () => {
  expect(cleanDisplayName('    ')).toBeUndefined();
  expect(cleanDisplayName('\u202e\u2066 \t')).toBeUndefined();
  expect(cleanDisplayName('aad-alex', ['29:1x', 'aad-alex'])).toBeUndefined();
  expect(cleanDisplayName(undefined)).toBeUndefined();
  expect(cleanDisplayName('  Alex \u202eOperator\u202c  \n Smith ')).toBe('Alex Operator Smith');
});

test.each(BIDI.map((c) => [`U+${c.charCodeAt(0).toString(16).toUpperCase()}`, c]))('%s is removed from names and typed values', (_, c) => {
  expect(cleanDisplayName(`Al${c}ex`)).toBe('Alex');
  expect(nameSchema.parse(`Théâtre ${c}Nord`)).toBe('Théâtre Nord');
  expect(cleanAnswer(`Théâtre ${c}Nord`)).toEqual({ text: 'Théâtre Nord', removed: 1 });
  expect(`a${c}b`.replace(BIDI_CONTROL, '')).toBe('ab');
});

test('Teams: a name of only spaces or equal to the AAD id shows "Teams user", like a missing name', () => {
  const shown = (from: { id: string; name?: string; aadObjectId?: string }) =>
    teamsMentionIn({ t: (_l: string, k: string) => (k === 'teams.user.unnamed' ? 'Teams user' : k) } as never, 'en')(actorOf(from));
  expect(shown({ id: '29:1x', name: '     ', aadObjectId: 'aad-alex' })).toBe('Teams user');
  expect(shown({ id: '29:1x', name: 'aad-alex', aadObjectId: 'aad-alex' })).toBe('Teams user');
  expect(shown({ id: '29:1x', aadObjectId: 'aad-alex' })).toBe('Teams user');
  // A name is a literal value (Markdown in it is shown as typed): the marked value is the cleaned name.
  expect(shown({ id: '29:1x', name: '\u202eAlex\u202c', aadObjectId: 'aad-alex' })).toBe(literal('Alex'));
  // Runs saved before this fix keep a blank name: shown as "Teams user" too.
  expect(teamsMentionIn({ t: () => 'Teams user' } as never, 'en')({ id: 'aad-sam', name: '   ' })).toBe('Teams user');
});
