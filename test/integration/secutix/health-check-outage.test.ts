/**
 * The checks without a run (`check INSTITUTION`, `product CODE`) when SecuTix does not answer:
 * connection refused (a closed loopback port), no answer (the sandbox hangs, the client times
 * out), HTTP 5xx (the sandbox answers 503 / 500). Nothing is known broken, so every check that
 * needed the call is "not checked", never "failed", as in the run verification. Over HTTP with
 * the real client.
 */
import * as net from 'node:net';
import { loadTemplates } from '../../../adapters/templates-loader';
import { createSandbox, sandboxHints, type Sandbox } from '../../../adapters/sandbox';
import { createSecutixClient } from '../../../adapters/secutix';
import { HealthCheckService } from '../../../src/app/health-check';
import { MessageBuilder } from '../../../src/messages/builder';
import { Renderer } from '../../../src/messages/renderer';
import { systemClock } from '../../../src/ports/clock.port';
import type { Logger } from '../../../src/ports/logger.port';
import type { SandboxMethod } from '../../../adapters/sandbox/faults';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const builder = new MessageBuilder(new Renderer(loadTemplates()), {
  publicUrlTemplate: 'https://{institution}.ws.secutix.com',
  defaultLocale: 'en',
});
const ASKER = { surface: 'slack' as const, actor: { id: 'U-sup' } };
const demo = sandboxHints('DEMO');
const TARGET = { institutionCode: demo.institutionCode, channelCode: demo.channelCode, password: demo.password };

/** A loopback port nothing listens on (connection refused). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let sandbox: Sandbox;
let url: string;
beforeAll(async () => {
  sandbox = createSandbox({ admin: true });
  ({ url } = await sandbox.listen(0));
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.state.reset());

const service = (baseUrl: string) =>
  new HealthCheckService({
    secutix: createSecutixClient({ baseUrl, maxRetries: 0, timeoutMs: 300, catalogTimeoutMs: 300, sleep: async () => undefined }),
    clock: systemClock,
    logger: quiet,
  });

const outcomes = (checks: readonly { id: string; outcome: string }[]) => Object.fromEntries(checks.map((c) => [c.id, c.outcome]));

describe('check INSTITUTION when SecuTix does not answer', () => {
  it.each([
    ['connection refused', 'refused'],
    ['no answer (timeout)', 'hang'],
    ['HTTP 503', 503],
    ['HTTP 500', 500],
  ] as const)('%s on getPOSConfig: credentials not checked, nothing failed', async (_label, fault) => {
    let base = url;
    if (fault === 'refused') base = `http://127.0.0.1:${await closedPort()}`;
    else if (fault === 'hang') sandbox.state.setFaults([{ method: 'getPOSConfig', hang: 5 }]);
    else sandbox.state.setFaults([{ method: 'getPOSConfig', status: { code: fault, count: 5 } }]);
    const out = await service(base).check({
      ...ASKER,
      ...TARGET,
      contingentIds: demo.contingentIds,
      contactNumber: demo.contactNumbers[0],
    });
    if (!out.ok) throw new Error('check refused');
    const rep = out.value.report;
    expect(outcomes(rep.checks).credentials).toBe('not_checked');
    expect(rep.checks.filter((c) => c.outcome === 'failed')).toEqual([]);
    expect(rep.passed).toBe(false);
    const text = builder.healthReport('en', out.value).text;
    expect(text).toContain('nothing broken, 1 check not done (no usable answer from SecuTix)');
  });

  it.each(['getCatalogDetailed', 'getContactData', 'getEventAvailability', 'getProductAvailability'] as const)(
    'HTTP 503 on %s: the checks that needed it are not checked, nothing failed',
    async (method: SandboxMethod) => {
      sandbox.state.setFaults([{ method, status: { code: 503, count: 5 } }]);
      const out = await service(url).check({
        ...ASKER,
        ...TARGET,
        contingentIds: demo.contingentIds,
        contactNumber: demo.contactNumbers[0],
      });
      if (!out.ok) throw new Error('check refused');
      const rep = out.value.report;
      expect(rep.checks.filter((c) => c.outcome === 'failed')).toEqual([]);
      expect(rep.checks.some((c) => c.outcome === 'not_checked')).toBe(true);
    },
  );
});

describe('product CODE when SecuTix does not answer', () => {
  it.each([
    ['connection refused', 'refused'],
    ['no answer (timeout)', 'hang'],
    ['HTTP 503', 503],
  ] as const)('%s on getPOSConfig: credentials not checked, the rest skipped, nothing failed', async (_label, fault) => {
    let base = url;
    if (fault === 'refused') base = `http://127.0.0.1:${await closedPort()}`;
    else if (fault === 'hang') sandbox.state.setFaults([{ method: 'getPOSConfig', hang: 5 }]);
    else sandbox.state.setFaults([{ method: 'getPOSConfig', status: { code: fault, count: 5 } }]);
    const out = await service(base).checkProduct({ ...ASKER, ...TARGET, productCode: 'CONC01', contingentIds: demo.contingentIds });
    if (!out.ok) throw new Error('product check refused');
    expect(out.value.checks.map((c) => c.outcome)).toEqual(['not_checked', 'skipped', 'skipped', 'skipped']);
    expect(out.value.passed).toBe(false);
    expect(builder.productReport('en', out.value).text).toBe(
      builder.t('en', 'product_check.header.not_checked', { productCode: 'CONC01' }),
    );
  });

  it.each([
    ['getCatalogDetailed', 'on_sale'],
    ['getEventAvailability', 'availability'],
  ] as const)('HTTP 503 on %s: %s not checked, nothing failed', async (method, id) => {
    sandbox.state.setFaults([{ method, status: { code: 503, count: 5 } }]);
    const out = await service(url).checkProduct({ ...ASKER, ...TARGET, productCode: 'CONC01', contingentIds: demo.contingentIds });
    if (!out.ok) throw new Error('product check refused');
    expect(outcomes(out.value.checks)[id]).toBe('not_checked');
    expect(out.value.checks.filter((c) => c.outcome === 'failed')).toEqual([]);
    expect(builder.productReport('en', out.value).text).toBe(
      builder.t('en', 'product_check.header.not_checked', { productCode: 'CONC01' }),
    );
  });

  it('a definite answer still fails: a refused password (HTTP 401) fails credentials', async () => {
    const out = await service(url).checkProduct({ ...ASKER, ...TARGET, password: 'wrong-password', productCode: 'CONC01' });
    if (!out.ok) throw new Error('product check refused');
    expect(out.value.checks[0]).toMatchObject({ id: 'credentials', outcome: 'failed', reason: { code: 'credentials_rejected' } });
  });
});
