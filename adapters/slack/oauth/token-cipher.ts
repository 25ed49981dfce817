/**
 * Encryption at rest of the secrets of a Slack installation (bot token, user token, refresh
 * tokens, incoming webhook URL): AES-256-GCM from `node:crypto`, a random 12-byte IV per value,
 * the 16-byte tag kept beside it, and the id of the key that wrote it so a key rotation works:
 *
 *   `enc:v1:<key id>:<iv, base64url>:<tag, base64url>:<ciphertext, base64url>`
 *
 * The key id is the first 8 hex digits of SHA-256 over the key (it names the key, reveals nothing
 * usable). `INSTALLATION_ENCRYPTION_KEY` encrypts every new value; `INSTALLATION_ENCRYPTION_KEY_PREVIOUS`
 * (optional) still decrypts values written before a rotation, and the store writes them again with
 * the current key.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

/** Why a key given in the environment cannot be used, or undefined when it is a good key. */
export function encryptionKeyProblem(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return 'required (32 random bytes, base64: `openssl rand -base64 32`)';
  const s = value.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s) || s.length % 4 !== 0) return 'must be base64 (`openssl rand -base64 32`)';
  const bytes = Buffer.from(s, 'base64');
  if (bytes.length !== 32) return `must decode to 32 bytes (got ${bytes.length}); generate one with \`openssl rand -base64 32\``;
  return undefined;
}

/** Id of a key as written in each value (8 hex digits of its SHA-256). */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** Thrown when a stored value cannot be decrypted (unknown key id, altered bytes, not an encrypted value). */
export class TokenDecryptError extends Error {
  override readonly name = 'TokenDecryptError';
}

/** Encrypts and decrypts installation secrets with the current key (and the previous one for reading). */
export class TokenCipher {
  private readonly current: { id: string; key: Buffer };
  private readonly keys = new Map<string, Buffer>();

  /**
   * @param currentKeyBase64 `INSTALLATION_ENCRYPTION_KEY`.
   * @param previousKeyBase64 `INSTALLATION_ENCRYPTION_KEY_PREVIOUS`, for values written before a rotation.
   * @throws Error when a key is not 32 bytes of base64 (the message never repeats the key).
   */
  constructor(currentKeyBase64: string, previousKeyBase64?: string) {
    const problem = encryptionKeyProblem(currentKeyBase64);
    if (problem) throw new Error(`INSTALLATION_ENCRYPTION_KEY: ${problem}`);
    const key = Buffer.from(currentKeyBase64.trim(), 'base64');
    this.current = { id: keyIdOf(key), key };
    this.keys.set(this.current.id, key);
    if (previousKeyBase64 !== undefined && previousKeyBase64.trim() !== '') {
      const prevProblem = encryptionKeyProblem(previousKeyBase64);
      if (prevProblem) throw new Error(`INSTALLATION_ENCRYPTION_KEY_PREVIOUS: ${prevProblem}`);
      const prev = Buffer.from(previousKeyBase64.trim(), 'base64');
      if (!this.keys.has(keyIdOf(prev))) this.keys.set(keyIdOf(prev), prev);
    }
  }

  /** True when `keyId` is the id of the current or the previous key. */
  knows(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  /** Ids of the configured keys (current first). */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** Id of the key new values are written with. */
  get currentKeyId(): string {
    return this.current.id;
  }

  /** True when `value` looks like one of our encrypted values. */
  static isEncrypted(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(PREFIX);
  }

  /** The key id an encrypted value was written with, or undefined when it is not one. */
  static keyIdIn(value: string): string | undefined {
    return TokenCipher.isEncrypted(value) ? value.slice(PREFIX.length).split(':')[0] : undefined;
  }

  /** Encrypts with the current key and a fresh random IV. */
  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${PREFIX}${this.current.id}:${iv.toString('base64url')}:${tag.toString('base64url')}:${body.toString('base64url')}`;
  }

  /**
   * Decrypts a value written by `encrypt` with the current or the previous key.
   * @throws TokenDecryptError naming the key id when no configured key has it, or when the value was altered.
   */
  decrypt(value: string): string {
    if (!TokenCipher.isEncrypted(value)) throw new TokenDecryptError('not an encrypted value');
    const parts = value.slice(PREFIX.length).split(':');
    if (parts.length !== 4) throw new TokenDecryptError('malformed encrypted value');
    const [keyId, ivText, tagText, bodyText] = parts as [string, string, string, string];
    const key = this.keys.get(keyId);
    if (!key)
      throw new TokenDecryptError(
        `written with key ${keyId}, which is neither INSTALLATION_ENCRYPTION_KEY nor INSTALLATION_ENCRYPTION_KEY_PREVIOUS`,
      );
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'));
      decipher.setAuthTag(Buffer.from(tagText, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(bodyText, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new TokenDecryptError(`value written with key ${keyId} does not decrypt (altered, or another key with the same id)`);
    }
  }
}
