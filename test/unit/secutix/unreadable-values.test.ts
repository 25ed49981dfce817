/**
 * Values SecuTix sends with a JSON type the assistant does not read (QA round 3 of issue 8): each
 * makes only its own check "to confirm", naming the value seen; the credentials check passes and
 * the other checks run. Real client (axios) against a canned loopback server, then `verifySetup`.
 */
import { createSecutixClient } from '../../../adapters/secutix/client';
import { verifySetup } from '../../../src/app/verification';
import { DEFAULT_SECUTIX_ASSUMPTIONS, type SecutixAssumptions } from '../../../src/app/secutix-assumptions';
import type { Clock } from '../../../src/ports/clock.port';
import type { VerificationReport } from '../../../src/workflow/types';
import { type Answer, type Seen, cannedServer } from './canned-server';

const creds = { institutionCode: 'ACME', channelCode: 'DGTK', password: 'S3cret-pw!' };
const clock: Clock = { nowMs: () => Date.parse('2026-06-01T10:00:00Z') };
const ok = (data: Record<string, unknown>): Answer => ({ body: { requestId: 'rq-1', statusCode: 'success', statusDetail: null, ...data } });

type Json = Record<string, unknown>;
/** A healthy setup: every check passes. */
const healthy = () => ({
  pos: {
    posId: 4242,
    posCode: 'DGTKPOS',
    posActivityState: 'RUNNING',
    salesChannelCode: 'DGTK',
    salesChannelActivityState: 'RUNNING',
    virtualOperatorName: 'ACME_DGTK',
    paymentMethods: [{ id: 5, code: 'ATTENTE', paymentType: 'PENDING_ACCOUNT', forPayment: true }],
  } as Json,
  products: [
    {
      id: 101,
      code: 'CONC01',
      state: 'RUNNING',
      productFamilyType: 'SINGLE_ENTRY',
      event: { performances: [{ id: 1001, state: 'RUNNING' }] },
    },
    { id: 201, code: 'PASSHIV', state: 'RUNNING', productFamilyType: 'PASS' },
  ] as Json[],
  events: [{ performanceId: 1001, contingentId: 11, availableSeats: 40 }] as Json[],
  passes: [{ productId: 201, contingentId: 11, availableQuantity: 5 }] as Json[],
  contact: {
    contactId: 9,
    contactNumber: '000123',
    individualContact: { firstName: 'Tech', lastName: 'Digitick' },
    financialData: { pendingAccountAuthorized: true },
  } as Json,
});

describe('values of a type the assistant does not read: only their own check is to confirm', () => {
  let srv: Awaited<ReturnType<typeof cannedServer>>;
  let data: ReturnType<typeof healthy>;
  beforeEach(async () => {
    data = healthy();
    srv = await cannedServer((s: Seen) => {
      if (s.path.endsWith('getPOSConfig')) return ok({ posConfigData: data.pos });
      if (s.path.endsWith('getCatalogDetailed')) return ok({ catalogData: { seasons: [{ products: data.products }] } });
      if (s.path.endsWith('getEventAvailability')) return ok({ eventAvailabilityData: { eventAvailabilities: data.events } });
      if (s.path.endsWith('getProductAvailability')) return ok({ productAvailabilityData: { items: data.passes } });
      return ok(data.contact);
    });
  });
  afterEach(() => srv.close());

  const verify = (a: SecutixAssumptions = DEFAULT_SECUTIX_ASSUMPTIONS): Promise<VerificationReport> =>
    verifySetup(
      createSecutixClient({ baseUrl: srv.url }),
      { credentials: creds, contingentIds: [11], contactNumber: '000123', checkEvents: true, checkPasses: true },
      clock,
      a,
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

  it.each([
    ['null', null, 'null'],
    ['a number', 3, '3'],
    ['an object', { code: 'RUNNING' }, '{"code":"RUNNING"}'],
  ])('salesChannelActivityState %s: sales channel to confirm naming it, the other checks run', async (_l, value, seen) => {
    data.pos.salesChannelActivityState = value;
    const r = await verify();
    expect(outcomes(r)).toEqual(allPassedBut('sales_channel'));
    expect(check(r, 'sales_channel').reason).toEqual({ code: 'channel_state_unknown', params: { state: seen, channelCode: 'DGTK' } });
  });

  it('posActivityState null: point of sale to confirm naming it, the other checks run', async () => {
    data.pos.posActivityState = null;
    const r = await verify();
    expect(outcomes(r)).toEqual(allPassedBut('point_of_sale'));
    expect(check(r, 'point_of_sale').reason).toEqual({ code: 'pos_state_unknown', params: { state: 'null', posCode: 'DGTKPOS' } });
  });

  it('salesChannelCode and virtualOperatorName of another type: sales channel to confirm naming both (never failed)', async () => {
    data.pos.salesChannelCode = 7;
    data.pos.virtualOperatorName = false;
    const r = await verify();
    expect(outcomes(r)).toEqual(allPassedBut('sales_channel'));
    expect(check(r, 'sales_channel').reason).toEqual({
      code: 'channel_values_unread',
      params: { channelCode: 'DGTK', values: 'salesChannelCode = 7; virtualOperatorName = false' },
    });
  });

  it('a payment method whose paymentType is a number (and code an object): point of sale to confirm listing it', async () => {
    data.pos.paymentMethods = [{ id: 5, code: { x: 1 }, paymentType: 12, forPayment: 'yes' }];
    const r = await verify();
    expect(outcomes(r)).toEqual(allPassedBut('point_of_sale'));
    expect(check(r, 'point_of_sale').reason).toEqual({ code: 'payment_types_unknown', params: { posCode: 'DGTKPOS', methods: '#5 (12)' } });
  });

  it('posCode, organizationTimeZone and salesChannelId of another type are ignored: every check passes', async () => {
    Object.assign(data.pos, { posCode: 1, organizationTimeZone: 2, salesChannelId: 'x', institCode: 3 });
    expect(outcomes(await verify())).toEqual(allPassedBut('credentials', 'passed'));
  });

  it('a pass whose state is null: the events are still checked (passed), the pass check names the state', async () => {
    data.products[1].state = null;
    const r = await verify();
    expect(outcomes(r)).toEqual(allPassedBut('pass_products'));
    expect(check(r, 'pass_products').reason).toEqual({ code: 'pass_states_unknown', params: { states: 'PASSHIV null' } });
  });

  it.each([
    ['the string "true"', 'true', '"true"'],
    ['a number', 1, '1'],
  ])('pendingAccountAuthorized as %s: the contact is to confirm naming the value (not "cannot read")', async (_l, flag, seen) => {
    data.contact.financialData = { pendingAccountAuthorized: flag };
    const r = await verify();
    expect(outcomes(r)).toEqual(allPassedBut('technical_contact'));
    expect(check(r, 'technical_contact').reason).toEqual({
      code: 'contact_flag_unread',
      params: { contactNumber: '000123', name: 'Tech Digitick', value: seen },
    });
  });

  it('availableSeats given as a string: the field is there with a value the assistant does not read (to confirm, value named)', async () => {
    data.events = [{ performanceId: 1001, contingentId: 11, availableSeats: '40' }];
    const r = await verify();
    expect(outcomes(r)).toEqual(allPassedBut('event_products'));
    expect(check(r, 'event_products').reason).toEqual({
      code: 'event_availability_values_unread',
      params: { count: 1, values: 'availableSeats = "40"' },
    });
  });

  it('availableQuantity given as a string, another item without it: both named, the pass check to confirm', async () => {
    data.passes = [
      { productId: 201, contingentId: 11, availableQuantity: '5' },
      { productId: 201, contingentId: 11 },
    ];
    const r = await verify();
    expect(outcomes(r)).toEqual(allPassedBut('pass_products'));
    expect(check(r, 'pass_products')).toMatchObject({
      reason: { code: 'pass_availability_values_unread', params: { count: 1, values: 'availableQuantity = "5"' } },
      moreReasons: [{ code: 'pass_availability_unreadable', params: { count: 1, fields: 'availableQuantity' } }],
    });
  });
});
