/**
 * Loads `templates/`: every `messages/*.<locale>.json` catalog (merged per locale; a key defined
 * twice is an error; a value is a string or plural forms, see `PluralForms`) and every `*.mustache` file (by name without extension, e.g. `email.fr`).
 * @throws Error naming the file when a catalog is not a flat JSON object of strings and plural forms.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LOCALES, type Locale } from '../src/domain/ids';
import { type CatalogEntry, isPluralForms, type TemplateBundle } from '../src/messages/renderer';
import { runtimePath } from './runtime/package-root';

/** The project's `templates/` directory (from the package root, so `dist/` finds it too). */
export const TEMPLATES_DIR = runtimePath('templates');

export function loadTemplates(dir: string = TEMPLATES_DIR): TemplateBundle {
  const messages = Object.fromEntries(LOCALES.map((l) => [l, {} as Record<string, CatalogEntry>])) as Record<
    Locale,
    Record<string, CatalogEntry>
  >;
  const msgDir = path.join(dir, 'messages');
  for (const file of fs.readdirSync(msgDir).sort()) {
    const m = /^[a-z0-9_-]+\.([a-z]{2})\.json$/.exec(file);
    if (!m) continue;
    const locale = m[1] as Locale;
    if (!LOCALES.includes(locale)) continue;
    const data: unknown = JSON.parse(fs.readFileSync(path.join(msgDir, file), 'utf8'));
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error(`${file}: not a JSON object`);
    for (const [key, value] of Object.entries(data)) {
      if (typeof value !== 'string' && !isPluralForms(value)) {
        throw new Error(`${file}: ${key} is neither a string nor plural forms ({"one": "...", "other": "..."})`);
      }
      if (key in messages[locale]) throw new Error(`${file}: ${key} is defined twice for ${locale}`);
      messages[locale][key] = value;
    }
  }
  const files: Record<string, string> = {};
  for (const file of fs.readdirSync(dir).sort()) {
    if (file.endsWith('.mustache')) files[file.slice(0, -'.mustache'.length)] = fs.readFileSync(path.join(dir, file), 'utf8');
  }
  return { messages, files };
}
