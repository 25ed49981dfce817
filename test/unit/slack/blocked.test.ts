/**
 * What a given-up Slack delivery says happened: the code read from the outbox's error summary of
 * the real `@slack/web-api` errors (an HTTP 500 is a Slack server error, not "status"; no answer
 * is "unreachable"), and the sentence the operator reads, in the run's language.
 */
import { webApi } from '@slack/bolt';
import { errorSummary } from '../../../src/app/run-service';
import { blockedCode, blockedReason } from '../../../adapters/slack/blocked';
import { MessageBuilder } from '../../../src/messages/builder';
import { Renderer } from '../../../src/messages/renderer';
import { loadTemplates } from '../../../adapters/templates-loader';

const builder = new MessageBuilder(new Renderer(loadTemplates()), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'en',
});

describe('blockedCode', () => {
  it('reads the HTTP status, an unreachable Slack, a rate limit and a platform code from the error summary', () => {
    expect(blockedCode(errorSummary(new webApi.WebAPIHTTPError(500, 'Internal Server Error', {}, '')))).toBe('http_500');
    expect(blockedCode(errorSummary(new webApi.WebAPIHTTPError(404, 'Not Found', {}, '')))).toBe('http_404');
    expect(blockedCode(errorSummary(new webApi.WebAPIRequestError(new Error('connect ECONNREFUSED 127.0.0.1:9'))))).toBe('unreachable');
    expect(blockedCode(errorSummary(new webApi.WebAPIRateLimitedError(30)))).toBe('ratelimited');
    expect(blockedCode(errorSummary(new webApi.WebAPIPlatformError({ ok: false, error: 'not_in_channel' })))).toBe('not_in_channel');
    expect(blockedCode(errorSummary(new webApi.WebAPIPlatformError({ ok: false, error: 'fatal_error' })))).toBe('fatal_error');
    expect(blockedCode(errorSummary(new Error('chat platform unavailable')))).toBe('unknown');
    expect(blockedCode(undefined)).toBe('unknown');
  });
});

describe('blockedReason', () => {
  it('says what Slack answered, in each language, never a bare "status"', () => {
    expect(blockedReason(builder, 'en', 'http_500', 'C1')).toBe(
      "Slack answered with a server error (HTTP 500) each time: a fault on Slack's side, usually passing.",
    );
    expect(blockedReason(builder, 'de', 'unreachable', 'C1')).toContain('Ich konnte Slack nicht erreichen');
    expect(blockedReason(builder, 'fr', 'fatal_error', 'C1')).toBe("Slack a refusé le message avec le code d'erreur `fatal_error`.");
    expect(blockedReason(builder, 'en', 'http_404', 'C1')).toContain('unexpected HTTP status (404)');
  });
});

describe('"bot not in channel" answer at start (slack.not_in_channel.run)', () => {
  it.each(['en', 'fr', 'de'] as const)('%s: every channel problem ends with the full resume command carrying the real run id', (L) => {
    for (const code of ['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']) {
      const reason = blockedReason(builder, L, code, 'C0NOTIN001');
      const text = builder.t(L, 'slack.not_in_channel.run', { runId: 'AB12CD34', reason });
      expect(text).toContain(reason);
      expect(text).toMatch(/ `\/digitick-onboard resume AB12CD34`\.$/);
    }
  });
});
