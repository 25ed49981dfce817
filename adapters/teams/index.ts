/** The Microsoft Teams surface (see `surface.ts`). */
export { createTeamsSurface, createTeamsOnlyServer, createTeamsAdapter, LOCAL_APP_ID, MAX_ACTIVITY_BYTES } from './surface';
export type { TeamsSurface, TeamsSurfaceDeps, TeamsSettings } from './surface';
export { stripBotMention, parseTeamsCommand } from './mention';
export type { TeamsCommand } from './mention';
export {
  ADAPTIVE_CARD_CONTENT_TYPE,
  MAX_CARD_BYTES,
  MAX_CARD_ACTIONS,
  REFRESH_VERB,
  renderMessage,
  renderForm,
  cardInvokeResponse,
  cardAttachment,
  cardBytes,
  toTeamsMarkdown,
} from './cards';
export type { AdaptiveCard, ActionData, CardKind, CardInvokeResponse } from './cards';
export { TEAMS_REF, TEAMS_GLOBAL_REF_OWNER, SUPPORT_CHANNEL_REF } from './refs';
export { inboundActivitySchema, baseConversationId, threadConversationId } from './activity';
