/**
 * What an answer erased from a run's audit trail and outbox is replaced by (it equalled the
 * operator password: `RunStore.eraseValues`). A data marker: messages show it as the translated
 * `value.erased` (`Renderer.t`), never raw.
 */
export const ERASED = '[erased]';
