/**
 * Issue 11 (QA): the Node versions said in the README (quick start and deploy guide), `engines`
 * in package.json (and its lock) and the Dockerfile's image agree: 20.19+, 22.12+ or 24; the image
 * on Node 24 LTS.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8');
const ENGINES = '^20.19.0 || ^22.12.0 || >=24.0.0';

describe('Node versions', () => {
  it('engines (package.json and its lock) cover 20.19+, 22.12+ and 24, and the running Node', () => {
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node: string } }> };
    expect(pkg.engines.node).toBe(ENGINES);
    expect(lock.packages['']!.engines!.node).toBe(ENGINES);
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    expect((major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 24).toBe(true);
  });

  it('the Dockerfile builds and runs on Node 24 (every stage from NODE_IMAGE)', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    const froms = dockerfile.split('\n').filter((l) => /^FROM\s/.test(l));
    expect(froms.length).toBeGreaterThan(0);
    for (const f of froms) expect(f).toMatch(/^FROM \$\{NODE_IMAGE\} AS \w+$/);
  });

  it('the README says the same in the quick start and the deploy guide, and no other Node version', () => {
    const readme = read('README.md');
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('```sh', readme.indexOf('## Quick start')));
    const deploy = readme.slice(readme.indexOf('## Deploy'), readme.indexOf('1. **Build and run.**'));
    for (const section of [quickStart, deploy]) {
      expect(section.replace(/\s+/g, ' ')).toContain('Node 20.19+, 22.12+ or 24');
      expect(section).toContain('node:24-bookworm-slim');
    }
    // No stray "Node 20 and npm" style statement elsewhere.
    expect(readme.match(/Node \d+\b(?![.\d]*\+| LTS|,| or)/g) ?? []).toEqual([]);
  });
});
