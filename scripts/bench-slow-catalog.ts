/**
 * `npm run bench` (second part, issue 8), or alone `npm run bench:slow-catalog`: the
 * verification against SecuTix as it really answers. Not a test: it prints figures and exits 0,
 * or 1 when a verification or a request failed.
 *
 * 1. A large catalog (the sandbox's generated `BIGCAT` shape: about 5,000 products, 20,000
 *    performances, 10 MB): `scripts/bench/big-verification.ts` in its own process runs complete
 *    verifications through the real core, client and SQLite store and reports, per
 *    verification, the time from SecuTix's last answer to the report and the RSS growth.
 * 2. Acks while SecuTix extracts: the product (`adapters/main.ts`, Slack env, its SecuTix client
 *    polling every 5 s) runs a verification whose catalog the sandbox keeps `in_progress` for
 *    20 s; during the wait, signed slash commands and button clicks go out paced at 50/s over 10
 *    connections. The same load then goes to a bare Bolt app (side by side, one after the other).
 * Target (issue 8): report under 500 ms after the last answer, RSS growth under 150 MB, ack p99
 * under 50 ms during the extraction.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultFixture } from '../adapters/sandbox';
import { type Child, pool, portOf, postJson, startChild } from './bench/children';
import { BENCH_CONTACT, BENCH_CONTINGENT, benchFixture, benchInstitutions } from './bench/fixture';
import { type LoadResult, newAgent, paced, percentile, type Target } from './bench/load';
import { clickBody, commandBodyFor, fullRun, startRun } from './bench/runs';
import { SlackWorld } from './bench/slack-world';

const SIGNING_SECRET = 'bench-signing-secret-not-a-real-one';
const BOT_TOKEN = 'fakebot-test-token';
const SUPPORT_CHANNEL = 'C0SUPPORT';
const EXTRACTION_MS = 20_000;
const RATE = 50;
const CONNECTIONS = 10;
/** Requests of each kind during the extraction (10 s at 50/s, well inside the 20 s wait). */
const N_DURING = 250;
const BIG_VERIFICATIONS = 3;

const log = (s: string): void => void process.stdout.write(`${s}\n`);
const r0 = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : '-');
const r1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');

interface BigResult {
  lastAnswerToReportMs: number;
  verificationMs: number;
  passed: boolean;
  rssBeforeMb: number;
  rssPeakMb: number;
  rssAfterMb: number;
}

/** The generated large institution, renamed, with the bench's contingent and contact (so Slack runs pass). */
function bigInstitution(code: string, password: string): Record<string, unknown> {
  const big = defaultFixture().institutions.find((i) => i.code === 'BIGCAT');
  if (!big?.generatedCatalog) throw new Error('the sandbox fixture has no generated BIGCAT institution');
  return {
    ...big,
    code,
    name: `Bench ${code}`,
    operators: [{ login: `${code}_DGTK`, password }],
    contingentIds: [BENCH_CONTINGENT],
    contacts: [{ contactNumber: BENCH_CONTACT, pendingAccountAuthorized: true }],
    posConfig: { ...big.posConfig, virtualOperatorName: `${code}_DGTK`, institCode: code },
    extractionMs: 0,
  };
}

async function bigVerifications(sandboxUrl: string, code: string, password: string): Promise<BigResult[]> {
  const child = startChild(
    'big-verification',
    'scripts/bench/big-verification.ts',
    {
      BENCH_SANDBOX_URL: sandboxUrl,
      BENCH_INSTITUTION: code,
      BENCH_PASSWORD: password,
      BENCH_CONTINGENTS: String(BENCH_CONTINGENT),
      BENCH_CONTACT,
      BENCH_RUNS: String(BIG_VERIFICATIONS),
      LOG_LEVEL: 'warn',
    },
    ['--expose-gc'],
  );
  const line = await child.waitFor((l) => (l.startsWith('{"results"') ? l : undefined), 300_000);
  await child.stop();
  return (JSON.parse(line) as { results: BigResult[] }).results;
}

function ackLine(app: string, what: string, r: LoadResult): string {
  return (
    `  ${app.padEnd(7)} ${what.padEnd(9)} n=${r.sent} p50=${r1(percentile(r.latencies, 50))} ms ` +
    `p99=${r1(percentile(r.latencies, 99))} ms max=${r1(Math.max(...r.latencies))} ms failed=${r.failed}`
  );
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digitick-bench-slow-'));
  const world = await new SlackWorld().start();
  const children: Child[] = [];
  let exitCode = 0;
  try {
    const sandbox = startChild('sandbox', 'adapters/sandbox/main.ts', { SANDBOX_PORT: '0', LOG_LEVEL: 'warn' });
    children.push(sandbox);
    const sandboxUrl = await sandbox.waitFor((l) => /listening on (http:\/\/[0-9.:]+)/.exec(l)?.[1]);
    const prepInsts = benchInstitutions('BS', N_DURING);
    const fixture = benchFixture(prepInsts) as { institutions: unknown[] };
    fixture.institutions.push(bigInstitution('BIGBENCH', 'pw-bigbench'), bigInstitution('BIGSLOW', 'pw-bigslow'));
    await postJson(`${sandboxUrl}/__sandbox/fixture`, fixture);

    // ---- 1. large catalog: last answer -> report, RSS ---------------------------------------
    const big = await bigVerifications(sandboxUrl, 'BIGBENCH', 'pw-bigbench');
    log(`large catalog (5,000 products, 20,000 performances, about 10 MB), ${big.length} verifications one after the other:`);
    for (const [i, b] of big.entries()) {
      log(
        `  #${i + 1} ${b.passed ? 'passed' : 'NOT PASSED'}: SecuTix's last answer -> report ${r0(b.lastAnswerToReportMs)} ms ` +
          `(whole verification ${r0(b.verificationMs)} ms); RSS ${r1(b.rssBeforeMb)} -> peak ${r1(b.rssPeakMb)} MB ` +
          `(+${r1(b.rssPeakMb - b.rssBeforeMb)} MB), after ${r1(b.rssAfterMb)} MB`,
      );
      if (!b.passed) exitCode = 1;
    }
    const worstReport = Math.max(...big.map((b) => b.lastAnswerToReportMs));
    const worstRss = Math.max(...big.map((b) => b.rssPeakMb - b.rssBeforeMb));

    // ---- 2. acks while SecuTix extracts for 20 s ---------------------------------------------
    const product = startChild('product', 'adapters/main.ts', {
      PORT: '0',
      HOST: '127.0.0.1',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: world.api.apiUrl,
      SECUTIX_SUPPORT_SLACK_CHANNEL: SUPPORT_CHANNEL,
      SECUTIX_BASE_URL: sandboxUrl,
      SECUTIX_SANDBOX: 'false',
      DATABASE_URL: `sqlite:${path.join(dir, 'runs.db')}`,
      LOG_LEVEL: 'info',
    });
    children.push(product);
    const bare = startChild('bare', 'scripts/bench/bare-bolt.ts', {
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: world.api.apiUrl,
    });
    children.push(bare);
    const targets: Record<'product' | 'bare', Target> = {
      product: {
        url: `http://127.0.0.1:${await portOf(product, (j) => String(j.msg).startsWith('serving Slack'))}/slack/events`,
        signingSecret: SIGNING_SECRET,
      },
      bare: { url: `http://127.0.0.1:${await portOf(bare, () => true)}/slack/events`, signingSecret: SIGNING_SECRET },
    };
    // Runs at step 1 whose first two steps the clicks advance during the wait.
    const prepAgent = newAgent(10);
    const prep = await pool(prepInsts.length, 10, (i) =>
      startRun(prepAgent, targets.product, world, { id: `U0SLOW${i % 10}`, name: 'prep' }, `C0SLOW${i}`, prepInsts[i]!.code),
    );
    prepAgent.destroy();
    if (prep.errors.length) throw new Error(`preparing runs failed: ${prep.errors.slice(0, 3).join('; ')}`);
    await world.quiet();
    const runs = prep.ok.map((runId, i) => ({
      runId,
      channel: world.posts.get(runId)![0]!.channel,
      user: { id: `U0SLOW${i % 10}`, name: 'prep' },
    }));
    // Two click sets on distinct runs: one while nothing else happens, one during the extraction.
    const clicksOf = (set: typeof runs) => [
      ...set.map((r) => clickBody({ user: r.user, channel: r.channel, actionId: 'step_done', runId: r.runId, step: 'sales_channel' })),
      ...set.map((r) => clickBody({ user: r.user, channel: r.channel, actionId: 'step_done', runId: r.runId, step: 'point_of_sale' })),
    ];
    const idleClicks = clicksOf(runs.slice(0, N_DURING / 2));
    const clicks = clicksOf(runs.slice(N_DURING / 2));
    const commands = (prefix: string) =>
      Array.from({ length: N_DURING }, (_, i) =>
        commandBodyFor(world, { id: `U0C${i % 20}`, name: 'op' }, `C0${prefix}${i % 50}`, `start ${prefix}${i}`),
      );

    // The product with nothing else going on, for comparison.
    const idleCommands = await paced(targets.product, commands('IDLEC'), RATE, CONNECTIONS);
    const idleClickLoad = await paced(targets.product, idleClicks, RATE, CONNECTIONS);
    await world.quiet();

    await postJson(`${sandboxUrl}/__sandbox/extraction`, { institution: 'BIGSLOW', ms: EXTRACTION_MS });
    const verifyAgent = newAgent(1);
    const who = { operator: { id: 'U0BIG', name: 'big' }, support: { id: 'U0SUPPORT', name: 'sam' }, supportChannel: SUPPORT_CHANNEL };
    const slow = fullRun(verifyAgent, targets.product, world, who, 'C0BIGSLOW', { code: 'BIGSLOW', password: 'pw-bigslow' });
    // Wait until SecuTix is extracting (the sandbox has answered the first catalog call in_progress).
    for (;;) {
      const state = (await (await fetch(`${sandboxUrl}/__sandbox/state`)).json()) as { log: { method: string; institution?: string }[] };
      if (state.log.some((c) => c.method === 'getCatalogDetailed' && c.institution === 'BIGSLOW')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const waitStarted = performance.now();
    const productCommands = await paced(targets.product, commands('SLOWC'), RATE, CONNECTIONS);
    const productClicks = await paced(targets.product, clicks, RATE, CONNECTIONS);
    const loadEndedAfter = performance.now() - waitStarted;
    const timing = await slow;
    verifyAgent.destroy();
    const bareCommands = await paced(targets.bare, commands('BAREC'), RATE, CONNECTIONS);
    const bareClicks = await paced(targets.bare, clicks, RATE, CONNECTIONS);
    // 'idle': the product with no verification under way; 'product': the same during the extraction.
    log(
      `acks while SecuTix extracts a catalog for ${EXTRACTION_MS / 1000} s (${RATE}/s over ${CONNECTIONS} connections; ` +
        `the load ended ${r0(loadEndedAfter / 1000)} s into the wait; that verification took ${r0(timing.verificationMs)} ms to the email draft):`,
    );
    for (const [app, c, k] of [
      ['bare', bareCommands, bareClicks],
      ['idle', idleCommands, idleClickLoad],
      ['product', productCommands, productClicks],
    ] as const) {
      log(ackLine(app, 'command', c));
      log(ackLine(app, 'click', k));
    }
    const p99 = Math.max(percentile(productCommands.latencies, 99), percentile(productClicks.latencies, 99));
    const ratio = (a: LoadResult, b: LoadResult) => percentile(a.latencies, 99) / percentile(b.latencies, 99);
    log(
      `  p99 ratio product / bare Bolt: command ${r1(ratio(productCommands, bareCommands))}x, click ${r1(ratio(productClicks, bareClicks))}x`,
    );
    const failed = [productCommands, productClicks, idleCommands, idleClickLoad, bareCommands, bareClicks].reduce(
      (n, r) => n + r.failed,
      0,
    );
    if (failed > 0) exitCode = 1;
    log('targets (issue 8):');
    log(`  SecuTix's last answer -> report max ${r0(worstReport)} ms (target < 500 ms) ${worstReport < 500 ? 'met' : 'MISSED'}`);
    log(`  RSS growth during a verification max ${r1(worstRss)} MB (target < 150 MB) ${worstRss < 150 ? 'met' : 'MISSED'}`);
    log(`  ack p99 during a ${EXTRACTION_MS / 1000} s extraction ${r1(p99)} ms (target < 50 ms) ${p99 < 50 ? 'met' : 'MISSED'}`);
  } catch (err) {
    log(`bench failed: ${(err as Error).stack ?? String(err)}`);
    exitCode = 1;
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await world.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.exit(exitCode);
}

void main();
