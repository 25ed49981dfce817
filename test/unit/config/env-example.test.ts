/**
 * `.env.example` lists every variable the configuration reads, one line of meaning above each,
 * and its values are the defaults: loading it gives the same configuration as an empty environment.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../../adapters/config';

const ROOT = path.resolve(__dirname, '../../..');
const example = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
const lines = example.split('\n');
const entries = lines.flatMap((l, i) => {
  const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(l);
  return m ? [{ key: m[1]!, value: m[2]!, comment: lines[i - 1] ?? '' }] : [];
});

describe('.env.example', () => {
  it('names every variable of adapters/config.ts once', () => {
    const source = fs.readFileSync(path.join(ROOT, 'adapters/config.ts'), 'utf8');
    const schema = source.slice(source.indexOf('const envSchema = z.object({'), source.indexOf('});', source.indexOf('const envSchema')));
    const read = [...schema.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
    expect(read.length).toBeGreaterThan(30);
    const keys = entries.map((e) => e.key);
    expect(read.filter((k) => !keys.includes(k))).toEqual([]);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  it('gives each variable a one-line comment, and its values are the defaults', () => {
    for (const e of entries.filter((x) => !['SANDBOX_HOST', 'TEAMS_VALID_DOMAINS'].includes(x.key)))
      expect([e.key, e.comment.startsWith('# ')]).toEqual([e.key, true]);
    const env = Object.fromEntries(entries.map((e) => [e.key, e.value]));
    expect(loadConfig(env)).toEqual(loadConfig({}));
  });

  it('holds no secret value', () => {
    for (const e of entries.filter((x) => /SECRET|TOKEN|PASSWORD/.test(x.key))) expect([e.key, e.value]).toEqual([e.key, '']);
  });
});
