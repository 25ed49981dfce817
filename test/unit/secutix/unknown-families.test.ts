/**
 * Running products of a `productFamilyType` the assistant does not know (QA round 3 of issue 8, a
 * catalog answering `EVENT` where the docs say `SINGLE_ENTRY`): when no product of a known event
 * (pass) type is on sale, the check is "to confirm" naming those types and products, never
 * "failed". Known family types are configuration (`SECUTIX_*_FAMILY_TYPE(S)`). Real client (axios)
 * against a canned loopback server, then `verifySetup`.
 */
import { createSecutixClient } from '../../../adapters/secutix/client';
import { loadConfig } from '../../../adapters/config';
import { verifySetup } from '../../../src/app/verification';
import { DEFAULT_SECUTIX_ASSUMPTIONS, type SecutixAssumptions } from '../../../src/app/secutix-assumptions';
import type { Clock } from '../../../src/ports/clock.port';
import type { VerificationReport } from '../../../src/workflow/types';
import { type Answer, cannedServer } from './canned-server';

const creds = { institutionCode: 'ACME', channelCode: 'DGTK', password: 'S3cret-pw!' };
const clock: Clock = { nowMs: () => Date.parse('2026-06-01T10:00:00Z') };
const ok = (data: Record<string, unknown>): Answer => ({ body: { requestId: 'rq-1', statusCode: 'success', statusDetail: null, ...data } });
const pos = {
  posId: 4242,
  posCode: 'DGTKPOS',
  posActivityState: 'RUNNING',
  salesChannelCode: 'DGTK',
  salesChannelActivityState: 'RUNNING',
  paymentMethods: [{ id: 5, code: 'ATTENTE', paymentType: 'PENDING_ACCOUNT' }],
};
const name = (value: string) => ({ translations: [{ locale: 'en', value }] });
const event = (id: number, code: string, family: string, state = 'RUNNING') => ({
  id,
  code,
  state,
  productFamilyType: family,
  externalName: name(`Show ${code}`),
  event: { performances: [{ id: id * 10, state: 'RUNNING' }] },
});

describe('running products of unknown family types: to confirm, never failed', () => {
  let srv: Awaited<ReturnType<typeof cannedServer>>;
  let products: Record<string, unknown>[];
  beforeEach(async () => {
    srv = await cannedServer((s) => {
      if (s.path.endsWith('getPOSConfig')) return ok({ posConfigData: pos });
      if (s.path.endsWith('getCatalogDetailed')) return ok({ catalogData: { seasons: [{ products }] } });
      if (s.path.endsWith('getEventAvailability'))
        return ok({ eventAvailabilityData: { eventAvailabilities: [{ performanceId: 1010, contingentId: 11, availableSeats: 4 }] } });
      return ok({ productAvailabilityData: { items: [{ productId: 201, contingentId: 11, availableQuantity: 5 }] } });
    });
  });
  afterEach(() => srv.close());

  const verify = (a: SecutixAssumptions = DEFAULT_SECUTIX_ASSUMPTIONS): Promise<VerificationReport> =>
    verifySetup(
      createSecutixClient({ baseUrl: srv.url }),
      { credentials: creds, contingentIds: [11], checkEvents: true, checkPasses: true, locale: 'en' },
      clock,
      a,
    );
  const check = (r: VerificationReport, id: string) => r.checks.find((c) => c.id === id)!;
  const pass = { id: 201, code: 'PASSHIV', state: 'RUNNING', productFamilyType: 'PASS' };

  it('events typed EVENT (QA): "Events on sale" is to confirm naming the type and products; passes still pass', async () => {
    products = [event(101, 'CONC01', 'EVENT'), event(102, 'CONC02', 'EVENT'), pass];
    const r = await verify();
    expect(check(r, 'event_products')).toEqual({
      id: 'event_products',
      outcome: 'to_confirm',
      reason: {
        code: 'event_families_unknown',
        params: { known: 'SINGLE_ENTRY', types: 'EVENT', products: 'Show CONC01 (CONC01); Show CONC02 (CONC02)' },
      },
    });
    expect(check(r, 'pass_products').outcome).toBe('passed');
    expect(r.checks.find((c) => c.outcome === 'failed')).toBeUndefined();
  });

  it('at most five products are named, the rest counted; types listed once each', async () => {
    products = [...[1, 2, 3, 4, 5, 6, 7].map((i) => event(100 + i, `C${i}`, i % 2 ? 'EVENT' : 'SHOW')), pass];
    const r = await verify();
    expect(check(r, 'event_products').reason).toEqual({
      code: 'event_families_unknown',
      params: {
        known: 'SINGLE_ENTRY',
        types: 'EVENT; SHOW',
        products: 'Show C1 (C1); Show C2 (C2); Show C3 (C3); Show C4 (C4); Show C5 (C5); +2',
      },
    });
  });

  it('same rule for passes: no PASS but a running SEASON_PASS: "Passes on sale" to confirm', async () => {
    products = [event(101, 'CONC01', 'SINGLE_ENTRY'), { ...pass, productFamilyType: 'SEASON_PASS' }];
    const r = await verify();
    expect(check(r, 'event_products').outcome).toBe('passed');
    expect(check(r, 'pass_products')).toMatchObject({
      outcome: 'to_confirm',
      reason: { code: 'pass_families_unknown', params: { known: 'PASS', types: 'SEASON_PASS', products: 'PASSHIV (PASSHIV)' } },
    });
  });

  it('products of a known other family (SERVICE) or not running do not hold anything back: no event still fails', async () => {
    products = [{ ...event(101, 'PARK', 'SERVICE') }, event(102, 'OLD', 'EVENT', 'CLOSED'), pass];
    const r = await verify();
    expect(check(r, 'event_products')).toMatchObject({ outcome: 'failed', reason: { code: 'no_event_products' } });
  });

  it('the known family types are configuration: SECUTIX_EVENT_FAMILY_TYPE=EVENT makes those events checked (passed)', async () => {
    products = [event(101, 'CONC01', 'EVENT'), pass];
    const a = loadConfig({ SECUTIX_EVENT_FAMILY_TYPE: 'EVENT' }).secutixAssumptions;
    const r = await verify(a);
    expect(check(r, 'event_products').outcome).toBe('passed');
  });
});
