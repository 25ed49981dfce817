/**
 * Whether a run still has a message that failed to go out (after `resume`): the short error of
 * its first failed outbox item, or null when nothing failed (what `resume` posted is there).
 */
import type { RunStore } from '../../src/ports/run-store.port';

/** The first failed pending item's error, shortened for people (at most 80 characters), or null. */
export async function notPostedYet(store: Pick<RunStore, 'pendingOutbox'>, runId: string): Promise<string | null> {
  const failed = (await store.pendingOutbox(100, runId)).find((p) => p.attempts > 0);
  if (!failed) return null;
  const error = (failed.lastError ?? 'unknown').replace(/^[^:]*: /, '');
  return error.length > 80 ? `${error.slice(0, 79)}…` : error;
}
