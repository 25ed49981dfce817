/**
 * Issue 12, "Isolation": the run service keeps organisations apart in multi-organisation mode
 * (`RunServiceDeps.multiOrg`), with a real SQLite store. A run of another organisation answers
 * exactly like an unknown id, for every read and action; support's actions on a support request
 * cross organisations; single-workspace mode is unchanged.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteRunStore } from '../../../adapters/store/sqlite-run-store';
import { AccessPolicy } from '../../../src/app/access';
import { RunService } from '../../../src/app/run-service';
import type { Surface } from '../../../src/domain/ids';
import type { ChatNotifier } from '../../../src/ports/chat-notifier.port';
import type { Clock, IdSource } from '../../../src/ports/clock.port';
import { silentLogger } from '../../../src/ports/logger.port';
import type { RunStore } from '../../../src/ports/run-store.port';
import type { Effect, Run } from '../../../src/workflow/types';

class RecordingNotifier implements ChatNotifier {
  delivered: { runId: string; effect: Effect }[] = [];
  async deliver(run: Run, effect: Effect): Promise<void> {
    this.delivered.push({ runId: run.id, effect });
  }
}

const A = 'slack:TAAAA';
const B = 'slack:TBBBB';
const S = 'slack:TSUPPORT';
// The same user id in both workspaces (Slack ids are only unique within a workspace).
const opA = { id: 'U1', name: 'Ola' };
const opB = { id: 'U1', name: 'Bea' };
const sam = { id: 'U9', name: 'Sam (SecuTix)' };
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
let notifier: RecordingNotifier;
let n = 0;
const clock: Clock = { nowMs: () => Date.parse('2026-11-29T10:00:00Z') + n * 1000 };
const ids: IdSource = { runId: () => `RUN${String(++n).padStart(5, '0')}` };

function service(
  multiOrg: boolean,
  support: string[] = [sam.id],
  withReminders = false,
  supportDeskOrg?: (surface: Surface) => Promise<string | undefined>,
): RunService {
  return new RunService({
    ...(supportDeskOrg ? { supportDeskOrg } : {}),
    ...(withReminders ? { reminders: { remindAfterHours: 24, supportRemindAfterHours: 4 } } : {}),
    store,
    verifier: () => Promise.reject(new Error('no verification in these tests')),
    notifiers: { slack: notifier },
    clock,
    ids,
    logger: silentLogger,
    access: new AccessPolicy({ operators: [], support }),
    multiOrg,
  });
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-isolation-'));
  store = openSqliteRunStore(path.join(dir, 'runs.db'));
  notifier = new RecordingNotifier();
});

afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(s: RunService, org: string | undefined, actor = opA): Promise<Run> {
  const r = await s.start({ surface: 'slack', channelId: 'C0SAME', actor, ...(org ? { org } : {}), details });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

async function toPasswordRequest(s: RunService, run: Run, org: string): Promise<Run> {
  let cur = run;
  while (cur.currentStep !== 'password_request') {
    const step = cur.currentStep!;
    const r = await s.act({
      runId: cur.id,
      step,
      action: 'step_done',
      actor: opA,
      surface: 'slack',
      org,
      ...(step === 'contingents' ? { contingentIds: [11] } : {}),
      ...(step === 'technical_contact' ? { contactNumber: 'C-1' } : {}),
    });
    if (!r.ok) throw new Error(`${step}: ${JSON.stringify(r.error)}`);
    cur = r.value;
  }
  return cur;
}

describe('multi-organisation mode', () => {
  it('records the organisation on the run', async () => {
    const run = await start(service(true), A);
    expect(run.org).toBe(A);
    expect((await store.get(run.id))!.org).toBe(A);
  });

  it("answers every read and action on another organisation's run exactly like an unknown id, changing nothing", async () => {
    const s = service(true);
    const run = await start(s, A);
    const before = await store.get(run.id);
    const trail = await store.audit(run.id);
    const delivered = notifier.delivered.length;
    const unknown = (runId: string) => ({ ok: false, error: { code: 'unknown_run', runId } });
    const asB = { actor: opB, surface: 'slack' as const, org: B };
    const step = 'sales_channel' as const;

    const attempts = async (runId: string) => [
      await s.load(runId, 'slack', { org: B, actor: opB, action: 'status' }),
      await s.resume({ runId, ...asB }),
      await s.precheck({ runId, step, action: 'run_cancel', ...asB }),
      await s.act({ runId, step, action: 'run_cancel', ...asB }),
      await s.act({ runId, step, action: 'step_done', ...asB }),
      await s.act({ runId, step, action: 'step_skip', ...asB }),
      await s.act({ runId, step, action: 'password_assigned', ...asB }),
      await s.act({ runId, step, action: 'reminder_snooze', ...asB }),
      await s.precheck({ runId, step: 'contingents', action: 'step_done', ...asB }),
      await s.editAnswers({ runId, ...asB, answers: { contactNumber: 'X' } }),
      await s.verify({ runId, ...asB, password: 'pw' }),
    ];
    // Exactly what a never-seen id gets, for each of them.
    expect(await attempts(run.id)).toEqual(Array(11).fill(unknown(run.id)));
    expect(await attempts('RUN99999')).toEqual(Array(11).fill(unknown('RUN99999')));
    // A caller without an organisation sees nothing either.
    expect(await s.load(run.id, 'slack')).toEqual(unknown(run.id));
    expect(await s.load(run.id, 'slack', { actor: opA, action: 'status' })).toEqual(unknown(run.id));
    // Nothing changed, nothing audited, nothing posted.
    expect(await store.get(run.id)).toEqual(before);
    expect(await store.audit(run.id)).toEqual(trail);
    expect(notifier.delivered).toHaveLength(delivered);
    // A's own caller still reaches it.
    expect((await s.load(run.id, 'slack', { org: A, action: 'status' })).ok).toBe(true);
  });

  it('lets each organisation have its own open run for the same institution and channel code', async () => {
    const s = service(true);
    const a = await start(s, A);
    const b = await start(s, B, opB);
    expect(b.org).toBe(B);
    expect(b.id).not.toBe(a.id);
    // A second run in A points at A's run, never at B's (and B's at B's).
    const againA = await s.start({ surface: 'slack', channelId: 'C0SAME', actor: opA, org: A, details });
    expect(againA).toMatchObject({ ok: false, error: { code: 'duplicate_run', run: { id: a.id } } });
    const againB = await s.start({ surface: 'slack', channelId: 'C0SAME', actor: opB, org: B, details });
    expect(againB).toMatchObject({ ok: false, error: { code: 'duplicate_run', run: { id: b.id } } });
  });

  it('lists only the caller organisation runs (status list, my runs)', async () => {
    const s = service(true);
    const a = await start(s, A);
    const b = await start(s, B, opB);
    expect((await s.openRuns('slack', 'U1', A)).map((r) => r.id)).toEqual([a.id]);
    expect((await s.openRuns('slack', 'U1', B)).map((r) => r.id)).toEqual([b.id]);
    expect(await s.openRuns('slack', 'U1')).toEqual([]);
    expect((await s.myRuns('slack', 'U1', B)).open.map((r) => r.id)).toEqual([b.id]);
    expect((await s.myRuns('slack', 'U1', undefined)).open).toEqual([]);
  });

  it("lets support (SUPPORT_USERS) of its own organisation press password_assigned on any organisation's run, and nothing else", async () => {
    const s = service(true);
    const run = await toPasswordRequest(s, await start(s, A), A);
    const asSam = { actor: sam, surface: 'slack' as const, org: S };
    // Support's other actions on another organisation's run: unknown.
    expect(await s.act({ runId: run.id, step: 'password_request', action: 'run_cancel', ...asSam })).toEqual({
      ok: false,
      error: { code: 'unknown_run', runId: run.id },
    });
    expect(await s.load(run.id, 'slack', { ...asSam, action: 'status' })).toMatchObject({ error: { code: 'unknown_run' } });
    // Someone of another organisation who is not support: unknown, even for password_assigned.
    expect(
      await s.act({ runId: run.id, step: 'password_request', action: 'password_assigned', actor: opB, surface: 'slack', org: B }),
    ).toEqual({ ok: false, error: { code: 'unknown_run', runId: run.id } });
    const assigned = await s.act({ runId: run.id, step: 'password_request', action: 'password_assigned', ...asSam });
    expect(assigned).toMatchObject({ ok: true, value: { currentStep: 'verification', org: A } });
  });

  it("with a desk of its own, support crosses only from the desk's organisation (the same user id elsewhere does not)", async () => {
    const s = service(true, [sam.id], true, (surface) => Promise.resolve(surface === 'slack' ? S : undefined));
    const run = await toPasswordRequest(s, await start(s, A), A);
    const trail = await store.audit(run.id);
    // Sam's id in workspace B (ids are not tied to an organisation): unknown, for both support actions.
    for (const action of ['reminder_snooze', 'password_assigned'] as const)
      expect(await s.act({ runId: run.id, step: 'password_request', action, actor: sam, surface: 'slack', org: B })).toEqual({
        ok: false,
        error: { code: 'unknown_run', runId: run.id },
      });
    expect((await store.get(run.id))?.currentStep).toBe('password_request');
    expect(await store.audit(run.id)).toEqual(trail);
    // From the desk's organisation: both cross.
    const snoozed = await s.act({
      runId: run.id,
      step: 'password_request',
      action: 'reminder_snooze',
      actor: sam,
      surface: 'slack',
      org: S,
    });
    expect(snoozed).toMatchObject({ ok: true, value: { reminder: { snoozed: { by: sam } } } });
    const assigned = await s.act({
      runId: run.id,
      step: 'password_request',
      action: 'password_assigned',
      actor: sam,
      surface: 'slack',
      org: S,
    });
    expect(assigned).toMatchObject({ ok: true, value: { currentStep: 'verification', org: A } });
  });

  it('a desk organisation that cannot be read lets nothing cross (the click fails, the run is unchanged)', async () => {
    const s = service(true, [sam.id], false, () => Promise.reject(new Error('store down')));
    const run = await toPasswordRequest(s, await start(s, A), A);
    const r = await s.act({ runId: run.id, step: 'password_request', action: 'password_assigned', actor: sam, surface: 'slack', org: S });
    expect(r.ok).toBe(false);
    expect((await store.get(run.id))?.currentStep).toBe('password_request');
  });

  it("lets listed support snooze a support reminder of another organisation's run; not an operator reminder, not anyone else", async () => {
    const s = service(true, [sam.id], true);
    const run = await toPasswordRequest(s, await start(s, A), A);
    expect(run.reminder?.kind).toBe('support');
    const snooze = (actor: typeof sam, org: string) =>
      s.act({ runId: run.id, step: 'password_request', action: 'reminder_snooze', actor, surface: 'slack', org });
    expect(await snooze(opB, B)).toEqual({ ok: false, error: { code: 'unknown_run', runId: run.id } });
    expect(await snooze(sam, S)).toMatchObject({ ok: true, value: { reminder: { snoozed: { by: sam } } } });
    // At an operator step, the reminder is the operator's: support of another organisation does not reach it.
    const b = await start(s, B, opB);
    expect(b.reminder?.kind).toBe('operator');
    expect(await s.act({ runId: b.id, step: 'sales_channel', action: 'reminder_snooze', actor: sam, surface: 'slack', org: S })).toEqual({
      ok: false,
      error: { code: 'unknown_run', runId: b.id },
    });
  });

  it('with SUPPORT_USERS empty (everyone is support), nobody crosses organisations, not even with password_assigned', async () => {
    const s = service(true, []);
    const run = await toPasswordRequest(s, await start(s, A), A);
    expect(
      await s.act({ runId: run.id, step: 'password_request', action: 'password_assigned', actor: sam, surface: 'slack', org: S }),
    ).toEqual({ ok: false, error: { code: 'unknown_run', runId: run.id } });
    // Support of A's own organisation still may.
    expect(
      (await s.act({ runId: run.id, step: 'password_request', action: 'password_assigned', actor: opA, surface: 'slack', org: A })).ok,
    ).toBe(true);
  });

  it("treats a run without an organisation (stored before) as no one's, except for support's password_assigned", async () => {
    const legacy = await toPasswordRequest(service(false), await start(service(false), undefined), 'unused');
    expect(legacy.org).toBeUndefined();
    const s = service(true);
    expect(await s.load(legacy.id, 'slack', { org: A, actor: opA, action: 'status' })).toEqual({
      ok: false,
      error: { code: 'unknown_run', runId: legacy.id },
    });
    expect(await s.resume({ runId: legacy.id, actor: opA, surface: 'slack', org: A })).toMatchObject({ error: { code: 'unknown_run' } });
    const assigned = await s.act({
      runId: legacy.id,
      step: 'password_request',
      action: 'password_assigned',
      actor: sam,
      surface: 'slack',
      org: S,
    });
    expect(assigned.ok).toBe(true);
  });
});

describe('single-workspace mode (unchanged)', () => {
  it('lets any caller reach any run and keeps one open run per institution and channel code', async () => {
    const s = service(false);
    const run = await start(s, A);
    expect((await s.load(run.id, 'slack', { org: B, actor: opB, action: 'status' })).ok).toBe(true);
    expect((await s.load(run.id, 'slack')).ok).toBe(true);
    const again = await s.start({ surface: 'slack', channelId: 'C0SAME', actor: opB, org: B, details });
    expect(again).toMatchObject({ ok: false, error: { code: 'duplicate_run', run: { id: run.id } } });
    expect((await s.openRuns('slack', 'U1', B)).map((r) => r.id)).toEqual([run.id]);
  });
});
