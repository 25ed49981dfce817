/** Plain-text rendering of the message model (`adapters/console/text.ts`). */
import { loadTemplates } from '../../../adapters/templates-loader';
import { cleanAnswer, progressBar, renderBlock, renderMessage, stripMarkup } from '../../../adapters/console/text';
import { MessageBuilder } from '../../../src/messages/builder';
import { Renderer } from '../../../src/messages/renderer';
import { dummyRun } from '../../fixtures/dummy-run';

const builder = new MessageBuilder(new Renderer(loadTemplates()), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'en',
});

describe('stripMarkup', () => {
  test('removes bold markers and backticks, keeps the code and other characters', () => {
    expect(stripMarkup('Go to **Institution > Sales channels**, code `DGTK`, login DEMO_DGTK')).toBe(
      'Go to Institution > Sales channels, code DGTK, login DEMO_DGTK',
    );
  });

  test("a value's *, _, ~ and a lone * or ** show as typed", () => {
    expect(stripMarkup('**Sales channel**: state *OPEN* _x_ ~y~ a**b')).toBe('Sales channel: state *OPEN* _x_ ~y~ a**b');
  });

  test('turns button wording into choices wording in en, fr and de; "press Enter" stays', () => {
    expect(
      stripMarkup('Then press the button and type their ids. No events? Press "No events". Support presses "Password assigned".'),
    ).toBe('Then pick choice 1 and type their ids. No events? Choose "No events". Support chooses "Password assigned".');
    expect(
      stripMarkup(
        'Puis cliquez sur le bouton et saisissez. Cliquez à nouveau sur « Vérifier maintenant », quand le support clique sur « X »',
      ),
    ).toBe('Puis choisissez 1 et saisissez. Choisissez à nouveau « Vérifier maintenant », quand le support choisit « X »');
    expect(
      stripMarkup(
        'Klicken Sie dann auf die Schaltfläche und geben Sie ein. Klicken Sie erneut auf „Jetzt prüfen“, sobald der Support auf „X“ klickt',
      ),
    ).toBe('Wählen Sie dann 1 und geben Sie ein. Wählen Sie erneut „Jetzt prüfen“, sobald der Support „X“ wählt');
    expect(stripMarkup('Type the number and press Enter.')).toBe('Type the number and press Enter.');
  });
});

describe('renderBlock', () => {
  test('steps: one line per step with its state marker and note', () => {
    const text = renderBlock({
      type: 'steps',
      items: [
        { step: 'sales_channel', number: 1, label: 'Sales channel', state: 'done', note: 'Ann, today' },
        { step: 'point_of_sale', number: 2, label: 'Point of sale', state: 'current' },
        { step: 'event_products', number: 5, label: 'Events', state: 'skipped' },
        { step: 'verification', number: 9, label: 'Verification', state: 'failed' },
        { step: 'email_draft', number: 10, label: 'Email', state: 'todo' },
      ],
    });
    expect(text.split('\n')).toEqual([
      '  [x]  1. Sales channel  (Ann, today)',
      '  [>]  2. Point of sale',
      '  [-]  5. Events',
      '  [!]  9. Verification',
      '  [ ] 10. Email',
    ]);
  });

  test('checks: outcome word, name, indented reason and warnings', () => {
    const text = renderBlock(
      {
        type: 'checks',
        items: [
          { id: 'credentials', name: 'Login', outcome: 'passed', outcomeWord: 'réussi', heading: '**Login** : réussi', warnings: [] },
          {
            id: 'sales_channel',
            name: 'Channel',
            outcome: 'failed',
            outcomeWord: 'échoué',
            heading: '**Channel** : échoué',
            reason: 'Not **active**',
            warnings: ['Show X has nothing'],
          },
          {
            id: 'pass_products',
            name: 'Passes',
            outcome: 'skipped',
            outcomeWord: 'ignoré',
            heading: '**Passes** : ignoré',
            reason: 'Step skipped',
            warnings: [],
          },
        ],
      },
      { warningLabel: 'attention :' },
    );
    expect(text.split('\n')).toEqual([
      '  OK réussi  Login',
      '  XX échoué  Channel',
      '              Not active',
      '              attention : Show X has nothing',
      '  -- ignoré  Passes',
      '              Step skipped',
    ]);
  });

  test('preformatted text is kept verbatim between the rules (markup included)', () => {
    const text = renderBlock(
      { type: 'preformatted', text: 'To: A <a@b.c>\n\n**not bold**' },
      { preformattedRules: { begin: '--- begin', end: '--- end' } },
    );
    expect(text).toBe('--- begin\nTo: A <a@b.c>\n\n**not bold**\n--- end');
  });

  test('fields are aligned on their labels', () => {
    expect(
      renderBlock({
        type: 'fields',
        fields: [
          { label: 'A', value: '1' },
          { label: 'Long', value: '**2**' },
        ],
      }),
    ).toBe('A   \u00a0: 1\nLong\u00a0: 2');
  });
});

describe('renderMessage', () => {
  test('a step prompt: header, guidance without bold markers, no buttons', () => {
    const text = renderMessage(builder.stepPrompt(dummyRun({ details: { ...dummyRun().details, language: 'en' } }), 'sales_channel'));
    expect(text).toMatch(/^== Step 1\/10: Sales channel ==\n\n/);
    expect(text).toContain('create an internal sales channel');
    expect(text).not.toContain('**');
    expect(text).not.toContain('Cancel run');
    expect(text.endsWith('\n')).toBe(true);
  });

  test('the progress card lists the ten steps', () => {
    const text = renderMessage(builder.card(dummyRun()));
    expect(text.match(/^ {2}\[[x> !-]\] +\d+\. /gm)).toHaveLength(10);
    expect(text).toContain('  [>]  1. ');
  });
});

test('progressBar shows one character per step', () => {
  expect(progressBar(['done', 'skipped', 'failed', 'current', 'todo', 'todo'])).toBe('x-!>..');
});

describe('cleanAnswer', () => {
  test('a tab or line break becomes a space; other control characters go; double spaces are collapsed', () => {
    expect(cleanAnswer('Dana\tX')).toEqual({ text: 'Dana X', removed: 1 });
    expect(cleanAnswer('Dana\r\nX')).toEqual({ text: 'Dana X', removed: 2 });
    expect(cleanAnswer('Dana \tX')).toEqual({ text: 'Dana X', removed: 1 });
    expect(cleanAnswer('Bad\u0001Name')).toEqual({ text: 'BadName', removed: 1 });
  });

  test('escape sequences are removed whole (CSI, C1 CSI, OSC, two-character ESC)', () => {
    expect(cleanAnswer('Bad\u0001Name\u001b[31m Theatre')).toEqual({ text: 'BadName Theatre', removed: 2 });
    expect(cleanAnswer('A\u001b[1;31mB\u001b[0m C')).toEqual({ text: 'AB C', removed: 2 });
    expect(cleanAnswer('A\u009b2JB')).toEqual({ text: 'AB', removed: 1 });
    expect(cleanAnswer('A\u001b]0;title\u0007B')).toEqual({ text: 'AB', removed: 1 });
    expect(cleanAnswer('A\u001bcB')).toEqual({ text: 'AB', removed: 1 });
  });

  test('an answer without control characters is unchanged, its own spaces too', () => {
    expect(cleanAnswer('Théâtre  du Rond-Point')).toEqual({ text: 'Théâtre  du Rond-Point', removed: 0 });
  });
});
