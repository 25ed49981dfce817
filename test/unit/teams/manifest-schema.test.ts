/**
 * The Teams app manifest and its localization files validate against copies of Microsoft's JSON
 * schemas kept in the repository (`test/fixtures/teams-schema/`, origin in its README), with ajv;
 * the manifest as `npm run teams:package` fills it too.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { APP_PACKAGE_DIR, fillManifest } from '../../../scripts/teams-package';

const SCHEMAS = path.resolve(__dirname, '../../fixtures/teams-schema');
const readJson = (file: string): Record<string, unknown> => JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;

function validator(schemaFile: string) {
  // unicodeRegExp off: a pattern of the localization schema (`\b]`) is invalid in unicode mode.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(readJson(path.join(SCHEMAS, schemaFile)));
}

const manifest = readJson(path.join(APP_PACKAGE_DIR, 'manifest.json'));
const validateManifest = validator('MicrosoftTeams.schema.v1.29.json');
const validateStrings = validator('MicrosoftTeams.Localization.schema.v1.29.json');

test('manifest.json is valid against the v1.29 schema, and says so', () => {
  const ok = validateManifest(manifest);
  expect(validateManifest.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
  expect(manifest.manifestVersion).toBe('1.29');
  expect(manifest.$schema).toBe('https://developer.microsoft.com/en-us/json-schemas/teams/v1.29/MicrosoftTeams.schema.json');
});

test('the filled manifest (real ids, valid domains) stays valid', () => {
  const filled = fillManifest(structuredClone(manifest), {
    MICROSOFT_APP_ID: '11111111-2222-3333-4444-555555555555',
    TEAMS_VALID_DOMAINS: 'bot.example.org',
  });
  expect(validateManifest(filled)).toBe(true);
});

test('the schema check can fail: a manifest without icons, or with an unknown field, is refused', () => {
  const { icons: _icons, ...noIcons } = manifest;
  expect(validateManifest(noIcons)).toBe(false);
  expect(validateManifest({ ...manifest, colour: 'blue' })).toBe(false);
});

test('localizationInfo: fr and de files, each valid, translating every command description', () => {
  const info = manifest.localizationInfo as { defaultLanguageTag: string; additionalLanguages: { languageTag: string; file: string }[] };
  expect(info.defaultLanguageTag).toBe('en');
  expect(info.additionalLanguages.map((l) => l.languageTag)).toEqual(['fr', 'de']);
  const commands = (manifest.bots as { commandLists: { commands: { title: string; description: string }[] }[] }[])[0]!.commandLists[0]!
    .commands;
  for (const { file } of info.additionalLanguages) {
    const strings = readJson(path.join(APP_PACKAGE_DIR, file));
    expect([file, validateStrings(strings), validateStrings.errors ?? []]).toEqual([file, true, []]);
    commands.forEach((c, i) => {
      const translated = strings[`bots[0].commandLists[0].commands[${i}].description`];
      expect(typeof translated).toBe('string');
      expect(translated).not.toBe(c.description);
    });
  }
});
