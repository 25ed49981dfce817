/**
 * Issue 10: dependencies go one way. `src/domain` <- `src/workflow` <- `src/ports` <- `src/messages`
 * <- `src/app`, adapters on top: a file of `src/` imports only from its own layer or a lower one, and
 * nothing in `src/` imports `adapters/`. No VALUE import cycle in `src/` or `adapters/` (an import
 * whose bindings are all `type` is erased at compile time and does not count). Imports are read with
 * the TypeScript parser, not with regular expressions.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../../..');

/** Layers of `src/`, lowest first. `src/ports` holds the interfaces of the outside world. */
const LAYERS = ['src/domain', 'src/workflow', 'src/ports', 'src/messages', 'src/app'] as const;

interface Import {
  /** Resolved file, relative to the root (`src/app/access.ts`), or the bare module name. */
  target: string;
  /** False when every binding is `type` (erased by the compiler). */
  value: boolean;
}

function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

const rel = (abs: string): string => path.relative(ROOT, abs).split(path.sep).join('/');

function resolve(fromRel: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  const base = path.resolve(ROOT, path.dirname(fromRel), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return rel(candidate);
  }
  return rel(base);
}

/** The imports and re-exports of one file's source text. */
function importsOf(fileRel: string, text: string): Import[] {
  const sf = ts.createSourceFile(fileRel, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: Import[] = [];
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const clause = st.importClause;
      let value = true;
      if (clause) {
        if (clause.isTypeOnly) value = false;
        else if (!clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings)) {
          const els = clause.namedBindings.elements;
          value = els.length === 0 || els.some((e) => !e.isTypeOnly);
        }
      }
      out.push({ target: resolve(fileRel, st.moduleSpecifier.text), value });
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
      let value = !st.isTypeOnly;
      if (value && st.exportClause && ts.isNamedExports(st.exportClause)) {
        const els = st.exportClause.elements;
        value = els.length === 0 || els.some((e) => !e.isTypeOnly);
      }
      out.push({ target: resolve(fileRel, st.moduleSpecifier.text), value });
    }
  }
  return out;
}

function layerOf(file: string): number {
  return LAYERS.findIndex((l) => file.startsWith(`${l}/`));
}

/** One sentence per import of `src/` that goes up a layer or out to `adapters/`. */
function layeringProblems(graph: ReadonlyMap<string, readonly Import[]>): string[] {
  const problems: string[] = [];
  for (const [file, imports] of graph) {
    if (!file.startsWith('src/')) continue;
    const own = layerOf(file);
    for (const imp of imports) {
      if (imp.target.startsWith('adapters/')) problems.push(`${file} imports ${imp.target} (src/ never imports adapters/)`);
      else if (imp.target.startsWith('src/')) {
        const other = layerOf(imp.target);
        if (own === -1) problems.push(`${file} is in no layer (${LAYERS.join(', ')})`);
        else if (other === -1) problems.push(`${file} imports ${imp.target}, which is in no layer`);
        else if (other > own) problems.push(`${file} imports ${imp.target} (${LAYERS[own]} may not import ${LAYERS[other]})`);
      }
    }
  }
  return [...new Set(problems)];
}

/** The value import cycles (strongly connected components of more than one file, or a file importing itself). */
function valueCycles(graph: ReadonlyMap<string, readonly Import[]>): string[][] {
  const edges = new Map<string, string[]>();
  for (const [file, imports] of graph)
    edges.set(
      file,
      imports.filter((i) => i.value && graph.has(i.target)).map((i) => i.target),
    );
  // Tarjan's algorithm, iterative enough for a few hundred files.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (edges.get(v) ?? []).includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!idx.has(v)) visit(v);
  return cycles;
}

describe('dependencies (issue 10)', () => {
  const graph = new Map(
    [...files(path.join(ROOT, 'src')), ...files(path.join(ROOT, 'adapters'))].map((f) => [
      rel(f),
      importsOf(rel(f), fs.readFileSync(f, 'utf8')),
    ]),
  );

  it('reads the imports of both trees', () => {
    expect(graph.size).toBeGreaterThan(80);
    expect(graph.get('src/app/run-commands.ts')?.some((i) => i.target === 'src/workflow/transition.ts' && i.value)).toBe(true);
  });

  it(`src/ goes one way: ${LAYERS.join(' <- ')}, and never imports adapters/`, () => {
    expect(layeringProblems(graph)).toEqual([]);
  });

  it('has no value import cycle in src/ or adapters/', () => {
    expect(valueCycles(graph)).toEqual([]);
  });

  describe('the check itself', () => {
    const g = (entries: Record<string, [string, boolean][]>): Map<string, Import[]> =>
      new Map(Object.entries(entries).map(([f, is]) => [f, is.map(([target, value]) => ({ target, value }))]));

    it('tells type-only imports from value imports', () => {
      const src = [
        "import type { A } from './a';",
        "import { type B, type C } from './b';",
        "import { D, type E } from './d';",
        "import './side-effect';",
        "import * as ns from './ns';",
        "export type { F } from './f';",
        "export { G } from './g';",
      ].join('\n');
      expect(importsOf('src/app/x.ts', src)).toEqual([
        { target: 'src/app/a', value: false },
        { target: 'src/app/b', value: false },
        { target: 'src/app/d', value: true },
        { target: 'src/app/side-effect', value: true },
        { target: 'src/app/ns', value: true },
        { target: 'src/app/f', value: false },
        { target: 'src/app/g', value: true },
      ]);
    });

    it('refuses an import up a layer (even type-only) and an import of adapters/', () => {
      const graph = g({
        'src/messages/m.ts': [['src/app/a.ts', false]],
        'src/domain/d.ts': [['adapters/x.ts', true]],
        'src/app/a.ts': [
          ['src/domain/d.ts', true],
          ['zod', true],
        ],
      });
      expect(layeringProblems(graph)).toEqual([
        'src/messages/m.ts imports src/app/a.ts (src/messages may not import src/app)',
        'src/domain/d.ts imports adapters/x.ts (src/ never imports adapters/)',
      ]);
    });

    it('finds a value cycle and ignores one closed by a type-only import', () => {
      const cyclic = g({ 'a.ts': [['b.ts', true]], 'b.ts': [['c.ts', true]], 'c.ts': [['a.ts', true]], 'd.ts': [['d.ts', true]] });
      expect(valueCycles(cyclic)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['d.ts']]);
      const typeOnly = g({ 'a.ts': [['b.ts', true]], 'b.ts': [['a.ts', false]] });
      expect(valueCycles(typeOnly)).toEqual([]);
    });
  });
});
