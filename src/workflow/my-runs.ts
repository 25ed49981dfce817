/**
 * The shape of "My runs" (`src/app/my-runs.ts` loads it, `src/messages` renders it).
 */
import type { Run } from './types';

/** A person's runs on a surface. */
export interface MyRuns {
  /** Open runs they started, newest started first, at most `MY_OPEN_RUNS`. */
  open: Run[];
  /** Open runs not listed in `open` (0 when all are listed). */
  moreOpen: number;
  /** Their completed runs, most recently completed (`endedAt`) first, at most `MY_COMPLETED_RUNS`. */
  completed: Run[];
}
