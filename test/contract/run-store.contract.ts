/**
 * The shared contract of `RunStore` (architecture habit 9, like botbuilder's `storageBaseTests`):
 * every implementation calls `runStoreContract` from its own `*.test.ts`.
 */
import type { AuditEntry, RunStore } from '../../src/ports/run-store.port';
import { DuplicateOpenRunError, VersionConflictError } from '../../src/ports/run-store.port';
import type { Effect, Run } from '../../src/workflow/types';
import { dummyRun } from '../fixtures/dummy-run';

/** What an implementation hands the contract for each test. */
export interface RunStoreUnderTest {
  /** A store over empty storage. */
  store: RunStore;
  /**
   * Opens another store over the same storage (a new connection / file handle; the first may
   * still be open). Omit when the storage does not outlive its store; reopen tests are skipped.
   */
  reopen?: () => Promise<RunStore>;
  /** Removes the storage (the contract has already closed `store`). */
  cleanup: () => Promise<void>;
}

const T0 = Date.parse('2025-01-15T09:30:00.000Z');
/** ISO time `minutes` after T0. */
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();

const alex = { id: 'U0OPERATOR', name: 'Alex Operator' };
const sam = { id: 'U0SUPPORT' };

function entry(run: Run, action: string, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    runId: run.id,
    at: run.updatedAt,
    actor: alex,
    surface: run.surface,
    action,
    step: run.currentStep,
    outcome: 'ok',
    ...overrides,
  };
}

/** The run after one transition: the next version, `sales_channel` done, `point_of_sale` current. */
function advanced(run: Run, minutes = 1, overrides: Partial<Run> = {}): Run {
  return {
    ...run,
    version: run.version + 1,
    currentStep: 'point_of_sale',
    steps: {
      ...run.steps,
      sales_channel: { state: 'done', by: alex, at: at(minutes) },
      point_of_sale: { state: 'current' },
    },
    updatedAt: at(minutes),
    ...overrides,
  };
}

/** The run ended (completed or cancelled) at the next version. */
function ended(run: Run, status: 'completed' | 'cancelled', minutes = 5): Run {
  return { ...run, version: run.version + 1, status, currentStep: null, endedBy: alex, endedAt: at(minutes), updatedAt: at(minutes) };
}

/** A run with every optional field set (verification report, contact, contingents, end). */
function fullRun(): Run {
  const base = dummyRun({ id: 'RUNFULL1', surface: 'teams', channelId: '19:abc@thread.tacv2' });
  return {
    ...base,
    version: 1,
    status: 'open',
    currentStep: 'email_draft',
    contingentIds: [11, 12],
    contactNumber: 'C-42',
    details: { ...base.details, institutionCode: 'BETA', channelCode: 'DGT2', language: 'en' },
    steps: {
      ...base.steps,
      sales_channel: { state: 'done', by: alex, at: at(1) },
      event_products: { state: 'skipped', by: alex, at: at(2) },
      verification: { state: 'done', by: { id: 'U0OPERATOR' }, at: at(3), reason: 'checked by hand' },
      email_draft: { state: 'current' },
    },
    verification: {
      checks: [
        { id: 'credentials', outcome: 'passed' },
        { id: 'event_products', outcome: 'skipped', reason: { code: 'check.reason.step_skipped' } },
        {
          id: 'pass_products',
          outcome: 'passed',
          warnings: [{ code: 'check.warning.no_availability', params: { product: 'Pass été', productId: 77 } }],
        },
      ],
      posId: 1234,
      passed: true,
      at: at(3),
      durationMs: 812,
    },
    endedBy: undefined,
  };
}

/** Ids of runs, in order. */
const ids = (runs: Run[]): string[] => runs.map((r) => r.id);

/** Removes keys whose value is `undefined` (a JSON round trip drops them). */
const jsonShape = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/**
 * Runs the `RunStore` contract against an implementation.
 * @param name shown in the describe block.
 * @param open called before each test: a store over empty storage.
 */
export function runStoreContract(name: string, open: () => Promise<RunStoreUnderTest>): void {
  describe(`RunStore contract: ${name}`, () => {
    let ctx: RunStoreUnderTest;
    let store: RunStore;

    beforeEach(async () => {
      ctx = await open();
      store = ctx.store;
    });

    afterEach(async () => {
      await store.close().catch(() => undefined);
      await ctx.cleanup();
    });

    describe('eraseValues (the password guard)', () => {
      it("erases a value from the run's audit details and outbox effects only, and counts what changed", async () => {
        const run = dummyRun();
        const other = dummyRun({ id: 'RUN2ACME', details: { ...dummyRun().details, channelCode: 'DGT2' } });
        await store.create(
          run,
          [entry(run, 'start', { details: { contactNumber: 'S3cret-1', contingentIds: [11, 12], kept: 'x' } })],
          [{ type: 'answers_changed', by: alex, at: at(1), changes: [{ field: 'contactNumber', from: 'S3cret-1', to: 'B2' }] }],
        );
        await store.create(other, [entry(other, 'start', { details: { contactNumber: 'S3cret-1' } })], []);
        // A chat message snapshot (Slack keeps the earlier report's text to edit it later).
        await store.putRef(run.id, 'step:verification', [{ channel: 'C1', ts: '1.2', text: 'Tech Digitick (S3cret-1)', blocks: [] }]);
        await store.putRef(run.id, 'card', { channel: 'C1', ts: '1.1' });
        await store.putRef(other.id, 'step:verification', [{ text: 'S3cret-1' }]);

        const changed = await store.eraseValues(run.id, ['S3cret-1', '11, 12']);

        expect(changed).toBe(3);
        expect(await store.getRefs(run.id)).toEqual({
          'step:verification': [{ channel: 'C1', ts: '1.2', text: 'Tech Digitick ([erased])', blocks: [] }],
          card: { channel: 'C1', ts: '1.1' },
        });
        expect(await store.getRefs(other.id)).toEqual({ 'step:verification': [{ text: 'S3cret-1' }] });
        const [audit] = await store.audit(run.id);
        expect(audit!.details).toEqual({ contactNumber: '[erased]', contingentIds: '[erased]', kept: 'x' });
        const [item] = await store.pendingOutbox(10, run.id);
        expect(JSON.stringify(item!.effect)).not.toContain('S3cret-1');
        expect((await store.audit(other.id))[0]!.details).toEqual({ contactNumber: 'S3cret-1' });
        expect(await store.eraseValues(run.id, ['S3cret-1'])).toBe(0);
      });
    });

    describe('create and get', () => {
      it('round-trips a run (deep equal)', async () => {
        const run = dummyRun();
        await store.create(run, [entry(run, 'start')], [{ type: 'card' }]);
        expect(await store.get(run.id)).toEqual(run);
      });

      it('round-trips every optional field (verification report, step records, contact)', async () => {
        const run = fullRun();
        await store.create(run, [], []);
        expect(await store.get(run.id)).toEqual(jsonShape(run));
      });

      it('returns null for an unknown id', async () => {
        expect(await store.get('NOPE0000')).toBeNull();
      });

      it('refuses a second open run for the same institution and channel code', async () => {
        const first = dummyRun();
        await store.create(first, [entry(first, 'start')], [{ type: 'card' }]);
        const second = dummyRun({ id: 'RUN2ACME', createdAt: at(1), updatedAt: at(1) });

        const attempt = store.create(second, [entry(second, 'start')], [{ type: 'card' }]);

        await expect(attempt).rejects.toBeInstanceOf(DuplicateOpenRunError);
        await expect(attempt).rejects.toMatchObject({ code: 'duplicate_open_run', institutionCode: 'ACME', channelCode: 'DGTK' });
        expect(await store.get(second.id)).toBeNull();
        expect(await store.audit(second.id)).toEqual([]);
        expect(await store.pendingOutbox(10, second.id)).toEqual([]);
      });

      it('allows the same institution with another channel code', async () => {
        await store.create(dummyRun(), [], []);
        const other = dummyRun({ id: 'RUN2ACME', details: { ...dummyRun().details, channelCode: 'DGT2' } });
        await store.create(other, [], []);
        expect(await store.get(other.id)).toEqual(other);
      });

      it.each(['completed', 'cancelled'] as const)('allows a new open run once the first is %s', async (status) => {
        const first = dummyRun();
        await store.create(first, [], []);
        await store.save(ended(first, status), 1, [], []);
        const second = dummyRun({ id: 'RUN2ACME', createdAt: at(10), updatedAt: at(10) });

        await store.create(second, [], []);

        expect(await store.get(second.id)).toEqual(second);
        // And the second one now blocks a third.
        await expect(store.create(dummyRun({ id: 'RUN3ACME' }), [], [])).rejects.toBeInstanceOf(DuplicateOpenRunError);
      });

      it('refuses a run id that already exists', async () => {
        const run = dummyRun();
        await store.create(run, [], []);
        await store.save(ended(run, 'cancelled'), 1, [], []);
        await expect(store.create(dummyRun(), [], [])).rejects.toThrow(/already exists/);
      });

      it("round-trips a run's organisation; a run without one stays without", async () => {
        const a = dummyRun({ org: 'slack:TAAAA' });
        const legacy = dummyRun({ id: 'RUN2ACME', details: { ...dummyRun().details, channelCode: 'DGT2' } });
        await store.create(a, [], []);
        await store.create(legacy, [], []);
        expect(await store.get(a.id)).toEqual(a);
        expect((await store.get(legacy.id))!.org).toBeUndefined();
      });

      it('counts every open run for the one-open-run rule by default, whatever its organisation', async () => {
        await store.create(dummyRun({ org: 'slack:TAAAA' }), [], []);
        const other = dummyRun({ id: 'RUN2ACME', org: 'slack:TBBBB' });
        await expect(store.create(other, [], [])).rejects.toBeInstanceOf(DuplicateOpenRunError);
        expect(await store.get(other.id)).toBeNull();
      });

      it('with perOrg, counts only the open runs of the same organisation', async () => {
        const a = dummyRun({ org: 'slack:TAAAA' });
        await store.create(a, [], [], { perOrg: true });
        const b = dummyRun({ id: 'RUN2ACME', org: 'slack:TBBBB' });
        await store.create(b, [], [], { perOrg: true });
        expect(await store.get(b.id)).toEqual(b);
        // A second open run of A for the same codes is still refused.
        const a2 = dummyRun({ id: 'RUN3ACME', org: 'slack:TAAAA' });
        await expect(store.create(a2, [], [], { perOrg: true })).rejects.toMatchObject({ code: 'duplicate_open_run' });
        // An ended run frees its organisation's codes only.
        await store.save(ended(a, 'cancelled'), 1, [], []);
        await store.create(a2, [], [], { perOrg: true });
        await expect(store.create(dummyRun({ id: 'RUN4ACME', org: 'slack:TBBBB' }), [], [], { perOrg: true })).rejects.toBeInstanceOf(
          DuplicateOpenRunError,
        );
      });

      it('refuses a new run whose version is not 1', async () => {
        await expect(store.create(dummyRun({ version: 2 }), [], [])).rejects.toThrow(/version 1/);
        expect(await store.get('RUN0ACME')).toBeNull();
      });
    });

    describe('save (compare-and-set)', () => {
      it('writes the next version with its audit entries and outbox items', async () => {
        const run = dummyRun();
        await store.create(run, [entry(run, 'start')], [{ type: 'card' }]);
        const next = advanced(run);

        await store.save(next, 1, [entry(run, 'step_done')], [{ type: 'card' }, { type: 'step_prompt', step: 'point_of_sale' }]);

        expect(await store.get(run.id)).toEqual(next);
        expect((await store.audit(run.id)).map((a) => [a.seq, a.action])).toEqual([
          [1, 'start'],
          [2, 'step_done'],
        ]);
        expect((await store.pendingOutbox(10, run.id)).map((o) => o.effect)).toEqual([
          { type: 'card' },
          { type: 'card' },
          { type: 'step_prompt', step: 'point_of_sale' },
        ]);
        const third = advanced(next, 2, { contingentIds: [5] });
        await store.save(third, 2, [], []);
        expect((await store.get(run.id))?.version).toBe(3);
      });

      it('throws VersionConflictError on a stale version and writes nothing', async () => {
        const run = dummyRun();
        await store.create(run, [entry(run, 'start')], [{ type: 'card' }]);
        const winner = advanced(run);
        await store.save(winner, 1, [entry(run, 'step_done')], [{ type: 'card' }]);
        const stale = advanced(run, 2, { contingentIds: [99] });

        const attempt = store.save(stale, 1, [entry(run, 'step_done', { actor: sam })], [{ type: 'support_request' }]);

        await expect(attempt).rejects.toBeInstanceOf(VersionConflictError);
        await expect(attempt).rejects.toMatchObject({ code: 'version_conflict', runId: run.id, expectedVersion: 1 });
        expect(await store.get(run.id)).toEqual(winner);
        expect(await store.audit(run.id)).toHaveLength(2);
        expect(await store.pendingOutbox(10, run.id)).toHaveLength(2);
      });

      it('throws VersionConflictError for an unknown run', async () => {
        await expect(store.save(advanced(dummyRun()), 1, [], [])).rejects.toBeInstanceOf(VersionConflictError);
        expect(await store.get('RUN0ACME')).toBeNull();
      });

      it('refuses a run whose version is not expectedVersion + 1, writing nothing', async () => {
        const run = dummyRun();
        await store.create(run, [], []);
        const wrong = { ...advanced(run), version: 5 };

        await expect(store.save(wrong, 1, [entry(run, 'step_done')], [{ type: 'card' }])).rejects.toThrow(/expectedVersion \+ 1/);

        expect(await store.get(run.id)).toEqual(run);
        expect(await store.audit(run.id)).toEqual([]);
        expect(await store.pendingOutbox(10)).toEqual([]);
      });

      it('lets exactly one of two concurrent saves from the same version win', async () => {
        const run = dummyRun();
        await store.create(run, [], []);
        const a = advanced(run, 1, { contingentIds: [1] });
        const b = advanced(run, 1, { contingentIds: [2] });

        const results = await Promise.allSettled([
          store.save(a, 1, [entry(run, 'a')], [{ type: 'notice', code: 'notice.a' }]),
          store.save(b, 1, [entry(run, 'b')], [{ type: 'notice', code: 'notice.b' }]),
        ]);

        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0].reason).toBeInstanceOf(VersionConflictError);
        const stored = await store.get(run.id);
        const winner = results[0].status === 'fulfilled' ? a : b;
        expect(stored).toEqual(winner);
        const audit = await store.audit(run.id);
        expect(audit.map((e) => e.action)).toEqual([winner === a ? 'a' : 'b']);
        expect(await store.pendingOutbox(10, run.id)).toHaveLength(1);
      });

      it('lets exactly one of two saves through two connections win', async () => {
        if (!ctx.reopen) return;
        const run = dummyRun();
        await store.create(run, [], []);
        const other = await ctx.reopen();
        try {
          const results = await Promise.allSettled([
            store.save(advanced(run, 1, { contingentIds: [1] }), 1, [], []),
            other.save(advanced(run, 1, { contingentIds: [2] }), 1, [], []),
          ]);
          expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
          const lost = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
          expect(lost?.reason).toBeInstanceOf(VersionConflictError);
          expect((await other.get(run.id))?.version).toBe(2);
        } finally {
          await other.close();
        }
      });

      it('refuses a save that would reopen a second run for the same codes', async () => {
        const first = dummyRun();
        await store.create(first, [], []);
        const cancelled = ended(first, 'cancelled');
        await store.save(cancelled, 1, [], []);
        await store.create(dummyRun({ id: 'RUN2ACME' }), [], []);
        const reopened = { ...cancelled, version: 3, status: 'open' as const, currentStep: 'sales_channel' as const };

        await expect(store.save(reopened, 2, [], [])).rejects.toBeInstanceOf(DuplicateOpenRunError);
        expect(await store.get(first.id)).toEqual(cancelled);
      });
    });

    describe('audit', () => {
      it('numbers entries 1..n in insertion order across create, save and appendAudit', async () => {
        const run = dummyRun();
        await store.create(run, [entry(run, 'start'), entry(run, 'card_posted')], []);
        await store.appendAudit([entry(run, 'step_done', { outcome: 'refused:stale_step', details: { clicked: 'point_of_sale' } })]);
        const next = advanced(run);
        await store.save(next, 1, [entry(run, 'step_done')], []);
        await store.appendAudit([
          entry(next, 'verify', { outcome: 'failed:secutix_unavailable', step: null, actor: sam, surface: 'teams' }),
          entry(next, 'resume'),
        ]);

        const trail = await store.audit(run.id);

        expect(trail.map((e) => [e.seq, e.action])).toEqual([
          [1, 'start'],
          [2, 'card_posted'],
          [3, 'step_done'],
          [4, 'step_done'],
          [5, 'verify'],
          [6, 'resume'],
        ]);
        expect(trail[2]).toEqual({
          ...entry(run, 'step_done', { outcome: 'refused:stale_step', details: { clicked: 'point_of_sale' } }),
          seq: 3,
        });
        expect(trail[4]).toEqual({
          ...entry(next, 'verify', { outcome: 'failed:secutix_unavailable', step: null, actor: sam, surface: 'teams' }),
          seq: 5,
        });
        expect(trail[4]).not.toHaveProperty('details');
      });

      it('keeps each run its own sequence', async () => {
        const a = dummyRun();
        const b = dummyRun({ id: 'RUNBBBBB', details: { ...dummyRun().details, institutionCode: 'BETA' } });
        await store.create(a, [entry(a, 'start')], []);
        await store.create(b, [entry(b, 'start')], []);
        await store.appendAudit([entry(a, 'x'), entry(b, 'y'), entry(a, 'z')]);

        expect((await store.audit(a.id)).map((e) => [e.seq, e.action])).toEqual([
          [1, 'start'],
          [2, 'x'],
          [3, 'z'],
        ]);
        expect((await store.audit(b.id)).map((e) => [e.seq, e.action])).toEqual([
          [1, 'start'],
          [2, 'y'],
        ]);
        expect(await store.audit('UNKNOWN0')).toEqual([]);
      });
    });

    describe('outbox', () => {
      it('returns pending items oldest first, per run, up to the limit', async () => {
        const a = dummyRun();
        const b = dummyRun({ id: 'RUNBBBBB', details: { ...dummyRun().details, institutionCode: 'BETA' } });
        const closed: Effect = { type: 'step_closed', step: 'sales_channel', outcome: 'done', by: alex, at: at(1) };
        await store.create(a, [], [{ type: 'card' }, { type: 'step_prompt', step: 'sales_channel' }]);
        await store.create(b, [], [{ type: 'card' }]);
        await store.save(advanced(a), 1, [], [closed, { type: 'support_closed', outcome: 'assigned', by: sam, at: at(2) }]);

        const all = await store.pendingOutbox(10);

        expect(all.map((o) => [o.runId, o.effect.type])).toEqual([
          [a.id, 'card'],
          [a.id, 'step_prompt'],
          [b.id, 'card'],
          [a.id, 'step_closed'],
          [a.id, 'support_closed'],
        ]);
        expect(all.map((o) => o.id)).toEqual([...all.map((o) => o.id)].sort((x, y) => x - y));
        expect(new Set(all.map((o) => o.id)).size).toBe(5);
        expect(all[3]).toMatchObject({ effect: closed, attempts: 0 });
        expect(typeof all[0].createdAt).toBe('string');
        expect((await store.pendingOutbox(2)).map((o) => o.id)).toEqual(all.slice(0, 2).map((o) => o.id));
        expect((await store.pendingOutbox(10, b.id)).map((o) => o.effect)).toEqual([{ type: 'card' }]);
        expect((await store.pendingOutbox(1, a.id)).map((o) => o.id)).toEqual([all[0].id]);
        expect(await store.pendingOutbox(10, 'UNKNOWN0')).toEqual([]);
      });

      it('drops delivered items and counts failed attempts', async () => {
        const run = dummyRun();
        await store.create(
          run,
          [],
          [{ type: 'card' }, { type: 'step_prompt', step: 'sales_channel' }, { type: 'notice', code: 'notice.x', params: { n: 1 } }],
        );
        const [first, second, third] = await store.pendingOutbox(10);

        await store.markDelivered(first.id);
        await store.markFailed(second.id, 'slack_rate_limited');
        await store.markFailed(second.id, 'slack_rate_limited');

        const pending = await store.pendingOutbox(10);
        expect(pending.map((o) => o.id)).toEqual([second.id, third.id]);
        expect(pending[0].attempts).toBe(2);
        expect(pending[0].lastError).toBe('slack_rate_limited');
        expect(pending[1]).toEqual(third);
        expect(pending[1].lastError).toBeUndefined();

        // a failure while the platform was unreachable: the error is kept, the attempt not counted
        await store.markFailed(third.id, 'WebAPIRequestError(slack_webapi_request_error)', { counted: false });
        const [, uncounted] = await store.pendingOutbox(10);
        expect(uncounted).toMatchObject({ id: third.id, attempts: 0, lastError: 'WebAPIRequestError(slack_webapi_request_error)' });

        await store.markDelivered(second.id);
        await store.markDelivered(second.id); // twice is harmless
        expect((await store.pendingOutbox(10, run.id)).map((o) => o.id)).toEqual([third.id]);
      });

      it('gives up an abandoned item (never pending again) and keeps the later items of the run pending', async () => {
        const run = dummyRun();
        await store.create(run, [], [{ type: 'card' }, { type: 'step_prompt', step: 'sales_channel' }]);
        const [first, second] = await store.pendingOutbox(10, run.id);
        await store.markFailed(first.id, 'not_in_channel');
        await store.markAbandoned(first.id, 'Error(slack_webapi_platform_error): An API error occurred: not_in_channel');
        await store.markAbandoned(first.id, 'again'); // twice is harmless
        expect((await store.pendingOutbox(10, run.id)).map((o) => o.id)).toEqual([second.id]);
        expect((await store.pendingOutbox(10)).map((o) => o.id)).not.toContain(first.id);
        // a delivered item is not abandoned afterwards
        await store.markDelivered(second.id);
        await store.markAbandoned(second.id, 'late');
        expect(await store.pendingOutbox(10, run.id)).toEqual([]);
      });

      it('throws for an unknown outbox id', async () => {
        await expect(store.markDelivered(999_999)).rejects.toThrow(/999999/);
        await expect(store.markFailed(999_999, 'x')).rejects.toThrow(/999999/);
        await expect(store.markAbandoned(999_999, 'x')).rejects.toThrow(/999999/);
      });
    });

    describe('refs', () => {
      it('puts, gets and replaces references without changing the run version', async () => {
        const run = dummyRun();
        await store.create(run, [], []);
        const conversation = { serviceUrl: 'https://smba.example/emea/', conversation: { id: '19:abc' } };

        await store.putRef(run.id, 'card_ts', '1736933400.000100');
        await store.putRef(run.id, 'conversation', conversation);
        await store.putRef(run.id, 'card_ts', '1736933400.000200');
        await store.putRef(run.id, 'step:sales_channel', ['1736933401.000100', 42, null]);

        expect(await store.getRefs(run.id)).toEqual({
          card_ts: '1736933400.000200',
          conversation,
          'step:sales_channel': ['1736933401.000100', 42, null],
        });
        expect(await store.get(run.id)).toEqual(run);
        await store.save(advanced(run), 1, [], []);
        expect((await store.getRefs(run.id)).card_ts).toBe('1736933400.000200');
      });

      it('keeps refs per run and returns {} for a run without any', async () => {
        await store.putRef('RUNAAAAA', 'k', 1);
        await store.putRef('RUNBBBBB', 'k', 2);
        expect(await store.getRefs('RUNAAAAA')).toEqual({ k: 1 });
        expect(await store.getRefs('RUNCCCCC')).toEqual({});
      });
    });

    describe('dedupe keys', () => {
      it('claims a key once; every later claim, concurrent or not, is refused', async () => {
        expect(await store.claimOnce('teams:activity:1', at(0))).toBe(true);
        expect(await store.claimOnce('teams:activity:1', at(1))).toBe(false);
        const many = await Promise.all(Array.from({ length: 10 }, () => store.claimOnce('slack:click:7', at(2))));
        expect(many.filter(Boolean)).toHaveLength(1);
        expect(await store.claimOnce('teams:activity:2', at(3))).toBe(true);
      });
    });

    describe('exclusive work', () => {
      it('runs the work and returns its value; a concurrent taker of the same key does not run', async () => {
        let release!: () => void;
        const held = new Promise<void>((r) => (release = r));
        const first = store.tryExclusive('outbox:R1', async () => {
          await held;
          return 'first';
        });
        await new Promise((r) => setTimeout(r, 20));
        let ranSecond = false;
        const second = await store.tryExclusive('outbox:R1', async () => {
          ranSecond = true;
          return 'second';
        });
        const other = await store.tryExclusive('outbox:R2', async () => 'other key');
        release();
        expect(await first).toEqual({ ran: true, value: 'first' });
        expect(second).toEqual({ ran: false });
        expect(ranSecond).toBe(false);
        expect(other).toEqual({ ran: true, value: 'other key' });
        expect(await store.tryExclusive('outbox:R1', async () => 'again')).toEqual({ ran: true, value: 'again' });
      });

      it('releases the key when the work throws', async () => {
        await expect(store.tryExclusive('outbox:R3', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
        expect(await store.tryExclusive('outbox:R3', async () => 1)).toEqual({ ran: true, value: 1 });
      });
    });

    describe('list', () => {
      /** Five runs, created one minute apart (r1 oldest). */
      async function seed(): Promise<Record<string, Run>> {
        const d = dummyRun().details;
        const runs: Record<string, Run> = {
          r1: dummyRun({ id: 'R1', createdAt: at(1), updatedAt: at(1) }),
          r2: dummyRun({
            id: 'R2',
            surface: 'teams',
            channelId: '19:t',
            createdAt: at(2),
            updatedAt: at(2),
            details: { ...d, institutionCode: 'BETA' },
          }),
          r3: dummyRun({ id: 'R3', createdAt: at(3), updatedAt: at(3), startedBy: sam, details: { ...d, channelCode: 'DGT2' } }),
          r4: dummyRun({
            id: 'R4',
            surface: 'console',
            channelId: 'console',
            createdAt: at(4),
            updatedAt: at(4),
            details: { ...d, institutionCode: 'GAMMA' },
          }),
          r5: dummyRun({ id: 'R5', createdAt: at(5), updatedAt: at(5), details: { ...d, institutionCode: 'BETA', channelCode: 'DGT2' } }),
        };
        // Insert out of creation order: ordering must come from createdAt.
        for (const key of ['r3', 'r1', 'r5', 'r2', 'r4']) await store.create(runs[key], [], []);
        await store.save(ended(runs.r1, 'completed', 6), 1, [], []);
        await store.save(ended(runs.r4, 'cancelled', 7), 1, [], []);
        return runs;
      }

      it('lists every run newest first', async () => {
        await seed();
        expect(ids(await store.list({}))).toEqual(['R5', 'R4', 'R3', 'R2', 'R1']);
      });

      it('filters by surface, status, starter, institution and channel', async () => {
        await seed();
        expect(ids(await store.list({ surface: 'slack' }))).toEqual(['R5', 'R3', 'R1']);
        expect(ids(await store.list({ surface: 'teams' }))).toEqual(['R2']);
        expect(ids(await store.list({ status: 'open' }))).toEqual(['R5', 'R3', 'R2']);
        expect(ids(await store.list({ status: 'completed' }))).toEqual(['R1']);
        expect(ids(await store.list({ status: 'cancelled' }))).toEqual(['R4']);
        expect(ids(await store.list({ startedById: sam.id }))).toEqual(['R3']);
        expect(ids(await store.list({ institutionCode: 'BETA' }))).toEqual(['R5', 'R2']);
        expect(ids(await store.list({ channelCode: 'DGT2' }))).toEqual(['R5', 'R3']);
        expect(ids(await store.list({ institutionCode: 'ACME', channelCode: 'DGTK' }))).toEqual(['R1']);
        expect(ids(await store.list({ startedById: alex.id, status: 'open', surface: 'slack' }))).toEqual(['R5']);
        expect(await store.list({ institutionCode: 'NONE' })).toEqual([]);
      });

      it('filters by organisation; runs without one never match', async () => {
        const d = dummyRun().details;
        await store.create(dummyRun({ id: 'O1', org: 'slack:TAAAA', createdAt: at(1), updatedAt: at(1) }), [], []);
        await store.create(
          dummyRun({ id: 'O2', org: 'slack:TBBBB', createdAt: at(2), updatedAt: at(2), details: { ...d, channelCode: 'DGT2' } }),
          [],
          [],
        );
        await store.create(dummyRun({ id: 'O3', createdAt: at(3), updatedAt: at(3), details: { ...d, channelCode: 'DGT3' } }), [], []);
        await store.create(
          dummyRun({ id: 'O4', org: 'slack:TAAAA', createdAt: at(4), updatedAt: at(4), details: { ...d, channelCode: 'DGT4' } }),
          [],
          [],
        );
        expect(ids(await store.list({ org: 'slack:TAAAA' }))).toEqual(['O4', 'O1']);
        expect(ids(await store.list({ org: 'slack:TBBBB', status: 'open' }))).toEqual(['O2']);
        expect(ids(await store.list({ org: 'slack:TAAAA', channelCode: 'DGT2' }))).toEqual([]);
        expect(await store.list({ org: '' })).toEqual([]);
        expect(ids(await store.list({}))).toEqual(['O4', 'O3', 'O2', 'O1']);
      });

      it('returns whole runs, as stored', async () => {
        const runs = await seed();
        expect(await store.list({ surface: 'teams' })).toEqual([runs.r2]);
      });

      it('honours the limit (newest kept)', async () => {
        await seed();
        expect(ids(await store.list({ limit: 2 }))).toEqual(['R5', 'R4']);
        expect(ids(await store.list({ status: 'open', limit: 1 }))).toEqual(['R5']);
      });
    });

    describe('listDue (reminder due times)', () => {
      const d = dummyRun().details;
      const due = (id: string, minutes: number, extra: Partial<Run> = {}): Run =>
        dummyRun({
          id,
          details: { ...d, institutionCode: id },
          reminder: { dueAt: at(minutes), kind: 'operator', count: 0 },
          ...extra,
        });

      it('lists open runs due at or before now, earliest due first, within the limit', async () => {
        // Created out of due order; one without a reminder, one due later.
        await store.create(due('LATE', 30), [], []);
        await store.create(due('SECOND', 10), [], []);
        await store.create(dummyRun({ id: 'NONE', details: { ...d, institutionCode: 'NONE' } }), [], []);
        await store.create(due('FIRST', 5), [], []);
        await store.create(due('EXACT', 20), [], []);

        expect(ids(await store.listDue(at(20), 10))).toEqual(['FIRST', 'SECOND', 'EXACT']);
        expect(ids(await store.listDue(at(19), 10))).toEqual(['FIRST', 'SECOND']);
        expect(ids(await store.listDue(at(60), 2))).toEqual(['FIRST', 'SECOND']);
        expect(await store.listDue(at(4), 10)).toEqual([]);
        expect(await store.listDue(at(60), 10)).toContainEqual(due('LATE', 30));
      });

      it('follows saves: a new due time moves the run, an ended run or a cleared reminder leaves the list', async () => {
        const a = due('AAA', 5);
        const b = due('BBB', 6);
        const c = due('CCC', 7);
        for (const r of [a, b, c]) await store.create(r, [], []);

        await store.save({ ...a, version: 2, reminder: { dueAt: at(100), kind: 'support', count: 1 } }, 1, [], []);
        await store.save(ended(b, 'cancelled', 8), 1, [], []);
        const { reminder: _cleared, ...withoutReminder } = c;
        void _cleared;
        await store.save({ ...withoutReminder, version: 2 }, 1, [], []);

        expect(await store.listDue(at(99), 10)).toEqual([]);
        expect(await store.listDue(at(100), 10)).toEqual([{ ...a, version: 2, reminder: { dueAt: at(100), kind: 'support', count: 1 } }]);
      });

      it('refuses a limit that is not a positive integer', async () => {
        await expect(store.listDue(at(0), 0)).rejects.toThrow(/limit/);
      });
    });

    describe('stats (monitoring)', () => {
      it('counts runs per status and step and the undelivered outbox, oldest first', async () => {
        expect(await store.stats()).toEqual({ runs: [], outboxPending: 0, outboxOldestCreatedAt: null });
        const a = dummyRun({ id: 'RUNSTAT1', createdAt: at(0), updatedAt: at(0) });
        const b = dummyRun({ id: 'RUNSTAT2', details: { ...a.details, institutionCode: 'BETA' } });
        const c = dummyRun({ id: 'RUNSTAT3', details: { ...a.details, institutionCode: 'GAMMA' } });
        await store.create(a, [entry(a, 'start')], [{ type: 'card' }]);
        await store.create(b, [entry(b, 'start')], [{ type: 'card' }]);
        await store.create(c, [entry(c, 'start')], []);
        await store.save(advanced(b), 1, [entry(b, 'step_done')], []);
        await store.save(ended(c, 'cancelled'), 1, [entry(c, 'cancel')], []);
        const pending = await store.pendingOutbox(10);
        await store.markDelivered(pending[1]!.id);
        const stats = await store.stats();
        expect(stats.runs).toEqual([
          { status: 'cancelled', step: null, count: 1 },
          { status: 'open', step: 'point_of_sale', count: 1 },
          { status: 'open', step: 'sales_channel', count: 1 },
        ]);
        expect(stats.outboxPending).toBe(1);
        expect(stats.outboxOldestCreatedAt).toBe(pending[0]!.createdAt);
      });

      it('does not count given-up outbox items (abandoned) as pending, nor their age', async () => {
        const a = dummyRun({ id: 'RUNGIVE1' });
        const b = dummyRun({ id: 'RUNGIVE2', details: { ...a.details, institutionCode: 'BETA' } });
        await store.create(a, [entry(a, 'start')], [{ type: 'card' }]);
        await store.create(b, [entry(b, 'start')], [{ type: 'card' }]);
        const [first, second] = await store.pendingOutbox(10);
        await store.markAbandoned(first!.id, 'An API error occurred: msg_too_long');
        const stats = await store.stats();
        expect(stats.outboxPending).toBe(1);
        expect(stats.outboxOldestCreatedAt).toBe(second!.createdAt);
        await store.markAbandoned(second!.id, 'An API error occurred: msg_too_long');
        expect(await store.stats()).toMatchObject({ outboxPending: 0, outboxOldestCreatedAt: null });
      });
    });

    describe('durability', () => {
      it('finds runs, audit, outbox and refs again after closing and reopening', async () => {
        if (!ctx.reopen) return;
        const run = dummyRun();
        await store.create(run, [entry(run, 'start')], [{ type: 'card' }]);
        const next = advanced(run);
        await store.save(next, 1, [entry(run, 'step_done')], [{ type: 'step_prompt', step: 'point_of_sale' }]);
        await store.putRef(run.id, 'card_ts', '1.2');
        const [delivered] = await store.pendingOutbox(1);
        await store.markDelivered(delivered.id);
        await store.close();

        store = await ctx.reopen();

        expect(await store.get(run.id)).toEqual(next);
        expect(ids(await store.list({}))).toEqual([run.id]);
        expect((await store.audit(run.id)).map((e) => e.seq)).toEqual([1, 2]);
        expect((await store.pendingOutbox(10)).map((o) => o.effect)).toEqual([{ type: 'step_prompt', step: 'point_of_sale' }]);
        expect(await store.getRefs(run.id)).toEqual({ card_ts: '1.2' });
        // Compare-and-set still holds across the reopen.
        await expect(store.save(advanced(run), 1, [], [])).rejects.toBeInstanceOf(VersionConflictError);
        await store.save(advanced(next, 2), 2, [entry(next, 'step_done')], []);
        expect((await store.audit(run.id)).map((e) => e.seq)).toEqual([1, 2, 3]);
      });
    });
  });
}
