/**
 * Console wording: chat messages speak of buttons ("press \"Verify now\"", "cliquez sur « … »",
 * "klicken Sie auf „…“"); the console shows numbered choices instead. `consoleWording` rewrites
 * that wording for the terminal, in the three catalog languages (each rule matches words of one
 * language only, so the rules run on any text). Pure: strings in, strings out.
 */

/** [pattern, replacement] pairs, applied in order. `1` is the console's primary choice. */
const RULES: readonly [RegExp, string][] = [
  // English
  [/\b([Pp])ress(?:es)? the button\b/g, '$1ick choice 1'],
  [/\bPress(?= ["*])/g, 'Choose'],
  [/\bpresses(?= ["*])/g, 'chooses'],
  [/\bpress(?= ["*])/g, 'choose'],
  [/\b([Cc])lick(?:s)? (?:on )?(?=["*])/g, '$1hoose '],
  [/\bthis button belongs\b/g, 'this choice belongs'],
  [/\bthe form the button opens\b/g, 'the form of that choice'],
  [/\bby your click\b/g, 'by your choice'],
  // French
  [/\b([Cc])liquez sur le bouton\b/g, '$1hoisissez 1'],
  [/\bCliquez (à nouveau )?sur (?=«)/g, 'Choisissez $1'],
  [/\bcliquez (à nouveau )?sur (?=«)/g, 'choisissez $1'],
  [/\bappuyez sur (?=«)/g, 'choisissez '],
  [/\bclique sur (?=«)/g, 'choisit '],
  [/\bce bouton appartient\b/g, 'ce choix appartient'],
  [/\bouvert par le bouton\b/g, 'ouvert par ce choix'],
  [/\bvotre clic\b/g, 'votre choix'],
  // German
  [/\b([Kk])licken Sie dann auf die Schaltfläche\b/g, 'Wählen Sie dann 1'],
  [/\bKlicken Sie ((?:dann |erneut |in ein paar Minuten )*)auf (?=„)/g, 'Wählen Sie $1'],
  [/\bklicken Sie ((?:dann |erneut |in ein paar Minuten )*)auf (?=„)/g, 'wählen Sie $1'],
  [/\bdrücken Sie (?=„)/g, 'wählen Sie '],
  [/\bauf („[^“]*“) klickt\b/g, '$1 wählt'],
  [/\bDiese Schaltfläche gehört\b/g, 'Diese Auswahl gehört'],
  [/\bdas die Schaltfläche öffnet\b/g, 'das diese Auswahl öffnet'],
  [/\bIhr Klick\b/g, 'Ihre Auswahl'],
];

/**
 * Rewrites button wording as choices wording and drops backtick code markers (their content is
 * kept): the console has no buttons and shows no Markdown.
 */
export function consoleWording(text: string): string {
  let out = text.replace(/`([^`\n]*)`/g, '$1');
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}

/** Words that must not reach the console (a test walks the console's output with it). */
export const BUTTON_WORDS =
  /\b(?:press(?:es)?(?! Enter)|click(?:s)?|buttons?|cliqu\w*|appuy\w*|boutons?|klick\w*|Schaltfläche\w*|drücken(?! Sie Enter))\b/i;
