/**
 * Wires the Teams surface the way `adapters/main.ts` does (real SQLite store in a temp file, real
 * SecuTix client against the real sandbox over HTTP, `verifySetup`, `MessageBuilder`, `RunService`,
 * `createTeamsSurface` behind `createTeamsOnlyServer`), plus a fake Bot Framework connector and a
 * small Teams client that knows only `chat-contract.md`: it sends activities to `POST /api/messages`
 * with `serviceUrl` = the fake connector, and reads the cards the bot posted there.
 */
import { supportDeskOrgs } from '../../../adapters/support-desk-org';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createLogger, type AppLogger } from '../../../adapters/logger';
import { randomIds } from '../../../adapters/ids';
import { createSandbox, type Sandbox } from '../../../adapters/sandbox';
import { createSecutixClient } from '../../../adapters/secutix';
import { openSqliteRunStore } from '../../../adapters/store/sqlite-run-store';
import { createTeamsOnlyServer, createTeamsSurface, type TeamsSurface } from '../../../adapters/teams';
import { loadTemplates } from '../../../adapters/templates-loader';
import { AccessPolicy, type AccessLists } from '../../../src/app/access';
import { RunService } from '../../../src/app/run-service';
import { HealthCheckService } from '../../../src/app/health-check';
import { verifySetup } from '../../../src/app/verification';
import type { Surface } from '../../../src/domain/ids';
import { MessageBuilder } from '../../../src/messages/builder';
import { Renderer } from '../../../src/messages/renderer';
import type { ChatNotifier } from '../../../src/ports/chat-notifier.port';
import { type Clock, systemClock } from '../../../src/ports/clock.port';
import type { ReminderSettings } from '../../../src/workflow/types';
import type { RunStore } from '../../../src/ports/run-store.port';
import { type FakeBotConnector, startFakeBotConnector, type StoredActivity } from '../../fakes/fake-bot-connector';

export type Card = { type: string; version: string; body: Node[]; actions?: Node[] } & Record<string, unknown>;
export type Node = { type: string } & Record<string, unknown>;

/** A Teams conversation as the client sees it. */
export interface Conversation {
  id: string;
  conversationType: 'personal' | 'channel';
}

/** A Teams user. */
export interface TeamsUser {
  id: string;
  name: string;
  aadObjectId: string;
}

export const BOT = { id: '28:digitick-bot', name: 'Digitick' };
export const ALEX: TeamsUser = { id: '29:alex', name: 'Alex Operator', aadObjectId: 'aad-alex' };
export const SAM: TeamsUser = { id: '29:sam', name: 'Sam Support', aadObjectId: 'aad-sam' };

/** An answer of `POST /api/messages`, with the measured time. */
export interface HttpAnswer {
  status: number;
  body: unknown;
  ms: number;
}

export interface TeamsHarness {
  url: string;
  connector: FakeBotConnector;
  sandbox: Sandbox;
  store: RunStore;
  dbPath: string;
  service: RunService;
  builder: MessageBuilder;
  surface: TeamsSurface;
  notifiers: Partial<Record<Surface, ChatNotifier>>;
  logLines: string[];
  logger: AppLogger;
  /** Invoke answer times in ms, in order. */
  invokeTimes: number[];
  /** Sends a raw body to `POST /api/messages`. */
  postRaw(body: string): Promise<HttpAnswer>;
  /** Sends an activity (fields completed with serviceUrl, ids, bot). */
  send(activity: Record<string, unknown>): Promise<HttpAnswer>;
  /** A message from `user` in `conv` (with an @mention entity of the bot when `mention`). */
  message(
    conv: Conversation,
    user: TeamsUser,
    text: string,
    opts?: { mention?: boolean; id?: string; entities?: unknown[]; tenant?: string },
  ): Promise<HttpAnswer>;
  /** An `adaptiveCard/action` invoke of `action` (an Action.Execute node) with inputs. */
  invoke(
    conv: Conversation,
    user: TeamsUser,
    action: Node,
    inputs?: Record<string, string>,
    opts?: { replyToId?: string; id?: string; tenant?: string },
  ): Promise<HttpAnswer>;
  /** Restarts the surface (new adapter, new bot, same store): a "restarted bot". */
  restart(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

/** Starts everything on loopback, port 0. */
export async function startTeamsHarness(
  opts: {
    allowlist?: string[];
    answerDeadlineMs?: number;
    appId?: string;
    appPassword?: string;
    /** `ALLOWED_OPERATORS` / `SUPPORT_USERS` (AAD object ids); default: everyone. */
    access?: AccessLists;
    /** `ALLOWED_TENANTS`; the harness's activities come from tenant `tenant-1`. */
    allowedTenants?: string[];
    /** The run service's clock (default: the system clock); reminder tests pass one they move. */
    clock?: Clock;
    /** `REMIND_AFTER_HOURS` / `SUPPORT_REMIND_AFTER_HOURS`; default: no reminders. */
    reminders?: ReminderSettings;
    /** The SecuTix client's catalog poll interval while SecuTix extracts (default: the client's, 5 s). */
    pollIntervalMs?: number;
    /** `DELIVERY_MAX_ATTEMPTS` (default: the service's, 10). */
    maxDeliveryAttempts?: number;
    /** Timeout of one proactive connector call (ms). */
    connectorTimeoutMs?: number;
    /** The run store (default: SQLite in a temp file); e.g. PostgreSQL on a private server the test stops. */
    openStore?: () => Promise<RunStore>;
    /** `SECUTIX_SUPPORT_DESK`: the surface of the support desk (default: each run's own). */
    supportDesk?: Surface;
    /** Multi-organisation mode (`MICROSOFT_APP_TYPE=MultiTenant`): runs scoped per tenant. */
    multiOrg?: boolean;
    /** `MICROSOFT_APP_TYPE` handed to the CloudAdapter. */
    appType?: string;
  } = {},
): Promise<TeamsHarness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'teams-it-'));
  const dbPath = path.join(dir, 'runs.db');
  const logLines: string[] = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(chunk.toString('utf8'));
        cb();
      },
    }),
  );
  const connector = await startFakeBotConnector();
  const sandbox = createSandbox({ admin: true });
  const { url: sandboxUrl } = await sandbox.listen(0, '127.0.0.1');
  const store = opts.openStore ? await opts.openStore() : await openSqliteRunStore(dbPath);
  const secutix = createSecutixClient({
    baseUrl: sandboxUrl,
    logger: logger.child({ component: 'secutix' }),
    backoffBaseMs: 5,
    ...(opts.pollIntervalMs !== undefined ? { pollIntervalMs: opts.pollIntervalMs } : {}),
  });
  const builder = new MessageBuilder(new Renderer(loadTemplates()), {
    publicUrlTemplate: 'https://{institution}.ws.secutix.com',
    defaultLocale: 'en',
  });
  const notifiers: Partial<Record<Surface, ChatNotifier>> = {};
  const service = new RunService({
    store,
    verifier: (req) => verifySetup(secutix, req, systemClock),
    notifiers,
    clock: opts.clock ?? systemClock,
    ids: randomIds,
    logger: logger.child({ component: 'runs' }),
    ...(opts.access ? { access: new AccessPolicy(opts.access) } : {}),
    ...(opts.reminders ? { reminders: opts.reminders } : {}),
    ...(opts.maxDeliveryAttempts !== undefined ? { maxDeliveryAttempts: opts.maxDeliveryAttempts } : {}),
    ...(opts.supportDesk ? { supportDesk: opts.supportDesk } : {}),
    ...(opts.multiOrg ? { multiOrg: true } : {}),
    supportDeskOrg: supportDeskOrgs(store, undefined),
  });
  const health = new HealthCheckService({
    secutix,
    clock: systemClock,
    logger: logger.child({ component: 'checks' }),
    access: service.access,
  });
  const makeSurface = (): TeamsSurface =>
    createTeamsSurface({
      teams: {
        serviceUrlAllowlist: opts.allowlist ?? [],
        ...(opts.allowedTenants ? { allowedTenants: opts.allowedTenants } : {}),
        ...(opts.appId ? { appId: opts.appId, appPassword: opts.appPassword ?? 'not-a-real-secret' } : {}),
        ...(opts.appType ? { appType: opts.appType } : {}),
      },
      service,
      builder,
      store,
      logger: logger.child({ component: 'teams' }),
      defaultLocale: 'en',
      health,
      ...(opts.answerDeadlineMs !== undefined ? { answerDeadlineMs: opts.answerDeadlineMs } : {}),
      ...(opts.connectorTimeoutMs !== undefined ? { connectorTimeoutMs: opts.connectorTimeoutMs } : {}),
    });
  let surface = makeSurface();
  notifiers.teams = surface.notifier;
  const holder = { surface };
  const server = createTeamsOnlyServer({ handle: (req, res) => holder.surface.handle(req, res) }, logger);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const invokeTimes: number[] = [];

  const postRaw = async (body: string): Promise<HttpAnswer> => {
    const t0 = performance.now();
    const r = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    const text = await r.text();
    const ms = performance.now() - t0;
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* plain text body */
    }
    return { status: r.status, body: parsed, ms };
  };

  const send = async (activity: Record<string, unknown>): Promise<HttpAnswer> => {
    const full: Record<string, unknown> = {
      id: `in-${++counter}`,
      timestamp: new Date().toISOString(),
      serviceUrl: connector.url,
      channelId: 'msteams',
      recipient: BOT,
      locale: 'en-US',
      ...activity,
    };
    const answer = await postRaw(JSON.stringify(full));
    if (full.type === 'invoke') invokeTimes.push(answer.ms);
    return answer;
  };

  const conversation = (conv: Conversation, tenant = 'tenant-1') => ({
    id: conv.id,
    conversationType: conv.conversationType,
    tenantId: tenant,
    isGroup: conv.conversationType !== 'personal',
  });

  const harness: TeamsHarness = {
    url,
    connector,
    sandbox,
    store,
    dbPath,
    service,
    builder,
    get surface() {
      return holder.surface;
    },
    notifiers,
    logLines,
    logger,
    invokeTimes,
    postRaw,
    send,
    message(conv, user, text, o = {}) {
      const entities = o.entities ?? (o.mention ? [{ type: 'mention', mentioned: BOT, text: `<at>${BOT.name}</at>` }] : []);
      return send({
        type: 'message',
        ...(o.id ? { id: o.id } : {}),
        conversation: conversation(conv, o.tenant),
        from: user,
        text: o.mention ? `<at>${BOT.name}</at> ${text}` : text,
        entities,
      });
    },
    invoke(conv, user, action, inputs = {}, o = {}) {
      const data = { ...((action.data as Record<string, unknown>) ?? {}), ...inputs };
      return send({
        type: 'invoke',
        name: 'adaptiveCard/action',
        ...(o.id ? { id: o.id } : {}),
        conversation: conversation(conv, o.tenant),
        from: user,
        ...(o.replyToId ? { replyToId: o.replyToId } : {}),
        value: { action: { type: 'Action.Execute', verb: action.verb, data }, trigger: 'manual' },
      });
    },
    async restart() {
      await holder.surface.idle();
      surface = makeSurface();
      holder.surface = surface;
      notifiers.teams = surface.notifier;
    },
    async close() {
      await holder.surface.idle();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connector.close();
      await sandbox.close();
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** The Adaptive Card of a stored activity (first attachment). */
export function cardOf(a: StoredActivity | undefined): Card {
  const att = (a?.activity.attachments as { contentType: string; content: Card }[] | undefined)?.[0];
  if (!att) throw new Error(`activity ${a?.id} has no card`);
  expect(att.contentType).toBe('application/vnd.microsoft.card.adaptive');
  return att.content;
}

/** The card of an invoke answer (`AdaptiveCardInvokeResponse`), checking its shape. */
export function invokeCard(answer: HttpAnswer): Card {
  expect(answer.status).toBe(200);
  const body = answer.body as { statusCode: number; type: string; value: Card };
  expect(body.statusCode).toBe(200);
  expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
  expect(body.value.type).toBe('AdaptiveCard');
  return body.value;
}

/** Every TextBlock and RichTextBlock text of a card, joined with new lines (nested containers included). */
export function cardText(card: Card): string {
  const out: string[] = [];
  const walk = (nodes: Node[]): void => {
    for (const n of nodes) {
      if (n.type === 'TextBlock') out.push(String(n.text));
      if (n.type === 'RichTextBlock') out.push((n.inlines as { text: string }[]).map((r) => r.text).join(''));
      if (n.type === 'FactSet') for (const f of n.facts as { title: string; value: string }[]) out.push(`${f.title}: ${f.value}`);
      if (Array.isArray(n.items)) walk(n.items as Node[]);
    }
  };
  walk(card.body);
  return out.join('\n');
}

/** The card's `Action.Execute` with `verb`, or undefined. */
export function actionOf(card: Card, verb: string): Node | undefined {
  return (card.actions ?? []).find((a) => a.type === 'Action.Execute' && a.verb === verb);
}

/** The latest posted activity whose card has an `Action.Execute` `verb` for `step` (any conversation unless given). */
export function latestWithAction(connector: FakeBotConnector, verb: string, step?: string, conversationId?: string): StoredActivity {
  const found = connector
    .posted(conversationId)
    .reverse()
    .find((a) => {
      try {
        const act = actionOf(cardOf(a), verb);
        return act !== undefined && (step === undefined || (act.data as { step?: string }).step === step);
      } catch {
        return false;
      }
    });
  if (!found) throw new Error(`no posted card with action ${verb}${step ? ` for ${step}` : ''}`);
  return found;
}
