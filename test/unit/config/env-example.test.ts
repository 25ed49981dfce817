/**
 * `.env.example` lists every variable the product reads (the configuration's, and those read
 * directly in adapters/, `npm run teams:package` and compose.yaml), one line of meaning above
 * each, and its values are the defaults: loading it gives the same configuration as an empty
 * environment. Its values mean the same to a shell (`set -a; . ./.env.example`), `docker compose`
 * and `docker run --env-file` (which keeps quotes): no spaces, no quotes.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES, loadConfig } from '../../../adapters/config';

const ROOT = path.resolve(__dirname, '../../..');
const example = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
const lines = example.split('\n');
const entries = lines.flatMap((l, i) => {
  const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(l);
  return m ? [{ key: m[1]!, value: m[2]!, comment: lines[i - 1] ?? '' }] : [];
});
/** Variables shown commented out (`# NODE_ENV=production`): documented, not set by a copy of the file. */
const commented = lines.flatMap((l) => /^# ([A-Z][A-Z0-9_]*)=\S*$/.exec(l)?.[1] ?? []);

/** `.ts` files under `dir`, recursively. */
function tsFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? tsFiles(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : []));
}

describe('.env.example', () => {
  const keys = entries.map((e) => e.key);

  it('names every variable of the configuration (adapters/config.ts) once', () => {
    expect(CONFIG_VARIABLES.length).toBeGreaterThan(40);
    expect(CONFIG_VARIABLES).toEqual(expect.arrayContaining(['PORT', 'REPLICAS', 'SECUTIX_RUNNING_STATES']));
    expect(CONFIG_VARIABLES.filter((k) => !keys.includes(k))).toEqual([]);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  it('names every variable read directly in adapters/, by npm run teams:package and in compose.yaml', () => {
    const files = [...tsFiles('adapters'), 'scripts/teams-package.ts'];
    const read = new Set<string>();
    for (const f of files) {
      const text = fs.readFileSync(path.join(ROOT, f), 'utf8');
      for (const m of text.matchAll(/\benv(?:\.|\[['"])([A-Z][A-Z0-9_]+)/g)) read.add(m[1]!);
    }
    for (const m of fs.readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)) read.add(m[1]!);
    expect([...read]).toEqual(expect.arrayContaining(['NODE_ENV', 'SANDBOX_EXTRACTION_MS', 'TEAMS_VALID_DOMAINS', 'POSTGRES_PASSWORD']));
    expect([...read].filter((k) => !keys.includes(k) && !commented.includes(k))).toEqual([]);
  });

  it('gives each variable a one-line comment, and its values are the defaults', () => {
    for (const e of entries.filter((x) => !['SANDBOX_HOST', 'TEAMS_VALID_DOMAINS'].includes(x.key)))
      expect([e.key, e.comment.startsWith('# ')]).toEqual([e.key, true]);
    const env = Object.fromEntries(entries.map((e) => [e.key, e.value]));
    expect(loadConfig(env)).toEqual(loadConfig({}));
  });

  it('compose.yaml has no default database password: it refuses to start without POSTGRES_PASSWORD', () => {
    const compose = fs.readFileSync(path.join(ROOT, 'compose.yaml'), 'utf8');
    const uses = [...compose.matchAll(/\$\{POSTGRES_PASSWORD([^}]*)\}/g)].map((m) => m[1]!);
    expect(uses.length).toBe(2); // the database's password and the app's DATABASE_URL
    for (const u of uses) expect(u).toMatch(/^:\?set POSTGRES_PASSWORD/);
    expect(compose).not.toContain('change-me');
  });

  it('holds no secret value', () => {
    for (const e of entries.filter((x) => /SECRET|TOKEN|PASSWORD/.test(x.key))) expect([e.key, e.value]).toEqual([e.key, '']);
  });

  it('can be sourced by a shell, each value read as written (no spaces or quotes to lose)', () => {
    const out = execFileSync('sh', ['-c', 'set -ae; . ./.env.example; env -0'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
    });
    const seen = Object.fromEntries(
      out
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    expect(entries.filter((e) => seen[e.key] !== e.value).map((e) => `${e.key}: ${JSON.stringify(seen[e.key])}`)).toEqual([]);
    for (const k of commented) expect(seen[k]).toBeUndefined();
  });
});
