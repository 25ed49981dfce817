/**
 * Pure parts of Slack exactly-once delivery: the dedupe key of each request kind, and which Web
 * API failures are ambiguous (may have landed) or rate limits (wait `Retry-After`), using the
 * codes `@slack/web-api` 8.2 puts on its errors.
 */
import { webApi } from '@slack/bolt';
import { slackRequestKey } from '../../../adapters/slack/dedupe';
import { isAmbiguousFailure, rateLimitedRetryAfter } from '../../../adapters/slack/web-errors';
import { blockActionsPayload, viewSubmissionPayload } from '../../helpers/slack-signing';

describe('slackRequestKey', () => {
  it('keys a click by action_ts, user and action_id', () => {
    const body = blockActionsPayload({
      user: 'U1',
      channel: 'C1',
      messageTs: '1.0',
      actionId: 'step_done',
      value: 'x',
      actionTs: '1700000000.000123',
    });
    expect(slackRequestKey(body)).toBe('slack:action:1700000000.000123:U1:step_done');
  });
  it('keys a slash command by trigger_id and an event by event_id', () => {
    expect(slackRequestKey({ command: '/digitick-onboard', trigger_id: 'tr.1', text: '' })).toBe('slack:command:tr.1');
    expect(slackRequestKey({ type: 'event_callback', event_id: 'Ev1', event: { type: 'app_home_opened' } })).toBe('slack:event:Ev1');
  });
  it('leaves view submissions (claimed after validation), shortcuts and garbage alone', () => {
    expect(
      slackRequestKey(viewSubmissionPayload({ user: 'U1', callbackId: 'onboard_start', privateMetadata: '{}', values: {} })),
    ).toBeUndefined();
    expect(slackRequestKey({ type: 'shortcut', callback_id: 'x', trigger_id: 'tr.2' })).toBeUndefined();
    for (const junk of [null, 'text', [], {}, { type: 'block_actions', actions: [] }]) expect(slackRequestKey(junk)).toBeUndefined();
  });
});

describe('Web API failure kinds', () => {
  const code = (c: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(c), { code: c, ...extra });
  it('an ok:false answer and a 429 are clean; no answer, an HTTP error or an unreadable answer are ambiguous', () => {
    expect(isAmbiguousFailure(code(webApi.ErrorCode.PlatformError, { data: { ok: false, error: 'channel_not_found' } }))).toBe(false);
    expect(isAmbiguousFailure(code(webApi.ErrorCode.RateLimitedError, { retryAfter: 1 }))).toBe(false);
    expect(isAmbiguousFailure(code(webApi.ErrorCode.RequestError))).toBe(true);
    expect(isAmbiguousFailure(code(webApi.ErrorCode.HTTPError, { statusCode: 500 }))).toBe(true);
    expect(isAmbiguousFailure(new TypeError('unreadable answer'))).toBe(true);
  });
  it('reads Retry-After seconds from a rate-limited error only', () => {
    expect(rateLimitedRetryAfter(code(webApi.ErrorCode.RateLimitedError, { retryAfter: 30 }))).toBe(30);
    expect(rateLimitedRetryAfter(code(webApi.ErrorCode.HTTPError, { retryAfter: 30 }))).toBeUndefined();
    expect(rateLimitedRetryAfter(null)).toBeUndefined();
  });
});
