/**
 * Fields SecuTix leaves out, or sends with a type nobody published, on a real answer (QA round 4 of
 * issue 8): an absent field reads like null (that value unknown: only its own check is "to
 * confirm", naming what was seen), and `statusDetail` is text for people that never blocks an
 * answer. Real client (axios) against a canned loopback server, then `verifySetup`.
 */
import { createSecutixClient } from '../../../adapters/secutix/client';
import { verifySetup } from '../../../src/app/verification';
import { DEFAULT_SECUTIX_ASSUMPTIONS } from '../../../src/app/secutix-assumptions';
import type { Clock } from '../../../src/ports/clock.port';
import type { VerificationReport } from '../../../src/workflow/types';
import { type Answer, type Seen, cannedServer } from './canned-server';

const creds = { institutionCode: 'ACME', channelCode: 'DGTK', password: 'S3cret-pw!' };
const clock: Clock = { nowMs: () => Date.parse('2026-06-01T10:00:00Z') };
type Json = Record<string, unknown>;
let detail: unknown = null;
const PT_ABSENT_REASON = { code: 'payment_types_unknown', params: { posCode: 'DGTKPOS', methods: 'ABS (?, Abs)' } };
const ok = (data: Json): Answer => ({ body: { requestId: 'rq-1', statusCode: 'success', statusDetail: detail, ...data } });

/** A healthy setup: every check passes. */
const healthy = () => ({
  pos: {
    posId: 4242,
    posCode: 'DGTKPOS',
    posActivityState: 'RUNNING',
    salesChannelCode: 'DGTK',
    salesChannelActivityState: 'RUNNING',
    virtualOperatorName: 'ACME_DGTK',
    paymentMethods: [{ id: 5, code: 'ATTENTE', externalName: 'Attente', paymentType: 'PENDING_ACCOUNT', forPayment: true }],
  } as Json,
  products: [
    {
      id: 101,
      code: 'CONC01',
      state: 'RUNNING',
      productFamilyType: 'SINGLE_ENTRY',
      externalName: { translations: [{ locale: 'en', value: 'Concert' }] },
      event: { performances: [{ id: 1001, state: 'RUNNING' }] },
    },
    { id: 201, code: 'PASSHIV', state: 'RUNNING', productFamilyType: 'PASS' },
  ] as Json[],
  contact: {
    contactId: 9,
    contactNumber: '000123',
    individualContact: { firstName: 'Tech', lastName: 'Digitick' },
    financialData: { pendingAccountAuthorized: true },
  } as Json,
});

describe('absent fields and a non-text statusDetail: only their own check is to confirm', () => {
  let srv: Awaited<ReturnType<typeof cannedServer>>;
  let data: ReturnType<typeof healthy>;
  /** `catalogData.seasons` to send instead of the one season of `data.products` (`'absent'`: key left out). */
  let seasons: unknown;
  beforeEach(async () => {
    data = healthy();
    detail = null;
    seasons = undefined;
    srv = await cannedServer((s: Seen) => {
      if (s.path.endsWith('getPOSConfig')) return ok({ posConfigData: data.pos });
      if (s.path.endsWith('getCatalogDetailed'))
        return ok({
          catalogData: seasons === 'absent' ? {} : { seasons: seasons === undefined ? [{ products: data.products }] : seasons },
        });
      if (s.path.endsWith('getEventAvailability'))
        return ok({ eventAvailabilityData: { eventAvailabilities: [{ performanceId: 1001, contingentId: 11, availableSeats: 40 }] } });
      if (s.path.endsWith('getProductAvailability'))
        return ok({ productAvailabilityData: { items: [{ productId: 201, contingentId: 11, availableQuantity: 5 }] } });
      return ok(data.contact);
    });
  });
  afterEach(() => srv.close());

  const verify = (): Promise<VerificationReport> =>
    verifySetup(
      createSecutixClient({ baseUrl: srv.url }),
      { credentials: creds, contingentIds: [11], contactNumber: '000123', checkEvents: true, checkPasses: true, locale: 'en' },
      clock,
      DEFAULT_SECUTIX_ASSUMPTIONS,
    );
  const outcomes = (r: VerificationReport) => Object.fromEntries(r.checks.map((c) => [c.id, c.outcome]));
  const check = (r: VerificationReport, id: string) => r.checks.find((c) => c.id === id)!;
  const allPassedBut = (id: string, outcome = 'to_confirm') => ({
    credentials: 'passed',
    sales_channel: 'passed',
    point_of_sale: 'passed',
    event_products: 'passed',
    pass_products: 'passed',
    technical_contact: 'passed',
    [id]: outcome,
  });

  it('the healthy canned setup passes every check (the frame of the cases below)', async () => {
    expect(outcomes(await verify())).toEqual(allPassedBut('credentials', 'passed'));
  });

  it('the only payment method has no paymentType key (QA "pt absent"): point of sale to confirm listing it, the rest runs', async () => {
    data.pos.paymentMethods = [{ id: 78, code: 'ABS', externalName: 'Abs' }];
    const r = await verify();
    expect(outcomes(r)).toEqual(allPassedBut('point_of_sale'));
    expect(check(r, 'point_of_sale').reason).toEqual(PT_ABSENT_REASON);
  });

  it('a pending account plus a method without paymentType: the pending account is found, every check passes', async () => {
    (data.pos.paymentMethods as Json[]).push({ id: 78, code: 'ABS', externalName: 'Abs' });
    expect(outcomes(await verify())).toEqual(allPassedBut('credentials', 'passed'));
  });

  it('absent reads exactly like null for paymentType', async () => {
    data.pos.paymentMethods = [{ id: 78, code: 'ABS', externalName: 'Abs', paymentType: null }];
    const r = await verify();
    expect(check(r, 'point_of_sale').reason).toEqual(PT_ABSENT_REASON);
  });

  it('the event has no productFamilyType key (QA "family absent"): events to confirm naming (absent), passes still pass', async () => {
    delete data.products[0].productFamilyType;
    const r = await verify();
    expect(outcomes(r)).toEqual(allPassedBut('event_products'));
    expect(check(r, 'event_products').reason).toEqual({
      code: 'event_families_unknown',
      params: { known: 'SINGLE_ENTRY', types: '(absent)', products: 'Concert (CONC01)' },
    });
  });

  it('no product has a productFamilyType key: both catalog checks to confirm, none "not checked"', async () => {
    for (const p of data.products) delete p.productFamilyType;
    const r = await verify();
    expect(outcomes(r)).toEqual({ ...allPassedBut('event_products'), pass_products: 'to_confirm' });
    expect(check(r, 'pass_products').reason).toMatchObject({ code: 'pass_families_unknown', params: { types: '(absent)' } });
  });

  it.each([
    ['a number', 7],
    ['an object', { text: 'ok' }],
    ['a list', ['a', 'b']],
    ['a boolean', false],
  ])('statusDetail as %s on every answer (QA "statusDetail number"): every check passes', async (_l, value) => {
    detail = value;
    expect(outcomes(await verify())).toEqual(allPassedBut('credentials', 'passed'));
  });

  it.each([
    ['null (QA "pm null")', null],
    ['absent (QA "pm absent")', 'absent'],
  ])('paymentMethods %s: point of sale to confirm ("sent no list"), not failed; the rest passes', async (_l, value) => {
    if (value === 'absent') delete data.pos.paymentMethods;
    else data.pos.paymentMethods = value;
    const r = await verify();
    expect(outcomes(r)).toEqual(allPassedBut('point_of_sale'));
    expect(check(r, 'point_of_sale').reason).toEqual({ code: 'payment_methods_missing', params: { posCode: 'DGTKPOS' } });
  });

  it('paymentMethods [] (an empty list): the point of sale still fails, no pending account', async () => {
    data.pos.paymentMethods = [];
    const r = await verify();
    expect(check(r, 'point_of_sale')).toMatchObject({ outcome: 'failed', reason: { code: 'no_pending_account' } });
  });

  it.each([
    ['null (QA "catalog seasons null")', null],
    ['absent', 'absent'],
  ])('catalogData.seasons %s: both catalog checks to confirm ("sent no list"), not failed', async (_l, value) => {
    seasons = value;
    const r = await verify();
    expect(outcomes(r)).toEqual({ ...allPassedBut('event_products'), pass_products: 'to_confirm' });
    expect(check(r, 'event_products').reason).toEqual({ code: 'catalog_seasons_missing', params: {} });
    expect(check(r, 'pass_products').reason).toEqual({ code: 'catalog_seasons_missing', params: {} });
  });

  it('catalogData.seasons [] (an empty list): both catalog checks still fail (nothing on sale)', async () => {
    seasons = [];
    const r = await verify();
    expect(check(r, 'event_products')).toMatchObject({ outcome: 'failed', reason: { code: 'no_event_products' } });
    expect(check(r, 'pass_products')).toMatchObject({ outcome: 'failed', reason: { code: 'no_pass_products' } });
  });
});
