/**
 * Drives a Slack run through its steps over the harness's signed requests (the way a user
 * would: command, start modal, buttons, modals), up to the verification step. Helpers to find a
 * run's messages in the fake Slack Web API by their metadata, and to press their buttons.
 */
import { demoHints } from '../../adapters/sandbox';
import type { FakeSlackMessage } from '../fakes/fake-slack-api';
import { OPERATOR, RUN_CHANNEL, SUPPORT_CHANNEL, SUPPORT_USER, type SlackHarness } from './slack-wire';

export type SlackButton = { action_id: string; value: string; style?: string; confirm?: unknown };

/** The buttons of a message's actions blocks, in order. */
export function buttonsOf(blocks: Record<string, unknown>[] | undefined): SlackButton[] {
  return (blocks ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements as SlackButton[]);
}

/** Everything a user sees of a message (text and blocks), as one string. */
export function shown(m: { text?: string; blocks: Record<string, unknown>[] }): string {
  return `${m.text ?? ''}\n${JSON.stringify(m.blocks)}`;
}

/** A run driven over Slack: its id, its card, and ways to read and press its messages. */
export interface DrivenRun {
  runId: string;
  card: FakeSlackMessage;
  /** The run's thread, in posting order (latest content). */
  thread(): FakeSlackMessage[];
  /** The newest thread message of `step` that still has a button `actionId`. */
  openMessage(step: string, actionId?: string): FakeSlackMessage;
  /** Clicks `actionId` on `message` (default: `openMessage(step, actionId)`); waits for the work after the ack. */
  press(
    step: string,
    actionId: string,
    opts?: { user?: { id: string; name: string }; channel?: string; message?: FakeSlackMessage },
  ): Promise<void>;
}

/**
 * Starts a run of the DEMO institution (channel DGTK) in `language` and brings it to the
 * verification step: every step done, contingents and contact recorded (`contactNumber`,
 * default DEMO's first contact), the password assigned by SecuTix support.
 */
export async function driveToVerification(
  h: SlackHarness,
  opts: { language?: 'en' | 'fr' | 'de'; contactNumber?: string } = {},
): Promise<DrivenRun> {
  const demo = demoHints();
  await h.command('start demo');
  const startView = h.lastView();
  await h.submit(
    'onboard_start',
    startView.private_metadata,
    {
      institution_code: demo.institutionCode,
      institution_name: 'Demo Theatre',
      channel_code: 'DGTK',
      digitick_contact_name: 'Camille Martin',
      digitick_contact_email: 'camille.martin@digitick.example',
      language: opts.language ?? 'en',
    },
    { selects: ['language'] },
  );
  const roots = [...h.api.messages.values()].filter((m) => m.channel === RUN_CHANNEL && !m.thread_ts);
  const card = roots[roots.length - 1];
  if (!card) throw new Error('no progress card posted');
  const runId = String(card.metadata?.event_payload.run_id);
  const thread = () => h.api.messagesIn(RUN_CHANNEL, card.ts);
  const openMessage = (step: string, actionId?: string): FakeSlackMessage => {
    const m = thread()
      .filter((x) => x.metadata?.event_payload.step === step && buttonsOf(x.blocks).some((b) => !actionId || b.action_id === actionId))
      .pop();
    if (!m) throw new Error(`no open message for step ${step}${actionId ? ` with ${actionId}` : ''}`);
    return m;
  };
  const press: DrivenRun['press'] = async (step, actionId, o = {}) => {
    const msg = o.message ?? openMessage(step, actionId);
    const button = buttonsOf(msg.blocks).find((b) => b.action_id === actionId);
    if (!button) throw new Error(`no ${actionId} on the message of step ${step}`);
    const answer = await h.click(actionId, button.value, {
      messageTs: msg.ts,
      channel: o.channel ?? RUN_CHANNEL,
      user: o.user ?? OPERATOR,
    });
    if (answer.status !== 200) throw new Error(`click ${actionId} answered ${answer.status}`);
  };
  await press('sales_channel', 'step_done');
  await press('point_of_sale', 'step_done');
  await press('contingents', 'step_done');
  await h.submit('onboard_contingents', h.lastView().private_metadata, { contingent_ids: demo.contingentIds.join(', ') });
  await press('technical_contact', 'step_done');
  await h.submit('onboard_contact', h.lastView().private_metadata, { contact_number: opts.contactNumber ?? demo.contactNumbers[0]! });
  await press('event_products', 'step_done');
  await press('pass_products', 'step_done');
  await press('sales_interface', 'step_done');
  const support = h.api.messagesIn(SUPPORT_CHANNEL).filter((m) => m.metadata?.event_payload.run_id === runId);
  await press('password_request', 'password_assigned', {
    user: SUPPORT_USER,
    channel: SUPPORT_CHANNEL,
    message: support[support.length - 1],
  });
  const run = await h.core.store.get(runId);
  if (run?.currentStep !== 'verification') throw new Error(`run ${runId} is at ${run?.currentStep}, not verification`);
  return { runId, card, thread, openMessage, press };
}
