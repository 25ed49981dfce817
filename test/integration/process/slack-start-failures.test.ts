/**
 * Issue 11 (QA): the product started against a Slack Web API that does not answer as Slack says
 * what it saw and exits 1, whatever the way it fails: connection refused, a connection accepted
 * then closed at once (Node's fetch never settles there: the process used to exit 0 in silence), or
 * a page that is not Slack's (a proxy or captive portal: it used to blame the bot token).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runMain(env: Record<string, string>): Promise<Exit> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapters/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const kill = setTimeout(() => child.kill('SIGKILL'), 40_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

/** A TCP server on loopback whose connections get `onConnection`; returns its port and a close. */
async function tcpServer(onConnection: (c: net.Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer(onConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('product start with a Slack Web API that does not answer as Slack', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slack-start-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const env = (apiUrl: string, db: string) => ({
    SLACK_SIGNING_SECRET: 'x',
    SLACK_BOT_TOKEN: 'fakebot-1',
    SLACK_API_URL: apiUrl,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: `sqlite:${path.join(dir, db)}`,
  });

  it('connection refused: "Slack API unreachable at <url>", exit 1', async () => {
    const gone = await tcpServer((c) => c.destroy());
    await gone.close();
    const apiUrl = `http://127.0.0.1:${gone.port}/api/`;
    const r = await runMain(env(apiUrl, 'refused.db'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`could not start: Slack API unreachable at ${apiUrl}`);
    expect(r.stderr + r.stdout).not.toMatch(/rejected|SLACK_BOT_TOKEN/);
    expect(r.stdout).not.toContain('serving');
  });

  it('connection accepted then closed at once: "Slack API unreachable at <url>", exit 1 (it exited 0 in silence)', async () => {
    const closing = await tcpServer((c) => c.destroy());
    try {
      const apiUrl = `http://127.0.0.1:${closing.port}/api/`;
      const r = await runMain(env(apiUrl, 'closed.db'));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`could not start: Slack API unreachable at ${apiUrl}`);
      expect(r.stderr + r.stdout).not.toMatch(/rejected|SLACK_BOT_TOKEN/);
      expect(r.stdout).not.toContain('serving');
      expect(r.ms).toBeLessThan(25_000);
    } finally {
      await closing.close();
    }
  }, 45_000);

  it('HTTP 200 with an HTML page: "Not a Slack API answer at <url> (auth.test: HTTP 200 text/html...)", not the token, exit 1', async () => {
    const portal = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<html><body>Welcome to the hotel Wi-Fi</body></html>');
    });
    await new Promise<void>((r) => portal.listen(0, '127.0.0.1', () => r()));
    try {
      const apiUrl = `http://127.0.0.1:${(portal.address() as net.AddressInfo).port}/api/`;
      const r = await runMain(env(apiUrl, 'portal.db'));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`could not start: Not a Slack API answer at ${apiUrl} (auth.test: HTTP 200 text/html; charset=utf-8)`);
      expect(r.stderr).toContain('proxy or captive portal');
      expect(r.stderr + r.stdout).not.toMatch(/rejected|SLACK_BOT_TOKEN|<html/);
      expect(r.stdout).not.toContain('serving');
    } finally {
      portal.closeAllConnections();
      await new Promise<void>((r) => portal.close(() => r()));
    }
  });
  it('HTTP 404 from a proxy or a wrong SLACK_API_URL: "Not a Slack API answer (HTTP 404 from <url>)", not "unreachable", exit 1', async () => {
    const proxy = http.createServer((req, res) => {
      req.resume();
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('Not Found');
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    try {
      const apiUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}/api/`;
      const r = await runMain(env(apiUrl, 'proxy404.db'));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`could not start: Not a Slack API answer (HTTP 404 from ${apiUrl}auth.test)`);
      expect(r.stderr).toContain('wrong SLACK_API_URL');
      expect(r.stderr + r.stdout).not.toMatch(/unreachable|rejected|SLACK_BOT_TOKEN/);
      expect(r.stdout).not.toContain('serving');
    } finally {
      proxy.closeAllConnections();
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });

  it('HTTP 429 with Retry-After: 30 from auth.test: "Slack API rate-limited the start (HTTP 429, Retry-After 30 s) at <url>", at once, exit 1', async () => {
    const limited = http.createServer((req, res) => {
      req.resume();
      res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '30' });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
    });
    await new Promise<void>((r) => limited.listen(0, '127.0.0.1', () => r()));
    try {
      const apiUrl = `http://127.0.0.1:${(limited.address() as net.AddressInfo).port}/api/`;
      const r = await runMain(env(apiUrl, 'limited.db'));
      console.log(`auth.test 429 Retry-After 30: exit ${r.code} after ${r.ms} ms`);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`could not start: Slack API rate-limited the start (HTTP 429, Retry-After 30 s) at ${apiUrl}`);
      expect(r.stderr + r.stdout).not.toMatch(/no answer|rejected|SLACK_BOT_TOKEN/);
      expect(r.ms).toBeLessThan(12_000);
    } finally {
      limited.closeAllConnections();
      await new Promise<void>((r) => limited.close(() => r()));
    }
  });
});
