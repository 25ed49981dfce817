/**
 * The payload check the fake Slack Web API applies to every call (`test/fakes/slack-payload-check.ts`)
 * can fail: unescaped mrkdwn, double escapes and each Block Kit limit it enforces.
 */
import { mrkdwnProblems, slackPayloadProblems } from '../../fakes/slack-payload-check';

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (action_id: string, text = 'Go', value = 'v') => ({ type: 'button', action_id, text: { type: 'plain_text', text }, value });

describe('Slack payload check', () => {
  it('accepts escaped text, mentions, channels, special mentions and links', () => {
    expect(mrkdwnProblems('a &amp; b &lt;c&gt; <@U123> <#C123> <!here> <https://x.test/a?b=1|x &amp; y> <mailto:a@b.test|a>')).toEqual([]);
  });

  it('fails on a raw <, >, &, a double escape, a bad link label and a leftover marker', () => {
    const found = mrkdwnProblems('`<INSTITUTION>` A > B & C &amp;lt; <https://x.test|a & b> \uE000');
    expect(found.map((p) => p.split(' at ')[0])).toEqual([
      'unescaped "<"',
      'unescaped ">"',
      'unescaped ">"',
      'unescaped "&"',
      'double-escaped entity',
      'unescaped "&" in a link label',
      'internal marker left',
    ]);
  });

  it('fails on Block Kit limits of messages', () => {
    const problems = slackPayloadProblems('chat.postMessage', {
      text: 'ok',
      blocks: [
        ...Array.from({ length: 49 }, () => section('x')),
        section('y'.repeat(3001)),
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
        { type: 'actions', elements: [button('a', 'b'.repeat(76)), button('a', 'ok', 'v'.repeat(2001))] },
        { type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) },
        { type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) },
        { type: 'header', text: { type: 'plain_text', text: 'Tom &amp; Jerry' } },
        section(''),
      ],
    });
    for (const expected of [
      /blocks: 56 blocks \(limit 50\)/,
      /blocks\[49\]\.text: 3001 characters \(limit 3000\)/,
      /blocks\[50\]\.text: 151 characters \(limit 150\)/,
      /action_id repeated in one block/,
      /elements\[0\]\.text: 76 characters \(limit 75\)/,
      /elements\[1\]\.value: 2001 characters \(limit 2000\)/,
      /blocks\[52\]: 11 elements \(1 to 10\)/,
      /blocks\[53\]: 11 fields \(limit 10\)/,
      /entity in plain_text/,
      /blocks\[55\]\.text: empty text/,
    ])
      expect([expected.source, problems.some((p) => expected.test(p))]).toEqual([expected.source, true]);
  });

  it('fails on modal limits: title, private_metadata, plain_text labels', () => {
    const problems = slackPayloadProblems('views.open', {
      view: {
        type: 'modal',
        title: { type: 'plain_text', text: 'A title longer than 24 ch' },
        private_metadata: 'm'.repeat(3001),
        blocks: [{ type: 'input', label: { type: 'mrkdwn', text: 'x' }, element: { type: 'plain_text_input', action_id: 'a' } }],
      },
    });
    expect(problems.join('\n')).toMatch(/title: 25 characters \(limit 24\)/);
    expect(problems.join('\n')).toMatch(/private_metadata: 3001 characters \(limit 3000\)/);
    expect(problems.join('\n')).toMatch(/label: must be plain_text/);
  });
});

describe('Slack payload check and values typed literally', () => {
  it('accepts the correct escape of a name typed as "&amp;" but still catches a raw "&" and a real double escape', async () => {
    const { renderMessage } = await import('../../../adapters/slack/block-kit');
    const name = 'Tom &amp; Jerry';
    const payload = renderMessage({
      kind: 'notice',
      locale: 'en',
      text: `Run for ${name}`,
      blocks: [
        { type: 'header', text: name },
        { type: 'text', text: `Institution: **${name}**` },
      ],
      actions: [],
    }) as unknown as Record<string, unknown>;
    expect(JSON.stringify(payload)).toContain('Tom &amp;amp; Jerry');
    expect(slackPayloadProblems('chat.postMessage', payload, { typed: [name] })).toEqual([]);
    // Without the typed value, the same text is indistinguishable from a double escape.
    expect(slackPayloadProblems('chat.postMessage', payload).join('\n')).toMatch(/double-escaped entity/);
    // A raw "&" next to the typed value, and a double escape elsewhere, are still caught.
    expect(mrkdwnProblems('Tom &amp;amp; Jerry & co', { typed: [name] }).map((p) => p.split(' at ')[0])).toEqual(['unescaped "&"']);
    expect(mrkdwnProblems('Tom &amp;amp; Jerry, A &amp;lt; B', { typed: [name] }).map((p) => p.split(' at ')[0])).toEqual([
      'double-escaped entity',
    ]);
    expect(
      slackPayloadProblems(
        'chat.postMessage',
        { text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'A &amp; B' } }] },
        { typed: [name] },
      ).join('\n'),
    ).toMatch(/entity in plain_text/);
  });
});
