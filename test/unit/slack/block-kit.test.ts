/** Block Kit rendering: markup, escaping, limits, buttons, metadata, modals. */
import type { SectionBlock } from '@slack/types';
import { loadTemplates } from '../../../adapters/templates-loader';
import {
  chunkText,
  renderBlock,
  renderButton,
  renderMessage,
  renderModal,
  SLACK_LIMITS,
  slackRef,
  textPayload,
  toMrkdwn,
  toPlain,
} from '../../../adapters/slack/block-kit';
import { mrkdwnProblems, slackPayloadProblems } from '../../fakes/slack-payload-check';
import { slackMention } from '../../../adapters/slack/notifier';
import { MessageBuilder } from '../../../src/messages/builder';
import type { Message } from '../../../src/messages/model';
import { Renderer } from '../../../src/messages/renderer';
import { dummyRun } from '../../fixtures/dummy-run';

const builder = new MessageBuilder(new Renderer(loadTemplates()), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'en',
});

describe('Slack Block Kit rendering', () => {
  it('turns **bold** into *bold* and keeps code', () => {
    expect(toMrkdwn('a **b** `d` **e f**')).toBe('a *b* `d` *e f*');
  });

  it("shows a value's *, _ and ~ literally (no bold, italic or strike of its own); identifiers stay as typed", () => {
    const Z = '\u200B';
    expect(toMrkdwn('state *OPEN* _x_ ~y~ DEMO_DGTK a*b')).toBe(`state ${Z}*OPEN* ${Z}_x_ ${Z}~y~ DEMO_DGTK a*b`);
    expect(toMrkdwn('**Sales channel**: state _*~')).toBe(`*Sales channel*: state ${Z}_${Z}*${Z}~`);
    expect(toMrkdwn('code `_a_ *b*` stays')).toBe('code `_a_ *b*` stays');
  });

  it('escapes template text and values alike in mrkdwn, keeps mentions and links, and leaves plain_text as typed', () => {
    expect(toMrkdwn('login `<INSTITUTION>_<CHANNEL>`, **A > B** & co')).toBe(
      'login `&lt;INSTITUTION&gt;_&lt;CHANNEL&gt;`, *A &gt; B* &amp; co',
    );
    expect(toMrkdwn(`by ${slackMention({ id: 'U0ALEX', name: 'a<b' })} & ${slackRef('https://x.test/p?a=1&b=2', 'thread <1>')}`)).toBe(
      'by <@U0ALEX> &amp; <https://x.test/p?a=1&b=2|thread &lt;1&gt;>',
    );
    // typed markers cannot forge a mention; a bad target falls back to its name
    expect(toMrkdwn('\uE000@U1\uE001 <x>')).toBe('@U1 &lt;x&gt;');
    expect(toMrkdwn(slackRef('javascript:alert(1)', 'n&m'))).toBe('n&amp;m');
    expect(toPlain(`**Hi** ${slackMention({ id: 'U0ALEX', name: 'Alex' })} <b> &amp;`)).toBe('Hi Alex <b> &amp;');
    expect(mrkdwnProblems(toMrkdwn('<@U1> & < > `<X>`'))).toEqual([]);
    expect(mrkdwnProblems('a <b> & c &amp;lt;')).toHaveLength(4);
  });

  it('never cuts an entity or a mention in two', () => {
    const long = `${'x'.repeat(2990)} & <b> ${slackMention({ id: 'U0ALEX' })}`;
    for (const p of [
      textPayload(long),
      renderMessage({ kind: 'notice', locale: 'en', text: long, blocks: [{ type: 'text', text: long.repeat(2) }], actions: [] }),
    ])
      expect(slackPayloadProblems('chat.postMessage', p as unknown as Record<string, unknown>)).toEqual([]);
  });

  it('escapes user text but keeps mentions', () => {
    const run = dummyRun({ details: { ...dummyRun().details, institutionName: 'Tom & <Jerry>' } });
    const card = renderMessage(builder.card(run, slackMention));
    const request = renderMessage(builder.supportRequest(run, { mention: slackMention }));
    const json = JSON.stringify(request.blocks.filter((b) => b.type !== 'header')); // mrkdwn only
    expect(json).toContain('Tom &amp; &lt;Jerry&gt;');
    expect(json).not.toContain('<Jerry>');
    expect(json).toContain('<@U0OPERATOR>');
    // plain_text (the header) shows the name as typed
    expect(card.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text', text: expect.stringContaining('Tom & <Jerry>') } });
  });

  it('renders the card with an emoji per step state, metadata, and no buttons', () => {
    const run = dummyRun();
    const out = renderMessage(builder.card(run, slackMention));
    expect(out.metadata).toEqual({
      event_type: 'digitick_run',
      event_payload: { run_id: 'RUN0ACME', step: 'sales_channel', state: 'open' },
    });
    const text = JSON.stringify(out.blocks);
    expect(text).toContain(':arrow_forward: *1.');
    expect(text).toContain(':white_circle: 2.');
    expect(out.blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it('renders step buttons: one primary, confirm on cancel, values within limits', () => {
    const run = dummyRun({ currentStep: 'event_products' });
    const out = renderMessage(builder.stepPrompt(run, 'event_products'));
    const actions = out.blocks.find((b) => b.type === 'actions') as unknown as { elements: Record<string, unknown>[] };
    expect(actions.elements.map((e) => e.action_id)).toEqual(['step_done', 'step_skip', 'run_cancel']);
    expect(actions.elements.filter((e) => e.style === 'primary')).toHaveLength(1);
    expect(actions.elements[2]!.confirm).toMatchObject({ title: { type: 'plain_text' }, style: 'danger' });
    expect(actions.elements[0]!.value).toBe('RUN0ACME:event_products');
  });

  it('cuts button text to 75 characters and refuses a value over 2000', () => {
    const long = renderButton({ actionId: 'step_done', label: 'x'.repeat(200), value: 'RUN0ACME:sales_channel' });
    expect((long.text as { text: string }).text.length).toBe(SLACK_LIMITS.buttonText);
    expect(() => renderButton({ actionId: 'step_done', label: 'x', value: 'v'.repeat(2001) })).toThrow(/2000/);
  });

  it('keeps sections under 3000 characters and messages under 50 blocks', () => {
    const text = Array.from({ length: 400 }, (_, i) => `line ${i} ${'y'.repeat(30)}`).join('\n');
    const sections = renderBlock({ type: 'text', text });
    expect(sections.length).toBeGreaterThan(4);
    for (const s of sections)
      expect(((s as SectionBlock).text as { text: string }).text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    const pre = renderBlock({ type: 'preformatted', text });
    for (const s of pre) {
      const t = ((s as SectionBlock).text as { text: string }).text;
      expect(t.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect(t.startsWith('```')).toBe(true);
    }
    const msg: Message = {
      kind: 'step',
      locale: 'en',
      text: 't',
      blocks: Array.from({ length: 80 }, (_, i) => ({ type: 'text' as const, text: `b${i}` })),
      actions: [{ actionId: 'step_done', label: 'Done', style: 'primary', value: 'RUN0ACME:sales_channel' }],
    };
    const out = renderMessage(msg);
    expect(out.blocks).toHaveLength(SLACK_LIMITS.blocksPerMessage);
    expect(out.blocks.at(-1)!.type).toBe('actions');
    expect(chunkText('', 10)).toEqual(['']);
  });

  it('renders checks with passed/failed/skipped, reasons and warnings', () => {
    const [section] = renderBlock(
      {
        type: 'checks',
        items: [
          { id: 'credentials', name: 'Login', outcome: 'passed', outcomeWord: '<passed>', heading: '**Login**: <passed>', warnings: [] },
          {
            id: 'event_products',
            name: 'Events',
            outcome: 'failed',
            outcomeWord: '<failed>',
            heading: '**Events**: <failed>',
            reason: 'no seats',
            warnings: ['Concert: no availability'],
          },
          {
            id: 'pass_products',
            name: 'Passes',
            outcome: 'skipped',
            outcomeWord: '<skipped>',
            heading: '**Passes**: <skipped>',
            warnings: [],
          },
        ],
      },
      (o) => `<${o}>`,
    );
    const t = ((section as SectionBlock).text as { text: string }).text;
    expect(t).toContain(':white_check_mark: *Login*: &lt;passed&gt;');
    expect(t).toContain(':x: *Events*: &lt;failed&gt;');
    expect(t).toContain('no seats');
    expect(t).toContain(':warning: Concert: no availability');
    expect(t).toContain(':heavy_minus_sign: *Passes*: &lt;skipped&gt;');
  });

  it('renders a to-confirm check and step with an emoji and a word', () => {
    const [checks] = renderBlock({
      type: 'checks',
      items: [
        {
          id: 'sales_channel',
          name: 'Channel',
          outcome: 'to_confirm',
          outcomeWord: 'à confirmer',
          heading: '**Channel**\u00a0: à confirmer',
          reason: 'state OPEN',
          warnings: [],
        },
      ],
    });
    expect(((checks as SectionBlock).text as { text: string }).text).toContain(':mag: *Channel*\u00a0: à confirmer');
    const [steps] = renderBlock(
      {
        type: 'steps',
        items: [
          { step: 'sales_channel', number: 1, label: 'Channel', state: 'to_confirm', note: 'see the report' },
          { step: 'point_of_sale', number: 2, label: 'POS', state: 'failed' },
          { step: 'contingents', number: 3, label: 'Contingents', state: 'done' },
        ],
      },
      undefined,
      (s) => `[${s}]`,
    );
    const t = ((steps as SectionBlock).text as { text: string }).text;
    expect(t).toContain(':mag: 1. Channel: [to_confirm] _(see the report)_');
    expect(t).toContain(':x: 2. POS: [failed]');
    expect(t).toMatch(/:white_check_mark: 3\. Contingents$/);
  });

  it('renders the progress message: the checks so far, the catalog wait, the pointer once done, with the run metadata', () => {
    const run = dummyRun({ currentStep: 'verification', details: { ...dummyRun().details, language: 'en' } });
    const waiting = renderMessage(
      builder.progress(run, {
        checks: [
          { id: 'credentials', state: 'passed' },
          { id: 'event_products', state: 'waiting' },
        ],
        catalogWaitedMs: 12_400,
        done: false,
      }),
    );
    expect(waiting.metadata?.event_payload).toEqual({ run_id: 'RUN0ACME', step: 'verification', state: 'open' });
    expect(waiting.blocks.some((b) => b.type === 'actions')).toBe(false);
    const w = JSON.stringify(waiting.blocks);
    expect(w).toContain('Events on sale: waiting');
    expect(w).toContain('waited 12 s');
    const done = renderMessage(
      builder.progress(run, { checks: [{ id: 'credentials', state: 'passed' }], done: true, outcome: 'to_confirm' }),
    );
    expect(`${done.text}${JSON.stringify(done.blocks)}`).not.toMatch(/Verifying|waited/);
    expect(JSON.stringify(done.blocks)).toContain('see the report below');
  });

  it('renders the start form as a modal whose block ids equal the input ids', () => {
    const view = renderModal(builder.startForm('en', '{"c":"C1"}', { institutionCode: 'ACME' }));
    expect(view).toMatchObject({ type: 'modal', callback_id: 'onboard_start', private_metadata: '{"c":"C1"}' });
    expect((view.title as { text: string }).text.length).toBeLessThanOrEqual(24);
    const inputs = (view.blocks as unknown as Record<string, unknown>[]).filter((b) => b.type === 'input');
    expect(inputs.map((b) => b.block_id)).toEqual([
      'institution_code',
      'institution_name',
      'channel_code',
      'digitick_contact_name',
      'digitick_contact_email',
      'language',
    ]);
    for (const b of inputs) expect((b.element as { action_id: string }).action_id).toBe(b.block_id);
    expect(inputs[0]!.element).toMatchObject({ initial_value: 'ACME' });
    expect(inputs[2]).toMatchObject({ optional: true, element: { initial_value: 'DGTK' } });
    expect(inputs[5]!.element).toMatchObject({ type: 'static_select', initial_option: { value: 'en' } });
    expect(() => renderModal(builder.startForm('en', 'x'.repeat(3001)))).toThrow(/private_metadata/);
  });

  it('says on the password form that the value is used once and not kept', () => {
    const run = dummyRun({ currentStep: 'verification', details: { ...dummyRun().details, language: 'en' } });
    const view = renderModal(builder.runForm(run, 'onboard_password', '{}'));
    expect(JSON.stringify(view)).toContain('not kept');
    const input = (view.blocks as unknown as Record<string, unknown>[]).find((b) => b.type === 'input')!;
    expect(input).toMatchObject({ block_id: 'operator_password', element: { type: 'plain_text_input', action_id: 'operator_password' } });
  });
});
