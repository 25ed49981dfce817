/**
 * Issue 12: whether a run's password request is the first for its institution from its
 * organisation (the support request flags it, so support checks who asks). Read from the runs
 * themselves: another run of the same institution and organisation that reached the password
 * request step (current or past) asked support before. One store read, on every surface.
 */
import type { RunStore } from '../ports/run-store.port';
import type { Run } from '../workflow/types';

/** True when no other run of `run`'s institution and organisation reached the password request. */
export async function isFirstSupportRequest(store: RunStore, run: Run): Promise<boolean> {
  const others = await store.list({
    institutionCode: run.details.institutionCode,
    ...(run.org ? { org: run.org } : {}),
    limit: 500,
  });
  return !others.some((o) => o.id !== run.id && o.steps.password_request.state !== 'todo');
}
