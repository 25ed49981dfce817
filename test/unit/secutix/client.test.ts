import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import pino from 'pino';
import { createSecutixClient } from '../../../adapters/secutix/client';
import { SecutixError } from '../../../src/ports/secutix.port';

/** What the canned server saw of one request. */
interface Seen {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}
type Answer = { status?: number; body: unknown; headers?: Record<string, string> };

/** A loopback server answering each request with `answer(seen)`; records every request. */
async function cannedServer(answer: (s: Seen) => Answer) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const s: Seen = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined };
      seen.push(s);
      const a = answer(s);
      const payload = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
      res.writeHead(a.status ?? 200, { 'Content-Type': 'application/json', ...(a.headers ?? {}) });
      res.end(payload);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const creds = { institutionCode: 'ACME', channelCode: 'DGTK', password: 'p@ss-w0rd-é' };
const ok = (data: Record<string, unknown>) => ({ body: { requestId: null, statusCode: 'success', statusDetail: null, ...data } });
const pos = {
  posId: 4242,
  posCode: 'DGTKPOS',
  posActivityState: 'RUNNING',
  salesChannelCode: 'DGTK',
  salesChannelActivityState: 'RUNNING',
  paymentMethods: [{ id: 5, code: 'ATTENTE', paymentType: 'PENDING_ACCOUNT', forPayment: true }],
};

describe('SecutixHttpClient (against a canned loopback server)', () => {
  let srv: Awaited<ReturnType<typeof cannedServer>>;
  let next: (s: Seen) => Answer;
  beforeEach(async () => {
    next = () => ok({ posConfigData: pos });
    srv = await cannedServer((s) => next(s));
  });
  afterEach(() => srv.close());

  it('POSTs {} to the method URL with a fresh HS256 token: sub, aud, iss, exp = iat + 30', async () => {
    let nowMs = 1_800_000_000_000;
    const client = createSecutixClient({ baseUrl: srv.url, partner: 'Test partner', now: () => nowMs });
    await client.getPOSConfig(creds);
    nowMs += 5_000;
    await client.getPOSConfig(creds);

    expect(srv.seen).toHaveLength(2);
    const [first, second] = srv.seen;
    expect(first.method).toBe('POST');
    expect(first.path).toBe('/tnseb/backend-apis/catalogService/v1_33/getPOSConfig');
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    expect(first.body).toEqual({});
    const token = String(first.headers.authorization).replace(/^Bearer /, '');
    expect(decodeProtectedHeader(token).alg).toBe('HS256');
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub: 'ACME', aud: 'ACME_DGTK', iss: 'Test partner', iat: 1_800_000_000 });
    expect((claims.exp as number) - (claims.iat as number)).toBe(30);
    // Signed with the password as UTF-8 key.
    await expect(jwtVerify(token, new TextEncoder().encode(creds.password), { currentDate: new Date(nowMs) })).resolves.toBeDefined();
    const token2 = String(second.headers.authorization).replace(/^Bearer /, '');
    expect(token2).not.toBe(token);
    expect(decodeJwt(token2).iat).toBe(1_800_000_005);
  });

  it('upper-cases the institution in sub and aud', async () => {
    const client = createSecutixClient({ baseUrl: srv.url });
    await client.getPOSConfig({ institutionCode: 'acme', channelCode: 'dgtk', password: 'x' });
    expect(decodeJwt(String(srv.seen[0].headers.authorization).slice(7))).toMatchObject({ sub: 'ACME', aud: 'ACME_DGTK' });
  });

  it('ignores unknown fields and keeps unknown enum values as strings', async () => {
    next = (s) =>
      s.path.endsWith('getPOSConfig')
        ? ok({
            posConfigData: {
              ...pos,
              posActivityState: 'HIBERNATING',
              brandNewField: { a: 1 },
              paymentMethods: [{ paymentType: 'CRYPTO', extra: 1 }],
            },
            unknownTopLevel: true,
          })
        : ok({
            catalogData: {
              seasons: [
                {
                  id: 1,
                  novelty: 'x',
                  products: [
                    {
                      id: 9,
                      code: 'NEW',
                      state: 'ARCHIVED_V2',
                      productFamilyType: 'TIME_SLOT',
                      externalName: { translations: [] },
                      whatever: [1],
                    },
                  ],
                },
              ],
            },
          });
    const client = createSecutixClient({ baseUrl: srv.url });
    const p = await client.getPOSConfig(creds);
    expect(p.posActivityState).toBe('HIBERNATING');
    expect(p.paymentMethods).toEqual([{ paymentType: 'CRYPTO' }]);
    expect(p).not.toHaveProperty('brandNewField');
    const products = await client.getCatalogDetailed(creds);
    expect(products).toEqual([{ id: 9, code: 'NEW', state: 'ARCHIVED_V2', productFamilyType: 'TIME_SLOT', names: [], performances: [] }]);
  });

  it('maps names, performances and contact fields to the port types', async () => {
    next = (s) => {
      if (s.path.endsWith('getCatalogDetailed')) {
        return ok({
          catalogData: {
            seasons: [
              {
                products: [
                  {
                    id: 101,
                    code: 'CONC01',
                    state: 'RUNNING',
                    productFamilyType: 'SINGLE_ENTRY',
                    externalName: { translations: [{ locale: 'fr', value: 'Concert' }] },
                    event: { performances: [{ id: 1001, state: 'RUNNING', start: '2026-12-31T20:00:00+01:00' }] },
                  },
                ],
              },
            ],
          },
        });
      }
      return ok({
        contactData: {
          contactId: 9,
          contactNumber: '000123',
          individualContact: { firstName: 'Tech', lastName: 'Digitick' },
          financialData: { pendingAccountAuthorized: true },
        },
      });
    };
    const client = createSecutixClient({ baseUrl: srv.url });
    expect(await client.getCatalogDetailed(creds)).toEqual([
      {
        id: 101,
        code: 'CONC01',
        state: 'RUNNING',
        productFamilyType: 'SINGLE_ENTRY',
        names: [{ locale: 'fr', value: 'Concert' }],
        performances: [{ id: 1001, state: 'RUNNING', start: '2026-12-31T20:00:00+01:00' }],
      },
    ]);
    expect(await client.getContactData(creds, '000123')).toEqual({
      contactId: 9,
      contactNumber: '000123',
      firstName: 'Tech',
      lastName: 'Digitick',
      pendingAccountAuthorized: true,
    });
    expect(srv.seen[1].body).toEqual({ contactNumber: '000123', details: ['GENERAL', 'FINANCIAL'] });
  });

  it.each([
    ['posConfigData.posId', { posConfigData: { ...pos, posId: '4242' } }],
    ['posConfigData.paymentMethods[0].paymentType', { posConfigData: { ...pos, paymentMethods: [{ paymentType: 7 }] } }],
    ['posConfigData', {}],
  ])('a wrong type is a protocol error naming %s', async (field, data) => {
    next = () => ok(data);
    const client = createSecutixClient({ baseUrl: srv.url });
    const err = await client.getPOSConfig(creds).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecutixError);
    expect(err).toMatchObject({ kind: 'protocol', method: 'getPOSConfig', extra: { field } });
  });

  it('a missing statusCode is a protocol error naming statusCode', async () => {
    next = () => ({ body: { posConfigData: pos } });
    const err = await createSecutixClient({ baseUrl: srv.url })
      .getPOSConfig(creds)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'protocol', extra: { field: 'statusCode' } });
  });

  it('another statusCode is a business error with statusCode and statusDetail', async () => {
    next = () => ({ body: { requestId: 'r1', statusCode: 'error.contact.notfound', statusDetail: 'Contact 42 not found' } });
    const err = await createSecutixClient({ baseUrl: srv.url })
      .getContactData(creds, '42')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      kind: 'business',
      method: 'getContactData',
      extra: { statusCode: 'error.contact.notfound', statusDetail: 'Contact 42 not found' },
    });
  });

  it('does not wait a Retry-After above 30 s: unavailable at once', async () => {
    next = () => ({ status: 509, body: {}, headers: { 'Retry-After': '120' } });
    const waits: number[] = [];
    const client = createSecutixClient({ baseUrl: srv.url, sleep: async (ms) => void waits.push(ms) });
    const err = await client.getPOSConfig(creds).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unavailable', extra: { httpStatus: 509 } });
    expect(srv.seen).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it('retries 503 a bounded number of times with growing backoff, then unavailable', async () => {
    next = () => ({ status: 503, body: 'down' });
    const waits: number[] = [];
    const client = createSecutixClient({
      baseUrl: srv.url,
      maxRetries: 2,
      backoffBaseMs: 100,
      random: () => 0.5,
      sleep: async (ms) => void waits.push(ms),
    });
    const err = await client.getPOSConfig(creds).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unavailable', extra: { httpStatus: 503, attempts: 3 } });
    expect(srv.seen).toHaveLength(3);
    expect(waits).toEqual([150, 300]);
  });

  it('a 404 is a protocol error, not retried', async () => {
    next = () => ({ status: 404, body: { error: 'no' } });
    const err = await createSecutixClient({ baseUrl: srv.url, sleep: async () => undefined })
      .getPOSConfig(creds)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'protocol', extra: { httpStatus: 404 } });
    expect(srv.seen).toHaveLength(1);
  });

  it('gives up in_progress after the bounded number of polls (unavailable), polling with the requestId', async () => {
    next = () => ({ body: { requestId: 'rq-7', statusCode: 'in_progress', statusDetail: null } });
    const client = createSecutixClient({ baseUrl: srv.url, maxInProgressPolls: 3, sleep: async () => undefined });
    const err = await client.getCatalogDetailed(creds).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unavailable', method: 'getCatalogDetailed', extra: { statusCode: 'in_progress' } });
    expect(srv.seen).toHaveLength(4);
    expect(srv.seen[0].body).toEqual({});
    expect(srv.seen[3].body).toEqual({ requestId: 'rq-7' });
  });

  it('waits (does not fail) when the per-institution-and-method rate limit is reached', async () => {
    let nowMs = 1_800_000_000_000;
    const waits: number[] = [];
    const client = createSecutixClient({
      baseUrl: srv.url,
      rateLimitPerMinute: 2,
      now: () => nowMs,
      sleep: async (ms) => {
        waits.push(ms);
        nowMs += ms;
      },
    });
    await client.getPOSConfig(creds);
    await client.getPOSConfig(creds);
    await client.getPOSConfig({ ...creds, institutionCode: 'OTHER' });
    expect(waits).toEqual([]);
    await client.getPOSConfig(creds);
    expect(waits).toEqual([60_000]);
    expect(srv.seen).toHaveLength(4);
  });

  it('logs method, duration, statusCode and attempt, never the token or the password', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const logger = pino({ level: 'debug' }, sink);
    next = (s) => (s.path.endsWith('getContactData') ? { status: 401, body: {} } : ok({ posConfigData: pos }));
    const client = createSecutixClient({ baseUrl: srv.url, logger });
    await client.getPOSConfig(creds);
    await client.getContactData(creds, '1').catch(() => undefined);
    const all = lines.join('');
    const token = String(srv.seen[0].headers.authorization).slice(7);
    expect(all).toContain('"method":"getPOSConfig"');
    expect(all).toContain('"statusCode":"success"');
    expect(all).toContain('"attempt":1');
    expect(all).toMatch(/"durationMs":\d+/);
    expect(all).toContain('"httpStatus":401');
    expect(all).not.toContain(creds.password);
    expect(all).not.toContain(token);
    expect(all).not.toMatch(/bearer|authorization/i);
  });
});
