/** verifySetup against an in-memory fake of SecutixPort (pure core; no HTTP). */
import fs from 'node:fs';
import path from 'node:path';
import Mustache from 'mustache';
import {
  CHECK_REASON_CODES,
  CHECK_WARNING_CODES,
  CHECK_CONFIRM_CODES,
  verifySetup,
  type VerificationRequest,
} from '../../../src/app/verification';
import type { Clock } from '../../../src/ports/clock.port';
import { DEFAULT_SECUTIX_ASSUMPTIONS } from '../../../src/app/secutix-assumptions';
import {
  SecutixError,
  type CatalogProduct,
  type ContactData,
  type EventAvailability,
  type PosConfig,
  type ProductAvailability,
  type SecutixPort,
} from '../../../src/ports/secutix.port';
import { CHECK_IDS, type CheckId, type Reason, type VerificationProgress, type VerificationReport } from '../../../src/workflow/types';

/** Every reason and warning produced in this file, checked against the templates at the end. */
const produced: Reason[] = [];

const goodPos: PosConfig = {
  posId: 4242,
  posCode: 'DGTKPOS',
  posActivityState: 'RUNNING',
  salesChannelCode: 'DGTK',
  salesChannelActivityState: 'RUNNING',
  paymentMethods: [{ paymentType: 'CREDIT_CARD' }, { paymentType: 'PENDING_ACCOUNT' }],
};
const event = (
  id: number,
  code: string,
  perfs: [number, string][],
  state = 'RUNNING',
  names = [
    { locale: 'fr', value: `Événement ${code}` },
    { locale: 'en', value: `Event ${code}` },
  ],
): CatalogProduct => ({
  id,
  code,
  state,
  productFamilyType: 'SINGLE_ENTRY',
  names,
  performances: perfs.map(([pid, s]) => ({ id: pid, state: s })),
});
const pass = (id: number, code: string, state = 'RUNNING'): CatalogProduct => ({
  id,
  code,
  state,
  productFamilyType: 'PASS',
  names: [{ locale: 'en', value: `Pass ${code}` }],
  performances: [],
});

/** A scripted fake port: answers from data, or throws the configured error; records calls. */
class FakeSecutix implements SecutixPort {
  calls: { method: string; args: unknown }[] = [];
  pos: PosConfig | Error = goodPos;
  catalog: CatalogProduct[] | Error = [
    event(101, 'CONC01', [
      [1001, 'RUNNING'],
      [1002, 'SUSPENDED'],
    ]),
    event(103, 'EXPO03', [[1004, 'RUNNING']]),
    event(104, 'OLD04', [[1005, 'RUNNING']], 'SUSPENDED'),
    pass(201, 'PASSHIV'),
    { ...pass(301, 'PARK'), productFamilyType: 'SERVICE' },
  ];
  events: EventAvailability[] | Error = [
    { performanceId: 1001, contingentId: 11, availableSeats: 10 },
    { performanceId: 1004, contingentId: 11, availableSeats: 0 },
    { performanceId: 1004, contingentId: 99, availableSeats: 500 },
  ];
  products: ProductAvailability[] | Error = [{ productId: 201, contingentId: 12, availableQuantity: 3 }];
  contact: ContactData | Error = { contactNumber: '000123', firstName: 'Tech', lastName: 'Digitick', pendingAccountAuthorized: true };

  private answer<T>(method: string, args: unknown, v: T | Error): Promise<T> {
    this.calls.push({ method, args });
    return v instanceof Error ? Promise.reject(v) : Promise.resolve(structuredClone(v));
  }
  getPOSConfig() {
    return this.answer('getPOSConfig', undefined, this.pos);
  }
  /** `in_progress` waits reported before the catalog answers (ms waited). */
  waits: number[] = [];
  getCatalogDetailed(_c: unknown, opts?: { onWaiting?: (w: { waitedMs: number; polls: number }) => void }) {
    this.waits.forEach((waitedMs, i) => opts?.onWaiting?.({ waitedMs, polls: i + 1 }));
    return this.answer('getCatalogDetailed', undefined, this.catalog);
  }
  getEventAvailability(_c: unknown, req: unknown) {
    return this.answer('getEventAvailability', req, this.events);
  }
  getProductAvailability(_c: unknown, req: unknown) {
    return this.answer('getProductAvailability', req, this.products);
  }
  getContactData(_c: unknown, n: string) {
    return this.answer('getContactData', n, this.contact);
  }
  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }
}

const clock: Clock = { nowMs: () => Date.parse('2026-06-01T10:00:00Z') };
const baseReq: VerificationRequest = {
  credentials: { institutionCode: 'ACME', channelCode: 'DGTK', password: 'secret' },
  contingentIds: [11, 12],
  contactNumber: '000123',
  checkEvents: true,
  checkPasses: true,
  locale: 'en',
};

async function run(fake: SecutixPort, req: Partial<VerificationRequest> = {}): Promise<VerificationReport> {
  const report = await verifySetup(fake, { ...baseReq, ...req }, clock);
  for (const c of report.checks) {
    if (c.reason) produced.push(c.reason);
    produced.push(...(c.warnings ?? []));
  }
  return report;
}
const check = (r: VerificationReport, id: CheckId) => r.checks.find((c) => c.id === id)!;

describe('verifySetup', () => {
  it('all pass: posId, ISO time, checks in order, warning for the running event without seats', async () => {
    const fake = new FakeSecutix();
    const r = await run(fake);
    expect(r.passed).toBe(true);
    expect(r.posId).toBe(4242);
    expect(r.at).toBe('2026-06-01T10:00:00.000Z');
    expect(r.durationMs).toBe(0);
    expect(r.checks.map((c) => c.id)).toEqual([...CHECK_IDS]);
    expect(r.checks.every((c) => c.outcome === 'passed')).toBe(true);
    // Seats in a contingent that is not the run's (99) do not count.
    expect(check(r, 'event_products').warnings).toEqual([
      { code: 'product_without_availability', params: { product: 'Event EXPO03', code: 'EXPO03' } },
    ]);
    expect(check(r, 'pass_products').warnings).toBeUndefined();
  });

  it('one availability call per kind, ids batched: running performances of running events, running passes', async () => {
    const fake = new FakeSecutix();
    await run(fake);
    expect(fake.count('getPOSConfig')).toBe(1);
    expect(fake.count('getCatalogDetailed')).toBe(1);
    expect(fake.count('getEventAvailability')).toBe(1);
    expect(fake.count('getProductAvailability')).toBe(1);
    expect(fake.calls.find((c) => c.method === 'getEventAvailability')!.args).toEqual({
      pointOfSalesId: 4242,
      performanceIds: [1001, 1004],
      contingentIds: [11, 12],
    });
    expect(fake.calls.find((c) => c.method === 'getProductAvailability')!.args).toEqual({
      pointOfSalesId: 4242,
      productIds: [201],
      contingentIds: [11, 12],
    });
  });

  it('names products in the run language, else the first translation, else the code', async () => {
    const fake = new FakeSecutix();
    fake.catalog = [
      event(101, 'CONC01', [[1001, 'RUNNING']]),
      event(102, 'FRONLY', [[1002, 'RUNNING']], 'RUNNING', [{ locale: 'fr', value: 'Seulement en français' }]),
      event(103, 'NONAME', [[1003, 'RUNNING']], 'RUNNING', []),
    ];
    const fr = await run(fake, { locale: 'fr' });
    expect(check(fr, 'event_products').warnings!.map((w) => w.params!.product)).toEqual(['Seulement en français', 'NONAME']);
    fake.events = [{ performanceId: 1002, contingentId: 11, availableSeats: 1 }];
    const en = await run(fake, { locale: 'en' });
    expect(check(en, 'event_products').warnings!.map((w) => w.params!.product)).toEqual(['Event CONC01', 'NONAME']);
  });

  it('401 on getPOSConfig: credentials_rejected, every other check skipped, no posId', async () => {
    const fake = new FakeSecutix();
    fake.pos = new SecutixError('credentials', 'getPOSConfig', 'rejected', { httpStatus: 401 });
    const r = await run(fake);
    expect(r.passed).toBe(false);
    expect(r.posId).toBeUndefined();
    expect(check(r, 'credentials')).toEqual({
      id: 'credentials',
      outcome: 'failed',
      reason: { code: 'credentials_rejected', params: { login: 'ACME_DGTK' } },
    });
    for (const id of CHECK_IDS.filter((i) => i !== 'credentials')) {
      expect(check(r, id)).toEqual({ id, outcome: 'skipped', reason: { code: 'credentials_failed' } });
    }
    expect(fake.calls).toHaveLength(1);
  });

  it.each([
    [
      'unavailable',
      new SecutixError('unavailable', 'getPOSConfig', 'x'),
      { code: 'secutix_unavailable', params: { method: 'getPOSConfig' } },
    ],
    [
      'protocol',
      new SecutixError('protocol', 'getPOSConfig', 'x', { field: 'posConfigData.posId' }),
      { code: 'secutix_protocol', params: { method: 'getPOSConfig', field: 'posConfigData.posId' } },
    ],
    [
      'business',
      new SecutixError('business', 'getPOSConfig', 'x', { statusCode: 'error.x', statusDetail: null }),
      { code: 'secutix_business', params: { method: 'getPOSConfig', statusCode: 'error.x', statusDetail: '' } },
    ],
    ['a non-SecuTix error', new TypeError('boom'), { code: 'secutix_unexpected', params: { method: 'getPOSConfig' } }],
  ])('other getPOSConfig failures name the method and kind: %s', async (_kind, err, reason) => {
    const fake = new FakeSecutix();
    fake.pos = err;
    const r = await run(fake);
    // Only a definite answer (a business status) fails it; no answer or an unreadable one: not checked.
    expect(check(r, 'credentials')).toMatchObject({ outcome: _kind === 'business' ? 'failed' : 'not_checked', reason });
    expect(check(r, 'sales_channel').outcome).toBe('skipped');
  });

  it.each([
    [{ salesChannelCode: 'OTHER' }, 'sales_channel', { code: 'channel_code_mismatch', params: { expected: 'DGTK', actual: 'OTHER' } }],
    [
      { salesChannelActivityState: 'SUSPENDED' },
      'sales_channel',
      { code: 'channel_not_running', params: { state: 'SUSPENDED', channelCode: 'DGTK' } },
    ],
    [{ posActivityState: 'PREPARING' }, 'point_of_sale', { code: 'pos_not_running', params: { state: 'PREPARING', posCode: 'DGTKPOS' } }],
    [{ paymentMethods: [{ paymentType: 'CREDIT_CARD' }] }, 'point_of_sale', { code: 'no_pending_account', params: { posCode: 'DGTKPOS' } }],
  ] as const)('getPOSConfig %j fails %s', async (patch, id, reason) => {
    const fake = new FakeSecutix();
    fake.pos = { ...goodPos, ...patch } as PosConfig;
    const r = await run(fake);
    expect(check(r, id)).toEqual({ id, outcome: 'failed', reason });
    expect(r.passed).toBe(false);
    expect(r.posId).toBe(4242);
  });

  it('events: no event at all / none running / no seats in the run contingents', async () => {
    const fake = new FakeSecutix();
    fake.catalog = [pass(201, 'PASSHIV')];
    expect(check(await run(fake), 'event_products')).toMatchObject({ outcome: 'failed', reason: { code: 'no_event_products' } });
    fake.catalog = [event(1, 'A', [[10, 'SUSPENDED']]), event(2, 'B', [[11, 'RUNNING']], 'SUSPENDED'), pass(201, 'PASSHIV')];
    expect(check(await run(fake), 'event_products')).toMatchObject({ outcome: 'failed', reason: { code: 'no_running_event' } });
    fake.catalog = [event(1, 'A', [[10, 'RUNNING']]), pass(201, 'PASSHIV')];
    fake.events = [{ performanceId: 10, contingentId: 99, availableSeats: 5 }];
    const r = await run(fake);
    expect(check(r, 'event_products')).toEqual({
      id: 'event_products',
      outcome: 'failed',
      reason: { code: 'no_event_availability', params: { contingents: '11, 12', count: 2 } },
      warnings: [{ code: 'product_without_availability', params: { product: 'Event A', code: 'A' } }],
    });
    expect(check(r, 'pass_products').outcome).toBe('passed');
  });

  it('passes: none / none running / no quantity', async () => {
    const fake = new FakeSecutix();
    fake.catalog = [event(1, 'A', [[1001, 'RUNNING']])];
    expect(check(await run(fake), 'pass_products')).toMatchObject({ outcome: 'failed', reason: { code: 'no_pass_products' } });
    fake.catalog = [pass(201, 'P', 'SUSPENDED')];
    expect(check(await run(fake), 'pass_products')).toMatchObject({ outcome: 'failed', reason: { code: 'no_running_pass' } });
    fake.catalog = [pass(201, 'P')];
    fake.products = [{ productId: 201, contingentId: 11, availableQuantity: 0 }];
    expect(check(await run(fake), 'pass_products')).toMatchObject({
      outcome: 'failed',
      reason: { code: 'no_pass_availability' },
      warnings: [{ code: 'product_without_availability', params: { product: 'Pass P', code: 'P' } }],
    });
  });

  it('an unknown product state is reported as a warning and not counted as running', async () => {
    const fake = new FakeSecutix();
    fake.catalog = [...(fake.catalog as CatalogProduct[]), event(9, 'NEWST', [[9001, 'RUNNING']], 'ON_HOLD_V2')];
    const r = await run(fake);
    expect(check(r, 'event_products').warnings).toContainEqual({
      code: 'unknown_product_state',
      params: { product: 'Event NEWST', code: 'NEWST', state: 'ON_HOLD_V2' },
    });
    expect(fake.calls.find((c) => c.method === 'getEventAvailability')!.args).toMatchObject({ performanceIds: [1001, 1004] });
  });

  it('an unreadable catalog leaves both product checks not checked with the method named; the contact is still checked', async () => {
    const fake = new FakeSecutix();
    fake.catalog = new SecutixError('protocol', 'getCatalogDetailed', 'x', { field: 'catalogData.seasons[0].products[0].id' });
    const r = await run(fake);
    const reason = { code: 'secutix_protocol', params: { method: 'getCatalogDetailed', field: 'catalogData.seasons[0].products[0].id' } };
    expect(check(r, 'event_products')).toEqual({ id: 'event_products', outcome: 'not_checked', reason });
    expect(check(r, 'pass_products')).toEqual({ id: 'pass_products', outcome: 'not_checked', reason });
    expect(check(r, 'technical_contact').outcome).toBe('passed');
    expect(fake.count('getEventAvailability') + fake.count('getProductAvailability')).toBe(0);
  });

  it('a catalog extraction still in progress at the timeout is not checked (not failed): no verify_confirm, verify again', async () => {
    const fake = new FakeSecutix();
    fake.pos = { ...goodPos, salesChannelActivityState: 'OPEN' }; // a check to confirm too
    fake.catalog = new SecutixError('unavailable', 'getCatalogDetailed', 'still in progress', { statusCode: 'in_progress', attempts: 5 });
    const r = await run(fake);
    const reason = { code: 'secutix_extraction_timeout', params: { method: 'getCatalogDetailed' } };
    expect(check(r, 'event_products')).toEqual({ id: 'event_products', outcome: 'not_checked', reason });
    expect(check(r, 'pass_products')).toEqual({ id: 'pass_products', outcome: 'not_checked', reason });
    expect(r.checks.some((c) => c.outcome === 'failed')).toBe(false);
    expect(r.passed).toBe(false);
    expect(r.notChecked).toBe(true);
    expect(r.toConfirm).toBeUndefined();
    // Another unavailable answer (not an unfinished extraction) is not checked either, with its own reason.
    fake.catalog = new SecutixError('unavailable', 'getCatalogDetailed', 'HTTP 503', { statusCode: '503' });
    expect(check(await run(fake), 'event_products')).toMatchObject({ outcome: 'not_checked', reason: { code: 'secutix_unavailable' } });
    // A definite answer (a business status) fails.
    fake.catalog = new SecutixError('business', 'getCatalogDetailed', 'x', { statusCode: 'error.x', statusDetail: null });
    expect(check(await run(fake), 'event_products').outcome).toBe('failed');
  });

  it('no availability answer leaves only its check not checked', async () => {
    const fake = new FakeSecutix();
    fake.events = new SecutixError('unavailable', 'getEventAvailability', 'x');
    const r = await run(fake);
    expect(check(r, 'event_products')).toMatchObject({
      outcome: 'not_checked',
      reason: { code: 'secutix_unavailable', params: { method: 'getEventAvailability' } },
    });
    expect(check(r, 'pass_products').outcome).toBe('passed');
  });

  it('technical contact: not found, not authorised, other failure, not given', async () => {
    const fake = new FakeSecutix();
    fake.contact = new SecutixError('business', 'getContactData', 'x', { statusCode: 'error.contact.notfound', statusDetail: 'no' });
    expect(check(await run(fake), 'technical_contact')).toEqual({
      id: 'technical_contact',
      outcome: 'failed',
      reason: { code: 'contact_not_found', params: { contactNumber: '000123' } },
    });
    fake.contact = { contactNumber: '000123', firstName: 'Tech', lastName: 'Digitick', pendingAccountAuthorized: false };
    expect(check(await run(fake), 'technical_contact').reason).toEqual({
      code: 'contact_not_authorised',
      params: { contactNumber: '000123', name: 'Tech Digitick' },
    });
    fake.contact = new SecutixError('business', 'getContactData', 'x', { statusCode: 'error.other', statusDetail: 'Other' });
    // An error code the assistant does not know: to confirm, naming it (never failed).
    expect(check(await run(fake), 'technical_contact')).toEqual({
      id: 'technical_contact',
      outcome: 'to_confirm',
      reason: { code: 'contact_error_unknown', params: { contactNumber: '000123', statusCode: 'error.other', statusDetail: 'Other' } },
    });
    // SecuTix not answering (a hang, a timeout) says nothing about the contact: not checked.
    fake.contact = new SecutixError('unavailable', 'getContactData', 'timed out');
    expect(check(await run(fake), 'technical_contact')).toEqual({
      id: 'technical_contact',
      outcome: 'not_checked',
      reason: { code: 'secutix_unavailable', params: { method: 'getContactData' } },
    });
    const before = fake.count('getContactData');
    const r = await run(fake, { contactNumber: undefined });
    expect(check(r, 'technical_contact')).toEqual({ id: 'technical_contact', outcome: 'skipped', reason: { code: 'no_contact_number' } });
    expect(fake.count('getContactData')).toBe(before);
  });

  it('skipped events and passes: step_skipped, no catalog or availability call, still passed', async () => {
    const fake = new FakeSecutix();
    const r = await run(fake, { checkEvents: false, checkPasses: false });
    expect(check(r, 'event_products')).toEqual({ id: 'event_products', outcome: 'skipped', reason: { code: 'step_skipped' } });
    expect(check(r, 'pass_products')).toEqual({ id: 'pass_products', outcome: 'skipped', reason: { code: 'step_skipped' } });
    expect(r.passed).toBe(true);
    expect(fake.calls.map((c) => c.method).sort()).toEqual(['getContactData', 'getPOSConfig']);
  });

  it('only passes skipped: no product availability call', async () => {
    const fake = new FakeSecutix();
    const r = await run(fake, { checkPasses: false });
    expect(check(r, 'pass_products').outcome).toBe('skipped');
    expect(check(r, 'event_products').outcome).toBe('passed');
    expect(fake.count('getProductAvailability')).toBe(0);
  });

  it('no contingents: product checks fail no_contingents without availability calls', async () => {
    const fake = new FakeSecutix();
    const r = await run(fake, { contingentIds: [] });
    expect(check(r, 'event_products').reason).toEqual({ code: 'no_contingents' });
    expect(check(r, 'pass_products').reason).toEqual({ code: 'no_contingents' });
    expect(fake.count('getEventAvailability')).toBe(0);
  });

  it('runs catalog and contact together, then both availability calls together', async () => {
    const fake = new FakeSecutix();
    const inFlight = new Set<string>();
    const overlaps: string[][] = [];
    const slow =
      <A extends unknown[], T>(name: string, f: (...a: A) => Promise<T>) =>
      async (...a: A): Promise<T> => {
        inFlight.add(name);
        overlaps.push([...inFlight].sort());
        await new Promise((r) => setTimeout(r, 20));
        inFlight.delete(name);
        return f(...a);
      };
    const port: SecutixPort = {
      getPOSConfig: slow('pos', fake.getPOSConfig.bind(fake)),
      getCatalogDetailed: slow('catalog', fake.getCatalogDetailed.bind(fake)),
      getContactData: slow('contact', fake.getContactData.bind(fake)),
      getEventAvailability: slow('events', fake.getEventAvailability.bind(fake)),
      getProductAvailability: slow('passes', fake.getProductAvailability.bind(fake)),
    };
    const r = await run(port);
    expect(r.passed).toBe(true);
    expect(overlaps).toContainEqual(['catalog', 'contact']);
    expect(overlaps).toContainEqual(['events', 'passes']);
    expect(overlaps.every((o) => !o.includes('pos') || o.length === 1)).toBe(true);
  });
});

describe('verifySetup: three outcomes (failed only on known-bad values, to confirm on unknown ones)', () => {
  it('an unknown sales channel state is to confirm, with the state named; a published stopped one fails', async () => {
    const fake = new FakeSecutix();
    fake.pos = { ...goodPos, salesChannelActivityState: 'OPEN' };
    const r = await run(fake);
    expect(check(r, 'sales_channel')).toEqual({
      id: 'sales_channel',
      outcome: 'to_confirm',
      reason: { code: 'channel_state_unknown', params: { state: 'OPEN', channelCode: 'DGTK' } },
    });
    expect(r.passed).toBe(false);
    expect(r.toConfirm).toBe(true);
    fake.pos = { ...goodPos, salesChannelActivityState: 'CLOSED' };
    const closed = await run(fake);
    expect(check(closed, 'sales_channel').outcome).toBe('failed');
    expect(closed.toConfirm).toBeUndefined();
  });

  it('payment methods: pending account passes; only known other types fail; unknown types are listed to confirm', async () => {
    const fake = new FakeSecutix();
    fake.pos = { ...goodPos, paymentMethods: [{ code: 'CB', paymentType: 'CREDIT_CARD' }] };
    expect(check(await run(fake), 'point_of_sale').reason?.code).toBe('no_pending_account');
    fake.pos = {
      ...goodPos,
      paymentMethods: [
        { code: 'CB', paymentType: 'CREDIT_CARD', externalName: 'Carte' },
        { code: 'ATT', id: 8, paymentType: 'ACCOUNT_DEFERRED', externalName: "Compte d'attente" },
      ],
    };
    const r = await run(fake);
    expect(check(r, 'point_of_sale')).toEqual({
      id: 'point_of_sale',
      outcome: 'to_confirm',
      reason: {
        code: 'payment_types_unknown',
        params: { posCode: 'DGTKPOS', methods: "CB (CREDIT_CARD, Carte); ATT (ACCOUNT_DEFERRED, Compte d'attente)" },
      },
    });
  });

  it('a point of sale listed as not running in hub.pointsOfSales fails; a virtual operator other than the login fails', async () => {
    const fake = new FakeSecutix();
    fake.pos = { ...goodPos, pointsOfSales: [{ id: 4242, code: 'DGTKPOS', running: false }] };
    expect(check(await run(fake), 'point_of_sale').reason?.code).toBe('pos_stopped_in_hub');
    fake.pos = { ...goodPos, pointsOfSales: [{ id: 4242, runningSeen: '"stopped"' }] };
    expect(check(await run(fake), 'point_of_sale')).toEqual({
      id: 'point_of_sale',
      outcome: 'to_confirm',
      reason: { code: 'pos_running_unknown', params: { posCode: 'DGTKPOS', value: '"stopped"' } },
    });
    fake.pos = { ...goodPos, pointsOfSales: [{ id: 4242, running: true }], virtualOperatorName: 'ACME_WEB' };
    const r = await run(fake);
    expect(check(r, 'point_of_sale').outcome).toBe('passed');
    expect(check(r, 'sales_channel').reason).toEqual({
      code: 'virtual_operator_mismatch',
      params: { expected: 'ACME_DGTK', actual: 'ACME_WEB' },
    });
  });

  it('several unknown values of the point of sale are all named: none hides another', async () => {
    const fake = new FakeSecutix();
    fake.pos = {
      ...goodPos,
      posActivityState: 'OPEN',
      pointsOfSales: [{ id: 4242, runningSeen: '"yes"' }],
      paymentMethods: [{ code: 'ATT', paymentType: 'WAITING_ACCOUNT' }],
    };
    expect(check(await run(fake), 'point_of_sale')).toEqual({
      id: 'point_of_sale',
      outcome: 'to_confirm',
      reason: { code: 'pos_state_unknown', params: { state: 'OPEN', posCode: 'DGTKPOS' } },
      moreReasons: [
        { code: 'pos_running_unknown', params: { posCode: 'DGTKPOS', value: '"yes"' } },
        { code: 'payment_types_unknown', params: { posCode: 'DGTKPOS', methods: 'ATT (WAITING_ACCOUNT)' } },
      ],
    });
  });

  it('a contact without the authorisation flag is to confirm; false fails', async () => {
    const fake = new FakeSecutix();
    fake.contact = { contactNumber: '000123', firstName: 'Tech', lastName: 'Digitick', pendingAccountAuthorized: undefined };
    expect(check(await run(fake), 'technical_contact')).toEqual({
      id: 'technical_contact',
      outcome: 'to_confirm',
      reason: { code: 'contact_flag_missing', params: { contactNumber: '000123', name: 'Tech Digitick' } },
    });
  });

  it('availability items without the fields read are to confirm when no seats could be read; a readable seat still passes', async () => {
    const fake = new FakeSecutix();
    fake.events = [
      { performanceId: 1001, contingentId: 11 },
      { contingentId: 11, availableSeats: 3 },
    ];
    fake.products = [{ productId: 201, contingentId: 12, availableQuantity: 3 }];
    const r = await run(fake);
    expect(check(r, 'event_products')).toMatchObject({
      outcome: 'to_confirm',
      reason: { code: 'event_availability_unreadable', params: { count: 2, fields: 'availableSeats, performanceId' } },
    });
    fake.events = [{ performanceId: 1001, contingentId: 11, availableSeats: 2 }, { performanceId: 1004 }];
    expect(check(await run(fake), 'event_products').outcome).toBe('passed');
  });

  it('no event known to run but some in unknown states: to confirm, naming them', async () => {
    const fake = new FakeSecutix();
    fake.catalog = [event(101, 'CONC01', [[1001, 'ONSALE']]), event(102, 'EXPO', [[1002, 'RUNNING']], 'LIVE'), pass(201, 'PASSHIV')];
    expect(check(await run(fake), 'event_products')).toMatchObject({
      outcome: 'to_confirm',
      reason: { code: 'event_states_unknown', params: { states: 'CONC01/1001 ONSALE; EXPO LIVE' } },
    });
  });

  it('a failure anywhere wins over checks to confirm (no verify_confirm for a report with a failure)', async () => {
    const fake = new FakeSecutix();
    fake.pos = { ...goodPos, salesChannelActivityState: 'OPEN' };
    fake.contact = new SecutixError('business', 'getContactData', 'not found', { statusCode: 'error.contact.notfound' });
    const r = await run(fake);
    expect(check(r, 'sales_channel').outcome).toBe('to_confirm');
    expect(check(r, 'technical_contact').outcome).toBe('failed');
    expect(r.passed).toBe(false);
    expect(r.toConfirm).toBeUndefined();
  });

  it('the assumptions are configuration: a state listed as running passes, a payment type listed as pending passes', async () => {
    const fake = new FakeSecutix();
    fake.pos = { ...goodPos, salesChannelActivityState: 'OPEN', paymentMethods: [{ code: 'ATT', paymentType: 'ACCOUNT_DEFERRED' }] };
    const r = await verifySetup(fake, baseReq, clock, {
      ...DEFAULT_SECUTIX_ASSUMPTIONS,
      runningStates: ['RUNNING', 'OPEN'],
      pendingAccountPaymentTypes: ['ACCOUNT_DEFERRED'],
    });
    expect(r.passed).toBe(true);
  });

  it('reports progress: every check waiting, then each as it finishes, the catalog wait, and a last done state', async () => {
    const fake = new FakeSecutix();
    fake.waits = [5000, 10000];
    const seen: VerificationProgress[] = [];
    const r = await verifySetup(fake, { ...baseReq, onProgress: (p) => seen.push(structuredClone(p)) }, clock);
    expect(seen[0]!.checks.every((c) => c.state === 'waiting')).toBe(true);
    expect(seen.some((p) => p.catalogWaitedMs === 10000)).toBe(true);
    const last = seen[seen.length - 1]!;
    expect(last).toEqual({ checks: r.checks.map((c) => ({ id: c.id, state: c.outcome })), done: true, outcome: 'passed' });
    expect(seen.filter((p) => p.done)).toHaveLength(1);
  });

  it('a throwing progress listener never breaks the verification', async () => {
    const r = await verifySetup(
      new FakeSecutix(),
      {
        ...baseReq,
        onProgress: () => {
          throw new Error('chat down');
        },
      },
      clock,
    );
    expect(r.passed).toBe(true);
  });
});

describe('check messages (templates/messages/checks.*.json)', () => {
  const load = (locale: string) =>
    JSON.parse(fs.readFileSync(path.join(__dirname, '../../../templates/messages', `checks.${locale}.json`), 'utf8')) as Record<
      string,
      string | Record<string, string>
    >;
  // A plural entry (`{ one, other }`) uses the variables of all its forms.
  const vars = (entry: string | Record<string, string>): string[] => [
    ...new Set(
      (typeof entry === 'string' ? [entry] : Object.values(entry)).flatMap((tpl) =>
        (Mustache.parse(tpl) as unknown as [string, string][]).filter((t) => t[0] === 'name' || t[0] === '&').map((t) => t[1]),
      ),
    ),
  ];

  it.each(['en', 'fr', 'de'])('%s has every check name, reason and warning, and nothing else', (locale) => {
    const m = load(locale);
    const expected = [
      ...CHECK_IDS.map((id) => `check.name.${id}`),
      ...CHECK_REASON_CODES.map((c) => `check.reason.${c}`),
      ...CHECK_WARNING_CODES.map((c) => `check.warning.${c}`),
      ...CHECK_CONFIRM_CODES.map((c) => `check.confirm.${c}`),
    ].sort();
    expect(Object.keys(m).sort()).toEqual(expected);
    for (const v of Object.values(m))
      for (const f of typeof v === 'string' ? [v] : Object.values(v)) expect(f.trim().length).toBeGreaterThan(0);
  });

  it.each(['fr', 'de'])('en and %s use the same variables per key', (locale) => {
    const en = load('en');
    const other = load(locale);
    for (const k of Object.keys(en)) expect([k, vars(other[k]).sort()]).toEqual([k, vars(en[k]).sort()]);
  });

  it('every reason and warning produced above provides every variable its message uses', () => {
    expect(produced.length).toBeGreaterThan(20);
    const en = load('en');
    for (const r of produced) {
      const kind = CHECK_WARNING_CODES.includes(r.code as never)
        ? 'warning'
        : CHECK_CONFIRM_CODES.includes(r.code as never)
          ? 'confirm'
          : 'reason';
      const key = `check.${kind}.${r.code}`;
      expect(en[key]).toBeDefined();
      for (const v of vars(en[key])) expect([key, v, r.params?.[v] !== undefined]).toEqual([key, v, true]);
    }
  });
});
