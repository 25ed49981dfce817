/**
 * The run service with its real parts: SQLite store (temp file), SecuTix client over HTTP against
 * the sandbox, the real verification; a recording notifier stands in for a chat surface.
 */
import fs from 'node:fs';
import { STEP_IDS } from '../../../src/domain/ids';
import os from 'node:os';
import path from 'node:path';
import { createSandbox, demoHints, type Sandbox } from '../../../adapters/sandbox';
import { createSecutixClient } from '../../../adapters/secutix';
import { openSqliteRunStore } from '../../../adapters/store/sqlite-run-store';
import { RunService } from '../../../src/app/run-service';
import { verifySetup } from '../../../src/app/verification';
import type { ChatNotifier } from '../../../src/ports/chat-notifier.port';
import type { Clock, IdSource } from '../../../src/ports/clock.port';
import { silentLogger } from '../../../src/ports/logger.port';
import { type RunStore, StoreUnavailableError } from '../../../src/ports/run-store.port';
import type { Effect, Run, VerificationProgress } from '../../../src/workflow/types';

class RecordingNotifier implements ChatNotifier {
  delivered: { runId: string; version: number; effect: Effect }[] = [];
  failNext = 0;
  abandoned: { runId: string; effect: Effect; error: string; attempts: number }[] = [];
  async deliveryAbandoned(run: Run, effect: Effect, info: { error: string; attempts: number }): Promise<void> {
    this.abandoned.push({ runId: run.id, effect, ...info });
  }
  async deliver(run: Run, effect: Effect): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('chat platform unavailable');
    }
    this.delivered.push({ runId: run.id, version: run.version, effect });
  }
}

const op = { id: 'U1', name: 'Ola' };
const support = { id: 'U9', name: 'Sam' };
const details = {
  institutionCode: 'DEMO',
  institutionName: 'Demo Theatre',
  channelCode: 'DGTK',
  digitickContactName: 'Dana',
  digitickContactEmail: 'dana@digitick.example',
  language: 'en' as const,
};

let dir: string;
let store: RunStore;
let sandbox: Sandbox;
let notifier: RecordingNotifier;
let service: RunService;
let sandboxUrl = '';
let n = 0;
const clock: Clock = { nowMs: () => Date.parse('2026-11-29T10:00:00Z') + n * 1000 };
const ids: IdSource = { runId: () => `RUN${String(++n).padStart(5, '0')}` };

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-service-'));
  store = openSqliteRunStore(path.join(dir, 'runs.db'));
  sandbox = createSandbox({ admin: true });
  const { url } = await sandbox.listen(0);
  sandboxUrl = url;
  const secutix = createSecutixClient({ baseUrl: url, backoffBaseMs: 1, pollIntervalMs: 1 });
  notifier = new RecordingNotifier();
  service = new RunService({
    store,
    verifier: (req) => verifySetup(secutix, req, clock),
    notifiers: { slack: notifier },
    clock,
    ids,
    logger: silentLogger,
  });
});

afterEach(async () => {
  await sandbox.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function startedRun(): Promise<Run> {
  const r = await service.start({ surface: 'slack', channelId: 'C1', actor: op, details });
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}

async function advanceTo(run: Run, step: Run['currentStep']): Promise<Run> {
  let cur = run;
  while (cur.currentStep !== step) {
    const s = cur.currentStep!;
    const r =
      s === 'password_request'
        ? await service.act({ runId: cur.id, step: s, action: 'password_assigned', actor: support, surface: 'slack' })
        : await service.act({
            runId: cur.id,
            step: s,
            action: 'step_done',
            actor: op,
            surface: 'slack',
            ...(s === 'contingents' ? { contingentIds: demoHints().contingentIds } : {}),
            ...(s === 'technical_contact' ? { contactNumber: demoHints().contactNumber } : {}),
          });
    if (!r.ok) throw new Error(`${s}: ${JSON.stringify(r.error)}`);
    cur = r.value;
  }
  return cur;
}

describe('RunService', () => {
  it('runs a whole DEMO run to completed, delivering every effect once and in order', async () => {
    const run = await advanceTo(await startedRun(), 'verification');
    const v = await service.verify({ runId: run.id, actor: op, surface: 'slack', password: demoHints().password });
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect(v.value.currentStep).toBe('email_draft');
    expect(v.value.verification?.passed).toBe(true);
    expect(v.value.verification?.posId).toEqual(expect.any(Number));
    const done = await service.act({ runId: run.id, step: 'email_draft', action: 'email_sent', actor: op, surface: 'slack' });
    expect(done.ok && done.value.status).toBe('completed');
    expect(await store.pendingOutbox(100)).toEqual([]);
    const prompts = notifier.delivered.filter((d) => d.effect.type === 'step_prompt').map((d) => (d.effect as { step: string }).step);
    expect(prompts).toEqual([...STEP_IDS]);
    expect(notifier.delivered.filter((d) => d.effect.type === 'support_request')).toHaveLength(1);
    const trail = await store.audit(run.id);
    expect(trail.map((a) => a.action)).toEqual(['start', ...Array(7).fill('step_done'), 'password_assigned', 'verify', 'email_sent']);
    expect(trail.find((a) => a.action === 'password_assigned')?.actor).toEqual(support);
    const dbText =
      fs.readFileSync(path.join(dir, 'runs.db')).toString('latin1') +
      (fs.existsSync(path.join(dir, 'runs.db-wal')) ? fs.readFileSync(path.join(dir, 'runs.db-wal')).toString('latin1') : '');
    expect(dbText).not.toContain(demoHints().password);
  });

  it('a double click advances once; the second click is told who did it', async () => {
    const run = await startedRun();
    const click = { runId: run.id, step: 'sales_channel' as const, action: 'step_done' as const, actor: op, surface: 'slack' as const };
    const [a, b] = await Promise.all([service.act(click), service.act({ ...click, actor: support })]);
    const oks = [a, b].filter((r) => r.ok);
    expect(oks).toHaveLength(1);
    const loser = [a, b].find((r) => !r.ok);
    expect(loser && !loser.ok && loser.error.code).toBe('refused');
    if (loser && !loser.ok && loser.error.code === 'refused') expect(loser.error.refusal.code).toBe('stale_step');
    const saved = await store.get(run.id);
    expect(saved?.version).toBe(2);
    expect(saved?.currentStep).toBe('point_of_sale');
    expect((await store.audit(run.id)).map((x) => x.outcome)).toEqual(['ok', 'ok', 'refused:stale_step']);
  });

  it('a second open run for the same institution and channel points to the first', async () => {
    const first = await startedRun();
    const second = await service.start({
      surface: 'slack',
      channelId: 'C2',
      actor: support,
      details: { ...details, institutionCode: 'DEMO' },
    });
    expect(second.ok).toBe(false);
    if (!second.ok && second.error.code === 'duplicate_run') expect(second.error.run.id).toBe(first.id);
    else throw new Error('expected duplicate_run');
  });

  it('a failed delivery stays in the outbox, in order, and is delivered by the next drain', async () => {
    notifier.failNext = 1;
    const run = await startedRun();
    expect(notifier.delivered).toEqual([]);
    const pending = await store.pendingOutbox(10, run.id);
    expect(pending.map((p) => p.effect.type)).toEqual(['card', 'step_prompt']);
    expect(pending[0].attempts).toBe(1);
    await service.drain();
    expect(notifier.delivered.map((d) => d.effect.type)).toEqual(['card', 'step_prompt']);
    expect(await store.pendingOutbox(10)).toEqual([]);
  });

  it('a wrong password fails verification, keeps the run at its step, and can be retried', async () => {
    const run = await advanceTo(await startedRun(), 'verification');
    const bad = await service.verify({ runId: run.id, actor: op, surface: 'slack', password: 'wrong-password' });
    expect(bad.ok && bad.value.currentStep).toBe('verification');
    expect(bad.ok && bad.value.verification?.checks.find((c) => c.id === 'credentials')).toMatchObject({
      outcome: 'failed',
      reason: { code: 'credentials_rejected' },
    });
    expect(bad.ok && bad.value.verification?.checks.filter((c) => c.outcome === 'skipped')).toHaveLength(5);
    const good = await service.verify({ runId: run.id, actor: op, surface: 'slack', password: demoHints().password });
    expect(good.ok && good.value.currentStep).toBe('email_draft');
  });

  it('refuses actions on an unknown run and on another surface', async () => {
    const run = await startedRun();
    expect(await service.act({ runId: 'NOSUCH01', step: 'sales_channel', action: 'step_done', actor: op, surface: 'slack' })).toEqual({
      ok: false,
      error: { code: 'unknown_run', runId: 'NOSUCH01' },
    });
    const other = await service.act({ runId: run.id, step: 'sales_channel', action: 'step_done', actor: op, surface: 'teams' });
    expect(!other.ok && other.error.code).toBe('other_surface');
    expect((await store.get(run.id))?.version).toBe(1);
  });

  it('precheck refuses a form for a step that moved on', async () => {
    const run = await advanceTo(await startedRun(), 'technical_contact');
    const pre = await service.precheck({ runId: run.id, step: 'contingents', action: 'step_done', surface: 'slack' });
    expect(!pre.ok && pre.error.code === 'refused' && pre.error.refusal).toMatchObject({
      code: 'stale_step',
      last: { by: op, state: 'done', step: 'contingents' },
    });
    expect((await service.precheck({ runId: run.id, step: 'technical_contact', action: 'step_done', surface: 'slack' })).ok).toBe(true);
  });
});

describe('RunService outbox polling', () => {
  it('two services on one store deliver each pending item once, and a poll retries a failed one after its pause', async () => {
    notifier.failNext = 1;
    const run = await startedRun(); // the card fails: both items stay pending, in order
    expect(notifier.delivered).toEqual([]);
    const second = new RecordingNotifier();
    // A second service over the same store (the run store's exclusive lock is what keeps them apart;
    // across processes that is PostgreSQL's advisory lock, covered by the store contract suite).
    const other = new RunService({
      store,
      verifier: async () => Promise.reject(new Error('unused')),
      notifiers: { slack: second },
      clock,
      ids,
      logger: silentLogger,
    });
    // Within the retry pause of the failed item, a poll delivers nothing.
    await service.pollOnce();
    expect(notifier.delivered).toEqual([]);
    n += 10; // the clock moves past the pause
    await Promise.all([service.pollOnce(), other.pollOnce()]);
    const all = [...notifier.delivered, ...second.delivered].map((d) => d.effect.type);
    expect(all.sort()).toEqual(['card', 'step_prompt']);
    expect(await store.pendingOutbox(10, run.id)).toEqual([]);
  });
});

describe('RunService resume', () => {
  it('when the current step message never went out, resume delivers it instead of posting a second copy', async () => {
    notifier.failNext = 1; // e.g. the bot was not in the channel yet
    const run = await startedRun();
    expect(notifier.delivered).toEqual([]);
    const r = await service.resume({ runId: run.id, actor: op, surface: 'slack' });
    expect(r.ok).toBe(true);
    expect(notifier.delivered.map((d) => d.effect)).toEqual([{ type: 'card' }, { type: 'step_prompt', step: 'sales_channel' }]);
    // Once it is out, resume posts the step again, as the contract says.
    await service.resume({ runId: run.id, actor: op, surface: 'slack' });
    expect(notifier.delivered.filter((d) => d.effect.type === 'step_prompt')).toHaveLength(2);
  });
});

describe('RunService interrupted verification', () => {
  it('a verification marker left by a crash makes the operator be told to verify again, once; a fresh one is left alone', async () => {
    const run = await advanceTo(await startedRun(), 'verification');
    // As if the process died during the SecuTix calls: the marker stays, nothing was recorded.
    await store.putRef(run.id, 'core.verifying', { at: new Date(clock.nowMs()).toISOString(), by: op });
    expect(await service.recoverInterruptedVerifications(5 * 60_000)).toEqual([]); // too fresh for a replica setup
    const before = notifier.delivered.length;
    expect(await service.recoverInterruptedVerifications(0)).toEqual([run.id]);
    expect(notifier.delivered.slice(before).map((d) => d.effect)).toEqual([{ type: 'notice', code: 'verification_interrupted' }]);
    expect(await service.recoverInterruptedVerifications(0)).toEqual([]);
    expect((await store.get(run.id))?.currentStep).toBe('verification');
  });

  it('a finished verification leaves no marker', async () => {
    const run = await advanceTo(await startedRun(), 'verification');
    await service.verify({ runId: run.id, actor: op, surface: 'slack', password: 'wrong-password' });
    expect((await store.getRefs(run.id))['core.verifying']).toBeNull();
    expect(await service.recoverInterruptedVerifications(0)).toEqual([]);
  });
});

describe('RunService password guard and answers', () => {
  it('a password equal to the recorded contact number erases it from the run, audit and outbox, and verifies nothing', async () => {
    const run = await advanceTo(await startedRun(), 'verification');
    const contact = run.contactNumber!;
    const r = await service.verify({ runId: run.id, actor: op, surface: 'slack', password: contact });
    expect(r.ok).toBe(true);
    const after = (await store.get(run.id))!;
    expect(after.contactNumber).toBeUndefined();
    expect(after.erasedAnswers).toEqual(['contactNumber']);
    expect(after.verification).toBeUndefined();
    const audit = await store.audit(run.id);
    expect(JSON.stringify(audit)).not.toContain(contact);
    expect(audit.at(-1)).toMatchObject({ action: 'answers_erase', details: { erased: ['contactNumber'] } });
    // Not in the database files either: no old page version in the write-ahead log, no freed copy.
    for (const f of ['runs.db', 'runs.db-wal']) {
      const file = path.join(dir, f);
      if (fs.existsSync(file)) expect([f, fs.readFileSync(file).includes(contact)]).toEqual([f, false]);
    }
    expect(notifier.delivered.at(-1)!.effect).toEqual({ type: 'answers_erased', fields: ['contactNumber'] });
    // Until it is entered again, a verification is refused (input required) and SecuTix is not called.
    const refused = await service.verify({ runId: run.id, actor: op, surface: 'slack', password: demoHints().password });
    expect(refused.ok ? 'ok' : refused.error.code === 'refused' && refused.error.refusal.code).toBe('input_required');
    const edited = await service.editAnswers({ runId: run.id, actor: op, surface: 'slack', answers: { contactNumber: contact } });
    expect(edited.ok && edited.value.erasedAnswers).toBeUndefined();
    const good = await service.verify({ runId: run.id, actor: op, surface: 'slack', password: demoHints().password });
    expect(good.ok && good.value.currentStep).toBe('email_draft');
  });

  it('answers_edit records who changed what (old and new) in the audit trail', async () => {
    const run = await advanceTo(await startedRun(), 'verification');
    const r = await service.editAnswers({ runId: run.id, actor: op, surface: 'slack', answers: { contingentIds: [7, 8] } });
    expect(r.ok).toBe(true);
    const last = (await store.audit(run.id)).at(-1)!;
    expect(last).toMatchObject({
      action: 'answers_edit',
      actor: op,
      details: { changes: [{ field: 'contingentIds', from: run.contingentIds.join(', '), to: '7, 8' }] },
    });
  });

  it('progress goes through the notifier: all waiting first, the last one done and after the report', async () => {
    const seen: string[] = [];
    const progressing: ChatNotifier = {
      deliver: async (_run, effect) => void seen.push(effect.type),
      progress: async (_run, p) => void seen.push(p.done ? `progress:done:${p.outcome}` : 'progress'),
    };
    service = new RunService({
      store,
      verifier: (req) => verifySetup(createSecutixClient({ baseUrl: sandboxUrl, backoffBaseMs: 1, pollIntervalMs: 1 }), req, clock),
      notifiers: { slack: progressing },
      clock,
      ids,
      logger: silentLogger,
      progress: { minIntervalMs: 0, tickMs: 10 },
    });
    const run = await advanceTo(await startedRun(), 'verification');
    seen.length = 0;
    await service.verify({ runId: run.id, actor: op, surface: 'slack', password: demoHints().password });
    expect(seen[0]).toBe('progress');
    expect(seen.at(-1)).toBe('progress:done:passed');
    expect(seen.indexOf('verification_report')).toBeLessThan(seen.indexOf('progress:done:passed'));
    expect(seen).not.toContain('notice');
  });
});

test('a delivery that keeps failing is given up after maxDeliveryAttempts: the surface is told once, the later messages go out', async () => {
  // Arrange: at most 3 attempts; the card fails every time it is tried.
  service = new RunService({
    store,
    verifier: () => Promise.reject(new Error('not used')),
    notifiers: { slack: notifier },
    clock,
    ids,
    logger: silentLogger,
    maxDeliveryAttempts: 3,
  });
  notifier.failNext = 3;
  const run = await startedRun(); // attempt 1 (fails: the card, the step waits behind it)
  expect((await store.pendingOutbox(10, run.id)).map((p) => [p.effect.type, p.attempts])).toEqual([
    ['card', 1],
    ['step_prompt', 0],
  ]);

  // Act: two more drains (the poller's work).
  await service.drain(run.id); // attempt 2
  expect(notifier.abandoned).toEqual([]);
  await service.drain(run.id); // attempt 3: given up, then the step message goes out

  // Assert
  expect(notifier.abandoned).toEqual([{ runId: run.id, effect: { type: 'card' }, error: 'Error: chat platform unavailable', attempts: 3 }]);
  expect(await store.pendingOutbox(10, run.id)).toEqual([]);
  expect(notifier.delivered.map((d) => d.effect.type)).toEqual(['step_prompt']);
  await service.drain(run.id);
  expect(notifier.abandoned).toHaveLength(1); // told once
});

describe('the database is down when a verification finishes (issue 11, QA)', () => {
  /** `store` whose every call fails as unreachable while `down.gets > 0` (each failed `get` counts one save attempt). */
  function flaky(down: { gets: number; from: boolean }): RunStore {
    return new Proxy(store, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        const fn = (value as (...a: unknown[]) => unknown).bind(target);
        if (prop === 'close') return fn;
        return async (...args: unknown[]) => {
          if (down.from && down.gets > 0) {
            if (prop === 'get') down.gets--;
            throw new StoreUnavailableError('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5432');
          }
          return fn(...args);
        };
      },
    });
  }

  /** A service whose store goes `down` as the verifier returns; `delivered`: the notices it posts. */
  function serviceWithFlakyStore(down: { gets: number; from: boolean }, saveRetryDelaysMs: number[]) {
    const seen: VerificationProgress[] = [];
    const delivered: Effect[] = [];
    const progressing: ChatNotifier = {
      deliver: async (_run, effect) => void delivered.push(effect),
      progress: async (_run, p) => void seen.push(p),
    };
    const secutix = createSecutixClient({ baseUrl: sandboxUrl, backoffBaseMs: 1, pollIntervalMs: 1 });
    service = new RunService({
      store: flaky(down),
      // The database goes away while SecuTix is being asked.
      verifier: async (req) => {
        const report = await verifySetup(secutix, req, clock);
        down.from = true;
        return report;
      },
      notifiers: { slack: progressing },
      clock,
      ids,
      logger: silentLogger,
      progress: { minIntervalMs: 0, tickMs: 10 },
      saveRetryDelaysMs,
    });
    return { seen, delivered };
  }

  async function verifyWithStoreDown(gets: number) {
    const down = { gets, from: false };
    const { seen, delivered } = serviceWithFlakyStore(down, [5, 10, 20, 40]);
    const run = await advanceTo(await startedRun(), 'verification');
    const outcome = await service.verify({ runId: run.id, actor: op, surface: 'slack', password: demoHints().password });
    down.from = false;
    return { run, outcome, seen, delivered, left: down.gets };
  }

  it('retries the save with growing pauses; once the database answers, the result is recorded as usual', async () => {
    const { run, outcome, seen, left } = await verifyWithStoreDown(3);
    expect(left).toBe(0);
    expect(outcome.ok && outcome.value.currentStep).toBe('email_draft');
    expect((await store.get(run.id))!.currentStep).toBe('email_draft');
    expect(seen.at(-1)).toMatchObject({ done: true, outcome: 'passed' });
  });

  it('after five attempts: the progress closes with "not saved" (never passed), the run stays at verification, nothing recorded', async () => {
    const { run, outcome, seen, left } = await verifyWithStoreDown(1000);
    expect(1000 - left).toBe(5);
    expect(outcome).toMatchObject({ ok: false, error: { code: 'internal', unavailable: true } });
    expect(seen.at(-1)).toMatchObject({ done: true, outcome: 'not_saved' });
    expect(seen.filter((p) => p.done)).toHaveLength(1);
    const stored = (await store.get(run.id))!;
    expect(stored.currentStep).toBe('verification');
    expect(stored.verification).toBeUndefined();
    expect((await store.audit(run.id)).map((a) => a.action)).not.toContain('verify');
  });

  it('told "not saved" once: its marker is cleared when the database answers again, never a second "interrupted" message', async () => {
    const { run, delivered } = await verifyWithStoreDown(1000);
    // The database answers again (verifyWithStoreDown ends the outage): the next poll clears the marker.
    await service.pollOnce();
    expect((await store.getRefs(run.id))['core.verifying']).toBeNull();
    // The recovery (at the next start with SQLite, after 5 min with replicas) finds nothing to tell.
    expect(await service.recoverInterruptedVerifications(0)).toEqual([]);
    expect(delivered).not.toContainEqual(expect.objectContaining({ code: 'verification_interrupted' }));
  });

  it('told "not saved" once: the recovery itself clears the marker silently when it runs before any poll', async () => {
    const { run, delivered } = await verifyWithStoreDown(1000);
    expect(await service.recoverInterruptedVerifications(0)).toEqual([]);
    expect((await store.getRefs(run.id))['core.verifying']).toBeNull();
    expect(delivered).not.toContainEqual(expect.objectContaining({ code: 'verification_interrupted' }));
  });

  it('while the result is retried the run stays marked as verifying: an answers edit or a second verification is refused', async () => {
    const down = { gets: 1, from: false }; // one failed save, then the database answers again
    serviceWithFlakyStore(down, [400, 400, 400, 400]);
    const run = await advanceTo(await startedRun(), 'verification');
    const verifying = service.verify({ runId: run.id, actor: op, surface: 'slack', password: demoHints().password });
    const t0 = Date.now();
    while (down.gets > 0 && Date.now() - t0 < 10_000) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(down.gets).toBe(0); // the first save failed: the service waits before its retry
    const edit = await service.editAnswers({ runId: run.id, actor: op, surface: 'slack', answers: { contingentIds: [7, 8] } });
    expect(edit).toMatchObject({ ok: false, error: { code: 'verification_running' } });
    const second = await service.verify({ runId: run.id, actor: op, surface: 'slack', password: demoHints().password });
    expect(second).toMatchObject({ ok: false, error: { code: 'verification_running' } });
    const outcome = await verifying;
    expect(outcome.ok && outcome.value.currentStep).toBe('email_draft');
    expect((await store.get(run.id))!.contingentIds).toEqual(run.contingentIds); // the verified answers, unchanged
    // Once saved it is no longer marked: answers may be edited again.
    expect((await store.getRefs(run.id))['core.verifying']).toBeNull();
  });
});

test('a database outage under the outbox and reminder pollers is logged once when it starts (warn) and once when it ends (info), never as an error', async () => {
  const down = { on: false };
  const outageStore = new Proxy(store, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const fn = (value as (...a: unknown[]) => unknown).bind(target);
      if (prop === 'close') return fn;
      return async (...args: unknown[]) => {
        if (down.on) throw new StoreUnavailableError('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5432');
        return fn(...args);
      };
    },
  });
  const lines: { level: string; msg: string }[] = [];
  const rec = (level: string) => (_o: object, msg?: string) => void lines.push({ level, msg: String(msg) });
  service = new RunService({
    store: outageStore,
    verifier: () => Promise.reject(new Error('not used')),
    notifiers: { slack: notifier },
    clock,
    ids,
    logger: { debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') },
    reminders: { remindAfterHours: 1, supportRemindAfterHours: 1 },
  });
  const stops = [service.startPolling(10), service.startReminders(10)];
  try {
    down.on = true;
    await new Promise((r) => setTimeout(r, 300)); // ~30 polls of each during the outage
    down.on = false;
    await new Promise((r) => setTimeout(r, 100));
  } finally {
    for (const stop of stops) stop();
  }
  const seen = lines.filter((l) => l.level !== 'debug').map((l) => `${l.level}: ${l.msg}`);
  expect(seen.filter((l) => l.startsWith('error'))).toEqual([]);
  expect(seen.filter((l) => l.includes('outbox poll'))).toEqual([
    'warn: outbox poll: the database does not answer; trying again quietly until it does',
    'info: outbox poll: the database answers again',
  ]);
  expect(seen.filter((l) => l.includes('reminder poll'))).toEqual([
    'warn: reminder poll: the database does not answer; trying again quietly until it does',
    'info: reminder poll: the database answers again',
  ]);
});
