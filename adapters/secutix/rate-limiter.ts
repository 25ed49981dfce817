/**
 * Client-side sliding-window rate limiter (source: `secutix-api.md`: SecuTix allows about 60
 * calls per minute per institution and endpoint; the client caps itself under that).
 */

/** Time and waiting, injected so tests run without real waits. */
export interface LimiterTime {
  /** Milliseconds since the epoch. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * At most `limit` acquisitions per key in any window of `windowMs` (default 60 000 ms).
 * `acquire` waits (never fails) until a slot frees.
 */
export class SlidingWindowRateLimiter {
  private readonly stamps = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly time: LimiterTime,
    private readonly windowMs = 60_000,
  ) {
    if (!(limit >= 1)) throw new Error('rate limit must be at least 1 per window');
  }

  /** Waits until a slot is free for `key` (e.g. `DEMO:getPOSConfig`), then takes it. Returns the ms waited. */
  async acquire(key: string): Promise<number> {
    let waited = 0;
    for (;;) {
      const now = this.time.now();
      const list = (this.stamps.get(key) ?? []).filter((t) => t > now - this.windowMs);
      if (list.length < this.limit) {
        list.push(now);
        this.stamps.set(key, list);
        return waited;
      }
      this.stamps.set(key, list);
      const wait = Math.max(1, list[0] + this.windowMs - now);
      waited += wait;
      await this.time.sleep(wait);
    }
  }

  /** Slots taken for `key` in the current window. */
  inWindow(key: string): number {
    const now = this.time.now();
    return (this.stamps.get(key) ?? []).filter((t) => t > now - this.windowMs).length;
  }
}
