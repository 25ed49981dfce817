/** architecture.md: `src/` never imports `adapters/`, a platform library, axios or a database driver. */
import fs from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(__dirname, '../../../src');
const FORBIDDEN = [
  /^(\.\.\/)+adapters(\/|$)/,
  /^@slack\//,
  /^botbuilder/,
  /^axios$/,
  /^better-sqlite3$/,
  /^pg$/,
  /^pino/,
  /^node:(http|https|net|fs|child_process)$/,
  /^(http|https|net|fs|child_process)$/,
];

function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('the core stays pure', () => {
  const all = files(SRC);

  it('finds the core files', () => {
    expect(all.length).toBeGreaterThan(10);
  });

  it.each(all.map((f) => [path.relative(SRC, f), f]))('%s imports nothing from adapters, platforms or I/O', (_name, file) => {
    const text = fs.readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]);
    const bad = specs.filter((s) => FORBIDDEN.some((re) => re.test(s)));
    expect(bad).toEqual([]);
  });
});
