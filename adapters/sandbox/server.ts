/**
 * The SecuTix sandbox: a node:http server speaking exactly the contract of `secutix-api.md`
 * (methods, envelope, JWT checking, 401, token exchange) for the institutions of a fixture, with
 * configurable faults and an admin API under `/__sandbox/` (only with `admin: true`).
 * A test and demo double, never a production target. It never crashes on a bad request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SignJWT, decodeJwt, jwtVerify } from 'jose';
import type { Logger } from 'pino';
import { z } from 'zod';
import { breakTypes, businessAnswer } from './answers';
import { defaultFixture, sandboxFixtureSchema, type SandboxInstitution } from './fixture';
import { faultsBodySchema, type SandboxMethod } from './faults';
import { type SandboxCall, SandboxState } from './state';

export { SandboxState, type SandboxCall } from './state';

/** The sandbox's own routing table, written from the spec independently of the client's. */
const ROUTES: Readonly<Record<string, SandboxMethod>> = {
  '/tnseb/backend-apis/catalogService/v1_33/getPOSConfig': 'getPOSConfig',
  '/tnseb/backend-apis/catalogService/v1_33/getCatalogDetailed': 'getCatalogDetailed',
  '/tnseb/backend-apis/availabilityService/v1_33/getEventAvailability': 'getEventAvailability',
  '/tnseb/backend-apis/availabilityService/v1_33/getProductAvailability': 'getProductAvailability',
  '/tnco/backend-apis/contactInformationPublicService/v2_21/getContactData': 'getContactData',
  '/tnai/backend-apis/v1/auth': 'auth',
};

/** Lifetime in seconds of a token issued by the exchange endpoint. */
export const EXCHANGED_TOKEN_TTL_SECONDS = 300;
/** Longest token lifetime (exp - iat, seconds) the sandbox accepts. */
const MAX_TOKEN_TTL_SECONDS = 300;
const MAX_BODY_BYTES = 1_000_000;
/** The admin API's fixture upload may be larger (thousands of generated institutions for the bench). */
const MAX_FIXTURE_BYTES = 32_000_000;

const id = z.number().int().positive();
// A large catalog's verification asks for every performance at once (BIGCAT: 20,000).
const ids = z.array(id).max(100_000);
const requestId = z.union([z.string(), z.number()]).nullish();

/** Request bodies per method (extra fields are ignored, as a lenient server would). */
const REQUEST_SCHEMAS: Record<Exclude<SandboxMethod, 'auth'>, z.ZodType> = {
  getPOSConfig: z.object({ requestId }),
  getCatalogDetailed: z.object({ seasonCode: z.string().optional(), productCode: z.string().optional(), requestId }),
  getEventAvailability: z.object({ pointOfSalesId: id, performanceIds: ids, contingentIds: ids, requestId }),
  getProductAvailability: z.object({ pointOfSalesId: id, productIds: ids, contingentIds: ids, requestId }),
  getContactData: z.object({
    contactNumber: z.string().regex(/^[A-Za-z0-9-]{1,20}$/, 'contact number: 1 to 20 letters, digits or -'),
    details: z.array(z.string()).optional(),
    requestId,
  }),
};
/** Body of `POST /__sandbox/extraction`: catalog extraction time in ms, for one institution or (absent) all. */
const extractionBodySchema = z
  .object({
    ms: z.number().int().min(0).max(600_000),
    institution: z
      .string()
      .regex(/^[A-Za-z0-9]{2,15}$/)
      .transform((x) => x.toUpperCase())
      .optional(),
  })
  .strict();
const authRequestSchema = z.object({ operator: z.string().min(1), partner: z.string().min(1), secret: z.string().min(1) });

/** Readable summary of a zod error: `path: message; ...`. */
function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}

/** Options of `createSandbox`. */
export interface SandboxOptions {
  /** The fixture (validated); default `fixtures/default.json`. */
  fixture?: unknown;
  /** Serve the admin API under `/__sandbox/` (own process or tests only); otherwise 404. */
  admin: boolean;
  logger?: Logger;
  /**
   * Catalog extraction time in ms for every institution (replaces the fixture's `extractionMs`):
   * `getCatalogDetailed` answers `{"statusCode":"in_progress"}` (no `requestId`) until this long
   * after the first identical request. The console demo uses a few seconds; tests default to the fixture's 0.
   */
  extractionMs?: number;
}

/** A sandbox instance. */
export interface Sandbox {
  server: http.Server;
  /** Listens on `port` (0 = any free port) and `host` (default 127.0.0.1); resolves with the base URL. */
  listen(port: number, host?: string): Promise<{ url: string }>;
  /** Stops listening and drops every open connection (including hanging answers). */
  close(): Promise<void>;
  state: SandboxState;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  writeJson(res, status, body, headers);
}

/** Sends `body` as JSON; returns its size in bytes (0 when the response was already gone). */
function writeJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
  if (res.destroyed || res.headersSent) return 0;
  const text = JSON.stringify(body);
  const bytes = Buffer.byteLength(text);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': bytes, ...headers });
  res.end(text);
  return bytes;
}

function readBody(req: http.IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new HttpFailure(413, 'body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', (e) => reject(e));
  });
}

async function readJson(req: http.IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const text = await readBody(req, limit);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpFailure(400, 'body is not valid JSON');
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function secretEquals(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Unverified `sub` of a bearer token (to attribute calls and faults before verification). */
function peekSub(authorization: string | undefined): string | undefined {
  const token = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
  if (!token) return undefined;
  try {
    const sub = decodeJwt(token).sub;
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Creates the sandbox (not listening yet). Seeds institutions from `fixture` (default
 * `fixtures/default.json`). @throws ZodError when `fixture` is invalid.
 */
export function createSandbox(opts: SandboxOptions): Sandbox {
  const state = new SandboxState(
    opts.fixture === undefined ? defaultFixture() : sandboxFixtureSchema.parse(opts.fixture),
    opts.extractionMs,
  );
  const log = opts.logger;

  /** Verifies the bearer token: signature with the operator's password, `aud`, `sub`, expiry. */
  async function authenticate(authorization: string | undefined): Promise<SandboxInstitution> {
    const token = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    if (!token) throw new HttpFailure(401, 'missing bearer token');
    let claims: ReturnType<typeof decodeJwt>;
    try {
      claims = decodeJwt(token);
    } catch {
      throw new HttpFailure(401, 'unreadable token');
    }
    const inst = typeof claims.sub === 'string' ? state.institutions.get(claims.sub) : undefined;
    const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
    const operator = inst?.operators.find((o) => o.login === aud);
    if (!inst || !operator) throw new HttpFailure(401, 'unknown institution or operator');
    try {
      const { payload } = await jwtVerify(token, new TextEncoder().encode(operator.password), {
        algorithms: ['HS256'],
        audience: operator.login,
        subject: inst.code,
        requiredClaims: ['iat', 'exp', 'iss'],
        clockTolerance: 5,
      });
      if ((payload.exp as number) - (payload.iat as number) > MAX_TOKEN_TTL_SECONDS) {
        throw new Error('token lifetime too long');
      }
    } catch {
      throw new HttpFailure(401, 'token rejected');
    }
    return inst;
  }

  async function exchange(body: unknown): Promise<{ token: string }> {
    const parsed = authRequestSchema.safeParse(body);
    if (!parsed.success) throw new HttpFailure(400, describe(parsed.error));
    const { operator, partner, secret } = parsed.data;
    for (const inst of state.institutions.values()) {
      const op = inst.operators.find((o) => o.login === operator);
      if (op && secretEquals(op.password, secret)) {
        const iat = Math.floor(Date.now() / 1000);
        const token = await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
          .setSubject(inst.code)
          .setAudience(op.login)
          .setIssuer(partner)
          .setIssuedAt(iat)
          .setExpirationTime(iat + EXCHANGED_TOKEN_TTL_SECONDS)
          .sign(new TextEncoder().encode(op.password));
        return { token };
      }
    }
    throw new HttpFailure(401, 'operator or secret rejected');
  }

  async function handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    const route = `${req.method ?? ''} ${path}`;
    switch (route) {
      case 'POST /__sandbox/reset':
        state.reset();
        return sendJson(res, 200, { ok: true });
      case 'POST /__sandbox/fixture': {
        const parsed = sandboxFixtureSchema.safeParse(await readJson(req, MAX_FIXTURE_BYTES));
        if (!parsed.success) return sendJson(res, 400, { error: `invalid fixture: ${describe(parsed.error)}` });
        state.loadFixture(parsed.data);
        return sendJson(res, 200, { ok: true, institutions: [...state.institutions.keys()] });
      }
      case 'POST /__sandbox/faults': {
        const parsed = faultsBodySchema.safeParse(await readJson(req));
        if (!parsed.success) return sendJson(res, 400, { error: `invalid faults: ${describe(parsed.error)}` });
        state.faults.set(parsed.data.faults, parsed.data.append);
        return sendJson(res, 200, { ok: true, faults: state.faults.list() });
      }
      case 'POST /__sandbox/extraction': {
        const parsed = extractionBodySchema.safeParse(await readJson(req));
        if (!parsed.success) return sendJson(res, 400, { error: `invalid extraction: ${describe(parsed.error)}` });
        state.setExtractionMs(parsed.data.ms, parsed.data.institution);
        return sendJson(res, 200, { ok: true });
      }
      case 'GET /__sandbox/state':
        return sendJson(res, 200, state.snapshot());
      default:
        return sendJson(res, 404, { error: `no admin route ${route}` });
    }
  }

  async function handleMethod(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    method: SandboxMethod,
    call: SandboxCall,
  ): Promise<void> {
    const body = await readJson(req);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new HttpFailure(400, 'body must be a JSON object');
    }
    const b = body as Record<string, unknown>;
    if (b.requestId !== undefined && b.requestId !== null) call.requestId = b.requestId as string | number;
    const claimed =
      method === 'auth' ? (typeof b.operator === 'string' ? b.operator.split('_')[0] : undefined) : peekSub(req.headers.authorization);
    if (claimed) {
      call.institution = claimed;
      const key = `${claimed}:${method}`;
      state.callsByInstitution[key] = (state.callsByInstitution[key] ?? 0) + 1;
    }
    const latency = state.faults.latencyMs(claimed, method);
    if (latency > 0) await sleep(latency);

    let answer: Record<string, unknown>;
    let inst: SandboxInstitution | undefined;
    if (method === 'auth') {
      answer = await exchange(b);
      inst = state.institutions.get(claimed ?? '');
    } else {
      inst = await authenticate(req.headers.authorization);
      const parsed = REQUEST_SCHEMAS[method].safeParse(b);
      if (!parsed.success) throw new HttpFailure(400, `invalid ${method} request: ${describe(parsed.error)}`);
      answer = {};
    }

    const polled = call.requestId !== undefined && state.pendingRequests.delete(String(call.requestId));
    const fault = polled ? undefined : state.faults.take(inst?.code, method);
    if (fault?.kind === 'hang') {
      log?.debug({ method, institution: inst?.code }, 'sandbox fault: hang');
      return; // never answered; dropped by close()
    }
    if (fault?.kind === 'status' && fault.status) {
      const headers: Record<string, string> =
        fault.status.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.status.retryAfterSeconds) } : {};
      call.httpStatus = fault.status.code;
      return sendJson(res, fault.status.code, { error: `sandbox fault: HTTP ${fault.status.code}` }, headers);
    }
    if (fault?.kind === 'malformedJson') {
      call.httpStatus = 200;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"requestId":null,"statusCode":"succ');
      return;
    }
    if (method !== 'auth' && fault?.kind === 'inProgress') {
      const rid = `sbx-${call.seq}`;
      state.pendingRequests.add(rid);
      call.statusCode = 'in_progress';
      call.httpStatus = 200;
      return sendJson(res, 200, { requestId: rid, statusCode: 'in_progress', statusDetail: 'Extraction in progress' });
    }
    if (method === 'getCatalogDetailed' && inst && state.extracting(inst, b, performance.now())) {
      // As SecuTix while it extracts a catalog: only a statusCode, no requestId, no data.
      call.statusCode = 'in_progress';
      call.httpStatus = 200;
      return sendJson(res, 200, { statusCode: 'in_progress' });
    }
    if (method !== 'auth' && inst) {
      const r = businessAnswer(inst, method, b);
      answer = r.data
        ? { requestId: call.requestId ?? null, statusCode: 'success', statusDetail: null, ...r.data }
        : { requestId: call.requestId ?? null, statusCode: r.statusCode, statusDetail: r.statusDetail ?? null };
      call.statusCode = answer.statusCode as string;
    }
    if (fault?.kind === 'wrongTypes' && (method === 'auth' || answer.statusCode === 'success')) breakTypes(method, answer);
    call.httpStatus = 200;
    call.bytes = writeJson(res, 200, answer);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
    if (path.startsWith('/__sandbox/') || path === '/__sandbox') {
      if (!opts.admin) return sendJson(res, 404, { error: 'not found' });
      return handleAdmin(req, res, path);
    }
    const method = ROUTES[path];
    if (!method) return sendJson(res, 404, { error: `no SecuTix method at ${path}` });
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST' }, { Allow: 'POST' });
    state.calls[method] = (state.calls[method] ?? 0) + 1;
    const call: SandboxCall = { seq: state.nextSeq(), method, startMs: performance.now() };
    state.log.push(call);
    res.on('finish', () => {
      call.endMs = performance.now();
      call.httpStatus ??= res.statusCode;
    });
    await handleMethod(req, res, method, call);
  }

  const server = http.createServer((req, res) => {
    req.on('error', () => undefined);
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpFailure) return sendJson(res, err.status, { error: err.message });
      log?.error({ err: err instanceof Error ? err.message : String(err) }, 'sandbox internal error');
      sendJson(res, 500, { error: 'sandbox internal error' });
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  return {
    server,
    state,
    listen(port: number, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const addr = server.address() as AddressInfo;
          const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
          resolve({ url: `http://${h}:${addr.port}` });
        });
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
