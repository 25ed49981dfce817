/**
 * The checks without a run in the core (`src/app/health-check.ts`): form and argument parsing, the
 * access rule, SecuTix failures on the product check's later calls (a port double that throws
 * `SecutixError`s: the sandbox cannot fail one method after another has succeeded in one call), a
 * controllable clock for the durations, and the messages of every reason code in every language.
 */
import { loadTemplates } from '../../../adapters/templates-loader';
import { AccessPolicy } from '../../../src/app/access';
import {
  HEALTH_REASON_CODES,
  HealthCheckService,
  parseCheckArgs,
  parseCheckForm,
  parseProductCheckForm,
  PRODUCT_CHECK_IDS,
  PRODUCT_REASON_CODES,
  type ProductCheckReport,
  productCodeSchema,
} from '../../../src/app/health-check';
import { LOCALES } from '../../../src/domain/ids';
import { MessageBuilder } from '../../../src/messages/builder';
import { Renderer } from '../../../src/messages/renderer';
import type { Clock } from '../../../src/ports/clock.port';
import type { Logger } from '../../../src/ports/logger.port';
import { type CatalogProduct, type ContactData, SecutixError, type SecutixPort } from '../../../src/ports/secutix.port';
import { CHECK_IDS, type CheckResult } from '../../../src/workflow/types';

const builder = new MessageBuilder(new Renderer(loadTemplates()), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'en',
});

/** A clock the test moves; every SecuTix call of the double below takes 250 ms of it. */
function manualClock(start = Date.parse('2026-11-29T15:00:00Z')): Clock & { advance(ms: number): void } {
  let now = start;
  return { nowMs: () => now, advance: (ms) => void (now += ms) };
}

function recordingLogger(): Logger & { lines: { obj: object; msg?: string }[] } {
  const lines: { obj: object; msg?: string }[] = [];
  const push = (obj: object, msg?: string) => void lines.push({ obj, ...(msg ? { msg } : {}) });
  return { lines, debug: push, info: push, warn: push, error: push };
}

const CONC: CatalogProduct = {
  id: 101,
  code: 'CONC01',
  state: 'RUNNING',
  productFamilyType: 'SINGLE_ENTRY',
  names: [{ locale: 'en', value: 'Concert' }],
  performances: [{ id: 1001, state: 'RUNNING' }],
};
const PARK: CatalogProduct = { id: 301, code: 'PARK01', state: 'RUNNING', productFamilyType: 'SERVICE', names: [], performances: [] };

/** A SecuTix double: POS config always, the catalog given, availability failing as told. */
function secutix(
  clock: ReturnType<typeof manualClock>,
  opts: { catalog?: CatalogProduct[] | Error; availability?: Error } = {},
): SecutixPort {
  const slow = async <T>(v: T | Error): Promise<T> => {
    clock.advance(250);
    if (v instanceof Error) throw v;
    return v;
  };
  return {
    getPOSConfig: () =>
      slow({ posId: 1, posActivityState: 'RUNNING', salesChannelCode: 'DGTK', salesChannelActivityState: 'RUNNING', paymentMethods: [] }),
    getCatalogDetailed: (_c, o) =>
      slow(
        opts.catalog instanceof Error ? opts.catalog : (opts.catalog ?? [CONC]).filter((p) => !o?.productCode || p.code === o.productCode),
      ),
    getEventAvailability: () => slow(opts.availability ?? [{ performanceId: 1001, contingentId: 11, availableSeats: 3 }]),
    getProductAvailability: () => slow(opts.availability ?? []),
    getContactData: () =>
      slow<ContactData>(new SecutixError('business', 'getContactData', 'not found', { statusCode: 'error.contact.notfound' })),
  };
}

const ASKER = { surface: 'slack' as const, actor: { id: 'U1' } };
const TARGET = { institutionCode: 'DEMO', channelCode: 'DGTK', password: 'pw-unit-9' };

describe('parsing', () => {
  it('check form: password required and kept as typed; optional values parsed only when filled', () => {
    expect(parseCheckForm({ operator_password: ' p w ', contingent_ids: '  ', contact_number: null })).toEqual({
      ok: true,
      value: { password: ' p w ' },
    });
    expect(parseCheckForm({ operator_password: 'x', contingent_ids: '11, 12 11', contact_number: ' 000123 ' })).toEqual({
      ok: true,
      value: { password: 'x', contingentIds: [11, 12], contactNumber: '000123' },
    });
    expect(parseCheckForm({ operator_password: '', contingent_ids: 'a', contact_number: '#' })).toEqual({
      ok: false,
      errors: {
        operator_password: 'error.field.required',
        contingent_ids: 'error.field.contingent_ids',
        contact_number: 'error.field.contact_number',
      },
    });
  });

  it('product check form: codes upper-cased, channel DGTK by default', () => {
    expect(parseProductCheckForm({ institution_code: 'demo', channel_code: '', operator_password: 'x' })).toEqual({
      ok: true,
      value: { institutionCode: 'DEMO', channelCode: 'DGTK', password: 'x' },
    });
    const bad = parseProductCheckForm({ institution_code: 'd', channel_code: 'TOOLONGCODE', operator_password: '' });
    expect(bad.ok ? [] : Object.keys(bad.errors).sort()).toEqual(['channel_code', 'institution_code', 'operator_password']);
  });

  it('check arguments and product codes', () => {
    expect(parseCheckArgs('demo', undefined)).toEqual({ ok: true, value: { institutionCode: 'DEMO', channelCode: 'DGTK' } });
    expect(parseCheckArgs('demo', 'web')).toEqual({ ok: true, value: { institutionCode: 'DEMO', channelCode: 'WEB' } });
    expect(parseCheckArgs(undefined, undefined)).toEqual({ ok: false, error: 'error.field.required' });
    expect(parseCheckArgs('de$mo', undefined)).toEqual({ ok: false, error: 'error.field.institution_code' });
    expect(productCodeSchema.safeParse('conc_01-a').data).toBe('CONC_01-A');
    for (const bad of ['', 'a b', '<x>', 'x'.repeat(31)]) expect([bad, productCodeSchema.safeParse(bad).success]).toEqual([bad, false]);
  });
});

describe('HealthCheckService', () => {
  it('is allowed to operators and support, refused to anyone else (logged, no SecuTix call)', async () => {
    const clock = manualClock();
    const log = recordingLogger();
    let calls = 0;
    const port = secutix(clock);
    const counted: SecutixPort = { ...port, getPOSConfig: (c) => (calls++, port.getPOSConfig(c)) };
    const access = new AccessPolicy({ operators: ['U-op'], support: ['U-sup'] });
    const svc = new HealthCheckService({ secutix: counted, clock, logger: log, access });
    for (const id of ['U-op', 'U-sup']) expect((await svc.check({ ...ASKER, actor: { id }, ...TARGET })).ok).toBe(true);
    const refused = await svc.checkProduct({ ...ASKER, actor: { id: 'U-x' }, ...TARGET, productCode: 'CONC01' });
    expect(refused).toEqual({ ok: false, error: { code: 'not_permitted', rule: 'operator' } });
    expect(calls).toBe(2);
    expect(log.lines.some((l) => l.msg === 'access refused')).toBe(true);
    expect(access.commands({ ...ASKER, actor: { id: 'U-x' } })).not.toContain('check');
    expect(access.commands({ ...ASKER, actor: { id: 'U-sup' } })).toContain('check');
  });

  it('a catalog still being extracted when the wait ran out is "not checked", never passed or failed (check and product)', async () => {
    const clock = manualClock();
    const timeout = new SecutixError('unavailable', 'getCatalogDetailed', 'still in progress', { statusCode: 'in_progress' });
    const svc = new HealthCheckService({ secutix: secutix(clock, { catalog: timeout }), clock, logger: recordingLogger() });
    const health = await svc.check({ ...ASKER, ...TARGET, contingentIds: [11] });
    if (!health.ok) throw new Error('check refused');
    const rep = health.value.report;
    expect(rep.checks.filter((c) => c.outcome === 'not_checked').map((c) => c.id)).toEqual(['event_products', 'pass_products']);
    expect(rep.passed).toBe(false);
    const product = await svc.checkProduct({ ...ASKER, ...TARGET, productCode: 'CONC01' });
    if (!product.ok) throw new Error('product check refused');
    expect(product.value.checks.find((c) => c.id === 'on_sale')?.outcome).toBe('not_checked');
    expect(product.value.passed).toBe(false);
    for (const L of LOCALES) {
      expect(builder.productReport(L, product.value).text).toBe(
        builder.t(L, 'product_check.header.not_checked', { productCode: 'CONC01' }),
      );
    }
    expect(builder.productReport('en', product.value).text).toMatch(/not checked, SecuTix gave no usable answer/);
  });

  it('without contingents, "no contingents" failures become skips; other failures stay; durations come from the clock', async () => {
    const clock = manualClock();
    const log = recordingLogger();
    const svc = new HealthCheckService({ secutix: secutix(clock, { catalog: [CONC] }), clock, logger: log });
    const out = await svc.check({ ...ASKER, ...TARGET });
    if (!out.ok) throw new Error('refused');
    const by = Object.fromEntries(out.value.report.checks.map((c) => [c.id, `${c.outcome}:${c.reason?.code ?? ''}`]));
    expect(by).toEqual({
      credentials: 'passed:',
      sales_channel: 'passed:',
      point_of_sale: 'failed:no_pending_account',
      event_products: 'skipped:contingents_not_given',
      pass_products: 'failed:no_pass_products',
      technical_contact: 'skipped:no_contact_number',
    });
    expect(out.value.report.passed).toBe(false);
    expect(out.value.report.durationMs).toBe(500); // getPOSConfig, then the catalog
    const line = log.lines.find((l) => l.msg === 'health check finished')!.obj as Record<string, unknown>;
    expect(line).toMatchObject({ institution: 'DEMO', channel: 'DGTK', passed: false, durationMs: 500 });
    expect(JSON.stringify(log.lines)).not.toContain(TARGET.password);
  });

  it('product check: an availability outage leaves availability not checked, naming the method; a SERVICE product skips it; a catalog outage leaves on_sale not checked', async () => {
    const clock = manualClock();
    const outage = new SecutixError('unavailable', 'getEventAvailability', 'timeout');
    const a = await new HealthCheckService({
      secutix: secutix(clock, { availability: outage }),
      clock,
      logger: recordingLogger(),
    }).checkProduct({
      ...ASKER,
      ...TARGET,
      productCode: 'conc01',
      contingentIds: [11],
    });
    if (!a.ok) throw new Error('refused');
    expect(a.value.checks.map((c) => `${c.id}:${c.outcome}:${c.reason?.code ?? ''}`)).toEqual([
      'credentials:passed:',
      'on_sale:passed:',
      'running:passed:running',
      'availability:not_checked:secutix_unavailable',
    ]);
    expect(a.value.durationMs).toBe(750);
    const svc = new HealthCheckService({ secutix: secutix(clock, { catalog: [PARK] }), clock, logger: recordingLogger() });
    const park = await svc.checkProduct({ ...ASKER, ...TARGET, productCode: 'PARK01', contingentIds: [11] });
    expect(park.ok && park.value.checks[3]).toEqual({
      id: 'availability',
      outcome: 'skipped',
      reason: { code: 'family_not_checked', params: { family: 'SERVICE' } },
    });
    // The family type is compared case-insensitively, as in the run verification (familyVerdict).
    const lower = { ...CONC, productFamilyType: 'single_entry' };
    const svcLower = new HealthCheckService({ secutix: secutix(clock, { catalog: [lower] }), clock, logger: recordingLogger() });
    const conc = await svcLower.checkProduct({ ...ASKER, ...TARGET, productCode: 'CONC01', contingentIds: [11] });
    expect(conc.ok && conc.value.checks.map((c) => `${c.id}:${c.outcome}`)).toEqual([
      'credentials:passed',
      'on_sale:passed',
      'running:passed',
      'availability:passed',
    ]);
    const down = new SecutixError('unavailable', 'getCatalogDetailed', 'down');
    const cat = await new HealthCheckService({ secutix: secutix(clock, { catalog: down }), clock, logger: recordingLogger() }).checkProduct(
      {
        ...ASKER,
        ...TARGET,
        productCode: 'CONC01',
      },
    );
    expect(cat.ok && cat.value.checks.map((c) => c.outcome)).toEqual(['passed', 'not_checked', 'skipped', 'skipped']);
    // A SecuTix outage: the health report says to try again later, not which screen to fix.
    const report = builder.productReport('en', cat.ok ? cat.value : (undefined as never));
    expect(JSON.stringify(report.blocks)).toContain('SecuTix could not answer getCatalogDetailed');
  });
});

describe('messages of the checks', () => {
  const params = {
    productCode: 'X1',
    channelCode: 'DGTK',
    state: 'S',
    family: 'F',
    seats: 1,
    withSeats: 1,
    performances: 1,
    contingents: '1',
    quantity: 1,
  };

  it.each(LOCALES)('%s: every product reason, every fix line and the health reasons render with the params the service gives', (L) => {
    const rep: ProductCheckReport = {
      institutionCode: 'DEMO',
      channelCode: 'DGTK',
      productCode: 'X1',
      product: { code: 'X1', name: 'N', family: 'PASS', state: 'RUNNING' },
      checks: PRODUCT_REASON_CODES.map((code, i) => ({
        id: PRODUCT_CHECK_IDS[i % 4]!,
        outcome: 'failed' as const,
        reason: { code, params },
      })),
      passed: false,
      at: '2026-11-29T15:00:00Z',
      durationMs: 1,
    };
    expect(() => builder.productReport(L, rep)).not.toThrow();
    const checks: CheckResult[] = CHECK_IDS.map((id) => ({ id, outcome: 'failed', reason: { code: HEALTH_REASON_CODES[0] } }));
    const msg = builder.healthReport(L, {
      institutionCode: 'DEMO',
      channelCode: 'DGTK',
      report: { checks, passed: false, at: '2026-11-29T15:00:00Z' },
    });
    // One entry per failed check: its reason and the screen where to fix it (no second section).
    const items = msg.blocks.flatMap((b) => (b.type === 'checks' ? b.items : []));
    expect(items.map((i) => i.id)).toEqual([...CHECK_IDS]);
    for (const item of items)
      expect([item.id, item.reason]).toEqual([
        item.id,
        expect.stringContaining(builder.t(L, `check.fix.${item.id}`, { institutionCode: 'DEMO', channelCode: 'DGTK', login: 'DEMO_DGTK' })),
      ]);
    expect(msg.blocks.filter((b) => b.type === 'text')).toEqual([]);
  });
});
