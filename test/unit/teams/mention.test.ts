import { parseTeamsCommand, stripBotMention } from '../../../adapters/teams/mention';

const BOT = { id: '28:digitick', name: 'Digitick' };
const botMention = { type: 'mention', mentioned: { id: BOT.id, name: 'Digitick' }, text: '<at>Digitick</at>' };
const aliceMention = { type: 'mention', mentioned: { id: '29:alice', name: 'Alice' }, text: '<at>Alice</at>' };

describe('stripBotMention', () => {
  test('removes only the bot mention and keeps the others', () => {
    expect(stripBotMention('\r\n<at>Digitick</at> start <at>Alice</at>\n', BOT, [botMention, aliceMention])).toBe('start <at>Alice</at>');
  });

  test('without entities, the bot is recognised by its name only', () => {
    expect(stripBotMention('<at>Digitick</at> help', BOT)).toBe('help');
    expect(stripBotMention('<at>Alice</at> help', BOT)).toBe('<at>Alice</at> help');
  });

  test('a mention entity of someone else never strips the bot name text of another user', () => {
    expect(stripBotMention('<at>Alice</at> status', BOT, [aliceMention])).toBe('<at>Alice</at> status');
  });

  test('decodes &nbsp; and keeps personal-chat text as is', () => {
    expect(stripBotMention('<at>Digitick</at>&nbsp;status ABCD1234', BOT, [botMention])).toBe('status ABCD1234');
    expect(stripBotMention('  resume abcd1234 ', BOT)).toBe('resume abcd1234');
  });
});

describe('parseTeamsCommand', () => {
  test.each([
    ['', { name: 'start' }],
    ['start', { name: 'start' }],
    ['digitick-onboard start acme', { name: 'start', institutionCode: 'ACME' }],
    ['/digitick-onboard', { name: 'start' }],
    ['start <at>Alice</at>', { name: 'start' }],
    ['HELP', { name: 'help' }],
    ['status', { name: 'status' }],
    ['status abcd1234', { name: 'status', runId: 'ABCD1234' }],
    ['digitick-onboard resume ABCD1234', { name: 'resume', runId: 'ABCD1234' }],
    ['cancel', { name: 'cancel' }],
    ['product', { name: 'product' }],
    ['support-channel here', { name: 'support_channel' }],
    ['support-channel there', { name: 'unknown', word: 'support-channel there' }],
    ['frobnicate now', { name: 'unknown', word: 'frobnicate' }],
  ])('%j', (text, expected) => {
    expect(parseTeamsCommand(text)).toEqual(expected);
  });
});
