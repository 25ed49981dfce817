/**
 * `npm run bench`: the product's Slack surface against a bare Bolt app, side by side, in one
 * run (issue 4). Not a test: it prints figures and exits 0, or 1 when a run failed or a step
 * message was posted twice.
 *
 * Processes (all on 127.0.0.1): this process holds the load generator and the fake Slack Web
 * API (`test/fakes/fake-slack-api.ts`, the tests' fake); the SecuTix sandbox runs as its own
 * process (`adapters/sandbox/main.ts`, admin API on) loaded with generated institutions
 * (`POST /__sandbox/fixture`); the product runs as `node --import tsx adapters/main.ts` (the
 * real composition root, Slack env, SQLite in a temporary directory) and the baseline as
 * `scripts/bench/bare-bolt.ts`. Separate processes give honest RSS figures (`/proc/<pid>/status`)
 * and keep the generator's event loop out of the measured one.
 *
 * Phases: ack latency of the slash command and of a button click, paced at 1 connection and at
 * 100 requests/s over 10 connections, then saturated (closed loop, 10 connections) for the
 * capacity; one verification at a time with the sandbox answering every call in 200 ms; 1,000
 * complete runs with 100 in flight, each on its own institution and channel; RSS at idle and
 * after the 1,000 runs. Options: `--runs <n>` (default 1000), `--in-flight <n>` (default 100).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { STEP_IDS } from '../src/domain/ids';
import { execFileSync } from 'node:child_process';
import { type Child, collectGarbage, pool, portOf, postJson, rssMb, startChild } from './bench/children';
import { benchFixture, benchInstitutions } from './bench/fixture';
import { type LoadResult, newAgent, paced, percentile, saturated, type Target } from './bench/load';
import { clickBody, commandBodyFor, fullRun, postSignature, type RunTiming, startRun, type Who } from './bench/runs';
import { SlackWorld } from './bench/slack-world';

const SIGNING_SECRET = 'bench-signing-secret-not-a-real-one';
/** The fake Slack API's accepted bot token (a test value). */
const BOT_TOKEN = 'fakebot-test-token';
const SUPPORT_CHANNEL = 'C0SUPPORT';
const SUPPORT_USER = { id: 'U0SUPPORT', name: 'sam' };

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a whole number`);
  return n;
}

const RUNS = arg('runs', 1000);
/**
 * Full runs done before the measured ones (not counted): RSS growth is then read per 1,000 runs
 * at steady state, not while V8's heap is still growing to its working size. `--no-warmup`: none.
 */
const WARMUP_RUNS = process.argv.includes('--no-warmup') ? 0 : arg('warmup-runs', 1000);
const IN_FLIGHT = arg('in-flight', 100);
/** Requests per ack phase. */
const N_ONE = 300;
const ONE_RATE = 50;
const N_PACED = 2000;
const PACED_RATE = 100;
const N_SAT_COMMANDS = 4000;
const N_SAT_CLICKS = 3000;
const VERIFY_RUNS = 5;
const SANDBOX_LATENCY_MS = 200;

const log = (s: string): void => void process.stdout.write(`${s}\n`);
const r1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');
const r0 = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : '-');

/** A measured ack phase for one app. */
interface Phase {
  name: string;
  app: 'bare' | 'product';
  result: LoadResult;
  /** Event-loop lag p99 of this (the generator's) process during the phase, ms beyond the 10 ms sampling interval. */
  genLoopP99: number;
  /** Product only: from the first request until the last Slack call its work made, ms. */
  workDoneMs?: number;
}

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

async function measure(name: string, app: Phase['app'], run: () => Promise<LoadResult>, world: SlackWorld): Promise<Phase> {
  loop.reset();
  const before = world.total;
  const t0 = performance.now();
  const result = await run();
  // The histogram records the time between two 10 ms ticks: the lag is what exceeds 10 ms.
  const genLoopP99 = Math.max(0, loop.percentile(99) / 1e6 - 10);
  const phase: Phase = { name, app, result, genLoopP99 };
  if (app === 'product') {
    await world.quiet();
    if (world.total > before) phase.workDoneMs = world.lastCallAt - t0;
  }
  const lat = result.latencies;
  log(
    `  ${app.padEnd(7)} ${name.padEnd(26)} n=${result.sent} p50=${r1(percentile(lat, 50))} ms p99=${r1(percentile(lat, 99))} ms ` +
      `${r0((result.sent / result.elapsedMs) * 1000)} req/s failed=${result.failed}${phase.workDoneMs ? ` work done in ${r0(phase.workDoneMs)} ms` : ''}`,
  );
  if (result.failures.length) log(`    failures: ${result.failures.join('; ')}`);
  return phase;
}

interface SandboxCallLog {
  method: string;
  institution?: string;
  startMs: number;
  endMs?: number;
}

/** Sequential round trips of a set of calls: a call starting after every earlier wave ended opens a new wave. */
function roundTrips(calls: SandboxCallLog[]): number {
  const sorted = [...calls].sort((a, b) => a.startMs - b.startMs);
  let waves = 0;
  let waveEnd = -Infinity;
  for (const c of sorted) {
    if (c.startMs >= waveEnd) {
      waves += 1;
      waveEnd = c.endMs ?? c.startMs;
    } else waveEnd = Math.max(waveEnd, c.endMs ?? c.startMs);
  }
  return waves;
}

async function main(): Promise<void> {
  const started = performance.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digitick-bench-'));
  log(
    `npm run bench: ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, Node ${process.version}, runs=${RUNS}, in flight=${IN_FLIGHT}`,
  );
  log(`code: ${gitState()}`);

  const world = await new SlackWorld().start();
  const children: Child[] = [];
  let exitCode = 0;
  try {
    // ---- sandbox with generated institutions ------------------------------------------------
    const sandbox = startChild('sandbox', 'adapters/sandbox/main.ts', { SANDBOX_PORT: '0', LOG_LEVEL: 'warn' });
    children.push(sandbox);
    const sandboxUrl = await sandbox.waitFor((l) => /listening on (http:\/\/[0-9.:]+)/.exec(l)?.[1]);
    const runInsts = benchInstitutions('BR', RUNS);
    const warmInsts = benchInstitutions('BW', WARMUP_RUNS);
    const verifyInsts = benchInstitutions('BV', VERIFY_RUNS);
    await postJson(`${sandboxUrl}/__sandbox/fixture`, benchFixture([...runInsts, ...warmInsts, ...verifyInsts]));
    log(`sandbox ${sandboxUrl}: ${runInsts.length + warmInsts.length + verifyInsts.length} generated institutions`);

    // ---- product and bare Bolt ----------------------------------------------------------------
    const snapshots = fs.mkdtempSync(path.join(dir, 'heap-'));
    const product = startChild(
      'product',
      'adapters/main.ts',
      {
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
        DEFAULT_LOCALE: 'en',
        // Extra environment for the product only, e.g. BENCH_PRODUCT_ENV="MALLOC_ARENA_MAX=2".
        ...Object.fromEntries(
          (process.env.BENCH_PRODUCT_ENV ?? '')
            .split(/\s+/)
            .filter((kv) => kv.includes('='))
            .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
        ),
      },
      // Inert until signalled: lets the bench force a full GC to tell garbage from a leak.
      [
        `--heapsnapshot-signal=SIGUSR2`,
        `--diagnostic-dir=${snapshots}`,
        // Extra Node flags for the product only, e.g. a heap cap: BENCH_PRODUCT_NODE_ARGS="--max-old-space-size=192".
        ...(process.env.BENCH_PRODUCT_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
      ],
    );
    children.push(product);
    const bare = startChild('bare', 'scripts/bench/bare-bolt.ts', {
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_API_URL: world.api.apiUrl,
    });
    children.push(bare);
    const productPort = await portOf(product, (j) => String(j.msg).startsWith('serving Slack'));
    const barePort = await portOf(bare, () => true);
    const targets: Record<Phase['app'], Target> = {
      product: { url: `http://127.0.0.1:${productPort}/slack/events`, signingSecret: SIGNING_SECRET },
      bare: { url: `http://127.0.0.1:${barePort}/slack/events`, signingSecret: SIGNING_SECRET },
    };
    await new Promise((r) => setTimeout(r, 1000));
    const rss = {
      productStart: rssMb(product.pid),
      bareStart: rssMb(bare.pid),
      productBefore: NaN,
      productPeak: NaN,
      productAfter: NaN,
      bareEnd: NaN,
    };
    log(
      `product pid ${product.pid} port ${productPort} RSS ${r1(rss.productStart)} MB; bare Bolt pid ${bare.pid} port ${barePort} RSS ${r1(rss.bareStart)} MB`,
    );

    // ---- runs for the click phases (each click advances a real run) ---------------------------
    const clickRuns = (N_ONE + N_PACED + N_SAT_CLICKS) / 2;
    const prepAgent = newAgent(20);
    const prepStarted = performance.now();
    const prep = await pool(clickRuns, 20, (i) =>
      startRun(prepAgent, targets.product, world, { id: `U0PREP${i % 20}`, name: 'prep' }, `C0PREP${i}`, `PR${String(i).padStart(5, '0')}`),
    );
    prepAgent.destroy();
    await world.quiet();
    if (prep.errors.length) throw new Error(`preparing runs failed: ${prep.errors.slice(0, 3).join('; ')}`);
    const prepRuns = prep.ok.map((runId, i) => ({
      runId,
      channel: world.posts.get(runId)![0]!.channel,
      user: { id: `U0PREP${i % 20}`, name: 'prep' },
    }));
    log(`prepared ${prepRuns.length} runs at step 1 for the click phases in ${r0(performance.now() - prepStarted)} ms`);
    // Two clicks per run: step 1 for every run of the phase, then step 2 (by then step 1 is done).
    let taken = 0;
    const clickBodies = (n: number): string[] => {
      const runs = prepRuns.slice(taken, taken + n / 2);
      taken += n / 2;
      return [
        ...runs.map((r) => clickBody({ user: r.user, channel: r.channel, actionId: 'step_done', runId: r.runId, step: 'sales_channel' })),
        ...runs.map((r) => clickBody({ user: r.user, channel: r.channel, actionId: 'step_done', runId: r.runId, step: 'point_of_sale' })),
      ];
    };
    let cmdSeq = 0;
    const commandBodies = (n: number): string[] =>
      Array.from({ length: n }, () => {
        cmdSeq += 1;
        return commandBodyFor(world, { id: `U0CMD${cmdSeq % 50}`, name: 'op' }, `C0CMD${cmdSeq % 100}`, `start CMD${cmdSeq}`);
      });

    // ---- ack latency and capacity -----------------------------------------------------------------
    const phases: Phase[] = [];
    const ephemeralsBefore = world.ephemeralCount;
    const both = async (name: string, bodies: string[], load: (t: Target, b: string[]) => Promise<LoadResult>) => {
      phases.push(await measure(name, 'bare', () => load(targets.bare, bodies), world));
      phases.push(await measure(name, 'product', () => load(targets.product, bodies), world));
    };
    log('ack latency (time to the HTTP answer):');
    await both(`command 1 conn ${ONE_RATE}/s`, commandBodies(N_ONE), (t, b) => paced(t, b, ONE_RATE, 1));
    await both(`click 1 conn ${ONE_RATE}/s`, clickBodies(N_ONE), (t, b) => paced(t, b, ONE_RATE, 1));
    await both(`command 10 conn ${PACED_RATE}/s`, commandBodies(N_PACED), (t, b) => paced(t, b, PACED_RATE, 10));
    await both(`click 10 conn ${PACED_RATE}/s`, clickBodies(N_PACED), (t, b) => paced(t, b, PACED_RATE, 10));
    await both('command 10 conn saturated', commandBodies(N_SAT_COMMANDS), (t, b) => saturated(t, b, 10));
    await both('click 10 conn saturated', clickBodies(N_SAT_CLICKS), (t, b) => saturated(t, b, 10));
    const clickRefusals = world.ephemeralCount - ephemeralsBefore;
    const ackFailures = phases.reduce((n, p) => n + p.result.failed, 0);

    // ---- verification with a 200 ms sandbox ------------------------------------------------
    await postJson(`${sandboxUrl}/__sandbox/faults`, { faults: [{ latencyMs: SANDBOX_LATENCY_MS }] });
    const verifyAgent = newAgent(1);
    const who = (slot: number): Who => ({
      operator: { id: `U0OP${slot}`, name: `op${slot}` },
      support: SUPPORT_USER,
      supportChannel: SUPPORT_CHANNEL,
    });
    const verifications: RunTiming[] = [];
    for (const [i, inst] of verifyInsts.entries())
      verifications.push(await fullRun(verifyAgent, targets.product, world, who(0), `C0VERIFY${i}`, inst));
    verifyAgent.destroy();
    await postJson(`${sandboxUrl}/__sandbox/faults`, { faults: [] });
    const state = (await (await fetch(`${sandboxUrl}/__sandbox/state`)).json()) as { log: SandboxCallLog[] };
    const sandboxSpans = verifyInsts.map((v) => {
      const calls = state.log.filter((c) => c.institution === v.code);
      const span = Math.max(...calls.map((c) => c.endMs ?? c.startMs)) - Math.min(...calls.map((c) => c.startMs));
      return { code: v.code, calls: calls.length, trips: roundTrips(calls), span };
    });
    const vMs = verifications.map((v) => v.verificationMs);
    log(
      `verification with every sandbox call taking ${SANDBOX_LATENCY_MS} ms (${VERIFY_RUNS} runs, one at a time): ` +
        `password submitted -> email draft posted p50 ${r0(percentile(vMs, 50))} ms, max ${r0(Math.max(...vMs))} ms; ` +
        `SecuTix calls ${sandboxSpans.map((s) => `${s.calls} calls in ${s.trips} round trips over ${r0(s.span)} ms`).join(', ')}`,
    );

    // A full GC (through a heap snapshot) is forced here, before the warm-up, and again after the
    // measured runs: forcing one just before the measured runs would shrink the heap and make the
    // raw RSS growth of those runs V8 growing back to its working size, not what the runs keep.
    await world.quiet();
    const gcBefore = await collectGarbage(product, snapshots);
    log(
      `product after a full GC before the ${WARMUP_RUNS} warm-up runs: RSS ${r1(gcBefore.rssMb)} MB, live JS heap ${r1(gcBefore.liveHeapMb)} MB`,
    );

    // ---- warm-up runs (not counted) ----------------------------------------------------------------
    if (WARMUP_RUNS > 0) {
      await world.quiet();
      const warmAgent = newAgent(IN_FLIGHT);
      const rssWarm0 = await idleRss(product.pid);
      const warm = await pool(WARMUP_RUNS, IN_FLIGHT, (i, slot) =>
        fullRun(warmAgent, targets.product, world, who(slot), `C0WARM${i}`, warmInsts[i]!),
      );
      warmAgent.destroy();
      await world.quiet();
      log(
        `warm-up: ${warm.ok.length}/${WARMUP_RUNS} runs (errors ${warm.errors.length}), RSS at idle ${r1(rssWarm0)} -> ${r1(await idleRss(product.pid))} MB (not counted)`,
      );
      if (warm.errors.length > 0) exitCode = 1;
    }

    // ---- 1,000 complete runs, 100 in flight ------------------------------------------------------
    await world.quiet();
    rss.productBefore = await idleRss(product.pid);
    log(`product at idle before the ${RUNS} measured runs: RSS ${r1(rss.productBefore)} MB`);
    let peak = rss.productBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(product.pid))), 250);
    const runAgent = newAgent(IN_FLIGHT);
    const runsStarted = performance.now();
    const errorsBefore = product.errorCount;
    const ephBefore = world.ephemeralCount;
    const done = await pool(RUNS, IN_FLIGHT, (i, slot) => fullRun(runAgent, targets.product, world, who(slot), `C0RUN${i}`, runInsts[i]!));
    const runsElapsed = performance.now() - runsStarted;
    runAgent.destroy();
    await world.quiet();
    clearInterval(sampler);
    rss.productAfter = await idleRss(product.pid);
    rss.productPeak = Math.max(peak, rss.productAfter);
    rss.bareEnd = rssMb(bare.pid);
    const gcAfter = await collectGarbage(product, snapshots);
    log(
      `product after the runs: RSS ${r1(rss.productAfter)} MB; after a full GC: RSS ${r1(gcAfter.rssMb)} MB, live JS heap ${r1(gcAfter.liveHeapMb)} MB`,
    );

    // Duplicates: every run's posts against the expected set (each step prompt exactly once).
    const expected = new Map<string, number>([
      ['card:sales_channel:text', 1],
      ['support:password_request:buttons', 1],
    ]);
    for (const s of STEP_IDS) expected.set(`thread:${s}:buttons`, 1);
    let duplicates = 0;
    let missing = 0;
    const odd: string[] = [];
    for (const t of done.ok) {
      const sig = postSignature(world, t.runId, SUPPORT_CHANNEL);
      for (const [k, n] of expected) {
        const got = sig.get(k) ?? 0;
        if (got > n) duplicates += got - n;
        if (got < n) missing += n - got;
        if (got !== n && odd.length < 5) odd.push(`${t.runId} ${k} x${got}`);
      }
      for (const [k, n] of sig) {
        if (!k.endsWith(':buttons') || expected.has(k)) continue;
        duplicates += n; // a message with buttons the flow never posts
        if (odd.length < 5) odd.push(`${t.runId} ${k} x${n}`);
      }
    }
    const runErrors = done.errors.length + (product.errorCount - errorsBefore) + (world.ephemeralCount - ephBefore);
    const totals = done.ok.map((t) => t.totalMs);
    const fullVerif = done.ok.map((t) => t.verificationMs);
    log(
      `${RUNS} runs, ${IN_FLIGHT} in flight: ${done.ok.length} completed in ${r0(runsElapsed)} ms = ${r1((done.ok.length / runsElapsed) * 1000)} runs/s; ` +
        `run p50 ${r0(percentile(totals, 50))} ms p99 ${r0(percentile(totals, 99))} ms; verification p50 ${r0(percentile(fullVerif, 50))} ms; ` +
        `errors ${runErrors} (driver ${done.errors.length}, product error logs ${product.errorCount - errorsBefore}, ephemeral refusals ${world.ephemeralCount - ephBefore}); ` +
        `duplicate step messages ${duplicates}, missing ${missing}`,
    );
    if (done.errors.length) log(`  driver errors: ${done.errors.slice(0, 3).join(' | ')}`);
    if (product.errors.length) log(`  product errors: ${product.errors.slice(0, 3).join(' | ')}`);
    if (odd.length) log(`  unexpected posts: ${odd.join(', ')}`);
    if (world.ephemerals.length) log(`  ephemeral answers: ${world.ephemerals.slice(0, 3).join(' | ')}`);

    // ---- table -------------------------------------------------------------------------------
    const byName = new Map<string, { bare?: Phase; product?: Phase }>();
    for (const p of phases) byName.set(p.name, { ...byName.get(p.name), [p.app]: p });
    log('');
    log('| phase | bare p50 | product p50 | ratio | bare p99 | product p99 | ratio | bare req/s | product req/s | ratio |');
    log('|---|---|---|---|---|---|---|---|---|---|');
    for (const [name, { bare: b, product: p }] of byName) {
      if (!b || !p) continue;
      const bp50 = percentile(b.result.latencies, 50);
      const pp50 = percentile(p.result.latencies, 50);
      const bp99 = percentile(b.result.latencies, 99);
      const pp99 = percentile(p.result.latencies, 99);
      const brps = (b.result.sent / b.result.elapsedMs) * 1000;
      const prps = (p.result.sent / p.result.elapsedMs) * 1000;
      log(
        `| ${name} | ${r1(bp50)} ms | ${r1(pp50)} ms | ${r1(pp50 / bp50)}x | ${r1(bp99)} ms | ${r1(pp99)} ms | ${r1(pp99 / bp99)}x | ${r0(brps)} | ${r0(prps)} | ${(prps / brps).toFixed(2)}x |`,
      );
    }
    log('');
    const sat = [...byName.entries()].filter(([n]) => n.includes('saturated'));
    for (const [name, { product: p }] of sat) {
      if (p?.workDoneMs)
        log(
          `${name}: product acks ${r0((p.result.sent / p.result.elapsedMs) * 1000)} req/s; acks + the work after them (Slack calls) done at ${r0((p.result.sent / p.workDoneMs) * 1000)} req/s`,
        );
    }
    log(
      `generator event-loop lag p99 per phase (ms, this process: latencies are timed here): ${phases.map((p) => `${p.app}/${p.name}=${r1(p.genLoopP99)}`).join(', ')}`,
    );
    log(`ephemeral refusals during the click phases: ${clickRefusals}; ack failures: ${ackFailures}`);
    log(
      `RSS (MB): bare Bolt ${r1(rss.bareStart)} at idle, ${r1(rss.bareEnd)} at the end; product ${r1(rss.productStart)} at start, ` +
        `${r1(rss.productBefore)} at idle before the ${RUNS} runs, peak ${r1(rss.productPeak)}, ${r1(rss.productAfter)} at idle after -> growth ${r1(rss.productAfter - rss.productBefore)} MB per ${RUNS} runs; ` +
        `after a full GC before the warm-up and after the measured runs (${WARMUP_RUNS + RUNS} runs apart): ${r1(gcBefore.rssMb)} -> ${r1(gcAfter.rssMb)} MB (growth ${r1(gcAfter.rssMb - gcBefore.rssMb)} MB), ` +
        `live JS heap ${r1(gcBefore.liveHeapMb)} -> ${r1(gcAfter.liveHeapMb)} MB`,
    );
    log(
      `product log lines ${product.lines}, warnings ${product.warnCount}, errors ${product.errorCount}; bench took ${r0((performance.now() - started) / 1000)} s`,
    );
    if (product.warnings.length) log(`  first warnings: ${product.warnings.slice(0, 3).join(' | ')}`);

    const paced10 = [...byName.entries()].filter(([n]) => n.includes(`${PACED_RATE}/s`));
    const targetsMet = [
      ...paced10.map(([n, { bare: b, product: p }]) => {
        const ratio = percentile(p!.result.latencies, 50) / percentile(b!.result.latencies, 50);
        const p99 = percentile(p!.result.latencies, 99);
        return `${n}: p50 ratio ${r1(ratio)}x (target <= 1.5x) ${ratio <= 1.5 ? 'met' : 'MISSED'}, p99 ${r1(p99)} ms (target < 50 ms) ${p99 < 50 ? 'met' : 'MISSED'}`;
      }),
      `runs: ${runErrors === 0 && duplicates === 0 && missing === 0 && done.ok.length === RUNS ? 'met' : 'MISSED'} (no error, no duplicate step)`,
      `RSS growth ${r1(rss.productAfter - rss.productBefore)} MB per ${RUNS} runs at idle (target < 50 MB per 1000) ${(rss.productAfter - rss.productBefore) * (1000 / RUNS) < 50 ? 'met' : 'MISSED'}; ` +
        `after a full GC ${r1(((gcAfter.rssMb - gcBefore.rssMb) * 1000) / (WARMUP_RUNS + RUNS))} MB per 1000 ${((gcAfter.rssMb - gcBefore.rssMb) * 1000) / (WARMUP_RUNS + RUNS) < 50 ? 'met' : 'MISSED'}`,
      `verification max ${r0(Math.max(...vMs))} ms (target < 700 ms) ${Math.max(...vMs) < 700 ? 'met' : 'MISSED'}, ${Math.max(...sandboxSpans.map((s) => s.trips))} round trips (target <= 3)`,
    ];
    log('targets:');
    for (const t of targetsMet) log(`  ${t}`);
    if (runErrors > 0 || duplicates > 0 || missing > 0 || ackFailures > 0 || done.ok.length !== RUNS) exitCode = 1;
  } finally {
    for (const c of children.reverse()) await c.stop();
    await world.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.exitCode = exitCode;
}

/** `HEAD` and whether the working tree differs (the bench measures the working tree). */
function gitState(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'adapters', 'templates'], { encoding: 'utf8' }).trim();
    return dirty ? `${head} + uncommitted changes in ${dirty.split('\n').length} file(s) of src/adapters/templates` : `${head} (clean)`;
  } catch {
    return 'unknown (no git)';
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});

/**
 * RSS "at idle" (MB): sampled every second once the load has stopped, until five samples in a row
 * stay within 2 MB (V8's memory reducer collects and returns memory a few seconds into idleness),
 * at most 40 s. Read at an arbitrary moment instead, RSS includes garbage of the last requests.
 */
async function idleRss(pid: number): Promise<number> {
  const samples: number[] = [];
  const deadline = Date.now() + 40_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    samples.push(rssMb(pid));
    const last = samples.slice(-5);
    if ((last.length === 5 && Math.max(...last) - Math.min(...last) < 2) || Date.now() > deadline) return samples[samples.length - 1]!;
  }
}
