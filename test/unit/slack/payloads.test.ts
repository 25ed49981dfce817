/** Slack payload parsing at the edge: command text, modal values, private metadata. */
import { formValues, parseCommandText, parseMetadata, runMetadataSchema, startMetadataSchema } from '../../../adapters/slack/payloads';

describe('Slack payload parsing', () => {
  it.each([
    ['', { kind: 'start' }],
    ['start', { kind: 'start' }],
    ['start acme', { kind: 'start', institutionCode: 'ACME' }],
    ['start QQQQQQQQQQQQQQQQ', { kind: 'start' }], // longer than the field: not prefilled, never cut
    ['  HELP ', { kind: 'help' }],
    ['product', { kind: 'product' }],
    ['status', { kind: 'status' }],
    ['status ab12cd34', { kind: 'status', runId: 'AB12CD34' }],
    ['resume', { kind: 'resume' }],
    ['resume AB12CD34', { kind: 'resume', runId: 'AB12CD34' }],
    ['cancel AB12CD34', { kind: 'cancel', runId: 'AB12CD34' }],
    ['frobnicate x', { kind: 'unknown', word: 'frobnicate' }],
  ])('parses %j', (text, expected) => {
    expect(parseCommandText(text)).toEqual(expected);
  });

  it('reads text inputs and selects by block id, empty as null', () => {
    expect(
      formValues({
        institution_code: { institution_code: { type: 'plain_text_input', value: 'ACME' } },
        channel_code: { channel_code: { type: 'plain_text_input', value: null } },
        language: { language: { type: 'static_select', selected_option: { value: 'fr' } } },
      }),
    ).toEqual({ institution_code: 'ACME', channel_code: null, language: 'fr' });
  });

  it('parses private metadata and refuses garbage', () => {
    expect(parseMetadata(runMetadataSchema, '{"run":"AB12CD34","step":"contingents"}')).toEqual({ run: 'AB12CD34', step: 'contingents' });
    expect(parseMetadata(runMetadataSchema, '{"run":"AB12CD34","step":"nope"}')).toBeNull();
    expect(parseMetadata(runMetadataSchema, '{"run":"bad id!","step":"contingents"}')).toBeNull();
    expect(parseMetadata(runMetadataSchema, 'not json')).toBeNull();
    expect(parseMetadata(startMetadataSchema, '{"c":"C123","r":"https://hooks.slack.com/x"}')).toEqual({
      c: 'C123',
      r: 'https://hooks.slack.com/x',
    });
    expect(parseMetadata(startMetadataSchema, '{}')).toBeNull();
  });
});

describe('Slack surface options', () => {
  it('builds a Socket Mode app without connecting (tested up to the library boundary)', async () => {
    const { createSlackSurface } = await import('../../../adapters/slack');
    const { createLogger } = await import('../../../adapters/logger');
    const { SocketModeReceiver } = await import('@slack/bolt');
    const logs: string[] = [];
    const surface = await createSlackSurface({
      slack: { signingSecret: 's', botToken: 'fakebot-x', appToken: 'xapp-x', socketMode: true, supportChannel: 'C1' },
      port: 0,
      service: {} as never, // not reached: nothing is started
      builder: {} as never,
      store: {} as never,
      logger: createLogger('info', { write: (s: string) => void logs.push(s) }),
      defaultLocale: 'en',
    });
    expect((surface.app as unknown as { receiver: unknown }).receiver).toBeInstanceOf(SocketModeReceiver);
    expect(logs.join('')).not.toContain('SECUTIX_SUPPORT_SLACK_CHANNEL is not set');
  });
});
