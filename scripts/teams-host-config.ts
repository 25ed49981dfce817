/**
 * Microsoft Teams' Adaptive Cards host configs (light and dark), for rendering cards as Teams
 * shows them (`scripts/render-teams-cards.ts`). Values transcribed from the Teams host configs
 * Microsoft publishes with the Adaptive Cards samples and designer ("microsoft-teams-light" and
 * "microsoft-teams-dark": Segoe UI 12/14/14/18/24 px, spacing 8/12/16/20/24, padding 16, at most
 * 6 actions, 8 px between buttons, the Teams palette below). Teams itself may differ in details
 * (its own button styling, newer fonts); what matters here is colour contrast, widths and text.
 */

type Palette = Record<'default' | 'dark' | 'light' | 'accent' | 'good' | 'warning' | 'attention', { default: string; subtle: string }>;

const LIGHT_TEXT: Palette = {
  default: { default: '#ff252424', subtle: '#bf252424' },
  dark: { default: '#252424', subtle: '#bf252424' },
  light: { default: '#ffffff', subtle: '#fff3f2f1' },
  accent: { default: '#6264a7', subtle: '#8b8cc7' },
  good: { default: '#92c353', subtle: '#e592c353' },
  warning: { default: '#f8d22a', subtle: '#e5f8d22a' },
  attention: { default: '#c4314b', subtle: '#e5c4314b' },
};

const DARK_TEXT: Palette = {
  default: { default: '#ffffffff', subtle: '#bfffffff' },
  dark: { default: '#ff201f1f', subtle: '#ff2d2c2c' },
  light: { default: '#ffffffff', subtle: '#bfffffff' },
  accent: { default: '#ffa6a7dc', subtle: '#ff8b8cc7' },
  good: { default: '#ff92c353', subtle: '#e592c353' },
  warning: { default: '#fff8d22a', subtle: '#e5f8d22a' },
  attention: { default: '#ffd74654', subtle: '#e5d74654' },
};

/** Dark-theme text on the light-coloured containers (accent, good, attention, warning). */
const DARK_ON_LIGHT: Palette = { ...DARK_TEXT, default: { default: '#ff201f1f', subtle: '#ff2d2c2c' } };

const fontSizes = { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 };
const fontWeights = { lighter: 200, default: 400, bolder: 600 };

function hostConfig(theme: 'light' | 'dark'): Record<string, unknown> {
  const text = theme === 'light' ? LIGHT_TEXT : DARK_TEXT;
  const tinted = theme === 'light' ? LIGHT_TEXT : DARK_ON_LIGHT;
  return {
    choiceSetInputValueSeparator: ',',
    supportsInteractivity: true,
    spacing: { small: 8, default: 12, medium: 16, large: 20, extraLarge: 24, padding: 16 },
    separator: { lineThickness: 1, lineColor: theme === 'light' ? '#EEEEEE' : '#3B3A39' },
    imageSizes: { small: 32, medium: 52, large: 100 },
    fontTypes: {
      default: { fontFamily: "'Segoe UI', Tahoma, Geneva, Verdana, sans-serif", fontSizes, fontWeights },
      monospace: { fontFamily: "'Courier New', Courier, monospace", fontSizes, fontWeights },
    },
    containerStyles: {
      default: { foregroundColors: text, backgroundColor: theme === 'light' ? '#ffffff' : '#ff2d2c2c' },
      emphasis: { foregroundColors: text, backgroundColor: theme === 'light' ? '#fff9f8f7' : '#ff292828' },
      accent: { foregroundColors: tinted, backgroundColor: '#C7DEF9' },
      good: { foregroundColors: tinted, backgroundColor: '#CCFFCC' },
      attention: { foregroundColors: tinted, backgroundColor: '#FFC5B2' },
      warning: { foregroundColors: tinted, backgroundColor: '#FFE2B2' },
    },
    actions: {
      maxActions: 6,
      spacing: 'Default',
      buttonSpacing: 8,
      showCard: { actionMode: 'Inline', inlineTopMargin: 16, style: 'emphasis' },
      preExpandSingleShowCardAction: false,
      actionsOrientation: 'Horizontal',
      actionAlignment: 'Left',
    },
    adaptiveCard: { allowCustomStyle: false },
    imageSet: { imageSize: 'Medium', maxImageHeight: 100 },
    factSet: {
      title: { size: 'Default', color: 'Default', isSubtle: false, weight: 'Bolder', wrap: true },
      value: { size: 'Default', color: 'Default', isSubtle: false, weight: 'Default', wrap: true },
      spacing: 16,
    },
  };
}

/** The two themes, with the page colours around the card. */
export const TEAMS_THEMES = {
  light: { hostConfig: hostConfig('light'), page: '#f5f5f5', button: { fg: '#252424', bg: '#ffffff', border: '#e1dfdd' } },
  dark: { hostConfig: hostConfig('dark'), page: '#1f1f1f', button: { fg: '#ffffff', bg: '#292828', border: '#605e5c' } },
} as const;
