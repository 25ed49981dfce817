/**
 * The cache of exchanged SecuTix tokens (`adapters/secutix/auth.ts`): reused until a margin before
 * `exp` and only with the same password; bounded, the least recently used login dropped first.
 */
import { ExchangeTokenCache } from '../../../adapters/secutix/auth';

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
/** An unsigned JWT whose `exp` is `expSeconds` (the cache only reads `exp`). */
const jwt = (expSeconds: number): string => `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ exp: expSeconds })}.c2ln`;

describe('ExchangeTokenCache', () => {
  const now = 1_700_000_000_000;
  const token = jwt(now / 1000 + 3600);

  it('gives the token back with the same password until 5 s before exp, and drops it otherwise', () => {
    const cache = new ExchangeTokenCache();
    cache.set('INST_DGTK', 'pw', token, now);
    expect(cache.get('INST_DGTK', 'pw', now)).toBe(token);
    expect(cache.get('INST_DGTK', 'pw', now + 3600_000 - 5_000)).toBeUndefined();
    cache.set('INST_DGTK', 'pw', token, now);
    expect(cache.get('INST_DGTK', 'other', now)).toBeUndefined();
    expect(cache.get('INST_DGTK', 'pw', now)).toBeUndefined();
  });

  it('keeps at most 1000 logins: the least recently used goes first', () => {
    const cache = new ExchangeTokenCache();
    for (let i = 0; i < 1000; i++) cache.set(`L${i}`, 'pw', token, now);
    expect(cache.get('L0', 'pw', now)).toBe(token); // L0 used: L1 is now the least recently used
    cache.set('L1000', 'pw', token, now);
    expect(cache.get('L1', 'pw', now)).toBeUndefined();
    expect(cache.get('L0', 'pw', now)).toBe(token);
    expect(cache.get('L1000', 'pw', now)).toBe(token);
  });
});
