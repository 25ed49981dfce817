/**
 * Issue 11 (QA): OAuth mode failed from `dist/` and in the image because `manifest.yaml` was read
 * next to the source file and never copied. Every file the product reads at run time (besides
 * `dist/` and `node_modules/`) is listed in `RUNTIME_FILES`, read through `runtimePath` from the
 * package root, and COPYed by the Dockerfile's runtime stage to the same place.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT, RUNTIME_FILES, runtimePath } from '../../../adapters/runtime/package-root';

const ROOT = path.resolve(__dirname, '../../..');

/** `COPY` instructions of the Dockerfile's last stage: sources and destination (relative to WORKDIR /app), and `--from`. */
function runtimeStageCopies(): { from?: string; sources: string[]; dest: string; intoDir: boolean }[] {
  const lines = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ').split('\n');
  const lastFrom = lines
    .map((l, i) => (/^FROM\s/i.test(l) ? i : -1))
    .filter((i) => i >= 0)
    .pop()!;
  const stage = lines.slice(lastFrom);
  expect(stage.find((l) => /^WORKDIR\s/i.test(l))?.trim()).toBe('WORKDIR /app');
  return stage
    .filter((l) => /^COPY\s/i.test(l))
    .map((l) => {
      const words = l.trim().split(/\s+/).slice(1);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const args = words.filter((w) => !w.startsWith('--'));
      const raw = args.pop()!.replace(/^\/app\/?/, './');
      return { ...(from ? { from } : {}), sources: args, dest: path.posix.normalize(raw), intoDir: raw.endsWith('/') || args.length > 1 };
    });
}

/** Files of adapters/ and src/ (TypeScript sources that end up in dist/). */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

describe('files read at run time', () => {
  it('are found from the package root', () => {
    expect(PACKAGE_ROOT).toBe(ROOT);
    for (const f of RUNTIME_FILES) expect(fs.existsSync(runtimePath(f))).toBe(true);
    expect(() => runtimePath('adapters/teams/app-package/manifest.json')).toThrow(/not in RUNTIME_FILES/);
  });

  it('are each COPYed by the Dockerfile runtime stage from the build context to the same path', () => {
    const copies = runtimeStageCopies().filter((c) => c.from === undefined);
    for (const f of RUNTIME_FILES) {
      const copy = copies.find((c) => c.sources.some((s) => f === s || f.startsWith(`${s}/`)));
      expect({ file: f, copied: Boolean(copy) }).toEqual({ file: f, copied: true });
      const source = copy!.sources.find((s) => f === s || f.startsWith(`${s}/`))!;
      // One source copied to its own path (`COPY x ./x`), or several into the workdir (`COPY a b ./`).
      const target = copy!.intoDir ? path.posix.join(copy!.dest, path.posix.basename(source)) : copy!.dest;
      expect({ file: f, target }).toEqual({ file: f, target: source });
    }
  });

  it('are not excluded from the build context by .dockerignore', () => {
    const ignored = fs
      .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
    for (const f of RUNTIME_FILES) {
      const hit = ignored.filter((pattern) => !pattern.includes('*') && (f === pattern || f.startsWith(`${pattern}/`)));
      expect({ file: f, ignoredBy: hit }).toEqual({ file: f, ignoredBy: [] });
    }
  });

  it('are read only through runtimePath: no module of adapters/ or src/ finds files from its own location', () => {
    const offenders = [...sources(path.join(ROOT, 'adapters')), ...sources(path.join(ROOT, 'src'))]
      .filter((f) => !f.endsWith(path.join('runtime', 'package-root.ts')))
      .filter((f) =>
        /__dirname|__filename|import\.meta|PACKAGE_ROOT|process\.cwd\(\)\s*,\s*['"](templates|adapters)/.test(fs.readFileSync(f, 'utf8')),
      )
      .map((f) => path.relative(ROOT, f));
    expect(offenders).toEqual([]);
  });
});
