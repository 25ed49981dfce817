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
  type Catalog,
  type ContactData,
  type EventAvailability,
  type PosConfig,
  type ProductAvailability,
  type SecutixCredentials,
  type SecutixMethod,
  type SecutixPort,
} from '../../src/ports/secutix.port';
import { ExchangeTokenCache, signToken } from './auth';
import { answerKeyPaths, notifyWaiting, type OnWaiting, parseAnswerData } from './answer-data';
import { DEFAULT_BASE_URL, type EnvelopeMethod, authUrl, methodUrl, operatorLogin } from './endpoints';
import { classifyHttpStatus, classifyNetworkError, isServiceTrouble, parseRetryAfter } from './errors';
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
  /** Per-call timeout in ms of every call but the catalog (`SECUTIX_TIMEOUT_MS`, default 10 000). */
  timeoutMs: number;
  /** Per-call timeout in ms of one `getCatalogDetailed` call, which may transfer about 10 MB (`SECUTIX_CATALOG_TIMEOUT_MS`, default 60 000). */
  catalogTimeoutMs: number;
  /** Retries of a transient failure after the first attempt (default 3). */
  maxRetries: number;
  /** Client-side cap of calls per institution and method per minute (default 50). */
  rateLimitPerMinute: number;
  /** A `Retry-After` above this many seconds is not waited for: the call fails `unavailable` (default 30). */
  maxRetryAfterSeconds: number;
  /** First backoff delay in ms, doubled per retry, plus up to the same again of jitter (default 250). */
  backoffBaseMs: number;
  /** Wait in ms between an `in_progress` answer and the next identical request (`SECUTIX_POLL_INTERVAL_MS`, default 5 000). */
  pollIntervalMs: number;
  /**
   * How long in ms after the first request `in_progress` answers are polled before the call fails
   * `unavailable` with statusCode `in_progress` (`SECUTIX_EXTRACTION_TIMEOUT_MS`, default 180 000).
   * Polls are not retries: they use no retry budget, but do go through the rate limiter.
   */
  extractionTimeoutMs: number;
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
  catalogTimeoutMs: 60_000,
  maxRetries: 3,
  rateLimitPerMinute: 50,
  maxRetryAfterSeconds: 30,
  backoffBaseMs: 250,
  pollIntervalMs: 5_000,
  extractionTimeoutMs: 180_000,
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
  /** Methods whose answer's key paths were logged (once per method for this client, i.e. per process). */
  private readonly shapesLogged = new Set<string>();

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

  /**
   * `getCatalogDetailed`: every product of every season (`catalogData.seasons[].products[]`).
   * While SecuTix extracts the catalog (`in_progress`, with or without a `requestId`) the same body
   * is sent again every `pollIntervalMs` until `extractionTimeoutMs`; `onWaiting` hears of each
   * `in_progress` answer (its errors are ignored). Each call times out after `catalogTimeoutMs`.
   * @throws SecutixError (`unavailable` with statusCode `in_progress` when the extraction outlasts the timeout)
   */
  async getCatalogDetailed(
    c: SecutixCredentials,
    opts: { productCode?: string; seasonCode?: string; onWaiting?: OnWaiting } = {},
  ): Promise<Catalog> {
    const body: Record<string, unknown> = {};
    if (opts.productCode) body.productCode = opts.productCode;
    if (opts.seasonCode) body.seasonCode = opts.seasonCode;
    const products = await this.call(c, 'getCatalogDetailed', body, catalogDataSchema, {
      timeoutMs: this.config.catalogTimeoutMs,
      ...(opts.onWaiting ? { onWaiting: opts.onWaiting } : {}),
    });
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

  /**
   * One envelope method: sends, polls `in_progress` (same body, plus the `requestId` when one was
   * given) until `extractionTimeoutMs` after the first request, parses the data field.
   */
  private async call<T>(
    c: SecutixCredentials,
    method: EnvelopeMethod,
    body: Record<string, unknown>,
    schema: z.ZodType<T>,
    opts: { timeoutMs?: number; onWaiting?: OnWaiting } = {},
  ): Promise<T> {
    const url = methodUrl(this.config.baseUrl, c.institutionCode, method);
    const timeoutMs = opts.timeoutMs ?? this.config.timeoutMs;
    const firstMs = this.now();
    let requestBody = body;
    for (let polls = 0; ;) {
      const raw = await this.post(c, method, url, requestBody, true, timeoutMs);
      const env = parseAt(envelopeSchema, raw.json, '');
      if (!env.ok) throw this.protocol(method, env.field, env.message);
      const envelope: Envelope = env.value;
      // `success` / `in_progress` in any case (`SUCCESS`, `IN_PROGRESS` are the same states).
      const status = envelope.statusCode.toLowerCase();
      if (status === 'success') {
        const json = raw.json as Record<string, unknown>;
        this.logShape(method, json);
        const data = parseAnswerData(method, json, schema);
        if (!data.ok) throw this.protocol(method, data.field, data.message);
        return data.value;
      }
      if (status === 'in_progress') {
        polls += 1;
        const waitedMs = this.now() - firstMs;
        this.config.logger?.debug({ method, institution: c.institutionCode.toUpperCase(), polls, waitedMs }, 'secutix still in progress');
        if (opts.onWaiting) notifyWaiting(opts.onWaiting, { waitedMs, polls });
        const left = this.config.extractionTimeoutMs - waitedMs;
        if (left <= 0) {
          throw new SecutixError(
            'unavailable',
            method,
            `${method} still in progress after ${waitedMs} ms (${polls} answer(s) in_progress; limit ${this.config.extractionTimeoutMs} ms)`,
            { statusCode: 'in_progress', attempts: polls },
          );
        }
        await this.sleep(Math.min(this.config.pollIntervalMs, left));
        const rid = envelope.requestId;
        requestBody = rid === null || rid === undefined ? body : { ...body, requestId: rid };
        continue;
      }
      // Service trouble (`error.service.*`, unavailable-like codes), or an error once an extraction
      // was under way (SecuTix lost it): nothing is known about the setup, so `unavailable`.
      throw new SecutixError(
        polls > 0 || isServiceTrouble(envelope.statusCode) ? 'unavailable' : 'business',
        method,
        `${method} answered ${envelope.statusCode}${envelope.statusDetail ? `: ${envelope.statusDetail}` : ''}`,
        { statusCode: envelope.statusCode, statusDetail: envelope.statusDetail ?? null },
      );
    }
  }

  /**
   * Logs at `info`, once per method, the key paths (never the values) of a success answer's data,
   * so the first real run settles the assumed fields (bounded: at most 200 paths, 20 items per array).
   */
  private logShape(method: EnvelopeMethod, json: Record<string, unknown>): void {
    const log = this.config.logger;
    if (!log || this.shapesLogged.has(method)) return;
    this.shapesLogged.add(method);
    const { paths, truncated } = answerKeyPaths(method, json);
    log.info({ method, keyPaths: paths, ...(truncated ? { truncated } : {}) }, 'secutix answer shape (key paths only, once per method)');
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
    timeoutMs = this.config.timeoutMs,
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
      let contentType: unknown;
      try {
        const res = await this.http.post(url, body, {
          headers,
          timeout: timeoutMs,
          signal: AbortSignal.timeout(timeoutMs + 50),
        });
        status = res.status;
        text = res.data;
        retryAfterHeader = res.headers['retry-after'];
        contentType = res.headers['content-type'];
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
          // Something else answered (a captive portal, a proxy's page): say what and where, never the body.
          const mediaType = typeof contentType === 'string' ? contentType.split(';')[0]!.trim().toLowerCase() : '';
          throw new SecutixError('protocol', method, `${method} answered a body that is not JSON`, {
            field: '(body)',
            httpStatus: status,
            ...(mediaType ? { contentType: mediaType.slice(0, 100) } : {}),
            url: addressOf(url),
          });
        }
        const statusCode =
          json && typeof json === 'object' && 'statusCode' in json ? (json as { statusCode: unknown }).statusCode : undefined;
        log?.debug({ method, institution, attempt, durationMs, httpStatus: status, statusCode }, 'secutix call');
        return { json };
      }

      const cls = classifyHttpStatus(status);
      // A refused credentials call says what answered (status and content type settle the assumed 401); never the body.
      log?.info(
        {
          method,
          institution,
          attempt,
          durationMs,
          httpStatus: status,
          ...(cls.kind === 'credentials' ? { contentType: typeof contentType === 'string' ? contentType : null } : {}),
        },
        'secutix call refused',
      );
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

/** `url` without its query and fragment (what is shown of the address that answered). */
function addressOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url.split(/[?#]/)[0]!;
  }
}
