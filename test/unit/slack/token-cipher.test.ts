import { randomBytes } from 'node:crypto';
import { keyIdOf, TokenCipher } from '../../../adapters/slack/oauth/token-cipher';

describe('TokenCipher (AES-256-GCM, key id, rotation)', () => {
  const key = randomBytes(32);
  it('uses a fresh IV per value and names the key that wrote it', () => {
    const c = new TokenCipher(key.toString('base64'));
    const a = c.encrypt('fakebot-same');
    const b = c.encrypt('fakebot-same');
    expect(a).not.toBe(b);
    expect(a).not.toContain('fakebot-same');
    expect(TokenCipher.keyIdIn(a)).toBe(keyIdOf(key));
    expect(c.decrypt(a)).toBe('fakebot-same');
  });
  it('decrypts with the previous key after a rotation, and refuses an unknown key naming its id', () => {
    const old = new TokenCipher(key.toString('base64'));
    const value = old.encrypt('fakebot-old');
    const next = randomBytes(32).toString('base64');
    expect(new TokenCipher(next, key.toString('base64')).decrypt(value)).toBe('fakebot-old');
    expect(() => new TokenCipher(next).decrypt(value)).toThrow(new RegExp(`written with key ${keyIdOf(key)}`));
  });
});
