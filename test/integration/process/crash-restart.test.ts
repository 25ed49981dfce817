/**
 * kill -9 of the real product process at chosen points of a Slack run, then a restart on the same
 * SQLite file (issue 4, "crashes"): the run continues from its last saved step, a verification
 * interrupted mid-way is simply offered again (its `verify_start` button still works), and the
 * messages saved in the outbox but not yet posted are posted after the restart, none twice.
 *
 * Real parts: the product spawned with tsx, Bolt's HTTP receiver with signed requests, the fake
 * Slack Web API over loopback (behind `SlackGate`, which can hold `chat.postMessage`), the SecuTix
 * client against the sandbox over HTTP (latency set through its admin API).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSandbox, demoHints, type Sandbox } from '../../../adapters/sandbox';
import type { FaultRuleInput } from '../../../adapters/sandbox';
import { openSqliteRunStore } from '../../../adapters/store/sqlite-run-store';
import type { Run } from '../../../src/workflow/types';
import { FakeSlackApi } from '../../fakes/fake-slack-api';
import {
  buttonsOf,
  PROCESS_SECRETS,
  type ProductProcess,
  SlackDriver,
  SlackGate,
  spawnProduct,
  stepOf,
  SUPPORT_CHANNEL,
  waitFor,
} from './product-process';

const demo = demoHints();
let sandbox: Sandbox;
let sandboxUrl: string;
let api: FakeSlackApi;
let gate: SlackGate;
let dir: string;
let dbPath: string;
const procs: ProductProcess[] = [];
const timings: string[] = [];

beforeAll(async () => {
  sandbox = createSandbox({ admin: true });
  ({ url: sandboxUrl } = await sandbox.listen(0, '127.0.0.1'));
});
afterAll(async () => {
  await sandbox.close();
  console.log(`crash/restart timings: ${timings.join('; ')}`);
});
beforeEach(async () => {
  api = await new FakeSlackApi().start();
  api.validTokens.add(PROCESS_SECRETS.botToken);
  gate = await new SlackGate(api).start();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crash-'));
  dbPath = path.join(dir, 'runs.db');
  await setFaults([]);
});
afterEach(async () => {
  for (const p of procs.splice(0)) await p.kill9();
  await gate.stop();
  await api.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function setFaults(faults: FaultRuleInput[]): Promise<void> {
  const res = await fetch(`${sandboxUrl}/__sandbox/faults`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ faults }),
  });
  expect(res.status).toBe(200);
}

async function start(): Promise<ProductProcess> {
  const p = await spawnProduct({
    SLACK_SIGNING_SECRET: PROCESS_SECRETS.signingSecret,
    SLACK_BOT_TOKEN: PROCESS_SECRETS.botToken,
    SLACK_API_URL: gate.apiUrl,
    SECUTIX_SUPPORT_SLACK_CHANNEL: SUPPORT_CHANNEL,
    SECUTIX_SANDBOX: 'false',
    SECUTIX_BASE_URL: sandboxUrl,
    SECUTIX_RATE_LIMIT_PER_MINUTE: '6000',
    DATABASE_URL: `sqlite:${dbPath}`,
    LOG_LEVEL: 'debug',
  });
  procs.push(p);
  timings.push(`start ${Math.round(p.startMs)} ms`);
  return p;
}

/** Reads the stored run (and its undelivered outbox items) from the SQLite file, then closes it. */
async function stored(runId: string): Promise<{ run: Run; pending: number }> {
  const store = await openSqliteRunStore(dbPath);
  try {
    const run = await store.get(runId);
    if (!run) throw new Error(`run ${runId} not stored`);
    return { run, pending: (await store.pendingOutbox(100, runId)).length };
  } finally {
    await store.close();
  }
}

/** `chat.postMessage` calls Slack accepted, per step, that carried buttons (step prompts, reports with retry). */
function promptsPerStep(runId: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of api.callsOf('chat.postMessage')) {
    const meta = c.args.metadata as { event_payload?: { run_id?: string; step?: string } } | undefined;
    if (c.error || meta?.event_payload?.run_id !== runId || !buttonsOf(c.args.blocks as Record<string, unknown>[]).length) continue;
    const step = String(meta.event_payload.step);
    out[step] = (out[step] ?? 0) + 1;
  }
  return out;
}

/** `chat.postMessage` calls Slack accepted twice with the same channel, thread and content. */
function postedTwice(): string[] {
  const seen = new Map<string, number>();
  for (const c of api.callsOf('chat.postMessage')) {
    if (c.error) continue;
    const key = JSON.stringify([c.args.channel, c.args.thread_ts, c.args.text, c.args.blocks]);
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k]) => k.slice(0, 200));
}

it('kill -9 in the middle of a verification: after the restart the run is still at verification and the same verify_start button works', async () => {
  // Arrange: a run at verification; SecuTix answers getPOSConfig only after 5 s.
  const p1 = await start();
  const slack = new SlackDriver(api, `${p1.baseUrl}/slack/events`);
  const runId = await slack.runTo('verification', demo);
  const verifyMsg = slack.open(runId, 'verification', 'verify_start')!;
  await setFaults([{ method: 'getPOSConfig', latencyMs: 5000 }]);

  // Act: the operator submits the password; the verification is under way when the process dies.
  const views = api.callsOf('views.open').length;
  await slack.click(verifyMsg, 'verify_start');
  await slack.submitView(views + 1, { operator_password: demo.password });
  await waitFor('getPOSConfig in flight at SecuTix', () =>
    sandbox.state.log.some((c) => c.method === 'getPOSConfig' && c.endMs === undefined),
  );
  // The progress message ("Verifying...") is in the thread when the process dies.
  const progressTs = await waitFor(
    'the progress message posted',
    () => [...api.messages.values()].find((m) => m.metadata?.event_payload.run_id === runId && m.metadata.event_payload.progress_id)?.ts,
  );
  expect(String(api.messages.get(progressTs)?.text)).toMatch(/^Verifying/);
  await p1.kill9();

  // Assert: nothing of the interrupted verification was recorded.
  const crashed = await stored(runId);
  expect(crashed.run.currentStep).toBe('verification');
  expect(crashed.run.status).toBe('open');
  expect(crashed.run.verification).toBeUndefined();

  // Act: restart, SecuTix healthy again; the operator presses the same button of the same message.
  await setFaults([]);
  const t0 = performance.now();
  const p2 = await start();
  slack.target(p2.baseUrl);
  // The operator is told, in the run's thread, that the verification was cut and to verify again.
  await waitFor('the interrupted-verification notice', () =>
    api.callsOf('chat.postMessage').some((c) => /was interrupted/.test(String(c.args.text))),
  );
  // The dead process's progress message is closed in place: no "Verifying..." left behind (its edit
  // and the notice are two deliveries: under load the notice may arrive first).
  const closed = await waitFor('the progress message closed in place', () => {
    const m = api.messages.get(progressTs);
    return /^Verification of DEMO interrupted/.test(String(m?.text)) ? m : undefined;
  });
  expect(String(closed?.text)).toMatch(/^Verification of DEMO interrupted/);
  expect(JSON.stringify(closed?.blocks)).toMatch(/nothing was recorded\. Verify again\./);
  expect(JSON.stringify(closed?.blocks)).not.toMatch(/Verifying/);
  await slack.click(verifyMsg, 'verify_start');
  expect(await slack.viewId(views + 2)).toBe('onboard_password');
  await slack.submitView(views + 2, { operator_password: demo.password });
  await slack.waitOpen(runId, 'email_draft', 'email_sent');
  timings.push(`restart to verified ${Math.round(performance.now() - t0)} ms`);

  // Assert: verified once, moved on, the outbox drained; every step prompt was posted exactly once.
  // (The product marks the email prompt delivered just after Slack's answer: read once it has.)
  await waitFor('the outbox drained', async () => (await stored(runId)).pending === 0);
  const after = await stored(runId);
  expect(after.run.currentStep).toBe('email_draft');
  expect(after.run.verification?.passed).toBe(true);
  expect(after.pending).toBe(0);
  expect(promptsPerStep(runId)).toEqual({
    sales_channel: 1,
    point_of_sale: 1,
    contingents: 1,
    technical_contact: 1,
    event_products: 1,
    pass_products: 1,
    sales_interface: 1,
    password_request: 2, // the step message (cancel only) and the support request
    verification: 1,
    email_draft: 1,
  });
  expect(p2.alive()).toBe(true);
});

it('kill -9 between the state save and the post: after the restart the saved step is current and its message is posted once', async () => {
  // Arrange: a run at step 1; Slack will never see the next chat.postMessage.
  const p1 = await start();
  const slack = new SlackDriver(api, `${p1.baseUrl}/slack/events`);
  const runId = await slack.runTo('sales_channel', demo);
  const step1 = await slack.waitOpen(runId, 'sales_channel', 'step_done');
  gate.hold('chat.postMessage', 'request');

  // Act: step 1 done; the product saved the transition and is posting step 2 when it dies.
  await slack.click(step1, 'step_done');
  await waitFor('the step 2 post to be held', () => gate.held.length === 1);
  await p1.kill9();

  // Assert: the state was saved with its outbox; step 2 was not posted.
  const crashed = await stored(runId);
  expect(crashed.run.currentStep).toBe('point_of_sale');
  expect(crashed.pending).toBeGreaterThan(0);
  expect(slack.open(runId, 'point_of_sale', 'step_done')).toBeUndefined();

  // Act: restart; the outbox drains at start.
  gate.open();
  const t0 = performance.now();
  const p2 = await start();
  slack.target(p2.baseUrl);
  const step2 = await slack.waitOpen(runId, 'point_of_sale', 'step_done');
  timings.push(`restart to pending post ${Math.round(performance.now() - t0)} ms`);

  // Assert: posted once, nothing twice, and the run goes on from there. (The product marks the
  // item delivered just after Slack answers: wait for it rather than race it.)
  await waitFor('the outbox to drain', async () => (await stored(runId)).pending === 0);
  expect(promptsPerStep(runId)).toEqual({ sales_channel: 1, point_of_sale: 1 });
  expect(postedTwice()).toEqual([]);
  await slack.click(step2, 'step_done');
  await slack.waitOpen(runId, 'contingents', 'step_done');
  expect((await stored(runId)).run.currentStep).toBe('contingents');
  expect(stepOf(slack.card(runId)!)).toBe('contingents');
});

it('kill -9 after Slack posted but before the product heard back: after the restart the message is not posted twice', async () => {
  // Arrange: a run at step 1; Slack posts the next chat.postMessage but its answer never comes back.
  const p1 = await start();
  const slack = new SlackDriver(api, `${p1.baseUrl}/slack/events`);
  const runId = await slack.runTo('sales_channel', demo);
  const step1 = await slack.waitOpen(runId, 'sales_channel', 'step_done');
  gate.hold('chat.postMessage', 'answer');

  // Act
  await slack.click(step1, 'step_done');
  await waitFor('the step 2 answer to be held', () => gate.held.length === 1);
  await p1.kill9();
  expect((await stored(runId)).pending).toBeGreaterThan(0);
  gate.open();
  const p2 = await start();
  slack.target(p2.baseUrl);
  await waitFor('the outbox to drain', async () => (await stored(runId)).pending === 0);

  // Assert: the ambiguous post is found again rather than posted a second time.
  expect(promptsPerStep(runId)).toEqual({ sales_channel: 1, point_of_sale: 1 });
  expect(postedTwice()).toEqual([]);
});
