/**
 * SecuTix tokens (source: `secutix-api.md`, "Authentication"): a self-signed HS256 JWT (key = the
 * operator's password, UTF-8), or a token obtained from the exchange endpoint and cached in
 * memory until shortly before it expires. Tokens and passwords are never logged.
 */
import { createHash } from 'node:crypto';
import { SignJWT, decodeJwt } from 'jose';
import { LRUCache } from 'lru-cache';

/** Lifetime of a self-signed token, in seconds (`exp = iat + 30`). */
export const SIGNED_TOKEN_TTL_SECONDS = 30;

/**
 * Signs a fresh token: `sub` = institution (upper-case), `aud` = operator login, `iss` = partner,
 * `iat` = `nowMs` in seconds, `exp` = `iat + 30`.
 */
export async function signToken(p: {
  institutionCode: string;
  login: string;
  partner: string;
  password: string;
  nowMs: number;
}): Promise<string> {
  const iat = Math.floor(p.nowMs / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(p.institutionCode.toUpperCase())
    .setAudience(p.login)
    .setIssuer(p.partner)
    .setIssuedAt(iat)
    .setExpirationTime(iat + SIGNED_TOKEN_TTL_SECONDS)
    .sign(new TextEncoder().encode(p.password));
}

/** `exp` of a token in ms, or undefined when it has none or cannot be decoded. */
export function tokenExpiryMs(token: string): number | undefined {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

interface CachedToken {
  token: string;
  expMs: number;
  /** SHA-256 of the password the token was obtained with: a new password never reuses it. */
  fingerprint: string;
}

/** Most operator logins whose token is kept (one per institution and channel: far more than in use). */
const MAX_CACHED_LOGINS = 1000;

/**
 * In-memory cache of exchanged tokens, per operator login, within one client instance.
 * A token is reused until `marginMs` before its `exp`, and only with the same password.
 */
export class ExchangeTokenCache {
  /** Bounded (`MAX_CACHED_LOGINS`, least recently used dropped first); expiry stays ours (the token's `exp`). */
  private readonly tokens = new LRUCache<string, CachedToken>({ max: MAX_CACHED_LOGINS });

  constructor(private readonly marginMs = 5_000) {}

  static fingerprint(password: string): string {
    return createHash('sha256').update(password, 'utf8').digest('hex');
  }

  get(login: string, password: string, nowMs: number): string | undefined {
    const c = this.tokens.get(login);
    if (!c) return undefined;
    if (c.expMs - this.marginMs <= nowMs || c.fingerprint !== ExchangeTokenCache.fingerprint(password)) {
      this.tokens.delete(login);
      return undefined;
    }
    return c.token;
  }

  /** Caches `token` when its `exp` is readable and still ahead by more than the margin. */
  set(login: string, password: string, token: string, nowMs: number): void {
    const expMs = tokenExpiryMs(token);
    if (expMs === undefined || expMs - this.marginMs <= nowMs) return;
    this.tokens.set(login, { token, expMs, fingerprint: ExchangeTokenCache.fingerprint(password) });
  }

  delete(login: string): void {
    this.tokens.delete(login);
  }
}
