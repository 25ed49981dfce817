/** ProgressPacer (real timers, short intervals) and eraseInJson: ordering and content, never durations. */
import { eraseInJson } from '../../../src/domain/erased';
import { answersEqualTo } from '../../../src/app/run-service';
import { ProgressPacer } from '../../../src/app/verification-progress';
import { systemClock } from '../../../src/ports/clock.port';
import type { Run, VerificationProgress } from '../../../src/workflow/types';
import { dummyRun } from '../../fixtures/dummy-run';

const waiting = (catalogWaitedMs?: number): VerificationProgress => ({
  checks: [{ id: 'credentials', state: 'waiting' }],
  done: false,
  ...(catalogWaitedMs !== undefined ? { catalogWaitedMs } : {}),
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ProgressPacer', () => {
  it('coalesces a burst into few updates, the latest state each time, and ends with the final one', async () => {
    const sent: VerificationProgress[] = [];
    const pacer = new ProgressPacer({ send: async (p) => void sent.push(p), clock: systemClock, minIntervalMs: 50, tickMs: 10_000 });
    for (let i = 0; i < 20; i++) pacer.update({ checks: [{ id: 'credentials', state: i < 19 ? 'waiting' : 'passed' }], done: false });
    for (let i = 0; i < 500 && sent.at(-1)?.checks[0]?.state !== 'passed'; i++) await sleep(10);
    await pacer.finish({ checks: [{ id: 'credentials', state: 'passed' }], done: true, outcome: 'passed' });
    expect(sent.length).toBeLessThanOrEqual(3);
    expect(sent[sent.length - 2]!.checks[0]!.state).toBe('passed');
    expect(sent.at(-1)).toMatchObject({ done: true, outcome: 'passed' });
  });

  it('while the catalog is extracted, refreshes on its own with a growing waited time, and stops after finish', async () => {
    const sent: VerificationProgress[] = [];
    const pacer = new ProgressPacer({ send: async (p) => void sent.push(p), clock: systemClock, minIntervalMs: 5, tickMs: 20 });
    pacer.update(waiting(5000));
    for (let i = 0; i < 500 && sent.length < 3; i++) await sleep(10);
    const during = sent.map((p) => p.catalogWaitedMs!);
    expect(during.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < during.length; i++) expect(during[i]!).toBeGreaterThan(during[i - 1]!);
    await pacer.finish({ checks: [], done: true, outcome: 'failed' });
    const count = sent.length;
    await sleep(80);
    expect(sent.length).toBe(count);
  });

  it('a failing send is reported and does not stop the final update', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const pacer = new ProgressPacer({
      send: async () => {
        calls++;
        if (calls === 1) throw new Error('chat.update failed');
      },
      clock: systemClock,
      minIntervalMs: 1,
      onError: (e) => errors.push(e),
    });
    pacer.update(waiting());
    await sleep(20);
    await pacer.finish({ checks: [], done: true });
    expect(errors).toHaveLength(1);
    expect(calls).toBe(2);
  });
});

describe('eraseInJson', () => {
  it('erases substrings and number lists, walks objects and arrays, leaves the rest', () => {
    const r = eraseInJson({ a: 'pw=Hunter2!', b: [11, 12], c: { d: ['Hunter2!', 3] }, e: 5 }, ['Hunter2!', '11 12']);
    expect(r).toEqual({ changed: true, value: { a: 'pw=[erased]', b: '[erased]', c: { d: ['[erased]', 3] }, e: 5 } });
    expect(eraseInJson({ a: 'x' }, ['y']).changed).toBe(false);
    expect(eraseInJson({ a: 'x' }, ['']).changed).toBe(false);
  });
});

describe('answersEqualTo', () => {
  const run: Run = { ...dummyRun(), contingentIds: [11, 12], contactNumber: 'C-77' };
  it('finds the answers the password equals: contact (any case), contingents (any separators), names and email', () => {
    expect(answersEqualTo(run, 'c-77')).toEqual(['contactNumber']);
    expect(answersEqualTo(run, '11;12')).toEqual(['contingentIds']);
    expect(answersEqualTo(run, run.details.digitickContactEmail.toUpperCase())).toEqual(['digitickContactEmail']);
    expect(answersEqualTo(run, 'a-real-password')).toEqual([]);
    expect(answersEqualTo(run, '11')).toEqual([]);
  });
});
