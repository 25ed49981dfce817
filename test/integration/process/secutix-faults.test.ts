/**
 * SecuTix failures seen through the Slack path of the real product process (issue 4, "SecuTix"):
 * timeouts, connection resets, 5xx, 509 with `Retry-After`, `in_progress` forever, malformed or
 * mistyped JSON, 401. For each one the verification report in the run's thread names what failed
 * in plain words and carries the `verify_start` button, the run stays at `verification`, and the
 * process is still up (`GET /healthz`).
 *
 * The faults come from the sandbox's admin API (`POST /__sandbox/faults`) or, for the two it has
 * no rule for (reset, `in_progress` on every poll), from `SecutixFront` between the product and
 * the sandbox. The client is tuned short (`SECUTIX_TIMEOUT_MS=300`, `SECUTIX_MAX_RETRIES=1`) so
 * the suite stays fast (`SECUTIX_POLL_INTERVAL_MS=100`, `SECUTIX_EXTRACTION_TIMEOUT_MS=1000` for the
 * extraction that never ends); the kinds of failure are the same at any setting.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSandbox, demoHints, type FaultRuleInput, type Sandbox } from '../../../adapters/sandbox';
import { openSqliteRunStore } from '../../../adapters/store/sqlite-run-store';
import { FakeSlackApi, type FakeSlackMessage } from '../../fakes/fake-slack-api';
import {
  buttonsOf,
  type FrontFault,
  PROCESS_SECRETS,
  type ProductProcess,
  SecutixFront,
  SlackDriver,
  spawnProduct,
  SUPPORT_CHANNEL,
  waitFor,
} from './product-process';

const demo = demoHints();
let sandbox: Sandbox;
let sandboxUrl: string;
let front: SecutixFront;
let api: FakeSlackApi;
let dir: string;
let p: ProductProcess;
let slack: SlackDriver;
let runId: string;
const timings: string[] = [];

beforeAll(async () => {
  sandbox = createSandbox({ admin: true });
  ({ url: sandboxUrl } = await sandbox.listen(0, '127.0.0.1'));
  front = await new SecutixFront(sandboxUrl).start();
  api = await new FakeSlackApi().start();
  api.validTokens.add(PROCESS_SECRETS.botToken);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-'));
  p = await spawnProduct({
    SLACK_SIGNING_SECRET: PROCESS_SECRETS.signingSecret,
    SLACK_BOT_TOKEN: PROCESS_SECRETS.botToken,
    SLACK_API_URL: api.apiUrl,
    SECUTIX_SUPPORT_SLACK_CHANNEL: SUPPORT_CHANNEL,
    SECUTIX_SANDBOX: 'false',
    SECUTIX_BASE_URL: front.url,
    SECUTIX_TIMEOUT_MS: '300',
    SECUTIX_MAX_RETRIES: '1',
    SECUTIX_RATE_LIMIT_PER_MINUTE: '6000',
    // An extraction that never ends is given up after 1 s, polled every 100 ms (defaults: 180 s, 5 s).
    SECUTIX_POLL_INTERVAL_MS: '100',
    SECUTIX_EXTRACTION_TIMEOUT_MS: '1000',
    DATABASE_URL: `sqlite:${path.join(dir, 'runs.db')}`,
    LOG_LEVEL: 'info',
  });
  slack = new SlackDriver(api, `${p.baseUrl}/slack/events`);
  runId = await slack.runTo('verification', demo);
});

afterAll(async () => {
  await p.kill9();
  await api.stop();
  await front.stop();
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`SecuTix faults, submit to report (ms): ${timings.join('; ')}`);
});

async function setFaults(faults: FaultRuleInput[]): Promise<void> {
  const res = await fetch(`${sandboxUrl}/__sandbox/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ faults }),
  });
  expect(res.status).toBe(200);
}

/** Presses the newest verify_start, submits `password`, and returns the report posted after it. */
async function verifyOnce(password: string): Promise<FakeSlackMessage> {
  const latest = slack.open(runId, 'verification', 'verify_start')!;
  const views = api.callsOf('views.open').length;
  await slack.click(latest, 'verify_start');
  const t0 = performance.now();
  await slack.submitView(views + 1, { operator_password: password });
  const report = await waitFor('the next message of the verification step', () => {
    const newer = [...api.messages.values()].filter(
      (m) => m.metadata?.event_payload.run_id === runId && Number(m.ts) > Number(latest.ts) && m.metadata.event_payload.step !== undefined,
    );
    return newer.find((m) => buttonsOf(m.blocks).length > 0 || m.metadata?.event_payload.step === 'email_draft');
  });
  timings.push(`${Math.round(performance.now() - t0)}`);
  return report;
}

const UNAVAILABLE = (method: string) => new RegExp(`SecuTix could not answer ${method}`);
const UNREADABLE = (field: RegExp) =>
  new RegExp(`SecuTix answered getPOSConfig with data the assistant cannot read \\(field ${field.source}`);

// SecuTix not answering, or answering unreadably, says nothing about the setup: the checks it
// concerns are "not checked" (verify again), never "failed"; only a refused password fails.
const POS_ONLY = ['credentials'];
const PRODUCTS = ['event_products', 'pass_products'];
const cases: { name: string; faults?: FaultRuleInput[]; front?: FrontFault; password?: string; says: RegExp; notChecked?: string[] }[] = [
  {
    name: 'a timeout (no answer)',
    faults: [{ method: 'getPOSConfig', hang: 10 }],
    says: UNAVAILABLE('getPOSConfig'),
    notChecked: POS_ONLY,
  },
  { name: 'a connection reset', front: { method: 'getPOSConfig', kind: 'reset' }, says: UNAVAILABLE('getPOSConfig'), notChecked: POS_ONLY },
  {
    name: 'HTTP 503',
    faults: [{ method: 'getPOSConfig', status: { code: 503, count: 10 } }],
    says: UNAVAILABLE('getPOSConfig'),
    notChecked: POS_ONLY,
  },
  {
    name: 'HTTP 509 with Retry-After',
    faults: [{ method: 'getPOSConfig', status: { code: 509, count: 10, retryAfterSeconds: 1 } }],
    says: UNAVAILABLE('getPOSConfig'),
    notChecked: POS_ONLY,
  },
  {
    name: 'a timeout on getContactData',
    faults: [{ method: 'getContactData', hang: 10 }],
    says: UNAVAILABLE('getContactData'),
    notChecked: ['technical_contact'],
  },
  {
    name: 'HTTP 509 on getEventAvailability',
    faults: [{ method: 'getEventAvailability', status: { code: 509, count: 10 } }],
    says: UNAVAILABLE('getEventAvailability'),
    notChecked: ['event_products'],
  },
  {
    name: 'in_progress forever',
    front: { method: 'getCatalogDetailed', kind: 'in_progress_forever' },
    // Not a broken setup: the product checks are "not checked", never "failed", and nothing is to confirm.
    says: /SecuTix was still preparing the catalog \(getCatalogDetailed\) when the wait ran out: not checked/,
    notChecked: PRODUCTS,
  },
  { name: 'malformed JSON', faults: [{ method: 'getPOSConfig', malformedJson: 10 }], says: UNREADABLE(/[^)]+/), notChecked: POS_ONLY },
  { name: 'mistyped JSON', faults: [{ method: 'getPOSConfig', wrongTypes: 10 }], says: UNREADABLE(/[^)]*posId/), notChecked: POS_ONLY },
  { name: 'HTTP 401 (password rejected)', password: 'Not-The-Password-1', says: /SecuTix refused the login DEMO_DGTK with this password/ },
];

describe.each(cases)('SecuTix answers with $name', (c) => {
  afterAll(async () => {
    front.fault = undefined;
    await setFaults([]);
  });

  it('the report says what failed with a verify_start button; the run stays at verification; the process is up', async () => {
    // Arrange
    await setFaults(c.faults ?? []);
    front.fault = c.front;

    // Act
    const report = await verifyOnce(c.password ?? demo.password);

    // Assert
    expect(report.metadata?.event_payload.step).toBe('verification');
    expect(JSON.stringify(report.blocks)).toMatch(c.says);
    const buttons = buttonsOf(report.blocks);
    expect(buttons.find((b) => b.style === 'primary')?.action_id).toBe('verify_start');
    expect(buttons.map((b) => b.action_id)).toEqual(expect.arrayContaining(['verify_start', 'verify_skip', 'run_cancel']));
    if (c.front) expect(front.faulted).toBeGreaterThan(0);
    const store = await openSqliteRunStore(path.join(dir, 'runs.db'));
    const run = await store.get(runId);
    await store.close();
    expect(run?.currentStep).toBe('verification');
    expect(run?.verification?.passed).toBe(false);
    const text = JSON.stringify(report.blocks);
    if (c.notChecked) {
      expect(text).toMatch(/Verification: not finished, SecuTix gave no usable answer/);
      expect(text).toMatch(/: not checked/);
      expect(text).not.toMatch(/: failed|:x:|Verification failed/);
      expect(buttons.map((b) => b.action_id)).not.toContain('verify_confirm');
      expect(run?.steps.verification.state).toBe('current');
      expect(run?.verification?.checks.filter((k) => k.outcome === 'not_checked').map((k) => k.id)).toEqual(c.notChecked);
      expect(run?.verification?.checks.filter((k) => k.outcome === 'failed')).toEqual([]);
    } else {
      // A refused password is known to be bad: failed.
      expect(run?.verification?.checks.find((k) => k.id === 'credentials')?.outcome).toBe('failed');
      expect(text).toMatch(/:x:/);
    }
    expect(p.alive()).toBe(true);
    expect(await p.healthz()).toBe(200);
  });
});

it('with SecuTix healthy again, the same run verifies and moves on', async () => {
  const report = await verifyOnce(demo.password);
  expect(report.metadata?.event_payload.step).toBe('email_draft');
  expect(p.stderr.join('\n')).not.toMatch(/unhandled|uncaught/i);
  expect(p.logs.filter((l) => l.includes('unhandled rejection'))).toEqual([]);
});
