/**
 * The organisation of the request being handled (issue 12, "Isolation"): each surface runs a
 * request's work in its organisation's scope (`AsyncLocalStorage`: Slack's global middleware,
 * Teams' activity handler), so its listeners and handlers hand it to the run service with the
 * caller (`Principal.org`), and the dedupe keys carry it in multi-organisation mode.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const storage = new AsyncLocalStorage<{ org: string | undefined }>();

/** Runs `work` as a request of organisation `org` (`src/domain/org.ts`). */
export function orgScope<T>(org: string | undefined, work: () => T): T {
  return storage.run({ org }, work);
}

/** The current request's organisation, if any. */
export function currentOrg(): string | undefined {
  return storage.getStore()?.org;
}

/** `{ org }` of the current request, or `{}` (spread into a caller). */
export function orgOfRequest(): { org?: string } {
  const org = currentOrg();
  return org ? { org } : {};
}
