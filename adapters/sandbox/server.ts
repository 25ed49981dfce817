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
import { defaultFixture, sandboxFixtureSchema, type SandboxFixture, type SandboxInstitution } from './fixture';
import { FaultBook, faultsBodySchema, type FaultRule, type SandboxMethod } from './faults';

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
/** Catalog states returned by `getCatalogDetailed` (`secutix-api.md`). */
const LISTED_STATES = new Set(['RUNNING', 'SUSPENDED']);

const id = z.number().int().positive();
const ids = z.array(id).max(1000);
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
const authRequestSchema = z.object({ operator: z.string().min(1), partner: z.string().min(1), secret: z.string().min(1) });

/** One request as seen by the sandbox. Times are monotonic ms (`performance.now()`). */
export interface SandboxCall {
  seq: number;
  method: SandboxMethod;
  /** Institution from the token's `sub` (or the exchange's operator), when readable. */
  institution?: string;
  startMs: number;
  /** When the answer was sent (absent while pending or for a hang). */
  endMs?: number;
  httpStatus?: number;
  statusCode?: string;
  /** `requestId` carried by the request body (a poll of an `in_progress` answer). */
  requestId?: string | number;
}

/** Readable summary of a zod error: `path: message; ...`. */
function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}

/**
 * The sandbox's in-memory state: institutions, faults, call counts and the call log. Tests may
 * use it directly in-process; the admin API exposes the same operations over HTTP.
 */
export class SandboxState {
  institutions = new Map<string, SandboxInstitution>();
  readonly faults = new FaultBook();
  /** Calls per method, counting every request routed to it (401 included). */
  calls: Record<string, number> = {};
  /** Calls per `INSTITUTION:method`. */
  callsByInstitution: Record<string, number> = {};
  log: SandboxCall[] = [];
  /** `requestId`s answered `in_progress` and not yet polled. */
  readonly pendingRequests = new Set<string>();
  private seq = 0;

  constructor(private fixture: SandboxFixture) {
    this.reset();
  }

  /** Back to the loaded fixture; faults, counts and log cleared. */
  reset(): void {
    this.institutions = new Map(structuredClone(this.fixture).institutions.map((i) => [i.code, i]));
    this.faults.clear();
    this.calls = {};
    this.callsByInstitution = {};
    this.log = [];
    this.pendingRequests.clear();
  }

  /** Replaces the fixture (validated) and resets. @throws ZodError on an invalid fixture. */
  loadFixture(json: unknown): void {
    this.fixture = sandboxFixtureSchema.parse(json);
    this.reset();
  }

  /** Sets the fault rules (validated). @throws ZodError on invalid rules. */
  setFaults(rules: unknown[], append = false): FaultRule[] {
    const parsed = faultsBodySchema.parse({ faults: rules, append });
    this.faults.set(parsed.faults, append);
    return this.faults.list();
  }

  /** Number of calls to `method` (optionally for one institution). */
  callCount(method: SandboxMethod, institution?: string): number {
    return institution ? (this.callsByInstitution[`${institution.toUpperCase()}:${method}`] ?? 0) : (this.calls[method] ?? 0);
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  /** A JSON-safe snapshot (no passwords). */
  snapshot(): object {
    return {
      institutions: [...this.institutions.keys()],
      faults: this.faults.list(),
      calls: { ...this.calls },
      callsByInstitution: { ...this.callsByInstitution },
      log: this.log.map((c) => ({ ...c })),
    };
  }
}

/** Options of `createSandbox`. */
export interface SandboxOptions {
  /** The fixture (validated); default `fixtures/default.json`. */
  fixture?: unknown;
  /** Serve the admin API under `/__sandbox/` (own process or tests only); otherwise 404. */
  admin: boolean;
  logger?: Logger;
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
  if (res.destroyed || res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
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
  const state = new SandboxState(opts.fixture === undefined ? defaultFixture() : sandboxFixtureSchema.parse(opts.fixture));
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

  /** The data field of a successful answer, or a business error. */
  function business(
    inst: SandboxInstitution,
    method: Exclude<SandboxMethod, 'auth'>,
    body: Record<string, unknown>,
  ): { data?: Record<string, unknown>; statusCode?: string; statusDetail?: string } {
    const products = inst.seasons.flatMap((s) => s.products);
    const contingents = new Set(inst.contingentIds);
    const posCheck = () =>
      body.pointOfSalesId === inst.posConfig.posId
        ? undefined
        : { statusCode: 'error.pointofsales.notfound', statusDetail: `Point of sales ${String(body.pointOfSalesId)} unknown` };
    switch (method) {
      case 'getPOSConfig':
        return { data: { posConfigData: structuredClone(inst.posConfig) } };
      case 'getCatalogDetailed': {
        const seasons = inst.seasons
          .filter((s) => !body.seasonCode || s.code === body.seasonCode)
          .map((s) => ({
            id: s.id,
            code: s.code,
            products: s.products
              .filter((p) => LISTED_STATES.has(p.state) && (!body.productCode || p.code === body.productCode))
              .map((p) => ({
                id: p.id,
                code: p.code,
                state: p.state,
                productFamilyType: p.productFamilyType,
                externalName: { translations: p.names },
                // An extra field no client reads: clients must ignore it.
                sandboxNote: 'ignored by tolerant clients',
                ...(p.productFamilyType === 'SINGLE_ENTRY'
                  ? {
                      event: {
                        performances: p.performances
                          .filter((f) => LISTED_STATES.has(f.state))
                          .map((f) => ({ id: f.id, state: f.state, start: f.start })),
                      },
                    }
                  : {}),
              })),
          }));
        return { data: { catalogData: { seasons } } };
      }
      case 'getEventAvailability': {
        const err = posCheck();
        if (err) return err;
        const performances = new Map(products.flatMap((p) => p.performances).map((f) => [f.id, f]));
        const items: object[] = [];
        for (const pid of body.performanceIds as number[]) {
          const perf = performances.get(pid);
          if (!perf) continue;
          for (const cid of body.contingentIds as number[]) {
            if (!contingents.has(cid)) continue;
            const seats = perf.seats.find((s) => s.contingentId === cid)?.availableSeats ?? 0;
            items.push({ performanceId: pid, contingentId: cid, availableSeats: seats });
          }
        }
        return { data: { eventAvailabilityData: { eventAvailabilities: items } } };
      }
      case 'getProductAvailability': {
        const err = posCheck();
        if (err) return err;
        const items: object[] = [];
        for (const pid of body.productIds as number[]) {
          const product = products.find((p) => p.id === pid);
          if (!product) continue;
          for (const cid of body.contingentIds as number[]) {
            if (!contingents.has(cid)) continue;
            const qs = product.quantities.filter((q) => q.contingentId === cid);
            if (qs.length === 0) items.push({ productId: pid, contingentId: cid, availableQuantity: 0 });
            for (const q of qs) items.push({ productId: pid, contingentId: cid, date: q.date, availableQuantity: q.availableQuantity });
          }
        }
        return { data: { productAvailabilityData: { items } } };
      }
      case 'getContactData': {
        const c = inst.contacts.find((x) => x.contactNumber === body.contactNumber);
        if (!c) return { statusCode: 'error.contact.notfound', statusDetail: `Contact ${String(body.contactNumber)} not found` };
        return {
          data: {
            contactData: {
              contactId: c.contactId,
              contactNumber: c.contactNumber,
              individualContact: { firstName: c.firstName, lastName: c.lastName },
              financialData: { pendingAccountAuthorized: c.pendingAccountAuthorized },
            },
          },
        };
      }
    }
  }

  /** Puts a string where a number or boolean the client reads is expected. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- deliberate corruption of a shape built just above
  function breakTypes(method: SandboxMethod, answer: Record<string, any>): void {
    switch (method) {
      case 'getPOSConfig':
        answer.posConfigData.posId = String(answer.posConfigData.posId);
        break;
      case 'getCatalogDetailed': {
        const p = answer.catalogData.seasons[0]?.products[0];
        if (p) p.id = `id-${String(p.id)}`;
        else answer.catalogData.seasons = 'none';
        break;
      }
      case 'getEventAvailability': {
        const list = answer.eventAvailabilityData.eventAvailabilities;
        if (list[0]) list[0].availableSeats = 'many';
        else answer.eventAvailabilityData.eventAvailabilities = 'none';
        break;
      }
      case 'getProductAvailability': {
        const list = answer.productAvailabilityData.items;
        if (list[0]) list[0].availableQuantity = 'many';
        else answer.productAvailabilityData.items = 'none';
        break;
      }
      case 'getContactData':
        answer.contactData.financialData.pendingAccountAuthorized = 'yes';
        break;
      case 'auth':
        answer.token = 42;
        break;
    }
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
    if (method !== 'auth' && inst) {
      const r = business(inst, method, b);
      answer = r.data
        ? { requestId: call.requestId ?? null, statusCode: 'success', statusDetail: null, ...r.data }
        : { requestId: call.requestId ?? null, statusCode: r.statusCode, statusDetail: r.statusDetail ?? null };
      call.statusCode = answer.statusCode as string;
    }
    if (fault?.kind === 'wrongTypes' && (method === 'auth' || answer.statusCode === 'success')) breakTypes(method, answer);
    call.httpStatus = 200;
    sendJson(res, 200, answer);
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
