/**
 * The run's buttons (every id of `ALL_ACTION_IDS`): a button that needs a form opens its modal
 * (after a precheck), `run_resume` posts the run again, every other one is a `RunService.act`.
 */
import { ACTION_IDS, type ActionId, ALL_ACTION_IDS, FORM_IDS, type FormId, type RunFormId, type StepId } from '../../../../src/domain/ids';
import type { ServiceError } from '../../../../src/app/run-service';
import { decodeActionValue } from '../../../../src/messages/action-value';
import { renderModal, textPayload } from '../../block-kit';
import { blockActionsSchema, type BlockActions } from '../../payloads';
import type { SlackListenerContext } from '../context';

const FORM_OF_STEP: Partial<Record<StepId, FormId>> = { contingents: FORM_IDS.contingents, technical_contact: FORM_IDS.contact };

/** Registers the block action listeners of the run's buttons. */
export function registerRunButtons(ctx: SlackListenerContext): void {
  const {
    app,
    service,
    builder,
    log,
    tracked,
    principalsOf,
    localeOfUser,
    t,
    ephemeral,
    unreadableClick,
    describe,
    actorOf,
    openModal,
    resumedText,
  } = ctx;

  // ---- buttons -------------------------------------------------------------------------------
  const onAction = async ({ ack, body }: { ack: () => Promise<void>; body: unknown }): Promise<void> => {
    await ack();
    const parsed = blockActionsSchema.safeParse(body);
    if (!parsed.success) {
      log.warn({ issues: parsed.error.issues.length }, 'unreadable block_actions payload');
      await unreadableClick(body);
      return;
    }
    const p: BlockActions = parsed.data;
    const user = p.user;
    const channel = p.channel?.id ?? p.container?.channel_id;
    const action = p.actions[0]!;
    const value = decodeActionValue(action.value);
    const actionId = action.action_id as ActionId;
    if (!value || !ALL_ACTION_IDS.includes(actionId)) {
      await ephemeral(channel, user.id, textPayload(t(await localeOfUser(user.id), 'slack.error.bad_value')));
      return;
    }
    const actor = actorOf(user);
    const who = await principalsOf(user.id);
    const fail = async (error: ServiceError) => {
      const where = 'run' in error ? error.run.channelId : channel;
      await ephemeral(channel ?? where, user.id, textPayload(describe(error, await localeOfUser(user.id))));
    };
    const form =
      actionId === ACTION_IDS.stepDone
        ? FORM_OF_STEP[value.step]
        : actionId === ACTION_IDS.verifyStart
          ? FORM_IDS.password
          : actionId === ACTION_IDS.verifySkip
            ? FORM_IDS.verifySkip
            : actionId === ACTION_IDS.answersEdit
              ? FORM_IDS.answers
              : undefined;
    if (form) {
      const pre = await service.precheck({ runId: value.runId, step: value.step, action: actionId, surface: 'slack', actor, ...who });
      if (!pre.ok) return fail(pre.error);
      const meta = JSON.stringify({ run: value.runId, step: value.step });
      await openModal(
        p.trigger_id,
        renderModal(builder.runForm(pre.value, form as RunFormId, meta)),
        { ...(channel ? { channel } : {}), user: user.id },
        pre.value.details.language,
      );
      return;
    }
    if (actionId === ACTION_IDS.runResume) {
      const resumed = await service.resume({ runId: value.runId, actor, ...who, surface: 'slack' });
      if (!resumed.ok) await fail(resumed.error);
      else
        await ephemeral(
          channel ?? resumed.value.channelId,
          user.id,
          textPayload(await resumedText(resumed.value, resumed.value.details.language)),
        );
      return;
    }
    const out = await service.act({
      runId: value.runId,
      step: value.step,
      // The other step buttons (verify_confirm included): a stale or refused click is told who did what.
      action: actionId as Exclude<ActionId, 'verify_start' | 'run_resume'>,
      actor,
      ...who,
      surface: 'slack',
    });
    if (!out.ok) await fail(out.error);
  };
  for (const id of ALL_ACTION_IDS) app.action(id, ({ ack, body }) => tracked(() => onAction({ ack, body })));
}
