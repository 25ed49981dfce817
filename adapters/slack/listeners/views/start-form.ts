/**
 * The start form's submission (`onboard_start`): fields checked (errors shown on the fields), then
 * `RunService.start`; a refusal or a duplicate run is told to the starter only.
 */
import { FORM_IDS } from '../../../../src/domain/ids';
import { parseStartForm } from '../../../../src/app/forms';
import { renderButton, textPayload } from '../../block-kit';
import { blockedReason } from '../../blocked';
import { NOT_IN_CHANNEL_ERRORS } from '../../web-errors';
import { formValues, parseMetadata, startMetadataSchema, viewSubmissionSchema } from '../../payloads';
import type { SlackListenerContext } from '../context';

/** Registers the `onboard_start` view submission listener. */
export function registerStartForm(ctx: SlackListenerContext): void {
  const {
    app,
    service,
    builder,
    defaultLocale,
    tracked,
    slackNotifier,
    principalsOf,
    t,
    respond,
    describe,
    namedActorOf,
    acceptForm,
    threadLink,
    formExpired,
  } = ctx;

  app.view(FORM_IDS.start, ({ ack, body }) =>
    tracked(async () => {
      const parsed = viewSubmissionSchema.safeParse(body);
      const meta = parsed.success ? parseMetadata(startMetadataSchema, parsed.data.view.private_metadata) : null;
      // The language the form was shown in (no users.info call on the ack path).
      const L = meta?.l ?? defaultLocale;
      if (!parsed.success || !meta) {
        await ack(formExpired(L));
        return;
      }
      const form = await acceptForm(ack, body, L, parseStartForm(formValues(parsed.data.view.state.values), L));
      if (!form) return;
      const user = parsed.data.user;
      const out = await service.start({
        surface: 'slack',
        channelId: meta.c,
        // The profile's name (after the ack: users.info, cached, at most 1 s): it signs the email.
        actor: await namedActorOf(user),
        ...(await principalsOf(user.id)),
        details: form.value,
      });
      if (!out.ok) {
        if (out.error.code === 'duplicate_run') {
          // An answer about the open run: in its language (step name, hint and button), not the form's.
          const open = out.error.run;
          const RL = open.details.language;
          const text = `${describe(out.error, RL)}\n${t(RL, 'slack.duplicate.hint', { runId: open.id, link: await threadLink(open.id) })}`;
          const payload = textPayload(text);
          payload.blocks = [
            ...(payload.blocks ?? []),
            { type: 'actions', block_id: 'run_actions', elements: [renderButton(builder.resumeButton(open, RL))] },
          ];
          await respond(meta.r, payload, { channel: meta.c, user: user.id });
          return;
        }
        await respond(meta.r, textPayload(describe(out.error, L)), { channel: meta.c, user: user.id });
        return;
      }
      const failure = slackNotifier.lastCardFailure.get(out.value.id);
      if (failure && (NOT_IN_CHANNEL_ERRORS as readonly string[]).includes(failure)) {
        // One instruction, the one for this failure (invite me here, unarchive...), in the run's language.
        const RL = out.value.details.language;
        const reason = blockedReason(builder, RL, failure, meta.c);
        await respond(meta.r, textPayload(t(RL, 'slack.not_in_channel.run', { runId: out.value.id, reason })));
      }
    }),
  );
}
