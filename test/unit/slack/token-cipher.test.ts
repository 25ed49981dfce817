import { randomBytes } from 'node:crypto';
import { keyIdOf, TokenCipher } from '../../../adapters/slack/oauth/token-cipher';

describe('TokenCipher (AES-256-GCM, key id, rotation)', () => {
  const key = randomBytes(32);
  it('uses a fresh IV per value and names the key that wrote it', () => {
    const c = new TokenCipher(key.toString('base64'));
    const a = c.encrypt('xoxb-same');
    const b = c.encrypt('xoxb-same');
    expect(a).not.toBe(b);
    expect(a).not.toContain('xoxb-same');
    expect(TokenCipher.keyIdIn(a)).toBe(keyIdOf(key));
    expect(c.decrypt(a)).toBe('xoxb-same');
  });
  it('decrypts with the previous key after a rotation, and refuses an unknown key naming its id', () => {
    const old = new TokenCipher(key.toString('base64'));
    const value = old.encrypt('xoxb-old');
    const next = randomBytes(32).toString('base64');
    expect(new TokenCipher(next, key.toString('base64')).decrypt(value)).toBe('xoxb-old');
    expect(() => new TokenCipher(next).decrypt(value)).toThrow(new RegExp(`written with key ${keyIdOf(key)}`));
  });
});
