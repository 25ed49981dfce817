/** The sandbox's own contract: admin API, request validation, robustness. */
import { SignJWT } from 'jose';
import {
  allSandboxHints,
  createSandbox,
  defaultFixture,
  demoHints,
  generateCatalog,
  sandboxHints,
  type Sandbox,
} from '../../../adapters/sandbox';

const POS_PATH = '/tnseb/backend-apis/catalogService/v1_33/getPOSConfig';
const EVENT_PATH = '/tnseb/backend-apis/availabilityService/v1_33/getEventAvailability';
const CATALOG_PATH = '/tnseb/backend-apis/catalogService/v1_33/getCatalogDetailed';
const CONTACT_PATH = '/tnco/backend-apis/contactInformationPublicService/v2_21/getContactData';

async function token(p: { sub?: string; aud?: string; password?: string; ttl?: number } = {}): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(p.sub ?? 'DEMO')
    .setAudience(p.aud ?? 'DEMO_DGTK')
    .setIssuer('test')
    .setIssuedAt(iat)
    .setExpirationTime(iat + (p.ttl ?? 30))
    .sign(new TextEncoder().encode(p.password ?? demoHints().password));
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json: json as Record<string, unknown> | undefined, headers: res.headers };
}

describe('SecuTix sandbox', () => {
  let sandbox: Sandbox;
  let url: string;
  beforeAll(async () => {
    sandbox = createSandbox({ admin: true });
    ({ url } = await sandbox.listen(0));
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.state.reset());

  it('exposes DEMO and FAULTY hints from the fixture', () => {
    expect(demoHints()).toMatchObject({
      institutionCode: 'DEMO',
      channelCode: 'DGTK',
      login: 'DEMO_DGTK',
      password: 'demo-password-2026',
      contingentIds: [11, 12],
      contactNumber: '000123',
    });
    expect(sandboxHints('FAULTY')).toMatchObject({
      login: 'FAULTY_DGTK',
      password: 'faulty-password-2026',
      contingentIds: [21],
      contactNumbers: ['000789'],
    });
  });

  it('answers the envelope with a valid token', async () => {
    const r = await post(`${url}${POS_PATH}`, {}, { Authorization: `Bearer ${await token()}` });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ statusCode: 'success', posConfigData: { posId: 4242 } });
  });

  it.each([
    ['no token', {}],
    ['a wrong password', { password: 'nope' }],
    ['a wrong aud', { aud: 'DEMO_OTHER' }],
    ['an unknown sub', { sub: 'ZZZ' }],
    ['a token living too long', { ttl: 3600 }],
  ])('answers 401 for %s', async (_label, p) => {
    const headers: Record<string, string> = _label === 'no token' ? {} : { Authorization: `Bearer ${await token(p)}` };
    const r = await post(`${url}${POS_PATH}`, {}, headers);
    expect(r.status).toBe(401);
  });

  it('answers 400 with a clear message for garbage bodies, and keeps serving', async () => {
    const auth = { Authorization: `Bearer ${await token()}` };
    const notJson = await post(`${url}${EVENT_PATH}`, '{nope', auth);
    expect(notJson.status).toBe(400);
    expect(notJson.json?.error).toMatch(/not valid JSON/);
    const wrong = await post(`${url}${EVENT_PATH}`, { pointOfSalesId: 4242, performanceIds: 'all', contingentIds: [11] }, auth);
    expect(wrong.status).toBe(400);
    expect(wrong.json?.error).toMatch(/performanceIds/);
    const arr = await post(`${url}${POS_PATH}`, [1, 2], auth);
    expect(arr.status).toBe(400);
    expect((await post(`${url}${POS_PATH}`, {}, auth)).status).toBe(200);
  });

  it('answers 404 for unknown paths and 405 for GET', async () => {
    expect((await post(`${url}/tnseb/backend-apis/catalogService/v1_32/getPOSConfig`, {})).status).toBe(404);
    expect((await fetch(`${url}${POS_PATH}`)).status).toBe(405);
  });

  it('a wrong pointOfSalesId is a business error', async () => {
    const r = await post(
      `${url}${EVENT_PATH}`,
      { pointOfSalesId: 1, performanceIds: [1001], contingentIds: [11] },
      { Authorization: `Bearer ${await token()}` },
    );
    expect(r.json).toMatchObject({ statusCode: 'error.pointofsales.notfound' });
  });

  it('admin: faults validated (400 on garbage), set, visible in state; reset clears them', async () => {
    const bad = await post(`${url}/__sandbox/faults`, { faults: [{ method: 'sellTickets' }] });
    expect(bad.status).toBe(400);
    expect(bad.json?.error).toMatch(/faults/);
    const good = await post(`${url}/__sandbox/faults`, {
      faults: [{ institution: 'demo', method: 'getPOSConfig', status: { code: 509, retryAfterSeconds: 1 } }],
    });
    expect(good.status).toBe(200);
    const r = await post(`${url}${POS_PATH}`, {}, { Authorization: `Bearer ${await token()}` });
    expect(r.status).toBe(509);
    expect(r.headers.get('retry-after')).toBe('1');
    const state = (await (await fetch(`${url}/__sandbox/state`)).json()) as { calls: Record<string, number>; faults: unknown[] };
    expect(state.calls.getPOSConfig).toBe(1);
    expect(JSON.stringify(state)).not.toContain(demoHints().password);
    expect((await post(`${url}/__sandbox/reset`, {})).status).toBe(200);
    expect(sandbox.state.faults.list()).toEqual([]);
  });

  it('admin: loads a fixture (validated)', async () => {
    expect((await post(`${url}/__sandbox/fixture`, { institutions: [{ code: 'x' }] })).status).toBe(400);
    const f = defaultFixture();
    f.institutions = f.institutions.filter((i) => i.code === 'FAULTY');
    const r = await post(`${url}/__sandbox/fixture`, f);
    expect(r.json).toMatchObject({ ok: true, institutions: ['FAULTY'] });
    expect((await post(`${url}${POS_PATH}`, {}, { Authorization: `Bearer ${await token()}` })).status).toBe(401);
    sandbox.state.loadFixture(defaultFixture());
  });

  it('answers a contact in the published flat shape: fields at the root, no contactData wrapper', async () => {
    const r = await post(
      `${url}${CONTACT_PATH}`,
      { contactNumber: '000123', details: ['GENERAL', 'FINANCIAL'] },
      { Authorization: `Bearer ${await token()}` },
    );
    expect(r.json).toEqual({
      requestId: null,
      statusCode: 'success',
      statusDetail: null,
      contactId: 9,
      contactNumber: '000123',
      individualContact: { firstName: 'Tech', lastName: 'Digitick' },
      financialData: { pendingAccountAuthorized: true },
    });
  });

  it('admin: POST /__sandbox/extraction makes the catalog answer only {"statusCode":"in_progress"} until that long after the first identical request', async () => {
    expect((await post(`${url}/__sandbox/extraction`, { ms: -1 })).status).toBe(400);
    expect((await post(`${url}/__sandbox/extraction`, { ms: 100, institution: 'demo' })).status).toBe(200);
    const auth = async () => ({ Authorization: `Bearer ${await token()}` });
    const first = await post(`${url}${CATALOG_PATH}`, { seasonCode: 'S26' }, await auth());
    expect(first.json).toEqual({ statusCode: 'in_progress' });
    // Another body is another extraction, started now.
    expect((await post(`${url}${CATALOG_PATH}`, {}, await auth())).json).toEqual({ statusCode: 'in_progress' });
    await new Promise((r) => setTimeout(r, 150));
    const done = await post(`${url}${CATALOG_PATH}`, { seasonCode: 'S26' }, await auth());
    expect(done.json).toMatchObject({ statusCode: 'success', catalogData: { seasons: [{ code: 'S26' }] } });
    const state = (await (await fetch(`${url}/__sandbox/state`)).json()) as { extractionMs: Record<string, number> };
    expect(state.extractionMs).toMatchObject({ DEMO: 100, FAULTY: 0 });
    sandbox.state.reset();
    expect(sandbox.state.snapshot()).toMatchObject({ extractionMs: { DEMO: 0 } });
  });

  it('the extractionMs server option applies to every institution', async () => {
    const s = createSandbox({ admin: false, extractionMs: 60_000 });
    const { url: u } = await s.listen(0);
    try {
      const faulty = sandboxHints('FAULTY');
      const t = await token({ sub: 'FAULTY', aud: faulty.login, password: faulty.password });
      expect((await post(`${u}${CATALOG_PATH}`, {}, { Authorization: `Bearer ${t}` })).json).toEqual({ statusCode: 'in_progress' });
    } finally {
      await s.close();
    }
  });

  it('lists every demo institution with what it shows (the console banner reads the same list)', () => {
    expect(allSandboxHints().map((h) => [h.institutionCode, h.shows])).toEqual([
      ['DEMO', 'passes'],
      ['FAULTY', 'fails'],
      ['UNLISTED', 'to_confirm'],
      ['BIGCAT', 'large_catalog'],
    ]);
    // A contact without the flag comes before one known not to be authorised, after authorised ones.
    expect(sandboxHints('UNLISTED')).toMatchObject({ contactNumbers: ['000456'], contactNumber: undefined });
  });

  it('generates the large catalog deterministically (same seed, same catalog)', () => {
    const spec = defaultFixture().institutions.find((i) => i.code === 'BIGCAT')!.generatedCatalog!;
    const small = { ...spec, events: 20, passes: 5 };
    expect(JSON.stringify(generateCatalog(small, [51, 52]))).toBe(JSON.stringify(generateCatalog(small, [51, 52])));
    expect(generateCatalog(small, [51])[0].products).toHaveLength(25);
  });

  it('without admin, /__sandbox/ answers 404', async () => {
    const plain = createSandbox({ admin: false });
    const { url: u } = await plain.listen(0);
    try {
      expect((await fetch(`${u}/__sandbox/state`)).status).toBe(404);
      expect((await post(`${u}/__sandbox/reset`, {})).status).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it('close() ends hanging answers', async () => {
    const s = createSandbox({ admin: true });
    const { url: u } = await s.listen(0);
    s.state.setFaults([{ hang: 1 }]);
    const pending = post(`${u}${POS_PATH}`, {}, { Authorization: `Bearer ${await token()}` }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    await s.close();
    // fetch rejects (its TypeError comes from another realm under jest, so match by shape).
    expect(await pending).toMatchObject({ message: expect.stringMatching(/fetch failed/) });
  });
});
