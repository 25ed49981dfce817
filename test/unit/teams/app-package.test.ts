/** The Teams app package: manifest content, icons, and the zip read back entry by entry. */
import { HELP_COMMANDS } from '../../../src/app/access';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { APP_PACKAGE_DIR, buildPackage, crc32, DEFAULT_PACKAGE_OUT, fillManifest } from '../../../scripts/teams-package';
import { frenchTypographyProblems } from '../../helpers/french-typography';

/** Reads a zip's central directory and inflates every entry, checking sizes and CRC-32. */
function unzip(buf: Buffer): Record<string, Buffer> {
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(end + 10);
  let p = buf.readUInt32LE(end + 16);
  const out: Record<string, Buffer> = {};
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(p)).toBe(0x02014b50);
    const crc = buf.readUInt32LE(p + 16);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const compressed = buf.readUInt32LE(p + 20);
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = zlib.inflateRawSync(buf.subarray(dataStart, dataStart + compressed));
    expect(data.length).toBe(size);
    expect(crc32(data)).toBe(crc);
    out[name] = data;
    p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return out;
}

const pngSize = (b: Buffer): [number, number] => [b.readUInt32BE(16), b.readUInt32BE(20)];

test('manifest: bot with personal and team scopes, the command list, two icons of the right sizes', () => {
  const m = JSON.parse(fs.readFileSync(path.join(APP_PACKAGE_DIR, 'manifest.json'), 'utf8'));
  expect(Number(m.manifestVersion)).toBeGreaterThanOrEqual(1.16);
  expect(m.bots[0].scopes).toEqual(['personal', 'team']);
  const commands = m.bots[0].commandLists[0].commands.map((c: { title: string }) => c.title);
  // Every command of `help` (src/app/access.ts) is in the list, and Teams' own one.
  expect(commands).toEqual(expect.arrayContaining([...HELP_COMMANDS, 'support-channel here']));
  expect(commands.length).toBeLessThanOrEqual(10); // Teams' limit per command list
  for (const c of m.bots[0].commandLists[0].commands) {
    expect(c.title.length).toBeLessThanOrEqual(32);
    expect(c.description.length).toBeLessThanOrEqual(128);
  }
  expect(pngSize(fs.readFileSync(path.join(APP_PACKAGE_DIR, m.icons.color)))).toEqual([192, 192]);
  expect(pngSize(fs.readFileSync(path.join(APP_PACKAGE_DIR, m.icons.outline)))).toEqual([32, 32]);
});

test('the French localization follows French typography (no-break space before : ; ? ! and inside « »)', () => {
  const fr = JSON.parse(fs.readFileSync(path.join(APP_PACKAGE_DIR, 'fr.json'), 'utf8')) as Record<string, string>;
  const texts = Object.entries(fr).filter(([key]) => key !== '$schema');
  expect(texts.length).toBeGreaterThan(5);
  const problems = texts.flatMap(([key, text]) => frenchTypographyProblems(text).map((p) => `${key}: ${p}`));
  expect(problems).toEqual([]);
});

test('the zip holds the manifest (placeholders filled from the environment) and the icons', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teams-pkg-'));
  const appId = '11111111-2222-3333-4444-555555555555';
  const out = buildPackage({ out: path.join(dir, 'pkg.zip'), env: { MICROSOFT_APP_ID: appId, TEAMS_VALID_DOMAINS: 'bot.example.org' } });
  const entries = unzip(fs.readFileSync(out));
  expect(Object.keys(entries)).toEqual(['manifest.json', 'color.png', 'outline.png', 'fr.json', 'de.json']);
  const m = JSON.parse(entries['manifest.json'].toString('utf8'));
  expect(m.bots[0].botId).toBe(appId);
  expect(m.id).toBe(appId);
  expect(m.validDomains).toEqual(['bot.example.org']);
  expect(entries['color.png'].equals(fs.readFileSync(path.join(APP_PACKAGE_DIR, 'color.png')))).toBe(true);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('TEAMS_VALID_DOMAINS takes bare host names; a URL, a port or a path is refused, naming the entry', () => {
  const fill = (domains: string) => fillManifest({ bots: [{ botId: 'x' }] }, { TEAMS_VALID_DOMAINS: domains });
  expect(fill(' bot.example.org , *.example.org,localhost ').validDomains).toEqual(['bot.example.org', '*.example.org', 'localhost']);
  for (const bad of [
    'https://bot.example.org',
    'bot.example.org/',
    'bot.example.org:443',
    'bot.example.org/api/messages',
    'bot example.org',
  ])
    expect(() => fill(`ok.example.org,${bad}`)).toThrow(
      `TEAMS_VALID_DOMAINS takes bare host names, comma-separated (bot.example.org or *.example.org: no https://, port or path); got "${bad}"`,
    );
});

test('a malformed app id is refused', () => {
  expect(() => fillManifest({ bots: [{ botId: 'x' }] }, { MICROSOFT_APP_ID: 'not-a-guid' })).toThrow('MICROSOFT_APP_ID must be a GUID');
});

describe('where npm run teams:package writes the zip', () => {
  const root = path.resolve(__dirname, '../../..');
  it('is teams-package/teams-app-package.zip: outside dist/ (emptied by npm run build), gitignored, named in the README', () => {
    expect(path.relative(root, DEFAULT_PACKAGE_OUT)).toBe(path.join('teams-package', 'teams-app-package.zip'));
    // `git check-ignore` exits 0 when the path is ignored (it need not exist).
    expect(
      execFileSync('git', ['check-ignore', '--no-index', 'teams-package/teams-app-package.zip'], { cwd: root, encoding: 'utf8' }).trim(),
    ).toBe('teams-package/teams-app-package.zip');
    expect(fs.readFileSync(path.join(root, 'README.md'), 'utf8')).toContain('`teams-package/teams-app-package.zip`');
  });
});

describe('the CRC-32 of the zip and the PNG chunks', () => {
  it("is the IEEE CRC-32 (node's zlib.crc32): the check value of '123456789' and of nothing", () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });
});
