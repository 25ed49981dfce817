/**
 * Load generator for Slack requests: signed POSTs (`x-slack-signature`, HMAC-SHA256 of
 * `v0:<timestamp>:<body>`, Slack's "Verifying requests from Slack") over keep-alive
 * connections (`node:http` Agent, `maxSockets` = connections), either paced (open loop: request
 * i is sent at t0 + i/rate whatever the answers, so a slow ack shows as latency instead of
 * slowing the load) or saturated (closed loop: each connection sends its next request as soon
 * as the previous one is answered). Latency = from `http.request` to the end of the answer
 * (the ack), in ms, including any wait for a free connection.
 */
import http from 'node:http';
import { slackSignature } from '../../test/helpers/slack-signing';

/** Where and how to sign. */
export interface Target {
  /** `http://127.0.0.1:<port>/slack/events` */
  url: string;
  signingSecret: string;
}

/** Result of one load phase. */
export interface LoadResult {
  sent: number;
  /** Answers other than HTTP 200, and transport errors. */
  failed: number;
  /** First few failure descriptions. */
  failures: string[];
  /** Ack latencies in ms, in completion order. */
  latencies: number[];
  /** From the first request to the last answer, ms. */
  elapsedMs: number;
}

/** Percentile `p` (0..100) of `values` (nearest rank); NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank]!;
}

/** Sends one signed form body; resolves with the latency (ms), rejects on a transport error or a status other than 200. */
async function post(agent: http.Agent, target: Target, body: string): Promise<number> {
  const answer = await send(agent, target, body);
  if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`);
  return answer.ms;
}

/**
 * A keep-alive agent with at most `connections` sockets. An idle socket is closed after 2 s, well
 * before Node's server closes it (`keepAliveTimeout`, 5 s): reusing a socket the server is
 * closing fails the request with ECONNRESET, a client-side race, not something to measure.
 */
export function newAgent(connections: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections, timeout: 2000 });
}

/**
 * Open loop: `bodies[i]` is sent at `i / ratePerSecond` s after the start, over at most
 * `connections` keep-alive connections. Resolves when every answer is in.
 */
export async function paced(target: Target, bodies: string[], ratePerSecond: number, connections: number): Promise<LoadResult> {
  const agent = newAgent(connections);
  const result: LoadResult = { sent: 0, failed: 0, failures: [], latencies: [], elapsedMs: 0 };
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  const interval = 1000 / ratePerSecond;
  for (let i = 0; i < bodies.length; i++) {
    const due = t0 + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    result.sent += 1;
    pending.push(
      post(agent, target, bodies[i]!).then(
        (ms) => void result.latencies.push(ms),
        (err: unknown) => {
          result.failed += 1;
          if (result.failures.length < 5) result.failures.push(String(err));
        },
      ),
    );
  }
  await Promise.all(pending);
  result.elapsedMs = performance.now() - t0;
  agent.destroy();
  return result;
}

/** Closed loop: `connections` workers each send the next body as soon as their previous one is answered. */
export async function saturated(target: Target, bodies: string[], connections: number): Promise<LoadResult> {
  const agent = newAgent(connections);
  const result: LoadResult = { sent: 0, failed: 0, failures: [], latencies: [], elapsedMs: 0 };
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      result.sent += 1;
      try {
        result.latencies.push(await post(agent, target, body));
      } catch (err) {
        result.failed += 1;
        if (result.failures.length < 5) result.failures.push(String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  result.elapsedMs = performance.now() - t0;
  agent.destroy();
  return result;
}

/**
 * Sends one signed body and resolves with the HTTP status and text (the run driver's requests).
 * Latency in ms from `http.request` to the end of the answer.
 */
export function send(agent: http.Agent, target: Target, body: string): Promise<{ status: number; text: string; ms: number }> {
  const url = new URL(target.url);
  const ts = Math.floor(Date.now() / 1000);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
          'X-Slack-Request-Timestamp': String(ts),
          'X-Slack-Signature': slackSignature(target.signingSecret, ts, body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
