/**
 * `npm run teams:render [-- --lang en,fr,de]`: renders every Teams card of a full run as Teams would show it and writes
 * PNG screenshots to `.render/teams-cards/{light,dark}/` (git-ignored), to be opened and looked at.
 *
 * The run is `test/integration/teams/card-scenario.ts` over loopback (real CloudAdapter, fake Bot
 * Framework connector, real SecuTix client against the sandbox). Each distinct card is rendered by
 * the official `adaptivecards` package (its browser bundle) with Teams' host config
 * (`teams-host-config.ts`) and markdown-it for TextBlock Markdown, in a 440 px wide column (Teams'
 * narrow chat column) of headless Debian Chromium (`apt-get install chromium`; path from
 * `CHROMIUM_PATH`, default `/usr/bin/chromium`), driven by playwright-core with a fresh profile.
 * Segoe UI is not on Linux: the page uses Liberation Sans (Arial metrics) in its place.
 *
 * Besides the screenshots it prints, per card, the adaptivecards/house-rule problems
 * (`test/helpers/teams-card-check.ts`) and any button whose label is cut off or that passes the
 * card's right edge. Exit status 1 when there is any.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { cardProblems } from '../test/helpers/teams-card-check';
import { type CapturedCard, runCardScenario } from '../test/integration/teams/card-scenario';
import { startTeamsHarness } from '../test/integration/teams/helpers';
import { runVerificationCardScenario } from '../test/integration/teams/verification-card-scenario';
import { TEAMS_THEMES } from './teams-host-config';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, '.render', 'teams-cards');
const WIDTH = 440;

/** The page's rendering code (runs in Chromium; plain JavaScript in a string, no DOM types needed here). */
const PAGE_SCRIPT = `
window.renderCard = function (card, hostConfig, theme) {
  const md = window.markdownit('commonmark', { html: false, breaks: false });
  AdaptiveCards.AdaptiveCard.onProcessMarkdown = function (text, result) {
    result.outputHtml = md.render(text);
    result.didProcess = true;
  };
  const ac = new AdaptiveCards.AdaptiveCard();
  ac.hostConfig = new AdaptiveCards.HostConfig(hostConfig);
  ac.parse(card);
  const frame = document.getElementById('frame');
  frame.innerHTML = '';
  const el = ac.render();
  frame.appendChild(el);
  const right = frame.getBoundingClientRect().right;
  const cut = [];
  for (const b of frame.querySelectorAll('button')) {
    const r = b.getBoundingClientRect();
    if (r.width === 0) continue;
    const clipped = [b, ...b.querySelectorAll('*')].some((e) => e.scrollWidth > e.clientWidth + 1);
    if (clipped || r.right > right + 0.5) cut.push((b.textContent || b.getAttribute('aria-label') || '?').trim());
  }
  return cut;
};
`;

function css(theme: keyof typeof TEAMS_THEMES): string {
  const t = TEAMS_THEMES[theme];
  return `
  body { margin: 0; padding: 16px; background: ${t.page}; font-family: 'Segoe UI', 'Liberation Sans', sans-serif; }
  #frame { width: ${WIDTH}px; border-radius: 4px; overflow: hidden; box-shadow: 0 1px 2px rgba(0,0,0,.2); }
  .ac-pushButton { font: 600 14px 'Segoe UI', 'Liberation Sans', sans-serif; height: 32px; padding: 0 16px;
    border: 1px solid ${t.button.border}; border-radius: 4px; background: ${t.button.bg}; color: ${t.button.fg};
    white-space: nowrap; overflow: hidden; text-overflow: ellipsis; min-width: 0; flex: 0 1 auto; }
  .ac-pushButton.style-positive { background: #5b5fc7; border-color: #5b5fc7; color: #fff; }
  .ac-pushButton.style-destructive { color: ${theme === 'light' ? '#c4314b' : '#e37d80'}; }
  .ac-input input, .ac-input textarea, .ac-input select { font: 14px 'Segoe UI', 'Liberation Sans', sans-serif; }
  `;
}

/** Replaces the Segoe UI stack of the host config by one that exists here (same sizes). */
function localFonts(config: Record<string, unknown>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(config)) as { fontTypes: { default: { fontFamily: string } } };
  copy.fontTypes.default.fontFamily = "'Segoe UI', 'Liberation Sans', sans-serif";
  return copy;
}

async function main(): Promise<void> {
  // Languages of the run (`--lang en,de`; default all three: German and French labels are the longest).
  const arg = process.argv.indexOf('--lang');
  const languages = (arg > 0 ? process.argv[arg + 1]! : 'en,fr,de').split(',') as ('en' | 'fr' | 'de')[];
  const cards: CapturedCard[] = [];
  for (const language of languages) {
    const h = await startTeamsHarness();
    try {
      const run = await runCardScenario(h, language);
      cards.push(...run.cards.map((c) => ({ ...c, label: `${language} ${c.label}` })));
    } finally {
      await h.close();
    }
    // Issue 8: checks to confirm, the answers form, the password guard (another run, another harness).
    const h8 = await startTeamsHarness();
    try {
      const more = await runVerificationCardScenario(h8, language);
      cards.push(...more.map((c) => ({ ...c, label: `${language} i8 ${c.label}` })));
    } finally {
      await h8.close();
    }
  }
  // One screenshot per distinct card (updates often repeat a card).
  const seen = new Set<string>();
  const unique = cards.filter((c) => {
    const key = JSON.stringify(c.card);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });

  fs.rmSync(OUT, { recursive: true, force: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'teams-render-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    viewport: { width: WIDTH + 32, height: 800 },
  });
  let failures = 0;
  try {
    const page = await context.newPage();
    for (const theme of ['light', 'dark'] as const) {
      fs.mkdirSync(path.join(OUT, theme), { recursive: true });
      await page.setContent(`<!doctype html><html><head><style>${css(theme)}</style></head><body><div id="frame"></div></body></html>`);
      await page.addScriptTag({ path: require.resolve('adaptivecards/dist/adaptivecards.min.js') });
      await page.addScriptTag({ path: require.resolve('markdown-it/browser') });
      await page.addScriptTag({ content: PAGE_SCRIPT });
      for (const [i, c] of unique.entries()) {
        const cut = (await page.evaluate(
          ([card, config]) => (window as unknown as { renderCard: (a: unknown, b: unknown) => string[] }).renderCard(card, config),
          [c.card, localFonts(TEAMS_THEMES[theme].hostConfig)] as const,
        )) as string[];
        const name = `${String(i + 1).padStart(2, '0')}-${c.label.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60)}.png`;
        await page.locator('#frame').screenshot({ path: path.join(OUT, theme, name) });
        const problems = theme === 'light' ? cardProblems(c.card) : [];
        if (cut.length || problems.length) {
          failures++;
          console.log(`${theme} ${name}:`);
          for (const b of cut) console.log(`  button cut off at ${WIDTH} px: "${b}"`);
          for (const p of problems) console.log(`  ${p}`);
        }
      }
    }
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(`${unique.length} distinct cards (of ${cards.length}) rendered in light and dark to ${path.relative(ROOT, OUT)}/`);
  if (failures) {
    console.log(`${failures} card renderings with problems`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
