/**
 * Everything this app does not handle, answered at once (Bolt alone would wait 3 s, then 404):
 * another command, button or form id, a closed modal, a shortcut, an options request.
 * Registered after the listeners it complements.
 */
import { ALL_ACTION_IDS, COMMAND_NAME, FORM_IDS, PRODUCT_CHECK_ACTION_ID } from '../../../src/domain/ids';
import { textPayload } from '../block-kit';
import { visibleControls } from '../payloads';
import type { SlackListenerContext } from './context';

/** Matches any string except the given ones. */
function notOneOf(ids: readonly string[]): RegExp {
  const escaped = ids.map((id) => id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return new RegExp('^(?!(?:' + escaped.join('|') + ')$)');
}

/** Registers the listeners of what no other listener handles. */
export function registerUnhandled(ctx: SlackListenerContext): void {
  const { app, log, defaultLocale, tracked, t, unreadableClick, formExpired } = ctx;

  // ---- another command, button or form id: answered at once (Bolt would wait 3 s, then 404) ---
  app.command(notOneOf([COMMAND_NAME]), ({ ack, body }) =>
    tracked(async () => {
      const command = visibleControls(String(body.command ?? '').slice(0, 40));
      await ack({ response_type: 'ephemeral', text: textPayload(t(defaultLocale, 'error.unknown_command', { command })).text });
    }),
  );
  app.action(notOneOf([...ALL_ACTION_IDS, PRODUCT_CHECK_ACTION_ID]), ({ ack, body }) =>
    tracked(async () => {
      await ack();
      log.warn('click on a button that is not ours');
      await unreadableClick(body);
    }),
  );
  app.view(notOneOf(Object.values(FORM_IDS)), ({ ack }) => tracked(() => ack(formExpired(defaultLocale))));
  // Interactions this app does not use: acknowledged at once (nothing to do, nothing to say).
  // A closed modal (`view_closed`, sent only when a form asks for it), a global or message
  // shortcut (`shortcut`, `message_action`: the manifest declares none), an options request.
  app.view({ type: 'view_closed' }, ({ ack }) => tracked(() => ack()));
  app.shortcut(/.*/, ({ ack, body }) =>
    tracked(async () => {
      await ack();
      log.info({ type: body.type, callbackId: String(body.callback_id).slice(0, 60) }, 'shortcut the app does not offer');
    }),
  );
  app.options(/.*/, ({ ack }) => tracked(() => ack({ options: [] })));
}
