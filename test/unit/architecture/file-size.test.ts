/**
 * Issue 10: no source file a newcomer must scroll through. Every `.ts` file under `adapters/` has
 * at most 450 lines; a file of `src/` over 450 lines is allowed only while it is listed in
 * `TO_BE_SPLIT_BY_THE_SRC_SPLIT`, and an entry that no longer needs its place (the file is gone or
 * back under the limit) fails too, so the list only shrinks.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const MAX_LINES = 450;

/** `src/` files over the limit, waiting for the split of `src/` (issue 10). Remove an entry once its file is split. */
const TO_BE_SPLIT_BY_THE_SRC_SPLIT: readonly string[] = [];

function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** Lines as `wc -l` counts them, plus a last line without its newline. */
function lineCount(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** What is wrong with these sizes (file path relative to the root -> lines): one sentence per problem. */
function sizeProblems(sizes: ReadonlyMap<string, number>, allowlist: readonly string[], max = MAX_LINES): string[] {
  const problems: string[] = [];
  for (const [file, lines] of sizes) {
    if (lines <= max) continue;
    if (file.startsWith('src/') && allowlist.includes(file)) continue;
    problems.push(`${file} has ${lines} lines (at most ${max})`);
  }
  for (const file of allowlist) {
    const lines = sizes.get(file);
    if (lines === undefined) problems.push(`${file} is listed in TO_BE_SPLIT_BY_THE_SRC_SPLIT but no longer exists: remove the entry`);
    else if (lines <= max) problems.push(`${file} is listed in TO_BE_SPLIT_BY_THE_SRC_SPLIT but has ${lines} lines now: remove the entry`);
    else if (!file.startsWith('src/')) problems.push(`${file} is listed in TO_BE_SPLIT_BY_THE_SRC_SPLIT but is not in src/`);
  }
  return problems;
}

describe('source file sizes (issue 10)', () => {
  const sizes = new Map(
    [...files(path.join(ROOT, 'adapters')), ...files(path.join(ROOT, 'src'))].map((f) => [
      path.relative(ROOT, f).split(path.sep).join('/'),
      lineCount(fs.readFileSync(f, 'utf8')),
    ]),
  );

  it('finds the source files of both trees', () => {
    expect([...sizes.keys()].filter((f) => f.startsWith('adapters/')).length).toBeGreaterThan(50);
    expect([...sizes.keys()].filter((f) => f.startsWith('src/')).length).toBeGreaterThan(20);
  });

  it(`no file of adapters/ is over ${MAX_LINES} lines, nor one of src/ outside the list, and the list is not stale`, () => {
    expect(sizeProblems(sizes, TO_BE_SPLIT_BY_THE_SRC_SPLIT)).toEqual([]);
  });

  describe('the check itself', () => {
    it('counts lines like wc -l, with a last line without newline', () => {
      expect(lineCount('')).toBe(0);
      expect(lineCount('a\nb\n')).toBe(2);
      expect(lineCount('a\nb')).toBe(2);
    });

    it('refuses a long adapters file even when listed, and a long src file not listed', () => {
      const sizes = new Map([
        ['adapters/slack/big.ts', 451],
        ['src/app/big.ts', 900],
        ['src/app/ok.ts', 450],
      ]);
      expect(sizeProblems(sizes, ['adapters/slack/big.ts'])).toEqual([
        'adapters/slack/big.ts has 451 lines (at most 450)',
        'src/app/big.ts has 900 lines (at most 450)',
        'adapters/slack/big.ts is listed in TO_BE_SPLIT_BY_THE_SRC_SPLIT but is not in src/',
      ]);
    });

    it('allows a listed long src file and refuses stale entries (gone, or split below the limit)', () => {
      const sizes = new Map([
        ['src/app/big.ts', 900],
        ['src/app/split.ts', 300],
      ]);
      expect(sizeProblems(sizes, ['src/app/big.ts', 'src/app/split.ts', 'src/app/gone.ts'])).toEqual([
        'src/app/split.ts is listed in TO_BE_SPLIT_BY_THE_SRC_SPLIT but has 300 lines now: remove the entry',
        'src/app/gone.ts is listed in TO_BE_SPLIT_BY_THE_SRC_SPLIT but no longer exists: remove the entry',
      ]);
    });
  });
});
