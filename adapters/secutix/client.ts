/**
 * axios implementation of `SecutixPort` (source of every SecuTix fact: `secutix-api.md`).
 * Per call: client-side rate limit, a fresh token (or a cached exchanged one), POST with a
 * timeout, bounded retries of transient failures honouring `Retry-After`, envelope parsing with
 * zod, polling of `in_progress` answers, and a `SecutixError` for everything else.
 */
import axios, { type AxiosInstance, isAxiosError } from 'axios';
import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  SecutixError,
  type CatalogProduct,
  type ContactData,
  type EventAvailability,
  type PosConfig,
  type ProductAvailability,
  type SecutixCredentials,
  type SecutixMethod,
  type SecutixPort,
} from '../../src/ports/secutix.port';
import { ExchangeTokenCache, signToken } from './auth';
import { DEFAULT_BASE_URL, ENDPOINTS, type EnvelopeMethod, authUrl, methodUrl, operatorLogin } from './endpoints';
import { classifyHttpStatus, classifyNetworkError, parseRetryAfter } from './errors';
import { SlidingWindowRateLimiter } from './rate-limiter';
import {
  type Envelope,
  catalogDataSchema,
  contactDataSchema,
  envelopeSchema,
  eventAvailabilityDataSchema,
  parseAt,
  posConfigSchema,
  productAvailabilityDataSchema,
  tokenAnswerSchema,
} from './schemas';

/** Client configuration. Times in ms unless the name says seconds. */
export interface SecutixClientConfig {
  /** Base URL; `{institution}` is replaced by the lower-case code; without it, used as is. Default `https://{institution}.ws.secutix.com`. */
  baseUrl: string;
  /** `signed` (self-signed HS256 token per call, default) or `exchange` (token from `/tnai/backend-apis/v1/auth`). */
  auth: 'signed' | 'exchange';
  /** The token's `iss` (and the exchange's `partner`). */
  partner: string;
  /** Per-call timeout in ms (default 10 000). */
  timeoutMs: number;
  /** Retries of a transient failure after the first attempt (default 3). */
  maxRetries: number;
  /** Client-side cap of calls per institution and method per minute (default 50). */
  rateLimitPerMinute: number;
  /** A `Retry-After` above this many seconds is not waited for: the call fails `unavailable` (default 30). */
  maxRetryAfterSeconds: number;
  /** First backoff delay in ms, doubled per retry, plus up to the same again of jitter (default 250). */
  backoffBaseMs: number;
  /** Wait between `in_progress` polls in ms (default 500). */
  inProgressWaitMs: number;
  /** Polls of an `in_progress` answer before failing `unavailable` (default 5). */
  maxInProgressPolls: number;
  logger?: Logger;
  /** Waiting, injectable for tests (default: a real timer). */
  sleep?: (ms: number) => Promise<void>;
  /** Current time in ms since the epoch, injectable for tests (default `Date.now`). */
  now?: () => number;
  /** Random number in [0, 1) for jitter, injectable for tests (default `Math.random`). */
  random?: () => number;
}

/** Defaults of `SecutixClientConfig` (`product.md`, "Configuration"). */
export const DEFAULT_SECUTIX_CLIENT_CONFIG: SecutixClientConfig = {
  baseUrl: DEFAULT_BASE_URL,
  auth: 'signed',
  partner: 'Digitick onboarding assistant',
  timeoutMs: 10_000,
  maxRetries: 3,
  rateLimitPerMinute: 50,
  maxRetryAfterSeconds: 30,
  backoffBaseMs: 250,
  inProgressWaitMs: 500,
  maxInProgressPolls: 5,
};

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Known product states (`secutix-api.md`); others are kept and logged as unknown. */
const KNOWN_PRODUCT_STATES = new Set(['PREPARING', 'VALIDATED', 'RUNNING', 'SUSPENDED', 'CANCELED', 'CLOSED', 'CANCELED_CLOSED']);

/** Raw HTTP result of one attempt that reached a 2xx answer. */
interface RawAnswer {
  json: unknown;
}

/**
 * The SecuTix client. One instance may serve many institutions; it keeps only the rate-limit
 * window and (with `auth: 'exchange'`) exchanged tokens in memory.
 */
export class SecutixHttpClient implements SecutixPort {
  readonly config: SecutixClientConfig;
  private readonly http: AxiosInstance;
  private readonly limiter: SlidingWindowRateLimiter;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly tokens = new ExchangeTokenCache();
  private readonly exchanging = new Map<string, Promise<string>>();

  constructor(config: Partial<SecutixClientConfig> = {}) {
    this.config = { ...DEFAULT_SECUTIX_CLIENT_CONFIG, ...config };
    this.sleep = this.config.sleep ?? realSleep;
    this.now = this.config.now ?? Date.now;
    this.random = this.config.random ?? Math.random;
    this.limiter = new SlidingWindowRateLimiter(this.config.rateLimitPerMinute, { now: this.now, sleep: this.sleep });
    this.http = axios.create({
      timeout: this.config.timeoutMs,
      // Raw text: JSON is parsed here so a broken body becomes a `protocol` error.
      responseType: 'text',
      transformResponse: [(d: unknown) => d],
      validateStatus: () => true,
      maxRedirects: 0,
    });
  }

  /** `getPOSConfig` (`posConfigData`). @throws SecutixError */
  async getPOSConfig(c: SecutixCredentials): Promise<PosConfig> {
    return this.call(c, 'getPOSConfig', {}, posConfigSchema);
  }

  /** `getCatalogDetailed`: every product of every season (`catalogData.seasons[].products[]`). @throws SecutixError */
  async getCatalogDetailed(c: SecutixCredentials, opts: { productCode?: string; seasonCode?: string } = {}): Promise<CatalogProduct[]> {
    const body: Record<string, unknown> = {};
    if (opts.productCode) body.productCode = opts.productCode;
    if (opts.seasonCode) body.seasonCode = opts.seasonCode;
    const products = await this.call(c, 'getCatalogDetailed', body, catalogDataSchema);
    const unknown = products.filter((p) => !KNOWN_PRODUCT_STATES.has(p.state));
    if (unknown.length > 0) {
      this.config.logger?.warn(
        { method: 'getCatalogDetailed', products: unknown.map((p) => ({ code: p.code, state: p.state })) },
        'secutix answered an unknown product state (kept as is)',
      );
    }
    return products;
  }

  /** `getEventAvailability`, all performances in one call. @throws SecutixError */
  async getEventAvailability(
    c: SecutixCredentials,
    req: { pointOfSalesId: number; performanceIds: number[]; contingentIds: number[] },
  ): Promise<EventAvailability[]> {
    return this.call(c, 'getEventAvailability', { ...req }, eventAvailabilityDataSchema);
  }

  /** `getProductAvailability`, all products in one call. @throws SecutixError */
  async getProductAvailability(
    c: SecutixCredentials,
    req: { pointOfSalesId: number; productIds: number[]; contingentIds: number[] },
  ): Promise<ProductAvailability[]> {
    return this.call(c, 'getProductAvailability', { ...req }, productAvailabilityDataSchema);
  }

  /** `getContactData` with details GENERAL and FINANCIAL. @throws SecutixError `business` `error.contact.notfound` for an unknown contact. */
  async getContactData(c: SecutixCredentials, contactNumber: string): Promise<ContactData> {
    return this.call(c, 'getContactData', { contactNumber, details: ['GENERAL', 'FINANCIAL'] }, contactDataSchema);
  }

  /** One envelope method: sends, polls `in_progress`, parses the data field. */
  private async call<T>(c: SecutixCredentials, method: EnvelopeMethod, body: Record<string, unknown>, schema: z.ZodType<T>): Promise<T> {
    const dataField = ENDPOINTS[method].dataField ?? '';
    const url = methodUrl(this.config.baseUrl, c.institutionCode, method);
    let requestBody = body;
    for (let poll = 0; ; poll++) {
      const raw = await this.post(c, method, url, requestBody, true);
      const env = parseAt(envelopeSchema, raw.json, '');
      if (!env.ok) throw this.protocol(method, env.field, env.message);
      const envelope: Envelope = env.value;
      if (envelope.statusCode === 'success') {
        const data = parseAt(schema, (raw.json as Record<string, unknown>)[dataField], dataField);
        if (!data.ok) throw this.protocol(method, data.field, data.message);
        return data.value;
      }
      if (envelope.statusCode === 'in_progress') {
        if (envelope.requestId === null || envelope.requestId === undefined) {
          throw this.protocol(method, 'requestId', 'in_progress without a requestId');
        }
        if (poll >= this.config.maxInProgressPolls) {
          throw new SecutixError('unavailable', method, `${method} still in progress after ${poll} polls`, {
            statusCode: 'in_progress',
            attempts: poll + 1,
          });
        }
        await this.sleep(this.config.inProgressWaitMs);
        requestBody = { ...body, requestId: envelope.requestId };
        continue;
      }
      throw new SecutixError(
        'business',
        method,
        `${method} answered ${envelope.statusCode}${envelope.statusDetail ? `: ${envelope.statusDetail}` : ''}`,
        { statusCode: envelope.statusCode, statusDetail: envelope.statusDetail ?? null },
      );
    }
  }

  private protocol(method: SecutixMethod, field: string, message: string): SecutixError {
    return new SecutixError('protocol', method, `${method} answered a wrong ${field}: ${message}`, { field });
  }

  /** Bearer token for one call. */
  private async token(c: SecutixCredentials): Promise<{ token: string; cached: boolean }> {
    const login = operatorLogin(c.institutionCode, c.channelCode);
    if (this.config.auth === 'signed') {
      const token = await signToken({
        institutionCode: c.institutionCode,
        login,
        partner: this.config.partner,
        password: c.password,
        nowMs: this.now(),
      });
      return { token, cached: false };
    }
    const cached = this.tokens.get(login, c.password, this.now());
    if (cached) return { token: cached, cached: true };
    // One exchange at a time per operator: concurrent calls share it.
    let pending = this.exchanging.get(login);
    if (!pending) {
      pending = this.exchange(c, login).finally(() => this.exchanging.delete(login));
      this.exchanging.set(login, pending);
    }
    return { token: await pending, cached: false };
  }

  /** `POST /tnai/backend-apis/v1/auth` `{operator, partner, secret}` -> `{token}`. */
  private async exchange(c: SecutixCredentials, login: string): Promise<string> {
    const raw = await this.post(
      c,
      'auth',
      authUrl(this.config.baseUrl, c.institutionCode),
      { operator: login, partner: this.config.partner, secret: c.password },
      false,
    );
    const parsed = parseAt(tokenAnswerSchema, raw.json, '');
    if (!parsed.ok) throw this.protocol('auth', parsed.field, parsed.message);
    this.tokens.set(login, c.password, parsed.value.token, this.now());
    return parsed.value.token;
  }

  /**
   * One POST with rate limiting and bounded retries; returns the parsed JSON of a 2xx answer.
   * @throws SecutixError `credentials` (401/403), `unavailable` (transient after retries, or a
   *   `Retry-After` above the maximum), `protocol` (non-JSON body, other 4xx).
   */
  private async post(
    c: SecutixCredentials,
    method: SecutixMethod,
    url: string,
    body: Record<string, unknown>,
    withToken: boolean,
  ): Promise<RawAnswer> {
    const log = this.config.logger;
    const institution = c.institutionCode.toUpperCase();
    let refreshedToken = false;
    for (let attempt = 1; ; attempt++) {
      await this.limiter.acquire(`${institution}:${method}`);
      const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
      let usedCachedToken = false;
      if (withToken) {
        const t = await this.token(c);
        headers.Authorization = `Bearer ${t.token}`;
        usedCachedToken = t.cached;
      }
      const started = this.now();
      let status: number;
      let text: unknown;
      let retryAfterHeader: unknown;
      try {
        const res = await this.http.post(url, body, {
          headers,
          signal: AbortSignal.timeout(this.config.timeoutMs + 50),
        });
        status = res.status;
        text = res.data;
        retryAfterHeader = res.headers['retry-after'];
      } catch (err) {
        // Never log or keep the axios error itself: its config carries the Authorization header.
        const code = isAxiosError(err) ? err.code : (err as { code?: string } | null)?.code;
        const cls = classifyNetworkError(code);
        const durationMs = this.now() - started;
        log?.info({ method, institution, attempt, durationMs, error: code }, 'secutix call failed');
        if (cls.retry && attempt <= this.config.maxRetries) {
          await this.sleep(this.backoff(attempt));
          continue;
        }
        throw new SecutixError(cls.kind, method, `${method} ${cls.label} after ${attempt} attempt(s)`, { attempts: attempt });
      }
      const durationMs = this.now() - started;

      if (status >= 200 && status < 300) {
        let json: unknown;
        try {
          json = typeof text === 'string' ? JSON.parse(text) : text;
        } catch {
          log?.info({ method, institution, attempt, durationMs, httpStatus: status }, 'secutix answered non-JSON');
          throw new SecutixError('protocol', method, `${method} answered a body that is not JSON`, {
            field: '(body)',
            httpStatus: status,
          });
        }
        const statusCode =
          json && typeof json === 'object' && 'statusCode' in json ? (json as { statusCode: unknown }).statusCode : undefined;
        log?.debug({ method, institution, attempt, durationMs, httpStatus: status, statusCode }, 'secutix call');
        return { json };
      }

      log?.info({ method, institution, attempt, durationMs, httpStatus: status }, 'secutix call refused');
      const cls = classifyHttpStatus(status);
      if (cls.kind === 'credentials') {
        if (usedCachedToken && !refreshedToken) {
          // A cached exchanged token may have been revoked: exchange once more, then give up.
          this.tokens.delete(operatorLogin(c.institutionCode, c.channelCode));
          refreshedToken = true;
          attempt--;
          continue;
        }
        throw new SecutixError('credentials', method, `${method}: ${cls.label}`, { httpStatus: status, attempts: attempt });
      }
      if (!cls.retry) {
        throw new SecutixError(cls.kind, method, `${method}: ${cls.label}`, { httpStatus: status, attempts: attempt });
      }
      const retryAfter = parseRetryAfter(retryAfterHeader, this.now());
      if (retryAfter !== undefined && retryAfter > this.config.maxRetryAfterSeconds) {
        throw new SecutixError(
          'unavailable',
          method,
          `${method}: ${cls.label}, Retry-After ${retryAfter} s is above ${this.config.maxRetryAfterSeconds} s`,
          { httpStatus: status, attempts: attempt },
        );
      }
      if (attempt > this.config.maxRetries) {
        throw new SecutixError('unavailable', method, `${method}: ${cls.label} after ${attempt} attempt(s)`, {
          httpStatus: status,
          attempts: attempt,
        });
      }
      await this.sleep(retryAfter !== undefined ? Math.ceil(retryAfter * 1000) : this.backoff(attempt));
    }
  }

  /** Exponential backoff with jitter, in ms, before retry number `attempt` (1-based). */
  private backoff(attempt: number): number {
    const base = this.config.backoffBaseMs * 2 ** (attempt - 1);
    return Math.round(base + this.random() * base);
  }
}

/** Creates the SecuTix client; missing settings take `DEFAULT_SECUTIX_CLIENT_CONFIG`. */
export function createSecutixClient(config: Partial<SecutixClientConfig> = {}): SecutixHttpClient {
  return new SecutixHttpClient(config);
}
