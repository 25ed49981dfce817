/** The SecuTix client against the sandbox over loopback HTTP. */
import { createSandbox, demoHints, type Sandbox } from '../../../adapters/sandbox';
import { createSecutixClient, type SecutixClientConfig } from '../../../adapters/secutix';
import { SecutixError } from '../../../src/ports/secutix.port';

const demo = demoHints();
const creds = { institutionCode: demo.institutionCode, channelCode: demo.channelCode, password: demo.password };

describe('SecuTix client against the sandbox', () => {
  let sandbox: Sandbox;
  let url: string;
  let waits: number[];
  const client = (extra: Partial<SecutixClientConfig> = {}) =>
    createSecutixClient({ baseUrl: url, sleep: async (ms) => void waits.push(ms), ...extra });

  beforeAll(async () => {
    sandbox = createSandbox({ admin: true });
    ({ url } = await sandbox.listen(0));
  });
  afterAll(() => sandbox.close());
  beforeEach(() => {
    sandbox.state.reset();
    waits = [];
  });

  it('reads DEMO posConfig with the signed token', async () => {
    const pos = await client().getPOSConfig(creds);
    expect(pos).toMatchObject({ posId: 4242, salesChannelCode: 'DGTK', salesChannelActivityState: 'RUNNING' });
  });

  it('wrong password: credentials error, never retried (one call)', async () => {
    const err = await client()
      .getPOSConfig({ ...creds, password: 'wrong' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SecutixError);
    expect(err).toMatchObject({ kind: 'credentials', method: 'getPOSConfig', extra: { httpStatus: 401 } });
    expect(sandbox.state.callCount('getPOSConfig')).toBe(1);
    expect(waits).toEqual([]);
  });

  it('unknown institution: credentials error', async () => {
    const err = await client()
      .getPOSConfig({ ...creds, institutionCode: 'NOPE' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'credentials' });
  });

  it('expired token (client clock 2 minutes late): credentials error', async () => {
    const err = await client({ now: () => Date.now() - 120_000 })
      .getPOSConfig(creds)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'credentials' });
  });

  it('509 with Retry-After then success: waits exactly Retry-After', async () => {
    sandbox.state.setFaults([{ method: 'getPOSConfig', status: { code: 509, count: 1, retryAfterSeconds: 2 } }]);
    const pos = await client().getPOSConfig(creds);
    expect(pos.posId).toBe(4242);
    expect(waits).toEqual([2000]);
    expect(sandbox.state.callCount('getPOSConfig')).toBe(2);
  });

  it('503 twice then success: two backoffs', async () => {
    sandbox.state.setFaults([{ status: { code: 503, count: 2 } }]);
    await expect(client({ maxRetries: 3 }).getContactData(creds, '000123')).resolves.toMatchObject({ pendingAccountAuthorized: true });
    expect(waits).toHaveLength(2);
    expect(sandbox.state.callCount('getContactData')).toBe(3);
  });

  it('503 beyond the retries: unavailable after maxRetries + 1 calls', async () => {
    sandbox.state.setFaults([{ status: { code: 503, count: 10 } }]);
    const err = await client({ maxRetries: 2 })
      .getPOSConfig(creds)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unavailable', extra: { attempts: 3 } });
    expect(sandbox.state.callCount('getPOSConfig')).toBe(3);
  });

  it('in_progress once, then success when polled with the returned requestId', async () => {
    sandbox.state.setFaults([{ method: 'getCatalogDetailed', inProgress: 1 }]);
    const products = await client().getCatalogDetailed(creds);
    expect(products.map((p) => p.code)).toContain('CONC01');
    const calls = sandbox.state.log.filter((c) => c.method === 'getCatalogDetailed');
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ statusCode: 'in_progress' });
    expect(calls[1]).toMatchObject({ statusCode: 'success', requestId: `sbx-${calls[0].seq}` });
    expect(waits).toHaveLength(1);
  });

  it('malformed JSON: protocol error', async () => {
    sandbox.state.setFaults([{ malformedJson: 1 }]);
    const err = await client()
      .getPOSConfig(creds)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'protocol', extra: { field: '(body)' } });
  });

  it.each([
    ['getPOSConfig', 'posConfigData.posId'],
    // Published shape: the contact's fields sit at the JSON root.
    ['getContactData', 'contactNumber'],
    // Item fields are unpublished (kept whatever they hold): the sandbox breaks the confirmed wrapper.
    ['getEventAvailability', 'eventAvailabilityData.eventAvailabilities'],
  ] as const)('wrong types in %s: protocol error naming %s', async (method, field) => {
    sandbox.state.setFaults([{ method, wrongTypes: 1 }]);
    const c = client();
    const call =
      method === 'getPOSConfig'
        ? c.getPOSConfig(creds)
        : method === 'getContactData'
          ? c.getContactData(creds, '000123')
          : c.getEventAvailability(creds, { pointOfSalesId: 4242, performanceIds: [1001], contingentIds: [11] });
    const err = await call.catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'protocol', method, extra: { field } });
  });

  it('hang: times out (timeoutMs 200) and fails unavailable after the bounded retries', async () => {
    sandbox.state.setFaults([{ hang: 5 }]);
    const started = Date.now();
    const err = await client({ timeoutMs: 200, maxRetries: 1 })
      .getPOSConfig(creds)
      .catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err).toMatchObject({ kind: 'unavailable', extra: { attempts: 2 } });
    expect(sandbox.state.callCount('getPOSConfig')).toBe(2);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('availability: batched ids, answered for the run contingents', async () => {
    const items = await client().getEventAvailability(creds, {
      pointOfSalesId: 4242,
      performanceIds: [1001, 1004],
      contingentIds: [11, 12],
    });
    expect(items).toContainEqual({ performanceId: 1001, contingentId: 11, availableSeats: 120 });
    expect(items.filter((i) => i.performanceId === 1004).every((i) => i.availableSeats === 0)).toBe(true);
    const passes = await client().getProductAvailability(creds, { pointOfSalesId: 4242, productIds: [201], contingentIds: [11] });
    expect(passes).toEqual([{ productId: 201, contingentId: 11, date: '2027-01-15', availableQuantity: 40 }]);
  });

  it('unknown contact: business error.contact.notfound', async () => {
    const err = await client()
      .getContactData(creds, '999999')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'business', extra: { statusCode: 'error.contact.notfound' } });
  });

  describe('exchange auth', () => {
    it('obtains a token once and reuses it for the operator', async () => {
      const c = client({ auth: 'exchange' });
      await c.getPOSConfig(creds);
      await Promise.all([c.getCatalogDetailed(creds), c.getContactData(creds, '000123')]);
      expect(sandbox.state.callCount('auth')).toBe(1);
      expect(sandbox.state.callCount('getPOSConfig')).toBe(1);
    });

    it('exchanges again shortly before exp', async () => {
      let offset = 0;
      const c = client({ auth: 'exchange', now: () => Date.now() + offset });
      await c.getPOSConfig(creds);
      offset = 299_000; // sandbox tokens live 300 s; within the refresh margin now
      await c.getPOSConfig(creds).catch(() => undefined);
      expect(sandbox.state.callCount('auth')).toBe(2);
    });

    it('never reuses a cached token for another password', async () => {
      const c = client({ auth: 'exchange' });
      await c.getPOSConfig(creds);
      const err = await c.getPOSConfig({ ...creds, password: 'wrong' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'credentials', method: 'auth' });
      expect(sandbox.state.callCount('auth')).toBe(2);
    });

    it('wrong secret: credentials error, one exchange call', async () => {
      const err = await client({ auth: 'exchange' })
        .getPOSConfig({ ...creds, password: 'nope' })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ kind: 'credentials', method: 'auth', extra: { httpStatus: 401 } });
      expect(sandbox.state.callCount('auth')).toBe(1);
      expect(sandbox.state.callCount('getPOSConfig')).toBe(0);
    });
  });
});
