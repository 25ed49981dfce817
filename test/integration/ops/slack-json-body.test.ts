/**
 * Issue 11: a signed Slack body that is JSON but not an object (`null`, a number, a string, an
 * array) answers 400 at once, through Bolt's real HTTP receiver, and logs no unhandled rejection;
 * and a Slack Web API that cannot be reached at start is named as unreachable, not as a bad token.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../../adapters/logger';
import { createSlackSurface, SlackStartError } from '../../../adapters/slack';
import { postSigned, slackSignature } from '../../helpers/slack-signing';
import { SIGNING_SECRET, type SlackHarness, wireSlack } from '../../helpers/slack-wire';

describe('Slack: JSON bodies that are not objects', () => {
  let h: SlackHarness;
  const rejections: unknown[] = [];
  const onRejection = (r: unknown) => void rejections.push(r);
  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    h = await wireSlack();
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await h.close();
  });

  it.each(['null', '42', '"text"', '[]', '[1,2]', 'true'])('answers 400 to the signed JSON body %s', async (body) => {
    const answer = await postSigned(`${h.baseUrl}/slack/events`, body, {
      secret: SIGNING_SECRET,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(answer.status).toBe(400);
    await h.surface.idle();
    expect(rejections).toEqual([]);
    // Still serving afterwards.
    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
  });

  it.each(['null', '42', '"text"', '[]', 'true'])(
    'answers 400 to the signed form body payload=%s (interactive payload not an object)',
    async (payload) => {
      const started = Date.now();
      const answer = await postSigned(`${h.baseUrl}/slack/events`, new URLSearchParams({ payload }).toString(), {
        secret: SIGNING_SECRET,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      expect(answer.status).toBe(400);
      expect(Date.now() - started).toBeLessThan(2000);
      await h.surface.idle();
      expect(rejections).toEqual([]);
      expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
    },
  );

  it.each([['text/plain'], ['application/octet-stream'], [undefined]])(
    'answers 400 at once to the signed body null with Content-Type %s (Bolt parses it as JSON)',
    async (type) => {
      const started = Date.now();
      const status = type
        ? (await postSigned(`${h.baseUrl}/slack/events`, 'null', { secret: SIGNING_SECRET, headers: { 'Content-Type': type } })).status
        : await postSignedWithoutType(`${h.baseUrl}/slack/events`, 'null');
      expect(status).toBe(400);
      expect(Date.now() - started).toBeLessThan(2000);
      await h.surface.idle();
      expect(rejections).toEqual([]);
    },
  );

  it('answers 401 to a form body payload=null with a wrong signature', async () => {
    const answer = await postSigned(`${h.baseUrl}/slack/events`, 'payload=null', {
      secret: 'not-the-signing-secret',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(answer.status).toBe(401);
  });

  it('answers 401 to the same body with a wrong signature', async () => {
    const answer = await postSigned(`${h.baseUrl}/slack/events`, 'null', {
      secret: 'not-the-signing-secret',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(answer.status).toBe(401);
  });
});

describe('Slack: Web API unreachable at start', () => {
  it('says "Slack API unreachable at <url>", not that the token was rejected', async () => {
    // A port that was just free: nothing listens there any more.
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const apiUrl = `http://127.0.0.1:${port}/api/`;
    const logs: string[] = [];
    const surface = await createSlackSurface({
      slack: { signingSecret: SIGNING_SECRET, botToken: 'fakebot-unreachable', socketMode: false, apiUrl },
      port: 0,
      host: '127.0.0.1',
      // Only start() is exercised: the core is never reached.
      service: undefined as never,
      builder: undefined as never,
      store: undefined as never,
      logger: createLogger('warn', { write: (s: string) => void logs.push(s) }),
      defaultLocale: 'en',
      web: { retries: 0, timeoutMs: 2000 },
    });
    const err: unknown = await surface.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SlackStartError);
    expect((err as SlackStartError).code).toBe('unreachable');
    expect((err as Error).message).toContain(`Slack API unreachable at ${apiUrl}`);
    expect((err as Error).message).not.toMatch(/rejected/);
  });

  it("an API that never answers ends at the start deadline (a timer, not the unref'd fetch timeout), named unreachable", async () => {
    const held: net.Socket[] = [];
    const closing = net.createServer((c) => void held.push(c));
    await new Promise<void>((r) => closing.listen(0, '127.0.0.1', () => r()));
    const apiUrl = `http://127.0.0.1:${(closing.address() as AddressInfo).port}/api/`;
    const surface = await createSlackSurface({
      slack: { signingSecret: SIGNING_SECRET, botToken: 'fakebot-closed', socketMode: false, apiUrl },
      port: 0,
      host: '127.0.0.1',
      service: undefined as never,
      builder: undefined as never,
      store: undefined as never,
      logger: createLogger('silent'),
      defaultLocale: 'en',
      web: { retries: 0, timeoutMs: 20_000, startTimeoutMs: 500 },
    });
    const started = Date.now();
    const err: unknown = await surface.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    for (const c of held) c.destroy();
    await new Promise<void>((r) => closing.close(() => r()));
    expect(Date.now() - started).toBeLessThan(5000);
    expect((err as SlackStartError).code).toBe('unreachable');
    expect((err as Error).message).toBe(
      `Slack API unreachable at ${apiUrl} (no answer to auth.test within 1 s). Check the network and SLACK_API_URL.`,
    );
  });
});

/** A signed POST with no Content-Type header at all (fetch would add text/plain). Resolves the status. */
function postSignedWithoutType(url: string, body: string): Promise<number> {
  const ts = Math.floor(Date.now() / 1000);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        headers: {
          'Content-Length': Buffer.byteLength(body),
          'X-Slack-Request-Timestamp': String(ts),
          'X-Slack-Signature': slackSignature(SIGNING_SECRET, ts, body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
