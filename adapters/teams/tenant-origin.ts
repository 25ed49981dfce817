/**
 * Issue 12: a Teams run of one tenant whose password request goes to a support desk registered in
 * another tenant (multi-tenant registration): the request names the run's tenant, the requester,
 * and whether it is that tenant's first request for the institution, so support can check who asks.
 * Within one tenant (the usual single-tenant set-up) nothing is added.
 */
import type { ConversationReference } from 'botbuilder';
import type { SupportOrigin } from '../../src/messages/builder';
import type { RunStore } from '../../src/ports/run-store.port';
import type { Run } from '../../src/workflow/types';
import { isFirstSupportRequest } from '../../src/app/first-request';

const TENANT_PREFIX = 'teams:';

/** The origin to show on the desk, or null when the run and the desk are in the same tenant (or either is unknown). */
export async function tenantOriginOf(store: RunStore, run: Run, desk: Partial<ConversationReference>): Promise<SupportOrigin | null> {
  if (!run.org?.startsWith(TENANT_PREFIX)) return null;
  const tenant = run.org.slice(TENANT_PREFIX.length);
  const deskTenant = desk.conversation?.tenantId?.toLowerCase();
  if (!deskTenant || deskTenant === tenant) return null;
  const first = await isFirstSupportRequest(store, run);
  return { kind: 'tenant', organisation: tenant, requester: run.startedBy.name ?? run.startedBy.id, firstForInstitution: first };
}
