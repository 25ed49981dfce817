/**
 * A one-line note card (a refusal, an error, a usage hint): its text is the core's markup with
 * values people typed marked literal, so it goes through `toTeamsMarkdown` like every other
 * Teams text (a typed `*x*` or `**ZZ**` shows as typed; the catalog's backticks, which TextBlock
 * cannot show as code, are dropped). The notification summary is its plain text.
 */
import { adaptiveCard, type AdaptiveCard } from './cards';
import { toTeamsMarkdown } from './markdown';

export function noteCard(text: string): AdaptiveCard {
  return adaptiveCard([{ type: 'TextBlock', text: toTeamsMarkdown(text), wrap: true, color: 'attention' }], [], text);
}

/** Note cards that must not replace the card the user clicked (see `keptCardNote`). */
const KEPT = new WeakSet<AdaptiveCard>();

/**
 * A note for an action that changed nothing and whose run could not be read (the store does not
 * answer): the clicked card must stay as it is, buttons included, so the user can try again. The
 * invoke answers it as a message (`application/vnd.microsoft.activity.message`: shown to the
 * user, the card not replaced); an `Action.Submit` fallback posts it as a new message.
 */
export function keptCardNote(text: string): AdaptiveCard {
  const card = noteCard(text);
  KEPT.add(card);
  return card;
}

/** True for a note made by `keptCardNote`. */
export const keepsClickedCard = (card: AdaptiveCard): boolean => KEPT.has(card);
