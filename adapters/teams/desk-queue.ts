/**
 * Issue 12: `status` in the Teams support desk (the channel registered with `support-channel
 * here`), from SecuTix support: the runs of every organisation that wait on support, oldest first,
 * with their age and organisation, as the Slack desk's `status` lists them.
 */
import { teamsOrg } from '../../src/domain/org';
import type { RunStore } from '../../src/ports/run-store.port';
import type { Run } from '../../src/workflow/types';
import { baseConversationId } from './activity';
import { SLACK_ORIGIN_REF, slackOriginSchema } from '../slack-origin-ref';
import { readReference, SUPPORT_CHANNEL_REF, TEAMS_GLOBAL_REF_OWNER } from './refs';

/** The organisation (`teams:<tenant>`) of the registered support desk, if one is registered with a tenant. */
export async function deskOrgOf(store: RunStore): Promise<string | undefined> {
  const desk = readReference((await store.getRefs(TEAMS_GLOBAL_REF_OWNER))[SUPPORT_CHANNEL_REF]);
  return teamsOrg(desk?.conversation?.tenantId);
}

/**
 * True when `conversationId` is the registered support desk's conversation (any thread of it) and,
 * when `callerOrg` is given (several tenants), the caller is in the desk's tenant: conversation ids
 * are not tied to a tenant.
 */
export async function isDeskConversation(store: RunStore, conversationId: string, callerOrg?: string): Promise<boolean> {
  const desk = readReference((await store.getRefs(TEAMS_GLOBAL_REF_OWNER))[SUPPORT_CHANNEL_REF]);
  const id = desk?.conversation?.id;
  if (id === undefined || baseConversationId(id) !== baseConversationId(conversationId)) return false;
  return callerOrg === undefined || teamsOrg(desk?.conversation?.tenantId) === callerOrg;
}

/** How the desk names a run's organisation: the Slack workspace (its name when the Slack side stored it), the Teams tenant. */
export async function organisationOf(store: RunStore, run: Run): Promise<string> {
  if (run.org?.startsWith('teams:')) return `Microsoft Teams ${run.org.slice('teams:'.length)}`;
  if (run.surface === 'slack') {
    const origin = slackOriginSchema.safeParse((await store.getRefs(run.id))[SLACK_ORIGIN_REF]).data;
    const id = origin?.teamId ?? run.org?.replace(/^slack:/, '');
    if (origin?.workspace) return id ? `${origin.workspace} (${id})` : origin.workspace;
    return id ? `Slack ${id}` : 'Slack';
  }
  return run.surface === 'teams' ? 'Microsoft Teams' : run.surface;
}
