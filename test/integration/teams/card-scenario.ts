/**
 * One full Teams run that shows every kind of card the bot sends (issue 9), for the card checks
 * (`cards-render.test.ts`) and the screenshots (`scripts/render-teams-cards.ts`): welcome on
 * install, help, the start form (empty, then filled), each step, a form with an error, the
 * cancel confirmation and its "Keep it", the support request, a failed then a passed
 * verification, the email draft and "Email sent", audit, status, a file-only message, a group
 * chat, a user without a name, and the `check` form. No Jest API here: it runs under tsx too.
 * Payload shapes follow the Bot Framework / Teams activity schema (conversationUpdate with the bot
 * in `membersAdded` and `channelData.eventType: "teamMemberAdded"`, installationUpdate `add`).
 */
import { demoHints } from '../../../adapters/sandbox';
import { ALEX, BOT, type Conversation, type Node, SAM, type TeamsHarness } from './helpers';

/** A card the bot produced, where it came from, and the activity around it (posts and updates). */
export interface CapturedCard {
  label: string;
  card: Record<string, unknown>;
  /** The activity that carried it (absent for invoke answers, which are cards only). */
  activity?: Record<string, unknown>;
}

export const PERSONAL: Conversation = { id: 'a:personal-cards', conversationType: 'personal' };
export const CHANNEL: Conversation = { id: '19:cards@thread.tacv2', conversationType: 'channel' };

type Card = { body: Node[]; actions?: Node[] } & Record<string, unknown>;

const firstCard = (activity: Record<string, unknown> | undefined): Card | undefined =>
  (activity?.attachments as { content?: Card }[] | undefined)?.[0]?.content;

/** Every card the connector received (posts and updates, in order). */
export function connectorCards(h: TeamsHarness): CapturedCard[] {
  const out: CapturedCard[] = [];
  h.connector.requests.forEach((r, i) => {
    const body = r.body as Record<string, unknown> | undefined;
    const card = firstCard(body);
    if (card && body) out.push({ label: `${r.method} #${i} ${firstText(card)}`, card, activity: body });
  });
  return out;
}

function firstText(card: Card): string {
  const texts: string[] = [];
  const walk = (nodes: unknown): void => {
    if (!Array.isArray(nodes)) return;
    for (const n of nodes as Node[]) {
      if (typeof n.text === 'string') texts.push(n.text);
      walk(n.items);
    }
  };
  walk(card.body);
  return (texts[1] ?? texts[0] ?? '').replace(/\s+/g, ' ').slice(0, 50);
}

function actionIn(card: Card | undefined, verb: string): Node | undefined {
  const found: Node[] = [];
  const walk = (nodes: unknown): void => {
    if (!Array.isArray(nodes)) return;
    for (const n of nodes as Node[]) {
      if (n.type === 'Action.Execute' && n.verb === verb) found.push(n);
      walk(n.items);
      walk(n.actions);
    }
  };
  walk(card?.body);
  walk(card?.actions);
  return found[0];
}

/** Runs the scenario on `h` and returns every card: connector posts/updates and invoke answers. */
export async function runCardScenario(
  h: TeamsHarness,
  language: 'en' | 'fr' | 'de' = 'en',
  institutionName = 'Demo Theatre',
): Promise<{ cards: CapturedCard[]; runId: string; emailDraft: string }> {
  const demo = demoHints();
  const answers: CapturedCard[] = [];
  const invoke = async (conv: Conversation, user: typeof ALEX, action: Node, inputs: Record<string, string>, replyToId?: string) => {
    const r = await h.invoke(conv, user, action, inputs, replyToId ? { replyToId } : {});
    const body = r.body as { value?: Card } | undefined;
    if (r.status !== 200 || !body?.value) throw new Error(`invoke ${String(action.verb)} answered ${r.status}`);
    answers.push({ label: `invoke ${String(action.verb)} ${firstText(body.value)}`, card: body.value });
    return body.value;
  };
  const latest = (verb: string, step?: string, conv = PERSONAL.id) => {
    const found = h.connector
      .posted(conv)
      .reverse()
      .find((a) => {
        const act = actionIn(firstCard(a.activity), verb);
        return act !== undefined && (step === undefined || (act.data as { step?: string }).step === step);
      });
    if (!found) throw new Error(`no card with ${verb}${step ? ` for ${step}` : ''}`);
    return { id: found.id, action: actionIn(firstCard(found.activity), verb)! };
  };
  const click = async (verb: string, step: string, user = ALEX, inputs: Record<string, string> = {}, conv = PERSONAL) => {
    const t = latest(verb, step, conv.id);
    return { card: await invoke(conv, user, t.action, inputs, t.id), id: t.id };
  };
  const conversation = (conv: Conversation) => ({ id: conv.id, conversationType: conv.conversationType, tenantId: 'tenant-1' });

  // Install: the bot added to a team (conversationUpdate) and installed (installationUpdate add), then in a personal chat.
  await h.send({
    type: 'conversationUpdate',
    membersAdded: [{ id: BOT.id }],
    from: { id: ALEX.id, aadObjectId: ALEX.aadObjectId },
    conversation: { ...conversation(CHANNEL), isGroup: true },
    channelData: { team: { id: CHANNEL.id, name: 'Onboarding' }, eventType: 'teamMemberAdded', tenant: { id: 'tenant-1' } },
  });
  await h.send({
    type: 'installationUpdate',
    action: 'add',
    from: { id: ALEX.id, aadObjectId: ALEX.aadObjectId },
    conversation: conversation(PERSONAL),
    channelData: { tenant: { id: 'tenant-1' }, source: { name: 'message' } },
  });

  await h.message(PERSONAL, ALEX, 'help');
  await h.message(PERSONAL, ALEX, 'start');
  const form = latest('onboard_start');
  await invoke(PERSONAL, ALEX, form.action, {}, form.id); // every required field empty
  const started = await invoke(
    PERSONAL,
    ALEX,
    form.action,
    {
      institution_code: 'demo',
      institution_name: institutionName,
      channel_code: 'DGTK',
      digitick_contact_name: 'Camille Martin',
      digitick_contact_email: 'camille.martin@digitick.example',
      language,
    },
    form.id,
  );
  const runId = /([A-Z0-9]{8})/.exec(JSON.stringify(started.body[0]))?.[1];
  if (!runId) throw new Error('no run id in the start answer');

  await click('step_done', 'sales_channel');
  // The cancel confirmation, then "Keep it".
  const confirm = await click('run_cancel', 'point_of_sale');
  const keep = actionIn(confirm.card, 'card_refresh');
  if (keep) await invoke(PERSONAL, ALEX, keep, {}, confirm.id);
  await click('step_done', 'point_of_sale');
  const contingents = await click('step_done', 'contingents');
  const back = actionIn(contingents.card, 'card_refresh');
  if (back) await invoke(PERSONAL, ALEX, back, {}, contingents.id); // "Back" with the required field empty
  const again = await click('step_done', 'contingents');
  const bad = await invoke(PERSONAL, ALEX, actionIn(again.card, 'onboard_contingents')!, { contingent_ids: '11, x' }, again.id);
  await invoke(PERSONAL, ALEX, actionIn(bad, 'onboard_contingents')!, { contingent_ids: demo.contingentIds.join(', ') }, again.id);
  const contact = await click('step_done', 'technical_contact');
  await invoke(PERSONAL, ALEX, actionIn(contact.card, 'onboard_contact')!, { contact_number: demo.contactNumber! }, contact.id);
  await click('step_done', 'event_products');
  await click('step_done', 'pass_products');
  await click('step_done', 'sales_interface');
  await click('password_assigned', 'password_request', SAM);

  // A wrong password first (a failed report), then the right one.
  for (const password of ['not-the-password', demo.password]) {
    const verify = latest('verify_start', 'verification');
    const pf = await invoke(PERSONAL, ALEX, verify.action, {}, verify.id);
    await invoke(PERSONAL, ALEX, actionIn(pf, 'onboard_password')!, { operator_password: password }, verify.id);
    await h.surface.idle();
  }
  try {
    await click('verify_confirm', 'verification');
  } catch {
    /* the verification passed outright: nothing to confirm */
  }
  await h.surface.idle();
  const run = await h.service.load(runId, 'teams');
  const emailDraft = run.ok ? h.builder.emailDraft(run.value) : '';
  await click('email_sent', 'email_draft');

  await h.message(PERSONAL, ALEX, `audit ${runId}`);
  await h.message(PERSONAL, ALEX, `status ${runId}`);
  await h.message(PERSONAL, ALEX, 'status');
  await h.message(PERSONAL, ALEX, `check DEMO`);
  // A file sent without text, a group chat, a meeting chat, and a user Teams sends without a name.
  await h.send({
    type: 'message',
    from: ALEX,
    conversation: conversation(PERSONAL),
    attachments: [
      {
        contentType: 'application/vnd.microsoft.teams.file.download.info',
        name: 'contingents.xlsx',
        content: { downloadUrl: 'https://contoso.sharepoint.com/contingents.xlsx', uniqueId: 'f-1', fileType: 'xlsx' },
      },
    ],
  });
  await h.send({ type: 'message', from: ALEX, text: 'help', conversation: { id: '19:group@thread.v2', conversationType: 'groupChat' } });
  await h.send({
    type: 'message',
    from: ALEX,
    text: 'start',
    conversation: { id: '19:meeting_abc@thread.v2', conversationType: 'groupChat' },
    channelData: { meeting: { id: 'meeting-1' } },
  });
  await h.send({
    type: 'message',
    from: { id: '29:nameless', aadObjectId: 'aad-nameless' },
    text: 'start',
    conversation: conversation(PERSONAL),
  });
  await h.surface.idle();
  return { cards: [...connectorCards(h), ...answers], runId, emailDraft };
}
