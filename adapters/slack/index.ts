/** The Slack surface (see `surface.ts`), its notifier and Block Kit rendering. */
export { createSlackSurface, SlackStartError, boltLogger } from './surface';
export type { SlackSurface, SlackSurfaceDeps, SlackSettings } from './surface';
export { SlackNotifier, SLACK_REF, slackMention } from './notifier';
export { slackErrorCode, NOT_IN_CHANNEL_ERRORS } from './web-errors';
export type { MessageRef, StepMessageRef } from './notifier';
export * from './block-kit';
export { parseCommandText, formValues } from './payloads';
export type { ParsedCommand } from './payloads';
