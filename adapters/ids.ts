/** Run ids: 8 characters of Crockford base32 (no I, L, O, U), from crypto randomness (40 bits). */
import { randomBytes } from 'node:crypto';
import type { IdSource } from '../src/ports/clock.port';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const randomIds: IdSource = {
  runId(): string {
    const bytes = randomBytes(8);
    let s = '';
    for (let i = 0; i < 8; i++) s += ALPHABET[bytes[i] % 32];
    return s;
  },
};
