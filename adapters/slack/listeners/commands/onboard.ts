/**
 * The slash command `/digitick-onboard` (start, help, product, check, status, resume, cancel, audit):
 * parsed, answered within Slack's 3 s (`ack`), then worked on (`response_url`, modals, ephemerals).
 */
import { ACTION_IDS, COMMAND_NAME } from '../../../../src/domain/ids';
import { buildAuditExport } from '../../../../src/app/audit-export';
import { renderModal, type SlackMessagePayload, textPayload } from '../../block-kit';
import { uploadAuditCsv } from '../../audit-upload';
import { onCheckCommand, productWithCheck } from '../../checks';
import { slackMentionFor } from '../../notifier';
import { parseCommandText, slashCommandSchema } from '../../payloads';
import type { SlackListenerContext } from '../context';
import { currentOrg, orgOfRequest } from '../../org-scope';

/** Registers the `/digitick-onboard` listener. */
export function registerOnboardCommand(ctx: SlackListenerContext): void {
  const {
    app,
    client,
    service,
    builder,
    store,
    log,
    defaultLocale,
    tracked,
    principalsOf,
    localeOfUser,
    t,
    ephemeralPayload,
    respond,
    describe,
    actorOf,
    openModal,
    resumedText,
    threadLink,
    checks,
  } = ctx;

  // ---- slash command -------------------------------------------------------------------------
  app.command(COMMAND_NAME, ({ ack, body }) =>
    tracked(async () => {
      const parsed = slashCommandSchema.safeParse(body);
      if (!parsed.success) {
        await ack({ response_type: 'ephemeral', text: textPayload(t(defaultLocale, 'slack.error.bad_value')).text });
        return;
      }
      const cmd = parsed.data;
      const L = await localeOfUser(cmd.user_id);
      const reply = (payload: SlackMessagePayload) =>
        ack({ response_type: 'ephemeral', text: payload.text, blocks: payload.blocks as never });
      const what = parseCommandText(cmd.text);
      const isDm = cmd.channel_id.startsWith('D') || cmd.channel_name === 'directmessage';
      switch (what.kind) {
        case 'start': {
          if (isDm) {
            await reply(textPayload(t(L, 'error.not_in_channel')));
            return;
          }
          await ack();
          const mayStart = service.authorize(
            { surface: 'slack', actor: actorOf({ id: cmd.user_id, name: cmd.user_name }), ...(await principalsOf(cmd.user_id)) },
            { op: 'start' },
          );
          if (!mayStart.ok) {
            await respond(cmd.response_url, textPayload(describe(mayStart.error, L)), { channel: cmd.channel_id, user: cmd.user_id });
            return;
          }
          const meta = JSON.stringify({
            c: cmd.channel_id,
            ...(cmd.response_url && cmd.response_url.length <= 500 ? { r: cmd.response_url } : {}),
            l: L,
          });
          const form = builder.startForm(L, meta, what.institutionCode ? { institutionCode: what.institutionCode } : {});
          await openModal(cmd.trigger_id, renderModal(form), { channel: cmd.channel_id, user: cmd.user_id }, L);
          return;
        }
        case 'help': {
          // Only the commands this user may use (memberships read within the ack's 3 s: cached).
          const who = { surface: 'slack' as const, actor: { id: cmd.user_id }, ...(await principalsOf(cmd.user_id)) };
          await reply(ephemeralPayload(builder.help(L, 'slack', service.access.commands(who))));
          return;
        }
        case 'product':
          await reply(what.productCode ? productWithCheck(checks, what.productCode, L) : ephemeralPayload(builder.productGuide(L)));
          return;
        case 'check':
          await onCheckCommand(checks, cmd, what, (payload) => (payload ? reply(payload) : ack()));
          return;
        case 'status': {
          const mayRead = service.authorize(
            { surface: 'slack', actor: actorOf({ id: cmd.user_id, name: cmd.user_name }), ...(await principalsOf(cmd.user_id)) },
            { op: 'status' },
          );
          if (!mayRead.ok) {
            await reply(textPayload(describe(mayRead.error, L)));
            return;
          }
          // In the support desk's own workspace, support sees every organisation's runs waiting on it.
          const desk = ctx.supportDesk;
          if (!what.runId && desk?.isDeskRequest()) {
            const who = { surface: 'slack' as const, actor: { id: cmd.user_id }, ...(await principalsOf(cmd.user_id)) };
            if (service.access.isSupport(who)) {
              const queue = await service.waitingOnSupport();
              const items = await Promise.all(queue.runs.map(async (run) => ({ run, organisation: await desk.organisationOf(run) })));
              await reply(ephemeralPayload(builder.supportQueue(L, items, queue.now)));
              return;
            }
          }
          if (!what.runId) {
            await reply(ephemeralPayload(builder.statusList(L, await service.openRuns('slack', cmd.user_id, currentOrg()))));
            return;
          }
          const loaded = await service.load(what.runId, 'slack', { ...orgOfRequest(), action: 'status' });
          if (!loaded.ok) {
            await reply(textPayload(describe(loaded.error, L)));
            return;
          }
          const card = builder.card(loaded.value, slackMentionFor(loaded.value.org));
          await reply(ephemeralPayload(card));
          return;
        }
        case 'resume': {
          if (!what.runId) {
            await reply(textPayload(t(L, 'error.run_id_required', { command: 'resume' })));
            return;
          }
          await ack();
          const out = await service.resume({
            runId: what.runId,
            actor: actorOf({ id: cmd.user_id, name: cmd.user_name }),
            surface: 'slack',
            ...(await principalsOf(cmd.user_id)),
          });
          const fallback = { channel: cmd.channel_id, user: cmd.user_id };
          if (!out.ok) await respond(cmd.response_url, textPayload(describe(out.error, L)), fallback);
          // About a run: in the run's language (as `status RUN` shows its card).
          else await respond(cmd.response_url, textPayload(await resumedText(out.value, out.value.details.language)), fallback);
          return;
        }
        case 'cancel': {
          if (!what.runId) {
            await reply(textPayload(t(L, 'error.run_id_required', { command: 'cancel' })));
            return;
          }
          const loaded = await service.load(what.runId, 'slack', { ...orgOfRequest(), action: 'cancel' });
          if (!loaded.ok) {
            await reply(textPayload(describe(loaded.error, L)));
            return;
          }
          const run = loaded.value;
          if (run.status !== 'open' || !run.currentStep) {
            await reply(
              textPayload(
                builder.refusal(
                  run,
                  {
                    code: 'run_not_open',
                    last: { ...(run.endedBy ? { by: run.endedBy } : {}), ...(run.endedAt ? { at: run.endedAt } : {}), state: run.status },
                  },
                  run.details.language,
                  slackMentionFor(run.org),
                ),
              ),
            );
            return;
          }
          const mayCancel = await service.precheck({
            runId: run.id,
            step: run.currentStep,
            action: ACTION_IDS.runCancel,
            surface: 'slack',
            actor: actorOf({ id: cmd.user_id, name: cmd.user_name }),
            ...(await principalsOf(cmd.user_id)),
          });
          if (!mayCancel.ok) {
            await reply(textPayload(describe(mayCancel.error, L)));
            return;
          }
          const RL = run.details.language;
          const button = { ...builder.button(run, run.currentStep, ACTION_IDS.runCancel, false), style: 'danger' as const };
          const msg = builder.textMessage(
            'notice',
            RL,
            t(RL, 'slack.cancel.prompt', { runId: run.id, institutionCode: run.details.institutionCode }),
          );
          await reply(ephemeralPayload({ ...msg, actions: [button] }));
          return;
        }
        case 'audit': {
          // Issue 5: the run's whole trail as a CSV file in its thread (files.uploadV2, files:write).
          if (!what.runId) {
            await reply(textPayload(t(L, 'error.run_id_required', { command: 'audit' })));
            return;
          }
          const mayAudit = service.authorize(
            { surface: 'slack', actor: actorOf({ id: cmd.user_id, name: cmd.user_name }), ...(await principalsOf(cmd.user_id)) },
            { op: 'audit' },
          );
          if (!mayAudit.ok) {
            await reply(textPayload(describe(mayAudit.error, L)));
            return;
          }
          const loaded = await service.load(what.runId, 'slack', { ...orgOfRequest(), action: 'audit' });
          if (!loaded.ok) {
            await reply(textPayload(describe(loaded.error, L)));
            return;
          }
          await ack(); // the upload takes three calls: answer by response_url
          const run = loaded.value;
          const exp = buildAuditExport(run, await store.audit(run.id), {
            ...(ctx.defaultTimeZone ? { defaultTimeZone: ctx.defaultTimeZone } : {}),
            erasedText: t(run.details.language, 'value.erased'),
          });
          const up = await uploadAuditCsv({ client, store, builder }, run, exp);
          log.info({ runId: run.id, user: cmd.user_id, entries: exp.rows.length, ok: up.ok }, 'audit trail exported');
          const RL = run.details.language; // about a run: in the run's language
          const text = up.ok
            ? t(RL, 'audit.posted', { runId: run.id, link: await threadLink(run.id) })
            : t(RL, 'audit.upload_failed', { runId: run.id, error: up.error });
          await respond(cmd.response_url, textPayload(text), { channel: cmd.channel_id, user: cmd.user_id });
          return;
        }
        case 'unknown':
          await reply(textPayload(t(L, 'error.unknown_command', { command: what.word })));
          return;
      }
    }),
  );
}
