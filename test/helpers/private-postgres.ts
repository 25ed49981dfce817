/**
 * A private PostgreSQL server for tests that must stop and start the database (never the
 * machine's shared cluster): `initdb` into a temporary directory with the binaries of
 * `PG_BIN` (default: the newest `/usr/lib/postgresql/<n>/bin`), `pg_ctl start` on a free loopback
 * port, trust authentication on loopback only, one database `app`. As root it runs everything
 * as the `postgres` user (PostgreSQL refuses to run as root). `available()` says why not when
 * the binaries or that user are missing, so a suite can skip with a printed message.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The directory of `initdb`/`pg_ctl`, or undefined. */
export function postgresBinDir(): string | undefined {
  if (process.env.PG_BIN) return fs.existsSync(path.join(process.env.PG_BIN, 'pg_ctl')) ? process.env.PG_BIN : undefined;
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  return versions
    .map((v) => path.join(root, v, 'bin'))
    .find((d) => fs.existsSync(path.join(d, 'pg_ctl')) && fs.existsSync(path.join(d, 'initdb')));
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Undefined when a private server can be made here, else the reason it cannot. */
export function unavailableReason(): string | undefined {
  if (!postgresBinDir()) return 'no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin or PG_BIN';
  if (isRoot()) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      return 'running as root and there is no postgres user to run the server as';
    }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A private PostgreSQL server. */
export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  /** `postgres://postgres@127.0.0.1:<port>/app`. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/app`;
  }

  private run(tool: string, args: string[]): string {
    const cmd = path.join(this.bin, tool);
    // From a directory every user can read (the server and tools complain about an unreadable cwd).
    const opts = { cwd: '/', encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] };
    return isRoot() ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], opts) : execFileSync(cmd, args, opts);
  }

  /** initdb, start, create the `app` database. */
  static async create(): Promise<PrivatePostgres> {
    const bin = postgresBinDir();
    if (!bin) throw new Error(unavailableReason());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'private-pg-'));
    if (isRoot()) execFileSync('chown', ['postgres:', dir]);
    const pg = new PrivatePostgres(dir, await freePort(), bin);
    pg.run('initdb', ['-D', path.join(dir, 'data'), '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    pg.start();
    pg.run('psql', ['-h', '127.0.0.1', '-p', String(pg.port), '-U', 'postgres', '-d', 'postgres', '-q', '-c', 'CREATE DATABASE app']);
    return pg;
  }

  /** Starts the server and waits until it accepts connections (`pg_ctl -w`). */
  start(): void {
    this.run('pg_ctl', [
      '-D',
      path.join(this.dir, 'data'),
      '-w',
      '-t',
      '30',
      '-l',
      path.join(this.dir, 'server.log'),
      '-o',
      `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.dir} -c fsync=off -c max_connections=50`,
      'start',
    ]);
  }

  /** Stops the server (`-m fast`: open connections are cut, as in a real restart). */
  stop(): void {
    this.run('pg_ctl', ['-D', path.join(this.dir, 'data'), '-w', '-t', '30', '-m', 'fast', 'stop']);
  }

  /** Pids of the server: the postmaster (first line of `postmaster.pid`) and its children. */
  pids(): number[] {
    const main = Number(fs.readFileSync(path.join(this.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after ')'.
          const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === main;
        } catch {
          return false;
        }
      })
      .map(Number);
    return [main, ...children];
  }

  /** Freezes every process of the server (SIGSTOP): connections stay open, nothing answers (a hung database). */
  pause(): void {
    for (const pid of this.pids()) process.kill(pid, 'SIGSTOP');
    this.paused = true;
  }

  /** Lets a paused server run again (SIGCONT). */
  resume(): void {
    for (const pid of this.pids()) process.kill(pid, 'SIGCONT');
    this.paused = false;
  }

  private paused = false;

  /** Stops the server if it runs and removes its directory. */
  destroy(): void {
    if (this.paused) this.resume();
    try {
      this.stop();
    } catch {
      // already stopped
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
