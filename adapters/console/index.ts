/** The console surface: `runConsole` (inbound loop) and `createConsoleNotifier` (outbound), sharing one `ConsoleChannel` per output stream. */
export { runConsole } from './run-console';
export type { ConsoleDeps, ConsoleDemoShows, ConsoleHints, ConsoleInstitutionHint } from './run-console';
export { createConsoleNotifier } from './notifier';
export { consoleHintsFrom } from './sandbox-hints';
export type { ConsoleNotifier } from './notifier';
export { ConsoleChannel, consoleChannel } from './channel';
export type { ConsoleChoice, OfferedChoices } from './channel';
export { LineInput } from './line-input';
export type { AskOptions } from './line-input';
export { renderMessage, renderBlock, stripMarkup, progressBar, STATE_MARKERS, OUTCOME_MARKERS } from './text';
