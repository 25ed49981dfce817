import { Writable } from 'node:stream';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import pino from 'pino';
import { createSecutixClient } from '../../../adapters/secutix/client';
import { SecutixError } from '../../../src/ports/secutix.port';
import { secutixFailureReason } from '../../../src/app/verification-reasons';
import { Renderer } from '../../../src/messages/renderer';
import { loadTemplates } from '../../../adapters/templates-loader';
import { type Answer, type Seen, cannedServer } from './canned-server';

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
      // Published shape: a ContactDataResult's fields at the JSON root.
      return ok({
        contactId: 9,
        contactNumber: '000123',
        individualContact: { firstName: 'Tech', lastName: 'Digitick' },
        financialData: { pendingAccountAuthorized: true },
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
    ['posConfigData.paymentMethods', { posConfigData: { ...pos, paymentMethods: 'none' } }],
    ['posConfigData', {}],
  ])('a wrong type is a protocol error naming %s', async (field, data) => {
    next = () => ok(data);
    const client = createSecutixClient({ baseUrl: srv.url });
    const err = await client.getPOSConfig(creds).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecutixError);
    expect(err).toMatchObject({ kind: 'protocol', method: 'getPOSConfig', extra: { field } });
  });

  it('a 200 text/html answer (a captive portal) is said to be not SecuTix\'s API: status, content type and address, never "did not answer in time"', async () => {
    next = () => ({ body: '<html><body>Captive portal</body></html>', headers: { 'Content-Type': 'text/html; charset=utf-8' } });
    const err = await createSecutixClient({ baseUrl: srv.url, sleep: async () => undefined })
      .getPOSConfig(creds)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'protocol', extra: { httpStatus: 200, contentType: 'text/html' } });
    const reason = secutixFailureReason(err, 'getPOSConfig');
    expect(reason.code).toBe('secutix_not_api');
    const text = new Renderer(loadTemplates()).t('en', `check.reason.${reason.code}`, reason.params);
    expect(text).toMatch(new RegExp(`SecuTix answered with something that is not its API \\(HTTP 200, text/html from ${srv.url}/\\S+\\)`));
    expect(srv.seen).toHaveLength(1);
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

  it('gives up in_progress once the extraction timeout has passed (unavailable), polling every interval with the requestId', async () => {
    next = () => ({ body: { requestId: 'rq-7', statusCode: 'in_progress', statusDetail: null } });
    let nowMs = 1_800_000_000_000;
    const waits: number[] = [];
    const client = createSecutixClient({
      baseUrl: srv.url,
      pollIntervalMs: 5_000,
      extractionTimeoutMs: 15_000,
      now: () => nowMs,
      sleep: async (ms) => {
        waits.push(ms);
        nowMs += ms;
      },
    });
    const err = await client.getCatalogDetailed(creds).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unavailable', method: 'getCatalogDetailed', extra: { statusCode: 'in_progress', attempts: 4 } });
    // Requests at 0, 5, 10 and 15 s: the last one, at the limit, still in progress.
    expect(srv.seen).toHaveLength(4);
    expect(waits).toEqual([5_000, 5_000, 5_000]);
    expect(srv.seen[0].body).toEqual({});
    expect(srv.seen[3].body).toEqual({ requestId: 'rq-7' });
  });

  it('in_progress without a requestId: re-sends the same body; the last wait is cut to the time left', async () => {
    let answered = 0;
    next = () => (++answered < 4 ? { body: { statusCode: 'in_progress' } } : ok({ catalogData: { seasons: [] } }));
    let nowMs = 1_800_000_000_000;
    const waits: number[] = [];
    const client = createSecutixClient({
      baseUrl: srv.url,
      pollIntervalMs: 4_000,
      extractionTimeoutMs: 10_000,
      now: () => nowMs,
      sleep: async (ms) => {
        waits.push(ms);
        nowMs += ms;
      },
    });
    await expect(client.getCatalogDetailed(creds, { productCode: 'CONC01' })).resolves.toEqual([]);
    expect(waits).toEqual([4_000, 4_000, 2_000]);
    expect(srv.seen.map((x) => x.body)).toEqual(Array(4).fill({ productCode: 'CONC01' }));
  });

  /** A client whose waits advance its own clock (no real waiting). */
  const clockedClient = (extra: Parameters<typeof createSecutixClient>[0] = {}) => {
    let nowMs = 1_800_000_000_000;
    const waits: number[] = [];
    const client = createSecutixClient({
      baseUrl: srv.url,
      pollIntervalMs: 1_000,
      backoffBaseMs: 100,
      random: () => 0,
      now: () => nowMs,
      sleep: async (ms) => {
        waits.push(ms);
        nowMs += ms;
      },
      ...extra,
    });
    return { client, waits };
  };

  it('polls do not use the retry budget: each poll has its own retries', async () => {
    const script = ['progress', 503, 'progress', 503, 'progress', 'success'];
    let n = 0;
    next = () => {
      const step = script[n++];
      if (step === 503) return { status: 503, body: 'down' };
      return step === 'progress' ? { body: { statusCode: 'in_progress' } } : ok({ catalogData: { seasons: [] } });
    };
    const { client, waits } = clockedClient({ maxRetries: 1 });
    await expect(client.getCatalogDetailed(creds)).resolves.toEqual([]);
    expect(srv.seen).toHaveLength(6);
    // poll, backoff, poll, backoff, poll: two 503s each retried once although the budget is one retry.
    expect(waits).toEqual([1_000, 100, 1_000, 100, 1_000]);
  });

  it('polls go through the rate limiter (they wait for a slot, never fail for it)', async () => {
    let n = 0;
    next = () => (++n < 4 ? { body: { statusCode: 'in_progress' } } : ok({ catalogData: { seasons: [] } }));
    const { client, waits } = clockedClient({ rateLimitPerMinute: 2 });
    await expect(client.getCatalogDetailed(creds)).resolves.toEqual([]);
    expect(srv.seen).toHaveLength(4);
    // Third request at 2 s: two calls already in the minute, so it waits until 60 s.
    expect(waits).toEqual([1_000, 1_000, 58_000, 1_000]);
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
