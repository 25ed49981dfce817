/**
 * The SecuTix client reading the published answer shapes (`secutix-api.md`): a contact's fields at
 * the root (a `contactData` wrapper as fallback), unpublished fields kept tolerantly, and the
 * once-per-method key-path log (never values). Real axios against a canned loopback server.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { createSecutixClient } from '../../../adapters/secutix/client';
import { type Answer, type Seen, cannedServer } from './canned-server';
import { DEFAULT_SECUTIX_ASSUMPTIONS } from '../../../src/app/secutix-assumptions';
import { pointOfSaleCheck } from '../../../src/app/verification-checks';

const creds = { institutionCode: 'ACME', channelCode: 'DGTK', password: 'S3cret-pw!' };
const ok = (data: Record<string, unknown>): Answer => ({
  body: { requestId: 'rq-1', statusCode: 'success', statusDetail: null, ...data },
});
const pos = {
  posId: 4242,
  posActivityState: 'RUNNING',
  salesChannelCode: 'DGTK',
  salesChannelActivityState: 'RUNNING',
  paymentMethods: [{ id: 5, code: 'ATTENTE', paymentType: 'PENDING_ACCOUNT', forPayment: true }],
};

/** pino writing JSON lines into `lines`. */
function captureLogger(level = 'info') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

describe('SecuTix answer shapes (canned loopback server)', () => {
  let srv: Awaited<ReturnType<typeof cannedServer>>;
  let next: (s: Seen) => Answer;
  beforeEach(async () => {
    next = () => ok({ posConfigData: pos });
    srv = await cannedServer((s) => next(s));
  });
  afterEach(() => srv.close());

  describe('getContactData', () => {
    it.each([
      [
        'root, individualContact names',
        {
          contactId: 9,
          contactNumber: '000123',
          individualContact: { firstName: 'Tech', lastName: 'Digitick' },
          financialData: { pendingAccountAuthorized: true },
        },
        { contactId: 9, contactNumber: '000123', firstName: 'Tech', lastName: 'Digitick', pendingAccountAuthorized: true },
      ],
      [
        'root, individualFirstname/individualLastname',
        {
          contactNumber: '000124',
          individualFirstname: 'Box',
          individualLastname: 'Office',
          financialData: { pendingAccountAuthorized: false },
        },
        { contactNumber: '000124', firstName: 'Box', lastName: 'Office', pendingAccountAuthorized: false },
      ],
      [
        'contactData wrapper (fallback), no flag',
        { contactData: { contactId: 3, contactNumber: 77, individualContact: { firstName: 'Wrapped' } } },
        { contactId: 3, contactNumber: '77', firstName: 'Wrapped', pendingAccountAuthorized: undefined },
      ],
      [
        'root without financialData: the flag is undefined, not false',
        { contactNumber: '000125', individualContact: { firstName: 7, lastName: 'Typed' } },
        { contactNumber: '000125', lastName: 'Typed', pendingAccountAuthorized: undefined },
      ],
    ])('reads %s', async (_name, data, expected) => {
      next = () => ok(data);
      const contact = await createSecutixClient({ baseUrl: srv.url }).getContactData(creds, '000123');
      expect(contact).toEqual(expected);
      expect(contact.pendingAccountAuthorized).toBe(expected.pendingAccountAuthorized);
      // The port's field is always there; undefined means SecuTix sent no flag.
      expect(contact).toHaveProperty('pendingAccountAuthorized');
    });

    it.each([
      [{ contactNumber: '1', financialData: { pendingAccountAuthorized: 'yes' } }, '"yes"'],
      [{ contactData: { contactNumber: '1', financialData: { pendingAccountAuthorized: 1 } } }, '1'],
    ])('a flag that is not a JSON boolean is kept as seen (the check asks to confirm it): %j', async (data, seen) => {
      next = () => ok(data);
      const contact = await createSecutixClient({ baseUrl: srv.url }).getContactData(creds, '1');
      expect(contact).toEqual({ contactNumber: '1', pendingAccountAuthorized: undefined, pendingAccountAuthorizedSeen: seen });
    });

    it.each([
      ['contactData.contactNumber', { contactData: { contactNumber: { n: 1 } } }],
      ['contactNumber', { contactId: 1 }],
    ])('a wrong published field is a protocol error naming %s', async (field, data) => {
      next = () => ok(data);
      const err = await createSecutixClient({ baseUrl: srv.url })
        .getContactData(creds, '1')
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'protocol', method: 'getContactData', extra: { field } });
    });
  });

  it('getPOSConfig: externalName, virtualOperatorName and hub.pointsOfSales, each tolerant of other types', async () => {
    next = () =>
      ok({
        posConfigData: {
          ...pos,
          virtualOperatorName: 'ACME_DGTK',
          paymentMethods: [
            { id: 8, code: 'DIFFERE', externalName: 'Compte différé', paymentType: 'ACCOUNT_DEFERRED', forPayment: true, rank: 1 },
            { id: 9, code: 'TRAD', externalName: { translations: [{ locale: 'fr', value: 'Traduit' }] }, paymentType: 'X' },
            { code: 'ODD', externalName: 42, paymentType: 'Y' },
          ],
          hub: {
            pointsOfSales: [
              { id: 4242, code: 'DGTKPOS', running: true, internetUrl: null, rank: 1 },
              { id: 'x', code: 5, running: 'yes' },
              'not an object',
              { id: 1, running: 'false' },
              { id: 2, running: ' TRUE ' },
              { id: 3, running: 0 },
            ],
          },
        },
      });
    const p = await createSecutixClient({ baseUrl: srv.url }).getPOSConfig(creds);
    expect(p.virtualOperatorName).toBe('ACME_DGTK');
    expect(p.paymentMethods).toEqual([
      { id: 8, code: 'DIFFERE', externalName: 'Compte différé', paymentType: 'ACCOUNT_DEFERRED', forPayment: true },
      { id: 9, code: 'TRAD', externalName: 'Traduit', paymentType: 'X' },
      { code: 'ODD', paymentType: 'Y' },
    ]);
    expect(p.pointsOfSales).toEqual([
      { id: 4242, code: 'DGTKPOS', running: true },
      { runningSeen: '"yes"' },
      {},
      // Only a JSON boolean is read: the strings "false" / "true" and any other value are kept as seen (to confirm).
      { id: 1, runningSeen: '"false"' },
      { id: 2, runningSeen: '" TRUE "' },
      { id: 3, runningSeen: '0' },
    ]);
  });

  it.each([
    ['the string "false"', 'false', '"false"'],
    ['the string "true"', 'true', '"true"'],
    ['a number', 0, '0'],
    ['an object', { state: 'STOPPED' }, '{"state":"STOPPED"}'],
  ])('hub running as %s: the point-of-sale check is to confirm naming the value, never failed', async (_label, running, seen) => {
    next = () => ok({ posConfigData: { ...pos, posCode: 'DGTKPOS', hub: { pointsOfSales: [{ id: 4242, code: 'DGTKPOS', running }] } } });
    const p = await createSecutixClient({ baseUrl: srv.url }).getPOSConfig(creds);
    const check = pointOfSaleCheck(p, DEFAULT_SECUTIX_ASSUMPTIONS);
    expect(check).toEqual({
      id: 'point_of_sale',
      outcome: 'to_confirm',
      reason: { code: 'pos_running_unknown', params: { posCode: 'DGTKPOS', value: seen } },
    });
  });

  it('hub running as the boolean false: the point-of-sale check fails', async () => {
    next = () =>
      ok({ posConfigData: { ...pos, posCode: 'DGTKPOS', hub: { pointsOfSales: [{ id: 4242, code: 'DGTKPOS', running: false }] } } });
    const p = await createSecutixClient({ baseUrl: srv.url }).getPOSConfig(creds);
    expect(pointOfSaleCheck(p, DEFAULT_SECUTIX_ASSUMPTIONS)).toMatchObject({ outcome: 'failed', reason: { code: 'pos_stopped_in_hub' } });
  });

  it('getPOSConfig without hub: no pointsOfSales at all (not an empty list)', async () => {
    const p = await createSecutixClient({ baseUrl: srv.url }).getPOSConfig(creds);
    expect(p).not.toHaveProperty('pointsOfSales');
  });

  it('availability: items missing fields or carrying other types are kept without them', async () => {
    next = (s) =>
      s.path.endsWith('getEventAvailability')
        ? ok({
            eventAvailabilityData: {
              eventAvailabilities: [
                { performanceId: 1001, contingentId: 11, availableSeats: 120 },
                { performanceId: 1002, contingentId: 11 },
                { performanceId: '1003', contingentId: 11, availableSeats: 'many', seatsLeft: 4 },
                7,
              ],
            },
          })
        : ok({ productAvailabilityData: { items: [{ productId: 201, date: '2027-01-15' }, { availableQuantity: 3 }] } });
    const c = createSecutixClient({ baseUrl: srv.url });
    await expect(c.getEventAvailability(creds, { pointOfSalesId: 1, performanceIds: [1001], contingentIds: [11] })).resolves.toEqual([
      { performanceId: 1001, contingentId: 11, availableSeats: 120 },
      { performanceId: 1002, contingentId: 11 },
      { contingentId: 11, unread: ['performanceId = "1003"', 'availableSeats = "many"'] },
      {},
    ]);
    await expect(c.getProductAvailability(creds, { pointOfSalesId: 1, productIds: [201], contingentIds: [11] })).resolves.toEqual([
      { productId: 201, date: '2027-01-15' },
      { availableQuantity: 3 },
    ]);
  });

  it.each([
    ['getEventAvailability', 'eventAvailabilityData.eventAvailabilities', { eventAvailabilityData: { eventAvailabilities: 'none' } }],
    ['getEventAvailability', 'eventAvailabilityData', {}],
    ['getProductAvailability', 'productAvailabilityData.items', { productAvailabilityData: { items: { a: 1 } } }],
  ] as const)('%s: a wrong wrapper is a protocol error naming %s', async (method, field, data) => {
    next = () => ok(data);
    const c = createSecutixClient({ baseUrl: srv.url });
    const err = await (
      method === 'getEventAvailability'
        ? c.getEventAvailability(creds, { pointOfSalesId: 1, performanceIds: [1], contingentIds: [1] })
        : c.getProductAvailability(creds, { pointOfSalesId: 1, productIds: [1], contingentIds: [1] })
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'protocol', method, extra: { field } });
  });

  it('logs the key paths of each answer once per method, never a value', async () => {
    const secretish = {
      posConfigData: {
        ...pos,
        posCode: 'VALUE-POS-CODE',
        virtualOperatorName: 'VALUE-OPERATOR',
        paymentMethods: [{ id: 5, code: 'VALUE-PM-CODE', externalName: 'VALUE-PM-NAME', paymentType: 'VALUE-PM-TYPE' }],
        hub: { pointsOfSales: [] },
        byId: { '4242': { note: 'VALUE-NOTE' } },
      },
    };
    next = (s) =>
      s.path.endsWith('getContactData')
        ? ok({
            contactNumber: 'VALUE-CONTACT',
            individualContact: { firstName: 'VALUE-FIRST' },
            financialData: { pendingAccountAuthorized: true },
          })
        : ok(secretish);
    const { logger, lines } = captureLogger('info');
    const c = createSecutixClient({ baseUrl: srv.url, logger });
    await c.getPOSConfig(creds);
    await c.getPOSConfig(creds);
    await c.getContactData(creds, 'VALUE-ASKED');
    const shapes = lines.map((l) => JSON.parse(l) as { msg: string; method: string; keyPaths: string[] }).filter((l) => l.keyPaths);
    expect(shapes.map((l) => l.method)).toEqual(['getPOSConfig', 'getContactData']);
    expect(shapes[0].keyPaths).toEqual(
      expect.arrayContaining([
        'posConfigData.posId',
        'posConfigData.paymentMethods[].paymentType',
        'posConfigData.paymentMethods[].externalName',
        'posConfigData.hub.pointsOfSales[]',
        'posConfigData.byId.*.note',
      ]),
    );
    expect(shapes[1].keyPaths).toEqual(['contactNumber', 'individualContact.firstName', 'financialData.pendingAccountAuthorized']);
    const all = lines.join('');
    expect(all).not.toMatch(/VALUE-|4242|S3cret/);
  });

  it('bounds the key paths of a huge answer (at most 200, marked truncated)', async () => {
    const wide = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`field${i}`, i]));
    next = () => ok({ posConfigData: { ...pos, ...wide } });
    const { logger, lines } = captureLogger('info');
    await createSecutixClient({ baseUrl: srv.url, logger }).getPOSConfig(creds);
    const shape = lines.map((l) => JSON.parse(l) as { keyPaths?: string[]; truncated?: boolean }).find((l) => l.keyPaths);
    expect(shape?.keyPaths).toHaveLength(200);
    expect(shape?.truncated).toBe(true);
  });

  it('a refused credentials call logs its HTTP status and content type, not its body', async () => {
    next = () => ({ status: 401, body: '<html>VALUE-LOGIN-PAGE</html>', headers: { 'Content-Type': 'text/html; charset=utf-8' } });
    const { logger, lines } = captureLogger('info');
    const err = await createSecutixClient({ baseUrl: srv.url, logger })
      .getPOSConfig(creds)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'credentials', extra: { httpStatus: 401 } });
    const refused = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'secutix call refused');
    expect(refused).toMatchObject({ level: 30, method: 'getPOSConfig', httpStatus: 401, contentType: 'text/html; charset=utf-8' });
    expect(lines.join('')).not.toMatch(/VALUE-|S3cret|Bearer/);
  });
});
