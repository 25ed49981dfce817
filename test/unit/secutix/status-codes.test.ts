/**
 * `statusCode`s of the live service that are not a setup fault (QA round 4 of issue 8): `SUCCESS`
 * and `IN_PROGRESS` are the same states as `success` and `in_progress`; service trouble
 * (`error.service.*`, unavailable-like codes) or an error while an extraction was under way is
 * "not checked", never "failed"; an unknown error code on the contact is "to confirm" naming it,
 * while the documented `error.contact.notfound` still fails. Real client (axios) against a canned
 * loopback server, then `verifySetup`.
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
let success = 'success';
const ok = (data: Json): Answer => ({ body: { requestId: 'rq-1', statusCode: success, statusDetail: null, ...data } });
const pos = {
  posId: 4242,
  posCode: 'DGTKPOS',
  posActivityState: 'RUNNING',
  salesChannelCode: 'DGTK',
  salesChannelActivityState: 'RUNNING',
  virtualOperatorName: 'ACME_DGTK',
  paymentMethods: [{ id: 5, code: 'ATTENTE', paymentType: 'PENDING_ACCOUNT' }],
};
const catalog = {
  catalogData: {
    seasons: [
      {
        products: [
          {
            id: 101,
            code: 'CONC01',
            state: 'RUNNING',
            productFamilyType: 'SINGLE_ENTRY',
            event: { performances: [{ id: 1001, state: 'RUNNING' }] },
          },
          { id: 201, code: 'PASSHIV', state: 'RUNNING', productFamilyType: 'PASS' },
        ],
      },
    ],
  },
};
const contact = {
  contactId: 9,
  contactNumber: '000123',
  individualContact: { firstName: 'Tech', lastName: 'Digitick' },
  financialData: { pendingAccountAuthorized: true },
};

describe('statusCode: case, service trouble and unknown error codes', () => {
  let srv: Awaited<ReturnType<typeof cannedServer>>;
  /** Answers of getCatalogDetailed before the real catalog (one per call), and of getContactData (else the contact). */
  let catalogFirst: Json[];
  let contactAnswer: Json | undefined;
  beforeEach(async () => {
    success = 'success';
    catalogFirst = [];
    contactAnswer = undefined;
    srv = await cannedServer((s: Seen) => {
      if (s.path.endsWith('getPOSConfig')) return ok({ posConfigData: pos });
      if (s.path.endsWith('getCatalogDetailed')) {
        const first = catalogFirst.shift();
        return first ? { body: first } : ok(catalog);
      }
      if (s.path.endsWith('getEventAvailability'))
        return ok({ eventAvailabilityData: { eventAvailabilities: [{ performanceId: 1001, contingentId: 11, availableSeats: 40 }] } });
      if (s.path.endsWith('getProductAvailability'))
        return ok({ productAvailabilityData: { items: [{ productId: 201, contingentId: 11, availableQuantity: 5 }] } });
      return contactAnswer ? { body: contactAnswer } : ok(contact);
    });
  });
  afterEach(() => srv.close());

  const verify = (): Promise<VerificationReport> =>
    verifySetup(
      createSecutixClient({ baseUrl: srv.url, pollIntervalMs: 5, extractionTimeoutMs: 5_000 }),
      { credentials: creds, contingentIds: [11], contactNumber: '000123', checkEvents: true, checkPasses: true, locale: 'en' },
      clock,
      DEFAULT_SECUTIX_ASSUMPTIONS,
    );
  const outcomes = (r: VerificationReport) => Object.fromEntries(r.checks.map((c) => [c.id, c.outcome]));
  const check = (r: VerificationReport, id: string) => r.checks.find((c) => c.id === id)!;
  const catalogCalls = () => srv.seen.filter((s) => s.path.endsWith('getCatalogDetailed')).length;
  const allPassed = {
    credentials: 'passed',
    sales_channel: 'passed',
    point_of_sale: 'passed',
    event_products: 'passed',
    pass_products: 'passed',
    technical_contact: 'passed',
  };

  it('SUCCESS in upper case on every answer (QA "SUCCESS upper"): every check passes', async () => {
    success = 'SUCCESS';
    expect(outcomes(await verify())).toEqual(allPassed);
  });

  it('IN_PROGRESS in upper case (QA s21): polled like in_progress, then every check passes', async () => {
    catalogFirst = [{ statusCode: 'IN_PROGRESS' }, { statusCode: 'In_Progress' }];
    expect(outcomes(await verify())).toEqual(allPassed);
    expect(catalogCalls()).toBe(3);
  });

  it.each([
    [
      'error.service.unavailable after in_progress (QA s21)',
      [{ statusCode: 'in_progress' }, { statusCode: 'error.service.unavailable', statusDetail: 'busy' }],
      'error.service.unavailable',
      'busy',
    ],
    ['error.service.internal at once', [{ statusCode: 'error.service.internal' }], 'error.service.internal', ''],
    [
      'an unavailable-like code at once',
      [{ statusCode: 'SERVICE_UNAVAILABLE', statusDetail: 'maintenance' }],
      'SERVICE_UNAVAILABLE',
      'maintenance',
    ],
    [
      'an unknown request while polling (QA s21)',
      [
        { statusCode: 'in_progress', requestId: 'R1' },
        { statusCode: 'error.request.unknown', requestId: 'R1' },
      ],
      'error.request.unknown',
      '',
    ],
  ])('catalog %s: both catalog checks not checked naming the code, never failed', async (_l, answers, statusCode, statusDetail) => {
    catalogFirst = answers as Json[];
    const r = await verify();
    expect(outcomes(r)).toEqual({ ...allPassed, event_products: 'not_checked', pass_products: 'not_checked' });
    expect(check(r, 'event_products').reason).toEqual({
      code: 'secutix_service_error',
      params: { method: 'getCatalogDetailed', statusCode, statusDetail },
    });
  });

  it('a business error code answered at once on the catalog (not service trouble) still fails it', async () => {
    catalogFirst = [{ statusCode: 'error.channel.forbidden', statusDetail: 'no' }];
    const r = await verify();
    expect(check(r, 'event_products')).toMatchObject({ outcome: 'failed', reason: { code: 'secutix_business' } });
  });

  it('getContactData with an unknown error code: the contact is to confirm naming the code, the rest passes', async () => {
    contactAnswer = { requestId: 'rq-2', statusCode: 'error.contact.locked', statusDetail: 'Locked by admin' };
    const r = await verify();
    expect(outcomes(r)).toEqual({ ...allPassed, technical_contact: 'to_confirm' });
    expect(check(r, 'technical_contact').reason).toEqual({
      code: 'contact_error_unknown',
      params: { contactNumber: '000123', statusCode: 'error.contact.locked', statusDetail: 'Locked by admin' },
    });
  });

  it.each(['error.contact.notfound', 'ERROR.CONTACT.NOTFOUND'])(
    'getContactData with the documented %s still fails (a known bad value, in any case)',
    async (statusCode) => {
      contactAnswer = { requestId: 'rq-2', statusCode, statusDetail: null };
      const r = await verify();
      expect(check(r, 'technical_contact')).toEqual({
        id: 'technical_contact',
        outcome: 'failed',
        reason: { code: 'contact_not_found', params: { contactNumber: '000123' } },
      });
    },
  );

  it('getContactData with error.service.unavailable: not checked (service trouble), not to confirm', async () => {
    contactAnswer = { requestId: 'rq-2', statusCode: 'error.service.unavailable', statusDetail: 'down' };
    expect(outcomes(await verify())).toEqual({ ...allPassed, technical_contact: 'not_checked' });
  });
});
