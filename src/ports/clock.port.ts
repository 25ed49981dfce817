/** Time and ids are ports so tests control them. */

/** The current time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
}

/** Mints run ids: short (8 characters, Crockford base32, upper-case), shown on the progress card. */
export interface IdSource {
  runId(): string;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** ISO-8601 UTC string of the clock's current time. */
export const isoNow = (clock: Clock): string => new Date(clock.nowMs()).toISOString();
