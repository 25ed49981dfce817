/**
 * The real product as a child process (`node --import tsx adapters/main.ts`), on loopback,
 * for crash, replica, fault and secret tests:
 * - `spawnProduct(env)` starts it with `PORT=0`, `HOST=127.0.0.1` and the given environment, and
 *   reads the port from the JSON log line `slack surface listening`. Every stdout line (pino JSON)
 *   and stderr line is kept, so tests can grep the logs;
 * - `SlackGate` sits between the product and the fake Slack Web API (`SLACK_API_URL`) and can
 *   hold a method's calls: before they reach Slack (`request`: nothing was posted) or after
 *   (`answer`: Slack posted it but the product never hears back, the ambiguous case);
 * - `SecutixFront` sits between the product and the SecuTix sandbox and adds the faults the
 *   sandbox has no rule for: a connection reset, and `in_progress` on every call (polls too);
 * - `SlackDriver` sends signed slash commands, clicks and modal submissions
 *   (`test/helpers/slack-signing.ts`) and waits for what the product posts (the work runs after
 *   the ack, in the child, so tests poll the fake API with a deadline; nothing is timed).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FakeSlackApi, FakeSlackMessage } from '../../fakes/fake-slack-api';
import {
  blockActionsPayload,
  commandBody,
  interactionBody,
  postSigned,
  type SignedAnswer,
  viewSubmissionPayload,
} from '../../helpers/slack-signing';

const ROOT = path.resolve(__dirname, '../../..');

/** Children still running, killed if the test process exits first (so none is left orphaned). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/** Fake credentials of the process tests: nothing real-looking, all distinct so a grep finds each. */
export const PROCESS_SECRETS = {
  signingSecret: 'process-test-signing-secret-4d7f',
  botToken: 'fakebot-test-not-real',
  teamsAppPassword: 'teams-app-password-not-real-9c2e',
} as const;

/** Polls `probe` every 25 ms until it returns a value (not undefined/false), or throws after `timeoutMs` naming `what`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    // An empty list is not an answer yet (it is truthy: a filter that finds nothing would pass).
    if (v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0)) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A running product process. */
export interface ProductProcess {
  child: ChildProcess;
  port: number;
  /** `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** Every stdout line (pino JSON at the configured level). */
  logs: string[];
  /** Every stderr line. */
  stderr: string[];
  /** ms from spawn to listening. */
  startMs: number;
  /** True until the process exited. */
  alive(): boolean;
  /** Status of `GET /healthz` (0 when the connection fails). */
  healthz(): Promise<number>;
  /** `kill -9` and wait for the exit. */
  kill9(): Promise<void>;
  /** SIGTERM (graceful stop) and wait for the exit; SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/**
 * Spawns the product. `env` is the whole configuration (only PATH and HOME are inherited, so a
 * developer's own variables never leak in); `PORT=0` and `HOST=127.0.0.1` are added.
 * @throws Error with the stderr when the process exits or does not listen within 20 s.
 */
export async function spawnProduct(env: Record<string, string>): Promise<ProductProcess> {
  const t0 = performance.now();
  // `node --import tsx` rather than the `tsx` binary: the binary runs the program in a second node
  // process, so a SIGKILL of the binary would leave the product running as an orphan.
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const stderr: string[] = [];
  let exited = false;
  running.add(child);
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      running.delete(child);
      resolve();
    }),
  );
  const lines = (into: string[]) => {
    let rest = '';
    return (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      into.push(...parts.filter((l) => l.length > 0));
    };
  };
  child.stdout!.on('data', lines(logs));
  child.stderr!.on('data', lines(stderr));
  const port = await waitFor(
    'the product to listen',
    () => {
      if (exited) throw new Error(`the product exited before listening:\n${stderr.join('\n')}\n${logs.join('\n')}`);
      for (const l of logs) {
        if (!l.includes('slack surface listening')) continue;
        const p = (JSON.parse(l) as { port?: unknown }).port;
        if (typeof p === 'number' && p > 0) return p;
      }
      return undefined;
    },
    20_000,
  ).catch(async (err: unknown) => {
    child.kill('SIGKILL');
    await exit;
    throw err;
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    child,
    port,
    baseUrl,
    logs,
    stderr,
    startMs: performance.now() - t0,
    alive: () => !exited,
    async healthz() {
      try {
        const res = await fetch(`${baseUrl}/healthz`);
        await res.text();
        return res.status;
      } catch {
        return 0;
      }
    },
    async kill9() {
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** A call the gate holds: the method, the response it has not answered, and Slack's answer when it was forwarded. */
interface HeldCall {
  method: string;
  res: http.ServerResponse;
  forwarded: boolean;
}

/**
 * A pass-through proxy in front of a `FakeSlackApi` (its `apiUrl` is the product's
 * `SLACK_API_URL`) that can hold the calls of one method.
 */
export class SlackGate {
  private server?: http.Server;
  private base = '';
  private holding = new Map<string, 'request' | 'answer'>();
  readonly held: HeldCall[] = [];

  constructor(private readonly target: FakeSlackApi) {}

  /** Starts on 127.0.0.1, port 0. */
  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The Web API base URL to give the product (`SLACK_API_URL`). */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  /**
   * Holds every later call of `method`: `request` = never forwarded (Slack posts nothing);
   * `answer` = forwarded (Slack posts it) but the answer is never given back.
   */
  hold(method: string, mode: 'request' | 'answer'): void {
    this.holding.set(method, mode);
  }

  /** Stops holding; calls already held stay unanswered (their process is usually dead by then). */
  open(): void {
    this.holding.clear();
  }

  /** Stops the proxy and drops every connection. */
  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.base);
    const method = /^\/api\/([a-zA-Z.]+)$/.exec(url.pathname)?.[1] ?? '';
    const mode = this.holding.get(method);
    if (mode === 'request') {
      this.held.push({ method, res, forwarded: false });
      return;
    }
    const target = new URL(url.pathname.replace(/^\/api\//, '') + url.search, this.target.apiUrl);
    const headers: Record<string, string> = {};
    for (const h of ['content-type', 'authorization']) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    const answer = await fetch(target, { method: req.method ?? 'POST', headers, ...(body.length ? { body } : {}) });
    const text = await answer.text();
    if (mode === 'answer') {
      this.held.push({ method, res, forwarded: true });
      return;
    }
    const out: Record<string, string> = { 'Content-Type': answer.headers.get('content-type') ?? 'application/json' };
    const retryAfter = answer.headers.get('retry-after');
    if (retryAfter) out['Retry-After'] = retryAfter;
    res.writeHead(answer.status, out);
    res.end(text);
  }
}

/** A fault `SecutixFront` adds to every call of one SecuTix method. */
export type FrontFault = { method: string; kind: 'reset' | 'in_progress_forever' };

/** A pass-through proxy in front of the SecuTix sandbox (`SECUTIX_BASE_URL`), with `FrontFault`s. */
export class SecutixFront {
  private server?: http.Server;
  url = '';
  fault: FrontFault | undefined;
  /** Calls that got the fault. */
  faulted = 0;
  private seq = 0;

  constructor(private readonly sandboxUrl: string) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const p = new URL(req.url ?? '/', this.url).pathname;
    if (this.fault && p.endsWith(`/${this.fault.method}`)) {
      this.faulted += 1;
      if (this.fault.kind === 'reset') {
        req.socket.destroy(); // ECONNRESET on the client side
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ requestId: `front-${++this.seq}`, statusCode: 'in_progress', statusDetail: 'Extraction in progress' }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const h of ['content-type', 'authorization']) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    const answer = await fetch(`${this.sandboxUrl}${req.url ?? '/'}`, {
      method: req.method ?? 'POST',
      headers,
      ...(body.length ? { body } : {}),
    });
    const text = await answer.text();
    const out: Record<string, string> = { 'Content-Type': answer.headers.get('content-type') ?? 'application/json' };
    const retryAfter = answer.headers.get('retry-after');
    if (retryAfter) out['Retry-After'] = retryAfter;
    res.writeHead(answer.status, out);
    res.end(text);
  }
}

/** A Slack user. */
export interface SlackUser {
  id: string;
  name: string;
}

export const RUN_CHANNEL = 'C0PROCRUN1';
export const SUPPORT_CHANNEL = 'C0PROCSUP1';
export const OPERATOR: SlackUser = { id: 'U0PROCOPS1', name: 'alex' };
export const SUPPORT_USER: SlackUser = { id: 'U0PROCSUP1', name: 'sam' };

export type Button = { action_id: string; value: string; style?: string };

/** The buttons of a message's actions blocks. */
export function buttonsOf(blocks: Record<string, unknown>[] | undefined): Button[] {
  return (blocks ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements as Button[]);
}

/** The `event_payload.step` of a message's run metadata. */
export const stepOf = (m: FakeSlackMessage): unknown => m.metadata?.event_payload.step;

/** The start-form answers of a DEMO run. */
export const DEMO_START = {
  institution_code: 'demo',
  institution_name: 'Demo Theatre',
  channel_code: 'DGTK',
  digitick_contact_name: 'Camille Martin',
  digitick_contact_email: 'camille.martin@digitick.example',
  language: 'en',
};

/** Drives the product through signed Slack requests and reads what it posted in the fake. */
export class SlackDriver {
  constructor(
    private readonly api: FakeSlackApi,
    private events: string,
    private readonly secret: string = PROCESS_SECRETS.signingSecret,
  ) {}

  /** Points the driver at another process (after a restart, or a second replica). */
  target(baseUrl: string): void {
    this.events = `${baseUrl}/slack/events`;
  }

  /** The signed `POST /slack/events` of a raw body to `baseUrl` (default: the current target). */
  send(body: string, baseUrl?: string): Promise<SignedAnswer> {
    return postSigned(baseUrl ? `${baseUrl}/slack/events` : this.events, body, { secret: this.secret });
  }

  command(text: string, user: SlackUser = OPERATOR): Promise<SignedAnswer> {
    return this.send(
      commandBody({
        text,
        user_id: user.id,
        user_name: user.name,
        channel_id: RUN_CHANNEL,
        response_url: this.api.responseUrl(`cmd-${Date.now()}`),
      }),
    );
  }

  /** The body of a click on `button` of `msg` by `user`. */
  clickBody(msg: FakeSlackMessage, actionId: string, user: SlackUser = OPERATOR): string {
    const button = buttonsOf(msg.blocks).find((b) => b.action_id === actionId);
    if (!button) throw new Error(`message ${msg.ts} (step ${String(stepOf(msg))}) has no ${actionId} button`);
    return interactionBody(
      blockActionsPayload({ user: user.id, userName: user.name, channel: msg.channel, messageTs: msg.ts, actionId, value: button.value }),
    );
  }

  async click(msg: FakeSlackMessage, actionId: string, user: SlackUser = OPERATOR): Promise<SignedAnswer> {
    const a = await this.send(this.clickBody(msg, actionId, user));
    if (a.status !== 200) throw new Error(`click ${actionId}: HTTP ${a.status} ${a.body}`);
    return a;
  }

  /** Waits for the `n`-th `views.open` (1-based) and submits it with `values`. */
  async submitView(n: number, values: Record<string, string>, opts: { selects?: string[]; user?: SlackUser } = {}): Promise<SignedAnswer> {
    const view = await waitFor(
      `views.open #${n}`,
      () => this.api.callsOf('views.open')[n - 1]?.args.view as { callback_id: string; private_metadata: string } | undefined,
    );
    const user = opts.user ?? OPERATOR;
    const a = await this.send(
      interactionBody(
        viewSubmissionPayload({
          user: user.id,
          userName: user.name,
          callbackId: view.callback_id,
          privateMetadata: view.private_metadata,
          values,
          ...(opts.selects ? { selects: opts.selects } : {}),
        }),
      ),
    );
    if (a.status !== 200) throw new Error(`submit ${view.callback_id}: HTTP ${a.status} ${a.body}`);
    return a;
  }

  /** The callback id of the `n`-th `views.open`, once it came. */
  async viewId(n: number): Promise<string> {
    return waitFor(
      `views.open #${n}`,
      () => (this.api.callsOf('views.open')[n - 1]?.args.view as { callback_id: string } | undefined)?.callback_id,
    );
  }

  /** The run's progress card (root message in the run channel with run metadata). */
  card(runId?: string): FakeSlackMessage | undefined {
    return [...this.api.messages.values()].find(
      (m) => m.channel === RUN_CHANNEL && !m.thread_ts && m.metadata !== undefined && (!runId || m.metadata.event_payload.run_id === runId),
    );
  }

  /** The newest message of the run's thread (or the support channel) of `step` that has `actionId`. */
  open(runId: string, step: string, actionId: string): FakeSlackMessage | undefined {
    return [...this.api.messages.values()]
      .filter(
        (m) =>
          m.metadata?.event_payload.run_id === runId && stepOf(m) === step && buttonsOf(m.blocks).some((b) => b.action_id === actionId),
      )
      .pop();
  }

  /** Waits for `open(runId, step, actionId)`. */
  waitOpen(runId: string, step: string, actionId: string, timeoutMs?: number): Promise<FakeSlackMessage> {
    return waitFor(`a ${step} message with ${actionId}`, () => this.open(runId, step, actionId), timeoutMs);
  }

  /**
   * Starts a DEMO run (command, start modal) and takes it to step `until` (steps done in order,
   * with the contingents and contact modals, the support click). Returns the run id.
   */
  async runTo(until: string, demo: { contingentIds: number[]; contactNumbers: string[] }): Promise<string> {
    const views = () => this.api.callsOf('views.open').length;
    const cards = new Set([...this.api.messages.values()].filter((m) => m.channel === RUN_CHANNEL && !m.thread_ts).map((m) => m.ts));
    const v0 = views();
    const cmd = await this.command('start demo');
    if (cmd.status !== 200) throw new Error(`command: HTTP ${cmd.status}`);
    await this.submitView(v0 + 1, DEMO_START, { selects: ['language'] });
    const card = await waitFor('the progress card', () =>
      [...this.api.messages.values()].find((m) => m.channel === RUN_CHANNEL && !m.thread_ts && m.metadata && !cards.has(m.ts)),
    );
    const runId = String(card.metadata!.event_payload.run_id);
    const order = [
      'sales_channel',
      'point_of_sale',
      'contingents',
      'technical_contact',
      'event_products',
      'pass_products',
      'sales_interface',
    ];
    for (const step of order) {
      if (step === until) return runId;
      const msg = await this.waitOpen(runId, step, 'step_done');
      const before = views();
      await this.click(msg, 'step_done');
      if (step === 'contingents') await this.submitView(before + 1, { contingent_ids: demo.contingentIds.join(',') });
      if (step === 'technical_contact') await this.submitView(before + 1, { contact_number: demo.contactNumbers[0]! });
    }
    if (until === 'password_request') return runId;
    const support = await this.waitOpen(runId, 'password_request', 'password_assigned');
    await this.click(support, 'password_assigned', SUPPORT_USER);
    await this.waitOpen(runId, 'verification', 'verify_start');
    return runId;
  }
}
