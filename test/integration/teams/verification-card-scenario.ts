/**
 * The cards of issue 8 on Teams, for the screenshots (`scripts/render-teams-cards.ts`): a run of
 * the sandbox's UNLISTED (values the assistant does not know) whose verification has checks to
 * confirm, with its progress card; the
 * `onboard_answers` form (prefilled, with an error, unchanged, submitted); the password guard's
 * notice and the form asking again; the confirmed report; a progress card waiting for the catalog.
 * No Jest API here: it runs under tsx too.
 */
import { sandboxHints } from '../../../adapters/sandbox';
import { renderMessage } from '../../../adapters/teams/cards';
import { type CapturedCard, connectorCards, PERSONAL } from './card-scenario';
import { ALEX, type Node, SAM, type TeamsHarness } from './helpers';

type Card = { body: Node[]; actions?: Node[] } & Record<string, unknown>;

const cardIn = (activity: Record<string, unknown>): Card | undefined =>
  (activity.attachments as { content?: Card }[] | undefined)?.[0]?.content;
const actionIn = (card: Card | undefined, verb: string): Node | undefined =>
  (card?.actions ?? []).find((a) => a.type === 'Action.Execute' && a.verb === verb);

/** Runs the scenario on `h` (a fresh harness) and returns every card: connector posts/updates and invoke answers. */
export async function runVerificationCardScenario(h: TeamsHarness, language: 'en' | 'fr' | 'de' = 'en'): Promise<CapturedCard[]> {
  const hints = sandboxHints('UNLISTED');
  const contact = hints.contactNumbers[0]!;
  const answers: CapturedCard[] = [];
  const invoke = async (action: Node, inputs: Record<string, string> = {}, replyToId?: string, user = ALEX): Promise<Card> => {
    const r = await h.invoke(PERSONAL, user, action, inputs, replyToId ? { replyToId } : {});
    const body = r.body as { value?: Card } | undefined;
    if (r.status !== 200 || !body?.value) throw new Error(`invoke ${String(action.verb)} answered ${r.status}`);
    answers.push({ label: `invoke ${String(action.verb)}`, card: body.value });
    return body.value;
  };
  const latest = (verb: string, step: string) => {
    const found = h.connector
      .posted(PERSONAL.id)
      .reverse()
      .find((a) => (actionIn(cardIn(a.activity), verb)?.data as { step?: string } | undefined)?.step === step);
    if (!found) throw new Error(`no card with ${verb} for ${step}`);
    return { id: found.id, action: actionIn(cardIn(found.activity), verb)! };
  };
  const click = async (verb: string, step: string, inputs: Record<string, string> = {}, user = ALEX) => {
    const t = latest(verb, step);
    return { card: await invoke(t.action, inputs, t.id, user), id: t.id };
  };
  const verify = async (password: string) => {
    const opened = await click('verify_start', 'verification');
    await invoke(actionIn(opened.card, 'onboard_password')!, { operator_password: password }, opened.id);
    await h.surface.idle();
  };

  await h.message(PERSONAL, ALEX, 'start');
  const form = h.connector
    .posted(PERSONAL.id)
    .reverse()
    .find((a) => actionIn(cardIn(a.activity), 'onboard_start'))!;
  const started = await invoke(
    actionIn(cardIn(form.activity), 'onboard_start')!,
    {
      institution_code: hints.institutionCode.toLowerCase(),
      institution_name: 'Unlisted Gallery',
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
  await click('step_done', 'point_of_sale');
  const contingents = await click('step_done', 'contingents');
  await invoke(actionIn(contingents.card, 'onboard_contingents')!, { contingent_ids: hints.contingentIds.join(', ') }, contingents.id);
  const contactStep = await click('step_done', 'technical_contact');
  await invoke(actionIn(contactStep.card, 'onboard_contact')!, { contact_number: contact }, contactStep.id);
  await click('step_done', 'event_products');
  await click('step_done', 'pass_products');
  await click('step_done', 'sales_interface');
  await click('password_assigned', 'password_request', {}, SAM);

  await verify(hints.password); // checks to confirm
  const edit = await click('answers_edit', 'verification');
  const submit = actionIn(edit.card, 'onboard_answers')!;
  await invoke(submit, { contingent_ids: '11, x', contact_number: '' }, edit.id);
  await invoke(submit, { contingent_ids: hints.contingentIds.join(', '), contact_number: contact }, edit.id);
  await invoke(submit, { contingent_ids: String(hints.contingentIds[0]), contact_number: contact }, edit.id);
  await verify(contact); // the password guard
  const erased = await click('answers_edit', 'verification');
  await invoke(
    actionIn(erased.card, 'onboard_answers')!,
    { contingent_ids: String(hints.contingentIds[0]), contact_number: contact },
    erased.id,
  );
  await verify(hints.password);
  await click('verify_confirm', 'verification');
  await h.surface.idle();

  const run = await h.store.get(runId);
  if (!run) throw new Error(`run ${runId} not stored`);
  const waiting = h.builder.progress(run, {
    checks: [
      { id: 'credentials', state: 'passed' },
      { id: 'sales_channel', state: 'to_confirm' },
      { id: 'event_products', state: 'waiting' },
    ],
    catalogWaitedMs: 8300,
    done: false,
  });
  const label = h.builder.t(language, 'card.run_id', { runId });
  return [
    ...connectorCards(h),
    ...answers,
    { label: 'progress waiting for the catalog', card: { ...renderMessage(waiting, { runLabel: label }) } },
  ];
}
