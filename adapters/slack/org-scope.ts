/**
 * The organisation of a Slack request (issue 12, "Isolation"), in every mode: a Bolt global
 * middleware reads Bolt's context (`teamId`, else `enterpriseId`: `slackOrg`) and runs the rest of
 * the request in its scope (`adapters/org-scope.ts`).
 */
import type { App } from '@slack/bolt';
import { slackOrg } from '../../src/domain/org';
import { orgScope } from '../org-scope';

export { currentOrg, orgOfRequest } from '../org-scope';

/** The organisation of a request as Bolt's context has it (`slack:<team>`, else `slack:<enterprise>`). */
export function orgOfContext(context: Record<string, unknown>): string | undefined {
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  return slackOrg(str(context.teamId), str(context.enterpriseId));
}

/** Registers the middleware (first of all: the dedupe and the listeners run inside it). */
export function registerOrgScope(app: App): void {
  app.use(async ({ context, next }) => {
    await orgScope(orgOfContext(context as Record<string, unknown>), next);
  });
}
