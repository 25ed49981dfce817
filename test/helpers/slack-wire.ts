/**
 * Test wiring of the Slack surface the way the composition root does it: `createCore` (SQLite
 * store from `DATABASE_URL`, the embedded SecuTix sandbox over loopback HTTP, the real SecuTix
 * client, `verifySetup`, `MessageBuilder`, `RunService`), then `createSlackSurface` against a
 * `FakeSlackApi` (through `apiUrl`) and `notifiers.slack = surface.notifier`. Logs are captured
 * (pino JSON lines at `debug`) so tests can check that no secret reaches them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CustomRoute } from '@slack/bolt';
import { type AppConfig, loadConfig } from '../../adapters/config';
import { type Core, createCore } from '../../adapters/core-wiring';
import { type AppLogger, createLogger } from '../../adapters/logger';
import { createSlackSurface, type SlackSurface } from '../../adapters/slack';
import type { Clock } from '../../src/ports/clock.port';
import { FakeSlackApi } from '../fakes/fake-slack-api';
import { slackPayloadProblems } from '../fakes/slack-payload-check';
import { blockActionsPayload, commandBody, interactionBody, postSigned, type SignedAnswer, viewSubmissionPayload } from './slack-signing';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const BOT_TOKEN = 'fakebot-test-token';
export const RUN_CHANNEL = 'C0RUNS0001';
export const SUPPORT_CHANNEL = 'C0SUPPORT01';
export const OPERATOR = { id: 'U0OPERATOR', name: 'alex' };
export const SUPPORT_USER = { id: 'U0SUPPORT', name: 'sam' };

/** Ack time of one request, by kind (printed by tests, never asserted). */
export interface AckTiming {
  kind: 'command' | 'action' | 'view';
  ms: number;
}

export interface SlackHarness {
  core: Core;
  api: FakeSlackApi;
  surface: SlackSurface;
  /** `http://127.0.0.1:<port>` of the Bolt receiver. */
  baseUrl: string;
  dbPath: string;
  /** Captured pino lines. */
  logs: string[];
  timings: AckTiming[];
  /** Sends a signed slash command and waits for the work after the ack. */
  command(
    text: string,
    opts?: { user?: { id: string; name: string }; channel?: string; channelName?: string; responseUrl?: string },
  ): Promise<SignedAnswer>;
  /** Clicks a button (`value` as found on the message) and waits for the work after the ack. */
  click(
    actionId: string,
    value: unknown,
    opts?: { user?: { id: string; name: string }; channel?: string; messageTs?: string; ephemeral?: boolean },
  ): Promise<SignedAnswer>;
  /** Submits a modal and waits for the work after the ack. */
  submit(
    callbackId: string,
    privateMetadata: string,
    values: Record<string, string | null>,
    opts?: { user?: { id: string; name: string }; selects?: string[] },
  ): Promise<SignedAnswer>;
  /** The last `views.open` view (the modal the user would see). */
  lastView(): { callback_id: string; private_metadata: string; blocks: Record<string, unknown>[] };
  close(): Promise<void>;
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'slack-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Wires everything on a temporary SQLite file; `supportChannel: null` leaves it unset; `env` adds
 * variables (e.g. `ALLOWED_OPERATORS`); `userGroups` are answered by the fake's `usergroups.users.list`.
 */
export async function wireSlack(
  opts: {
    supportChannel?: string | null;
    dbPath?: string;
    env?: Record<string, string>;
    userGroups?: Record<string, string[]>;
    /** More routes on Bolt's HTTP server, built from the core and the config (e.g. the admin audit route). */
    customRoutes?: (core: Core, config: AppConfig, logger: AppLogger) => CustomRoute[];
    /** The core's clock (default: the system clock); tests of reminders pass one they move. */
    clock?: Clock;
  } = {},
): Promise<SlackHarness> {
  const dbPath = opts.dbPath ?? path.join(tempDir(), 'runs.db');
  const api = await new FakeSlackApi().start();
  for (const [group, members] of Object.entries(opts.userGroups ?? {})) api.userGroups.set(group, members);
  const support = opts.supportChannel === undefined ? SUPPORT_CHANNEL : opts.supportChannel;
  const config = loadConfig({
    DATABASE_URL: `sqlite:${dbPath}`,
    SECUTIX_SANDBOX: 'true',
    LOG_LEVEL: 'debug',
    DEFAULT_LOCALE: 'en',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: api.apiUrl,
    ...(support ? { SECUTIX_SUPPORT_SLACK_CHANNEL: support } : {}),
    ...opts.env,
  });
  const logs: string[] = [];
  const logger = createLogger(config.logLevel, { write: (s: string) => void logs.push(s) });
  const core = await createCore(config, logger, opts.clock ? { clock: opts.clock } : {});
  const surface = await createSlackSurface({
    slack: config.slack!,
    port: 0,
    host: '127.0.0.1',
    service: core.service,
    builder: core.builder,
    store: core.store,
    logger,
    defaultLocale: config.defaultLocale,
    health: core.health,
    web: { retries: 2, maxRetryTimeoutMs: 200 },
    ...(opts.customRoutes ? { customRoutes: opts.customRoutes(core, config, logger) } : {}),
  });
  core.notifiers.slack = surface.notifier;
  const { port } = await surface.start();
  const baseUrl = `http://127.0.0.1:${port}`;
  const events = `${baseUrl}/slack/events`;
  const timings: AckTiming[] = [];
  /** Problems of the ack bodies (an ephemeral answer, a modal update): checked like the Web API payloads at close. */
  const ackProblems: string[] = [];
  const send = async (kind: AckTiming['kind'], body: string): Promise<SignedAnswer> => {
    const answer = await postSigned(events, body, { secret: SIGNING_SECRET });
    timings.push({ kind, ms: answer.ms });
    const json = answer.json as Record<string, unknown> | null;
    if (json && typeof json === 'object') {
      ackProblems.push(...slackPayloadProblems('response_url', json).map((p) => `ack of a ${kind}: ${p}`));
      if (json.view && typeof json.view === 'object')
        ackProblems.push(...slackPayloadProblems('views.update', json).map((p) => `ack of a ${kind}: ${p}`));
    }
    await surface.idle();
    return answer;
  };
  return {
    core,
    api,
    surface,
    baseUrl,
    dbPath,
    logs,
    timings,
    command: (text, o = {}) =>
      send(
        'command',
        commandBody({
          text,
          user_id: (o.user ?? OPERATOR).id,
          user_name: (o.user ?? OPERATOR).name,
          channel_id: o.channel ?? RUN_CHANNEL,
          ...(o.channelName ? { channel_name: o.channelName } : {}),
          response_url: o.responseUrl ?? api.responseUrl(`cmd-${timings.length}`),
        }),
      ),
    click: (actionId, value, o = {}) => {
      const user = o.user ?? OPERATOR;
      return send(
        'action',
        interactionBody(
          blockActionsPayload({
            user: user.id,
            userName: user.name,
            channel: o.channel ?? RUN_CHANNEL,
            messageTs: o.messageTs ?? '1.0',
            actionId,
            value,
            ...(o.ephemeral ? { ephemeral: true } : {}),
          }),
        ),
      );
    },
    submit: (callbackId, privateMetadata, values, o = {}) => {
      const user = o.user ?? OPERATOR;
      return send(
        'view',
        interactionBody(
          viewSubmissionPayload({
            user: user.id,
            userName: user.name,
            callbackId,
            privateMetadata,
            values,
            ...(o.selects ? { selects: o.selects } : {}),
          }),
        ),
      );
    },
    lastView() {
      const calls = api.callsOf('views.open');
      const view = calls[calls.length - 1]?.args.view as
        { callback_id: string; private_metadata: string; blocks: Record<string, unknown>[] } | undefined;
      if (!view) throw new Error('no views.open call');
      return view;
    },
    async close() {
      await surface.stop();
      try {
        await api.stop();
      } finally {
        await core.close();
      }
      if (ackProblems.length > 0)
        throw new Error(`Slack ack bodies Slack would show wrongly or refuse:\n${ackProblems.slice(0, 30).join('\n')}`);
    },
  };
}

/** p50 and max of a list of ms. */
export function p50max(ms: number[]): { n: number; p50: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { n: s.length, p50: s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN, max: s.length ? s[s.length - 1]! : NaN };
}
