import { classifyHttpStatus, classifyNetworkError, parseRetryAfter } from '../../../adapters/secutix/errors';

describe('SecuTix error table', () => {
  it.each([
    [401, 'credentials', false],
    [429, 'unavailable', true],
    [502, 'unavailable', true],
    [503, 'unavailable', true],
    [504, 'unavailable', true],
    [509, 'unavailable', true],
    [500, 'unavailable', false],
    [507, 'unavailable', false],
    [404, 'protocol', false],
    [418, 'protocol', false],
  ])('HTTP %i is %s (retry %s)', (status, kind, retry) => {
    expect(classifyHttpStatus(status)).toMatchObject({ kind, retry });
  });

  it.each([
    ['ECONNABORTED', 'unavailable', true],
    ['ETIMEDOUT', 'unavailable', true],
    ['ECONNRESET', 'unavailable', true],
    ['ERR_CANCELED', 'unavailable', true],
    ['ENOTFOUND', 'unavailable', false],
    [undefined, 'unavailable', false],
  ])('network %s is %s (retry %s)', (code, kind, retry) => {
    expect(classifyNetworkError(code)).toMatchObject({ kind, retry });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
