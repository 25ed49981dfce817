/**
 * Child processes of the bench (product, bare Bolt, sandbox), each started as
 * `node --import tsx <entry>` so the pid is the measured Node process itself (not an `npx` or
 * `tsx` wrapper), and its memory read from `/proc/<pid>/status`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';

/** A running child with its stdout lines counted and scanned. */
export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** Lines written to stdout and stderr so far. */
  lines: number;
  /** pino lines at level error (50) or fatal (60), and stderr lines; first 10 kept. */
  errors: string[];
  errorCount: number;
  /** pino lines at level warn (40); first 10 kept. */
  warnings: string[];
  warnCount: number;
  /** Resolves with the first stdout line (already written or to come) for which `match` returns a value. */
  waitFor<T>(match: (line: string) => T | undefined, timeoutMs?: number): Promise<T>;
  /** SIGTERM, then resolves on exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/**
 * Starts `entry` (a .ts file, repo-relative) with `env` over a minimal environment (`PATH`,
 * `HOME`, `TMPDIR`, `LANG` only: no stray `DATABASE_URL` or Teams setting leaks in); `nodeArgs`
 * go before the entry (e.g. `--heapsnapshot-signal=SIGUSR2`).
 */
export function startChild(name: string, entry: string, env: Record<string, string>, nodeArgs: string[] = []): Child {
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry], {
    cwd: process.cwd(),
    env: { ...pick(process.env, ['PATH', 'HOME', 'TMPDIR', 'LANG']), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const matchers = new Set<(line: string) => boolean>();
  /** The first stdout lines, for `waitFor` calls made after the line was written. */
  const early: string[] = [];
  const child: Child = {
    name,
    proc,
    pid: proc.pid ?? -1,
    lines: 0,
    errors: [],
    errorCount: 0,
    warnings: [],
    warnCount: 0,
    waitFor<T>(match: (line: string) => T | undefined, timeoutMs = 30_000): Promise<T> {
      for (const line of early) {
        const v = match(line);
        if (v !== undefined) return Promise.resolve(v);
      }
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          matchers.delete(m);
          reject(new Error(`${name}: no expected output after ${timeoutMs} ms (errors: ${child.errors.join(' | ') || 'none'})`));
        }, timeoutMs);
        const m = (line: string): boolean => {
          const v = match(line);
          if (v === undefined) return false;
          clearTimeout(timer);
          resolve(v);
          return true;
        };
        matchers.add(m);
        proc.once('exit', (code) => {
          if (!matchers.has(m)) return;
          matchers.delete(m);
          clearTimeout(timer);
          reject(new Error(`${name} exited with code ${code} (errors: ${child.errors.join(' | ') || 'none'})`));
        });
      });
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const kill = setTimeout(() => proc.kill('SIGKILL'), 5000);
        proc.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        proc.kill('SIGTERM');
      });
    },
  };
  readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
    child.lines += 1;
    if (early.length < 200) early.push(line);
    const level = /"level":(\d+)/.exec(line.slice(0, 40))?.[1];
    if (level && Number(level) >= 50) {
      child.errorCount += 1;
      if (child.errors.length < 10) child.errors.push(line.slice(0, 300));
    } else if (level === '40') {
      child.warnCount += 1;
      if (child.warnings.length < 10) child.warnings.push(line.slice(0, 300));
    }
    for (const m of matchers) if (m(line)) matchers.delete(m);
  });
  readline.createInterface({ input: proc.stderr! }).on('line', (line) => {
    child.lines += 1;
    child.errorCount += 1;
    if (child.errors.length < 10) child.errors.push(`stderr: ${line.slice(0, 300)}`);
  });
  return child;
}

/** Resident set size of `pid` in MB (`VmRSS` of `/proc/<pid>/status`, Linux only); NaN elsewhere. */
export function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function pick(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (env[k] !== undefined) out[k] = env[k]!;
  return out;
}

/**
 * Full garbage collection of a child started with `--heapsnapshot-signal=SIGUSR2
 * --diagnostic-dir=<dir>`: Node has no other way to make another process collect its garbage
 * (short of the inspector), and writing a heap snapshot runs a full GC first. Waits for the
 * snapshot, reads the live heap size from it (sum of `self_size`), deletes it.
 * @returns the live JS heap in MB and the RSS in MB right after.
 */
export async function collectGarbage(child: Child, dir: string, timeoutMs = 60_000): Promise<{ liveHeapMb: number; rssMb: number }> {
  const before = new Set(fs.readdirSync(dir));
  process.kill(child.pid, 'SIGUSR2');
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    if (performance.now() > deadline) throw new Error(`${child.name}: no heap snapshot after ${timeoutMs} ms`);
    const file = fs.readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    if (!file) continue;
    const full = `${dir}/${file}`;
    let snapshot: { snapshot: { meta: { node_fields: string[] } }; nodes: number[] };
    try {
      snapshot = JSON.parse(fs.readFileSync(full, 'utf8')) as typeof snapshot;
    } catch {
      continue; // still being written
    }
    const fields = snapshot.snapshot.meta.node_fields;
    const selfSize = fields.indexOf('self_size');
    let bytes = 0;
    for (let i = selfSize; i < snapshot.nodes.length; i += fields.length) bytes += snapshot.nodes[i]!;
    fs.rmSync(full, { force: true });
    return { liveHeapMb: bytes / 1024 / 1024, rssMb: rssMb(child.pid) };
  }
}

/** The port a child logs in a JSON line matching `match`. */
export async function portOf(child: Child, match: (j: Record<string, unknown>) => boolean): Promise<number> {
  return child.waitFor((line) => {
    try {
      const j = JSON.parse(line) as Record<string, unknown>;
      return match(j) && typeof j.port === 'number' ? j.port : undefined;
    } catch {
      return undefined;
    }
  });
}

/** POSTs JSON and returns the parsed answer; throws on a non-2xx status. */
export async function postJson(url: string, body: unknown): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as unknown;
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return json;
}

/** Runs `count` tasks with at most `limit` at once; resolves with results and errors. */
export async function pool<T>(
  count: number,
  limit: number,
  task: (i: number, slot: number) => Promise<T>,
): Promise<{ ok: T[]; errors: string[] }> {
  const ok: T[] = [];
  const errors: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async (_, slot) => {
      while (next < count) {
        const i = next++;
        try {
          ok.push(await task(i, slot));
        } catch (err) {
          errors.push(err instanceof Error ? err.message : String(err));
        }
      }
    }),
  );
  return { ok, errors };
}
