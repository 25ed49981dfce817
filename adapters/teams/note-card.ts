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
