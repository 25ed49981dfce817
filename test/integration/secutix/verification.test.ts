/** verifySetup with the real client against the sandbox (DEMO, FAULTY, faults, concurrency). */
import { createSandbox, demoHints, sandboxHints, type Sandbox } from '../../../adapters/sandbox';
import { createSecutixClient } from '../../../adapters/secutix';
import { verifySetup, type VerificationRequest } from '../../../src/app/verification';
import { systemClock } from '../../../src/ports/clock.port';
import type { CheckId, VerificationReport } from '../../../src/workflow/types';

const check = (r: VerificationReport, id: CheckId) => r.checks.find((c) => c.id === id)!;

function requestFor(code: string, patch: Partial<VerificationRequest> = {}): VerificationRequest {
  const h = sandboxHints(code);
  return {
    credentials: { institutionCode: h.institutionCode, channelCode: h.channelCode, password: h.password },
    contingentIds: h.contingentIds,
    contactNumber: h.contactNumbers[0],
    checkEvents: true,
    checkPasses: true,
    locale: 'en',
    ...patch,
  };
}

describe('verification against the sandbox', () => {
  let sandbox: Sandbox;
  let url: string;
  const client = () => createSecutixClient({ baseUrl: url, maxRetries: 0, sleep: async () => undefined });

  beforeAll(async () => {
    sandbox = createSandbox({ admin: true });
    ({ url } = await sandbox.listen(0));
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.state.reset());

  it('DEMO: every check passes, posId 4242, the event without seats is named', async () => {
    const r = await verifySetup(client(), requestFor('DEMO'), systemClock);
    expect(r.checks.map((c) => [c.id, c.outcome])).toEqual([
      ['credentials', 'passed'],
      ['sales_channel', 'passed'],
      ['point_of_sale', 'passed'],
      ['event_products', 'passed'],
      ['pass_products', 'passed'],
      ['technical_contact', 'passed'],
    ]);
    expect(r.passed).toBe(true);
    expect(r.posId).toBe(4242);
    expect(check(r, 'event_products').warnings).toEqual([
      { code: 'product_without_availability', params: { product: 'Winter exhibition', code: 'EXPO03' } },
    ]);
    expect(Number.isNaN(Date.parse(r.at))).toBe(false);
  });

  it('DEMO: exactly one call per method, availability batched', async () => {
    await verifySetup(client(), requestFor('DEMO'), systemClock);
    expect(sandbox.state.calls).toEqual({
      getPOSConfig: 1,
      getCatalogDetailed: 1,
      getContactData: 1,
      getEventAvailability: 1,
      getProductAvailability: 1,
    });
  });

  it('FAULTY: each fault is named', async () => {
    const r = await verifySetup(client(), requestFor('FAULTY'), systemClock);
    expect(r.passed).toBe(false);
    expect(r.posId).toBe(5151);
    expect(check(r, 'credentials').outcome).toBe('passed');
    expect(check(r, 'sales_channel')).toMatchObject({
      outcome: 'failed',
      reason: { code: 'channel_not_running', params: { state: 'SUSPENDED' } },
    });
    expect(check(r, 'point_of_sale')).toMatchObject({ outcome: 'failed', reason: { code: 'no_pending_account' } });
    expect(check(r, 'event_products')).toMatchObject({
      outcome: 'failed',
      reason: { code: 'no_event_availability', params: { contingents: '21' } },
      warnings: [{ code: 'product_without_availability', params: { product: 'Guided tour', code: 'VISIT01' } }],
    });
    expect(check(r, 'pass_products').outcome).toBe('passed');
    expect(check(r, 'technical_contact')).toMatchObject({
      outcome: 'failed',
      reason: { code: 'contact_not_authorised', params: { contactNumber: '000789' } },
    });
  });

  it('wrong password: credentials failed, every other check skipped, one call', async () => {
    const req = requestFor('DEMO');
    const r = await verifySetup(client(), { ...req, credentials: { ...req.credentials, password: 'not-the-password' } }, systemClock);
    expect(check(r, 'credentials')).toEqual({
      id: 'credentials',
      outcome: 'failed',
      reason: { code: 'credentials_rejected', params: { login: 'DEMO_DGTK' } },
    });
    expect(
      r.checks.filter((c) => c.id !== 'credentials').every((c) => c.outcome === 'skipped' && c.reason?.code === 'credentials_failed'),
    ).toBe(true);
    expect(r.posId).toBeUndefined();
    expect(r.passed).toBe(false);
    expect(sandbox.state.calls).toEqual({ getPOSConfig: 1 });
  });

  it('events and passes skipped: step_skipped, no catalog call', async () => {
    const r = await verifySetup(client(), requestFor('DEMO', { checkEvents: false, checkPasses: false }), systemClock);
    expect(check(r, 'event_products')).toMatchObject({ outcome: 'skipped', reason: { code: 'step_skipped' } });
    expect(check(r, 'pass_products')).toMatchObject({ outcome: 'skipped', reason: { code: 'step_skipped' } });
    expect(r.passed).toBe(true);
    expect(sandbox.state.callCount('getCatalogDetailed')).toBe(0);
  });

  it('an unknown contact number: contact_not_found', async () => {
    const r = await verifySetup(client(), requestFor('DEMO', { contactNumber: '424242' }), systemClock);
    expect(check(r, 'technical_contact')).toMatchObject({
      outcome: 'failed',
      reason: { code: 'contact_not_found', params: { contactNumber: '424242' } },
    });
  });

  it('SecuTix unavailable for the catalog: product checks not checked (not failed) naming the method, the rest still reported', async () => {
    sandbox.state.setFaults([{ method: 'getCatalogDetailed', status: { code: 503, count: 5 } }]);
    const r = await verifySetup(client(), requestFor('DEMO'), systemClock);
    const reason = { code: 'secutix_unavailable', params: { method: 'getCatalogDetailed' } };
    expect(check(r, 'event_products')).toMatchObject({ outcome: 'not_checked', reason });
    expect(check(r, 'pass_products')).toMatchObject({ outcome: 'not_checked', reason });
    expect(r.checks.filter((c) => c.outcome === 'failed')).toEqual([]);
    expect(check(r, 'technical_contact').outcome).toBe('passed');
  });

  it('concurrency: with 200 ms latency, three sequential rounds (not five)', async () => {
    sandbox.state.setFaults([{ latencyMs: 200 }]);
    const r = await verifySetup(client(), requestFor('DEMO'), systemClock);
    expect(r.passed).toBe(true);
    const at = (m: string) => sandbox.state.log.find((c) => c.method === m)!;
    const pos = at('getPOSConfig');
    const cat = at('getCatalogDetailed');
    const contact = at('getContactData');
    const ev = at('getEventAvailability');
    const pa = at('getProductAvailability');
    // Catalog and contact start after getPOSConfig ended and overlap each other.
    expect(cat.startMs).toBeGreaterThanOrEqual(pos.endMs!);
    expect(contact.startMs).toBeGreaterThanOrEqual(pos.endMs!);
    expect(Math.max(cat.startMs, contact.startMs)).toBeLessThan(Math.min(cat.endMs!, contact.endMs!));
    // Both availability calls start after the catalog and overlap each other.
    expect(Math.min(ev.startMs, pa.startMs)).toBeGreaterThanOrEqual(cat.endMs!);
    expect(Math.max(ev.startMs, pa.startMs)).toBeLessThan(Math.min(ev.endMs!, pa.endMs!));
    // Three round trips of 200 ms; 3.5 would be 700 ms (generous bound for a loaded machine).
    console.log(`verification with 200 ms latency took ${r.durationMs} ms`);
    expect(r.durationMs).toBeGreaterThanOrEqual(600);
    expect(r.durationMs).toBeLessThan(1_400);
  });

  it('exchange auth gives the same DEMO report', async () => {
    const r = await verifySetup(createSecutixClient({ baseUrl: url, auth: 'exchange' }), requestFor('DEMO'), systemClock);
    expect(r.passed).toBe(true);
    expect(sandbox.state.callCount('auth')).toBe(1);
  });

  it('demoHints gives what a console user needs to pass', () => {
    const h = demoHints();
    expect(requestFor('DEMO').contactNumber).toBe(h.contactNumber);
  });
});
