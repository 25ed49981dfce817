/**
 * "My runs" (issue 5): the runs one person started on one surface, as the Slack App Home and the
 * Teams `status` card in personal chat show them. Reads the run store only; pure otherwise.
 */
import type { Surface } from '../domain/ids';
import type { RunStore } from '../ports/run-store.port';
import type { Run } from '../workflow/types';
import type { MyRuns } from '../workflow/my-runs';

/** How many completed runs "My runs" shows (issue 5: "their last 10 completed runs"). */
export const MY_COMPLETED_RUNS = 10;
/**
 * At most this many open runs are listed (Slack allows 100 blocks in a Home tab; a Teams card
 * must stay under 28 KB). More are counted, not listed.
 */
export const MY_OPEN_RUNS = 25;
/**
 * Completed runs read from the store before sorting by completion time: `RunStore.list` orders by
 * creation time, and a run started earlier may have been completed later.
 */
const COMPLETED_WINDOW = 50;

export type { MyRuns } from '../workflow/my-runs';

/**
 * Loads the runs `userId` started on `surface` (Slack user id `U...`, Teams AAD object id or
 * channel account id, as stored in `run.startedBy.id`): the open ones and the last completed ones.
 * Cancelled runs are not listed. Completed runs are taken from the 50 most recently started ones.
 * @throws whatever the store throws (the caller answers with an internal error).
 */
export async function loadMyRuns(
  store: Pick<RunStore, 'list'>,
  surface: Surface,
  userId: string,
  /** `{ org }` in multi-organisation mode (`RunService.orgFilter`): only that organisation's runs. */
  scope: { org?: string } = {},
): Promise<MyRuns> {
  const [open, completed] = await Promise.all([
    store.list({ surface, status: 'open', startedById: userId, limit: MY_OPEN_RUNS + 1, ...scope }),
    store.list({ surface, status: 'completed', startedById: userId, limit: COMPLETED_WINDOW, ...scope }),
  ]);
  const ended = (r: Run): string => r.endedAt ?? r.updatedAt;
  return {
    open: open.slice(0, MY_OPEN_RUNS),
    moreOpen: open.length > MY_OPEN_RUNS ? (await countOpen(store, surface, userId, scope)) - MY_OPEN_RUNS : 0,
    completed: [...completed].sort((a, b) => (ended(a) < ended(b) ? 1 : ended(a) > ended(b) ? -1 : 0)).slice(0, MY_COMPLETED_RUNS),
  };
}

/** How many open runs `userId` has on `surface` (bounded at 1,000: only shown as a count). */
async function countOpen(store: Pick<RunStore, 'list'>, surface: Surface, userId: string, scope: { org?: string }): Promise<number> {
  return (await store.list({ surface, status: 'open', startedById: userId, limit: 1000, ...scope })).length;
}
