/**
 * Issue 11 (QA round 3): Socket Mode whose WebSocket cannot be reached (`apps.connections.open`
 * gives a `ws://` URL that refuses) is reported in the log naming the URL, and `/readyz` answers
 * 503 while it is not connected (`/healthz` stays 200: the process is alive); a bad app-level token
 * at start names SLACK_APP_TOKEN; the start log does not claim `POST /slack/events`. The real
 * product process against a small Slack Web API on loopback.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const GOOD_APP_TOKEN = 'xapp-1-good';

/** A free loopback port (listened on, then closed): the refusing WebSocket URL and the product's PORT. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** `auth.test` ok; `apps.connections.open` gives `wsUrl` for the good app token, `invalid_auth` otherwise. */
async function slackApi(wsUrl: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (req.url?.endsWith('/auth.test'))
        return res.end(
          JSON.stringify({
            ok: true,
            url: 'https://t.slack.com/',
            team: 'T',
            user: 'bot',
            team_id: 'T0001',
            user_id: 'U0BOT',
            bot_id: 'B0BOT',
          }),
        );
      if (req.url?.endsWith('/apps.connections.open')) {
        const good = req.headers.authorization === `Bearer ${GOOD_APP_TOKEN}`;
        return res.end(
          JSON.stringify(good ? { ok: true, url: `${wsUrl}?ticket=secret-ticket&app_id=A0APP` } : { ok: false, error: 'invalid_auth' }),
        );
      }
      res.end(JSON.stringify({ ok: false, error: 'unknown_method' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/api/`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A minimal WebSocket server: accepts the handshake and sends Slack's `hello` (one text frame). */
async function helloWebSocket(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(426).end());
  const sockets = new Set<net.Socket>();
  server.on('upgrade', (req, socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    const accept = createHash('sha1')
      .update(`${String(req.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    const hello = Buffer.from(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0APP' } }));
    socket.write(Buffer.concat([Buffer.from([0x81, hello.length]), hello]));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/link/`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function spawnMain(env: Record<string, string>): { child: ChildProcess; out: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (c: Buffer) => (text += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { child, out: () => text };
}

async function until(what: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slack-socket-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const env = (apiUrl: string, appToken: string, port: number, db: string) => ({
  SLACK_SIGNING_SECRET: 'x',
  SLACK_BOT_TOKEN: 'fakebot-1',
  SLACK_APP_TOKEN: appToken,
  SLACK_SOCKET_MODE: 'true',
  SLACK_API_URL: apiUrl,
  PORT: String(port),
  DATABASE_URL: `sqlite:${path.join(dir, db)}`,
});

it('a WebSocket that refuses: "Slack Socket Mode: cannot connect to <url>", /readyz 503, /healthz 200, no "POST /slack/events"', async () => {
  const wsPort = await freePort();
  const wsUrl = `ws://127.0.0.1:${wsPort}/link/`;
  const api = await slackApi(wsUrl);
  const port = await freePort();
  const { child, out } = spawnMain(env(api.url, GOOD_APP_TOKEN, port, 'refused.db'));
  try {
    await until(() => out().includes('started'), 30_000);
    await until(() => out().includes('Slack Socket Mode: cannot connect'), 10_000);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    const line = out()
      .split('\n')
      .find((l) => l.includes('cannot connect'))!;
    console.log(`socket mode refused: ${line}\nreadyz ${ready.status} ${await ready.clone().text()}, healthz ${health.status}`);
    expect(line).toContain(`Slack Socket Mode: cannot connect to ${wsUrl}`);
    expect(JSON.parse(line).level).toBe(50); // error
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, reason: 'slack socket mode not connected' });
    expect(health.status).toBe(200);
    expect(out()).not.toContain('POST /slack/events');
    expect(out()).toContain('serving Slack over Socket Mode');
    expect(out()).not.toContain('secret-ticket');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await api.close();
  }
}, 60_000);

it('a WebSocket that answers hello: "Slack Socket Mode: connected to <url>", /readyz 200', async () => {
  const ws = await helloWebSocket();
  const api = await slackApi(ws.url);
  const port = await freePort();
  const { child, out } = spawnMain(env(api.url, GOOD_APP_TOKEN, port, 'connected.db'));
  try {
    await until(() => out().includes('started'), 30_000);
    expect(out()).toContain(`Slack Socket Mode: connected to ${ws.url}`);
    expect(out()).toContain('serving Slack over Socket Mode (connected;');
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await api.close();
    await ws.close();
  }
}, 60_000);

it('a bad app-level token at start: says SLACK_APP_TOKEN was rejected, exit 1', async () => {
  const api = await slackApi('ws://127.0.0.1:1/link/');
  const port = await freePort();
  const { child, out } = spawnMain(env(api.url, 'xapp-1-bad', port, 'badtoken.db'));
  try {
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(1);
    expect(out()).toContain('Slack rejected the app-level token (apps.connections.open: invalid_auth). Check SLACK_APP_TOKEN');
    expect(out()).not.toContain('SLACK_BOT_TOKEN');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await api.close();
  }
}, 60_000);
