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

/** `version` from the root `package.json` (`0.0.0` if it has none). */
export const APP_VERSION: string = (() => {
  const pkg: unknown = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8'));
  const v = typeof pkg === 'object' && pkg !== null ? (pkg as { version?: unknown }).version : undefined;
  return typeof v === 'string' ? v : '0.0.0';
})();
