/**
 * Child process of `npm run bench` (issue 8): verifications of a large catalog (the sandbox's
 * generated `BIGCAT`-shaped institution: about 5,000 products, 20,000 performances, 10 MB),
 * through the real core (RunService, verifySetup), the axios SecuTix client over HTTP and a
 * SQLite store in a temporary directory. Prints one JSON line with, per verification, the time
 * from SecuTix's last answer (the last client call resolved) to the report delivered to the
 * chat notifier, and the process RSS before, at peak (sampled every 10 ms) and after.
 * Env: BENCH_SANDBOX_URL, BENCH_INSTITUTION, BENCH_PASSWORD, BENCH_CONTINGENTS, BENCH_CONTACT, BENCH_RUNS.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSecutixClient } from '../../adapters/secutix';
import { openSqliteRunStore } from '../../adapters/store/sqlite-run-store';
import { RunService } from '../../src/app/run-service';
import { verifySetup } from '../../src/app/verification';
import type { ChatNotifier } from '../../src/ports/chat-notifier.port';
import { systemClock } from '../../src/ports/clock.port';
import { silentLogger } from '../../src/ports/logger.port';
import type { SecutixPort } from '../../src/ports/secutix.port';
import type { Effect, Run } from '../../src/workflow/types';

const env = (k: string): string => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};
const rssMb = (): number => process.memoryUsage.rss() / 1_048_576;

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bigcat-'));
  const store = openSqliteRunStore(path.join(dir, 'runs.db'));
  const client = createSecutixClient({ baseUrl: env('BENCH_SANDBOX_URL'), pollIntervalMs: 200 });
  let lastAnswerAt = 0;
  // The port the core sees: every call's answer time is noted (the last one is "SecuTix's last answer").
  const secutix = new Proxy(client, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) =>
        (v as (...a: unknown[]) => Promise<unknown>).apply(target, args).finally(() => {
          lastAnswerAt = performance.now();
        });
    },
  }) as SecutixPort;
  let reportAt = 0;
  const notifier: ChatNotifier = {
    deliver: async (_run: Run, effect: Effect) => {
      if (effect.type === 'verification_report') reportAt = performance.now();
    },
  };
  let n = 0;
  const service = new RunService({
    store,
    verifier: (req) => verifySetup(secutix, req, systemClock),
    notifiers: { slack: notifier },
    clock: systemClock,
    ids: { runId: () => `BIG${String(++n).padStart(5, '0')}` },
    logger: silentLogger,
  });
  const actor = { id: 'U0BENCH', name: 'bench' };
  const runs = Number(process.env.BENCH_RUNS ?? '3');
  const results: {
    lastAnswerToReportMs: number;
    verificationMs: number;
    passed: boolean;
    rssBeforeMb: number;
    rssPeakMb: number;
    rssAfterMb: number;
  }[] = [];
  for (let i = 0; i < runs; i++) {
    const started = await service.start({
      surface: 'slack',
      channelId: `C0BIG${i}`,
      actor,
      details: {
        institutionCode: env('BENCH_INSTITUTION'),
        institutionName: 'Big catalogue',
        channelCode: 'DGTK',
        digitickContactName: 'Dana',
        digitickContactEmail: 'dana@digitick.example',
        language: 'en',
      },
    });
    if (!started.ok) throw new Error(`start: ${started.error.code}`);
    let run = started.value;
    while (run.currentStep !== 'verification') {
      const step = run.currentStep!;
      const r = await service.act({
        runId: run.id,
        step,
        action: step === 'password_request' ? 'password_assigned' : 'step_done',
        actor,
        surface: 'slack',
        ...(step === 'contingents' ? { contingentIds: env('BENCH_CONTINGENTS').split(',').map(Number) } : {}),
        ...(step === 'technical_contact' ? { contactNumber: env('BENCH_CONTACT') } : {}),
      });
      if (!r.ok) throw new Error(`${step}: ${r.error.code}`);
      run = r.value;
    }
    global.gc?.();
    const rssBeforeMb = rssMb();
    let rssPeakMb = rssBeforeMb;
    const sampler = setInterval(() => (rssPeakMb = Math.max(rssPeakMb, rssMb())), 10);
    const t0 = performance.now();
    const v = await service.verify({ runId: run.id, actor, surface: 'slack', password: env('BENCH_PASSWORD') });
    const t1 = performance.now();
    clearInterval(sampler);
    rssPeakMb = Math.max(rssPeakMb, rssMb());
    if (!v.ok) throw new Error(`verify: ${v.error.code}`);
    results.push({
      lastAnswerToReportMs: reportAt - lastAnswerAt,
      verificationMs: t1 - t0,
      passed: v.value.currentStep === 'email_draft',
      rssBeforeMb,
      rssPeakMb,
      rssAfterMb: rssMb(),
    });
    await service.act({ runId: run.id, step: 'email_draft', action: 'email_sent', actor, surface: 'slack' });
  }
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ results })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
