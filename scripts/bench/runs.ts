/**
 * The bench's Slack user: drives runs through the product over signed HTTP requests, the way
 * `test/integration/slack/slack-run.test.ts` does, waiting for the product's messages on the
 * fake Slack API between clicks (never on a timer): `/digitick-onboard start <CODE>` -> start
 * modal -> card and step 1 -> step buttons and modals (contingents, contact) -> support
 * request -> `password_assigned` -> `verify_start` + password modal -> email draft ->
 * `email_sent` -> card edited to `completed`.
 */
import type http from 'node:http';
import { blockActionsPayload, commandBody, interactionBody, viewSubmissionPayload } from '../../test/helpers/slack-signing';
import { BENCH_CHANNEL_CODE, BENCH_CONTACT, BENCH_CONTINGENT, type BenchInstitution } from './fixture';
import { send, type Target } from './load';
import type { SlackWorld } from './slack-world';

/** Who clicks: an operator per run slot, one support user. */
export interface Who {
  operator: { id: string; name: string };
  support: { id: string; name: string };
  supportChannel: string;
}

/** Timings of one full run (ms). */
export interface RunTiming {
  runId: string;
  /** Whole run, from the command to the card edited to `completed`. */
  totalMs: number;
  /** From the password modal's submission to the email draft posted (the verification and its messages). */
  verificationMs: number;
}

let triggerSeq = 0;
const nextTrigger = (): string => `bench.trigger.${++triggerSeq}`;
let clickSeq = 0;
/**
 * A unique Slack `action_ts` (seconds with micro-seconds, as Slack sends it): the product's
 * dedupe keys clicks on it, so two clicks must never share one (Slack's never do).
 */
const nextActionTs = (): string => {
  clickSeq += 1;
  return `${Math.floor(Date.now() / 1000)}.${String(clickSeq % 1e6).padStart(6, '0')}`;
};
let viewSeq = 0;

/** A view submission body with a fresh `view.id` (a newly opened modal: the product dedupes on id and hash). */
function submissionBody(v: Parameters<typeof viewSubmissionPayload>[0]): string {
  const payload = viewSubmissionPayload(v);
  viewSeq += 1;
  Object.assign(payload.view as Record<string, unknown>, {
    id: `VBENCH${viewSeq}`,
    hash: `${Math.floor(Date.now() / 1000)}.bench${viewSeq}`,
  });
  return interactionBody(payload);
}

/** Sends `body` and checks the ack: HTTP 200 with an empty body (the listener acked before working). */
async function acked(agent: http.Agent, target: Target, body: string, what: string): Promise<void> {
  const answer = await send(agent, target, body);
  if (answer.status !== 200 || answer.text !== '') {
    throw new Error(`${what}: HTTP ${answer.status} ${answer.text.slice(0, 200)}`);
  }
}

/** A button click body (`block_actions`) with a known `trigger_id`. */
export function clickBody(a: {
  user: { id: string; name: string };
  channel: string;
  actionId: string;
  runId: string;
  step: string;
  trigger?: string;
}): string {
  const payload = blockActionsPayload({
    user: a.user.id,
    userName: a.user.name,
    channel: a.channel,
    messageTs: '1700000000.000001',
    actionId: a.actionId,
    value: `${a.runId}:${a.step}`,
  });
  payload.trigger_id = a.trigger ?? nextTrigger();
  (payload.actions as { action_ts: string }[])[0]!.action_ts = nextActionTs();
  return interactionBody(payload);
}

/** The start modal's submission body for `institution` in `channel`. */
export function startSubmitBody(
  user: { id: string; name: string },
  channel: string,
  institutionCode: string,
  privateMetadata?: string,
): string {
  return submissionBody({
    user: user.id,
    userName: user.name,
    callbackId: 'onboard_start',
    privateMetadata: privateMetadata ?? JSON.stringify({ c: channel }),
    values: {
      institution_code: institutionCode,
      institution_name: `Bench ${institutionCode}`,
      channel_code: BENCH_CHANNEL_CODE,
      digitick_contact_name: 'Camille Martin',
      digitick_contact_email: 'camille.martin@digitick.example',
      language: 'en',
    },
    selects: ['language'],
  });
}

/** A slash command body `/digitick-onboard <text>` with a known `trigger_id`. */
export function commandBodyFor(
  world: SlackWorld,
  user: { id: string; name: string },
  channel: string,
  text: string,
  trigger?: string,
): string {
  return commandBody({
    text,
    user_id: user.id,
    user_name: user.name,
    channel_id: channel,
    trigger_id: trigger ?? nextTrigger(),
    response_url: world.api.responseUrl(`bench-${triggerSeq}`),
  });
}

/**
 * Starts a run without the command (the start modal's submission alone) in `channel` (a
 * channel no other run uses) and waits for its step 1 message. Returns the run id.
 */
export async function startRun(
  agent: http.Agent,
  target: Target,
  world: SlackWorld,
  user: { id: string; name: string },
  channel: string,
  institutionCode: string,
): Promise<string> {
  await acked(agent, target, startSubmitBody(user, channel, institutionCode), `start ${institutionCode}`);
  await world.until(() => (world.cardsByChannel.get(channel)?.length ?? 0) > 0, `the card of ${institutionCode} in ${channel}`);
  const runId = world.cardsByChannel.get(channel)![0]!;
  await world.until(() => world.stepPost(runId, 'sales_channel') !== undefined, `step 1 of ${runId}`);
  return runId;
}

/**
 * One complete run, from the command to `completed`, in `channel` (a channel no other run
 * uses). @throws Error on an unexpected ack or when a message does not come within the wait.
 */
export async function fullRun(
  agent: http.Agent,
  target: Target,
  world: SlackWorld,
  who: Who,
  channel: string,
  inst: BenchInstitution,
): Promise<RunTiming> {
  const t0 = performance.now();
  const op = who.operator;
  const waitView = async (trigger: string, what: string): Promise<string> => {
    await world.until(() => world.views.has(trigger), `${what} modal`);
    const meta = world.views.get(trigger)!;
    world.views.delete(trigger);
    return meta;
  };

  // The command opens the start modal; its submission posts the card and step 1.
  const cmdTrigger = nextTrigger();
  await acked(agent, target, commandBodyFor(world, op, channel, `start ${inst.code}`, cmdTrigger), 'command');
  const startMeta = await waitView(cmdTrigger, 'start');
  await acked(agent, target, startSubmitBody(op, channel, inst.code, startMeta), 'start submission');
  await world.until(() => (world.cardsByChannel.get(channel)?.length ?? 0) > 0, `the card in ${channel}`);
  const runId = world.cardsByChannel.get(channel)![0]!;

  const stepPosted = (step: string) => world.until(() => world.stepPost(runId, step) !== undefined, `${step} message of ${runId}`);
  const click = async (step: string, actionId = 'step_done', user = op, ch = channel): Promise<string> => {
    await stepPosted(step);
    const trigger = nextTrigger();
    await acked(agent, target, clickBody({ user, channel: ch, actionId, runId, step, trigger }), `${actionId} on ${step}`);
    return trigger;
  };
  const submit = async (trigger: string, callbackId: string, values: Record<string, string>): Promise<void> => {
    const meta = await waitView(trigger, callbackId);
    const body = submissionBody({ user: op.id, userName: op.name, callbackId, privateMetadata: meta, values });
    await acked(agent, target, body, `${callbackId} submission`);
  };

  await click('sales_channel');
  await click('point_of_sale');
  await submit(await click('contingents'), 'onboard_contingents', { contingent_ids: String(BENCH_CONTINGENT) });
  await submit(await click('technical_contact'), 'onboard_contact', { contact_number: BENCH_CONTACT });
  await click('event_products');
  await click('pass_products');
  await click('sales_interface');
  await click('password_request', 'password_assigned', who.support, who.supportChannel);
  const pwTrigger = await click('verification', 'verify_start');
  const submitted = performance.now();
  await submit(pwTrigger, 'onboard_password', { operator_password: inst.password });
  await stepPosted('email_draft');
  const verificationMs = world.stepPost(runId, 'email_draft')!.at - submitted;
  await click('email_draft', 'email_sent');
  await world.until(() => world.completed.has(runId), `the card of ${runId} edited to completed`);
  return { runId, totalMs: performance.now() - t0, verificationMs };
}

/** A run's posts summed up as `card|thread|<channel kind>:<step>:<buttons>` -> count (for duplicate checks). */
export function postSignature(world: SlackWorld, runId: string, supportChannel: string): Map<string, number> {
  const sig = new Map<string, number>();
  for (const p of world.posts.get(runId) ?? []) {
    const where = p.channel === supportChannel ? 'support' : p.root ? 'card' : 'thread';
    const key = `${where}:${p.step ?? '-'}:${p.buttons ? 'buttons' : 'text'}`;
    sig.set(key, (sig.get(key) ?? 0) + 1);
  }
  return sig;
}
