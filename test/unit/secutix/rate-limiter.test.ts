import { SlidingWindowRateLimiter } from '../../../adapters/secutix/rate-limiter';

/**
 * A fake clock: `sleep` records the wait and resolves sleepers one at a time in wake-time order,
 * moving the clock to each wake time (no real waiting).
 */
function fakeTime(start = 1_000_000) {
  let now = start;
  const waits: number[] = [];
  const queue: { wake: number; resolve: () => void }[] = [];
  let scheduled = false;
  const pump = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      queue.sort((a, b) => a.wake - b.wake);
      const next = queue.shift();
      if (!next) return;
      now = Math.max(now, next.wake);
      next.resolve();
      if (queue.length) pump();
    });
  };
  return {
    waits,
    advance: (ms: number) => {
      now += ms;
    },
    time: {
      now: () => now,
      sleep: (ms: number) =>
        new Promise<void>((resolve) => {
          waits.push(ms);
          queue.push({ wake: now + ms, resolve });
          pump();
        }),
    },
  };
}

describe('SlidingWindowRateLimiter', () => {
  it('lets `limit` calls through per window, then waits until the oldest leaves the window', async () => {
    const t = fakeTime();
    const limiter = new SlidingWindowRateLimiter(3, t.time, 60_000);
    for (let i = 0; i < 3; i++) {
      expect(await limiter.acquire('DEMO:getPOSConfig')).toBe(0);
      t.advance(1_000);
    }
    // 3 calls at t0, t0+1s, t0+2s; now t0+3s: the 4th waits until t0+60s.
    expect(await limiter.acquire('DEMO:getPOSConfig')).toBe(57_000);
    expect(t.waits).toEqual([57_000]);
    expect(limiter.inWindow('DEMO:getPOSConfig')).toBe(3);
  });

  it('keeps keys (institution + method) apart', async () => {
    const t = fakeTime();
    const limiter = new SlidingWindowRateLimiter(1, t.time);
    await limiter.acquire('DEMO:getPOSConfig');
    expect(await limiter.acquire('DEMO:getContactData')).toBe(0);
    expect(await limiter.acquire('FAULTY:getPOSConfig')).toBe(0);
    expect(t.waits).toEqual([]);
  });

  it('serves concurrent waiters without exceeding the limit', async () => {
    const t = fakeTime();
    const limiter = new SlidingWindowRateLimiter(2, t.time, 10_000);
    const stamps: number[] = [];
    await Promise.all(Array.from({ length: 5 }, () => limiter.acquire('k').then(() => stamps.push(t.time.now()))));
    stamps.sort((a, b) => a - b);
    // In any 10 s window at most 2 acquisitions.
    for (let i = 2; i < stamps.length; i++) expect(stamps[i] - stamps[i - 2]).toBeGreaterThanOrEqual(10_000);
  });

  it('refuses a limit below 1', () => {
    expect(() => new SlidingWindowRateLimiter(0, fakeTime().time)).toThrow();
  });
});
