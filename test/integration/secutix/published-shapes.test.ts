/**
 * The SecuTix client against the sandbox over loopback HTTP, in the shapes SecuTix publishes:
 * a contact at the JSON root, a catalog extracted asynchronously (`in_progress` without a
 * `requestId`), a catalog call's own timeout, the extra `getPOSConfig` fields, the demo
 * institutions UNLISTED (unknown values) and BIGCAT (about 10 MB of catalog).
 */
import { createSandbox, sandboxHints, type Sandbox } from '../../../adapters/sandbox';
import { createSecutixClient, type SecutixClientConfig } from '../../../adapters/secutix';
import type { SecutixCredentials } from '../../../src/ports/secutix.port';

const credsOf = (code: string): SecutixCredentials => {
  const h = sandboxHints(code);
  return { institutionCode: h.institutionCode, channelCode: h.channelCode, password: h.password };
};
const DEMO = credsOf('DEMO');

describe('SecuTix client against the sandbox: published shapes', () => {
  let sandbox: Sandbox;
  let url: string;
  const client = (extra: Partial<SecutixClientConfig> = {}) => createSecutixClient({ baseUrl: url, backoffBaseMs: 5, ...extra });
  const catalogCalls = () => sandbox.state.log.filter((c) => c.method === 'getCatalogDetailed');

  beforeAll(async () => {
    sandbox = createSandbox({ admin: true });
    ({ url } = await sandbox.listen(0));
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.state.reset());

  it('reads the flat contact (root fields, individualContact names)', async () => {
    await expect(client().getContactData(DEMO, '000123')).resolves.toEqual({
      contactId: 9,
      contactNumber: '000123',
      firstName: 'Tech',
      lastName: 'Digitick',
      pendingAccountAuthorized: true,
    });
  });

  it('catalog extracted asynchronously: in_progress without requestId, same body re-sent, then success; onWaiting hears each wait', async () => {
    sandbox.state.setExtractionMs(150, 'DEMO');
    const waits: { waitedMs: number; polls: number }[] = [];
    const products = await client({ pollIntervalMs: 20 }).getCatalogDetailed(DEMO, {
      seasonCode: 'S26',
      onWaiting: (w) => void waits.push(w),
    });
    expect(products.map((p) => p.code)).toContain('CONC01');
    const calls = catalogCalls();
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.slice(0, -1).every((c) => c.statusCode === 'in_progress' && c.requestId === undefined)).toBe(true);
    expect(calls.at(-1)).toMatchObject({ statusCode: 'success' });
    // One notice per in_progress answer, counting up, each having waited longer than the one before.
    expect(waits.map((w) => w.polls)).toEqual(calls.slice(0, -1).map((_, i) => i + 1));
    for (let i = 1; i < waits.length; i++) expect(waits[i].waitedMs).toBeGreaterThan(waits[i - 1].waitedMs);
  });

  it('a throwing (or rejecting) onWaiting never breaks the call', async () => {
    sandbox.state.setExtractionMs(60, 'DEMO');
    let calls = 0;
    const products = await client({ pollIntervalMs: 20 }).getCatalogDetailed(DEMO, {
      onWaiting: () => {
        calls += 1;
        if (calls % 2) throw new Error('chat is down');
        return Promise.reject(new Error('async chat is down')) as unknown as void;
      },
    });
    expect(calls).toBeGreaterThan(0);
    expect(products.length).toBeGreaterThan(0);
  });

  it('an extraction outlasting SECUTIX_EXTRACTION_TIMEOUT_MS fails unavailable with statusCode in_progress', async () => {
    sandbox.state.setExtractionMs(600_000);
    const err = await client({ pollIntervalMs: 20, extractionTimeoutMs: 150 })
      .getCatalogDetailed(DEMO)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unavailable', method: 'getCatalogDetailed', extra: { statusCode: 'in_progress' } });
    expect(catalogCalls().length).toBeGreaterThanOrEqual(2);
    expect(catalogCalls().every((c) => c.statusCode === 'in_progress')).toBe(true);
  });

  it('the catalog has its own timeout: a slow catalog passes under catalogTimeoutMs while other calls keep timeoutMs', async () => {
    sandbox.state.setFaults([{ latencyMs: 400 }]);
    const c = client({ timeoutMs: 100, catalogTimeoutMs: 10_000, maxRetries: 0 });
    await expect(c.getCatalogDetailed(DEMO)).resolves.toEqual(expect.arrayContaining([expect.objectContaining({ code: 'CONC01' })]));
    await expect(c.getPOSConfig(DEMO)).rejects.toMatchObject({ kind: 'unavailable', method: 'getPOSConfig' });
  });

  it('a catalog call that never answers fails after catalogTimeoutMs, not timeoutMs', async () => {
    sandbox.state.setFaults([{ method: 'getCatalogDetailed', hang: 1 }]);
    const err = await client({ timeoutMs: 60_000, catalogTimeoutMs: 150, maxRetries: 0 })
      .getCatalogDetailed(DEMO)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unavailable', method: 'getCatalogDetailed', extra: { attempts: 1 } });
  });

  it('getPOSConfig: payment method names, virtualOperatorName and hub.pointsOfSales (DEMO: running)', async () => {
    const pos = await client().getPOSConfig(DEMO);
    expect(pos.virtualOperatorName).toBe('DEMO_DGTK');
    expect(pos.paymentMethods).toContainEqual({
      id: 5,
      code: 'ATTENTE',
      externalName: "Compte d'attente",
      paymentType: 'PENDING_ACCOUNT',
      forPayment: true,
    });
    expect(pos.pointsOfSales).toEqual([{ id: 4242, code: 'DGTKPOS', running: true }]);
  });

  it('UNLISTED answers values nobody listed: OPEN channel, unknown payment types, no contact flag, items without availableSeats', async () => {
    const c = client();
    const creds = credsOf('UNLISTED');
    const pos = await c.getPOSConfig(creds);
    expect(pos.salesChannelActivityState).toBe('OPEN');
    expect(pos.paymentMethods.map((m) => [m.code, m.paymentType, m.externalName])).toEqual([
      ['DIFFERE', 'ACCOUNT_DEFERRED', 'Compte différé'],
      ['DIFFACT', 'DEFERRED_INVOICE', 'Facture différée'],
    ]);
    const contact = await c.getContactData(creds, sandboxHints('UNLISTED').contactNumbers[0]);
    expect(contact.pendingAccountAuthorized).toBeUndefined();
    const items = await c.getEventAvailability(creds, { pointOfSalesId: pos.posId, performanceIds: [6001], contingentIds: [31, 32] });
    expect(items).toEqual([
      { performanceId: 6001, contingentId: 31 },
      { performanceId: 6001, contingentId: 32 },
    ]);
    const passes = await c.getProductAvailability(creds, { pointOfSalesId: pos.posId, productIds: [701], contingentIds: [31] });
    expect(passes).toEqual([{ productId: 701, contingentId: 31, date: '2027-03-01', availableQuantity: 25 }]);
  });

  it('BIGCAT: one catalog call of about 10 MB parses into 5,000 products and 20,000 performances', async () => {
    const products = await client().getCatalogDetailed(credsOf('BIGCAT'));
    const call = catalogCalls().at(-1);
    console.log(`BIGCAT catalog: ${call?.bytes} bytes, answered in ${((call?.endMs ?? 0) - (call?.startMs ?? 0)).toFixed(0)} ms`);
    expect(products).toHaveLength(5_000);
    expect(products.filter((p) => p.productFamilyType === 'SINGLE_ENTRY')).toHaveLength(4_000);
    expect(products.filter((p) => p.productFamilyType === 'PASS')).toHaveLength(1_000);
    expect(products.reduce((n, p) => n + p.performances.length, 0)).toBe(20_000);
    expect(call?.bytes).toBeGreaterThan(8_000_000);
    expect(call?.bytes).toBeLessThan(13_000_000);
  });
});
