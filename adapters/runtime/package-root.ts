/**
 * The package root (the directory holding `package.json`), found from this module's location, so
 * the same code finds `templates/` and the version when run by tsx from `adapters/` or compiled in
 * `dist/adapters/`.
 */
import fs from 'node:fs';
import path from 'node:path';

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'templates'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package root (package.json and templates/) above ${start}`);
    dir = parent;
  }
}

/** Absolute path of the package root. */
export const PACKAGE_ROOT = findRoot(__dirname);

/**
 * Every file or directory (relative to the package root) the product reads at run time besides
 * `dist/` and `node_modules/`. The Dockerfile's runtime stage COPYs each (checked by
 * `test/unit/runtime/runtime-files.test.ts`) and `scripts/smoke-prod.sh` copies this list.
 */
export const RUNTIME_FILES = ['package.json', 'templates', 'adapters/slack/manifest.yaml'] as const;

/**
 * The absolute path of `rel` (a path under the package root) for reading at run time.
 * @throws Error when `rel` is not (under) an entry of `RUNTIME_FILES`: the image would not hold it.
 */
export function runtimePath(rel: string): string {
  if (!RUNTIME_FILES.some((f) => rel === f || rel.startsWith(`${f}/`)))
    throw new Error(`${rel} is read at run time but is not in RUNTIME_FILES (adapters/runtime/package-root.ts), so the image lacks it`);
  return path.join(PACKAGE_ROOT, rel);
}

/** `version` from the root `package.json` (`0.0.0` if it has none). */
export const APP_VERSION: string = (() => {
  const pkg: unknown = JSON.parse(fs.readFileSync(runtimePath('package.json'), 'utf8'));
  const v = typeof pkg === 'object' && pkg !== null ? (pkg as { version?: unknown }).version : undefined;
  return typeof v === 'string' ? v : '0.0.0';
})();
