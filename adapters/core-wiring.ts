/**
 * Wires the core for any surface: run store (from `DATABASE_URL`), SecuTix client (or the
 * embedded sandbox), the verification, the message builder and the run service. Surfaces then
 * register their notifier in `notifiers` before the first run is touched.
 */
import { supportDeskOrgs } from './support-desk-org';
import { AccessPolicy } from '../src/app/access';
import { verifySetup } from '../src/app/verification';
import { HealthCheckService } from '../src/app/health-check';
import { RunService, type RunServiceDeps } from '../src/app/run-service';
import type { ChatNotifier } from '../src/ports/chat-notifier.port';
import { type Clock, type IdSource, systemClock } from '../src/ports/clock.port';
import type { RunStore } from '../src/ports/run-store.port';
import type { SecutixPort } from '../src/ports/secutix.port';
import type { Surface } from '../src/domain/ids';
import { MessageBuilder } from '../src/messages/builder';
import { Renderer } from '../src/messages/renderer';
import type { AppConfig } from './config';
import { randomIds } from './ids';
import type { AppLogger } from './logger';
import { createSandbox, type Sandbox } from './sandbox';
import { createSecutixClient } from './secutix';
import { openRunStore } from './store/open-run-store';
import { withUnavailableErrors } from './store/unavailable-store';
import { loadTemplates } from './templates-loader';
import type { Metrics } from './metrics/metrics';
import { observeSecutix, observeStore, observeVerifier } from './metrics/observe';

export interface Core {
  store: RunStore;
  secutix: SecutixPort;
  /** The embedded sandbox when `config.secutix.sandbox` is on. */
  sandbox?: { instance: Sandbox; url: string };
  service: RunService;
  builder: MessageBuilder;
  /** The checks without a run (`check INSTITUTION`, the `product CODE` check), same access policy as `service`. */
  health: HealthCheckService;
  /** Surfaces put their notifier here (`notifiers.slack = ...`). */
  notifiers: Partial<Record<Surface, ChatNotifier>>;
  /** Closes the store and the sandbox. */
  close(): Promise<void>;
}

/**
 * Builds the core from the configuration.
 * @throws Error when the database cannot be opened or the sandbox cannot listen.
 */
export async function createCore(
  config: AppConfig,
  logger: AppLogger,
  opts: {
    clock?: Clock;
    ids?: IdSource;
    /** Catalog extraction time of the embedded sandbox in ms (default: the fixture's, 0); the console demo uses a few seconds. */
    sandboxExtractionMs?: number;
    /** Prometheus metrics fed by observers around the store, the SecuTix client and the verifier (server mode). */
    metrics?: Metrics;
  } = {},
): Promise<Core> {
  const clock = opts.clock ?? systemClock;
  const { metrics } = opts;
  const rawStore = withUnavailableErrors(
    await openRunStore(config.databaseUrl, {
      connectionTimeoutMs: config.database.connectTimeoutMs,
      queryTimeoutMs: config.database.queryTimeoutMs,
      // PostgreSQL: a pooled connection killed by the server (restart, pg_terminate_backend) is
      // logged here and replaced on the next query; it never crashes the process.
      onIdleError: (err) =>
        logger.error(
          { component: 'store', err: err.message.slice(0, 300), code: (err as { code?: unknown }).code },
          'PostgreSQL connection lost (a new one is opened on the next query)',
        ),
    }),
  );
  const store = metrics ? observeStore(rawStore, metrics) : rawStore;
  let sandbox: Core['sandbox'];
  let baseUrl = config.secutix.baseUrl;
  if (config.secutix.sandbox) {
    const instance = createSandbox({
      admin: false,
      logger: logger.child({ component: 'sandbox' }),
      ...(opts.sandboxExtractionMs !== undefined ? { extractionMs: opts.sandboxExtractionMs } : {}),
    });
    const { url } = await instance.listen(0, '127.0.0.1');
    sandbox = { instance, url };
    baseUrl = url;
    logger.info({ url }, 'embedded SecuTix sandbox started (test and demo double, never production)');
  }
  const client = createSecutixClient({
    baseUrl,
    auth: config.secutix.auth,
    partner: config.secutix.partner,
    timeoutMs: config.secutix.timeoutMs,
    maxRetries: config.secutix.maxRetries,
    // Each of `REPLICAS` processes takes its share of the budget, so together they stay under it.
    rateLimitPerMinute: replicaRateLimit(config),
    pollIntervalMs: config.secutix.pollIntervalMs,
    extractionTimeoutMs: config.secutix.extractionTimeoutMs,
    catalogTimeoutMs: config.secutix.catalogTimeoutMs,
    logger: logger.child({ component: 'secutix' }),
  });
  const secutix = metrics ? observeSecutix(client, metrics) : client;
  const verify: RunServiceDeps['verifier'] = (req) => verifySetup(secutix, req, clock, config.secutixAssumptions);
  const builder = new MessageBuilder(new Renderer(loadTemplates()), {
    publicUrlTemplate: config.secutix.publicUrl,
    defaultLocale: config.defaultLocale,
  });
  const notifiers: Core['notifiers'] = {};
  const service = new RunService({
    store,
    verifier: metrics ? observeVerifier(verify, metrics) : verify,
    notifiers,
    clock,
    ids: opts.ids ?? randomIds,
    logger: logger.child({ component: 'runs' }),
    access: new AccessPolicy({ operators: config.allowedOperators, support: config.supportUsers }),
    reminders: { remindAfterHours: config.remindAfterHours, supportRemindAfterHours: config.supportRemindAfterHours },
    maxDeliveryAttempts: config.deliveryMaxAttempts,
    ...(config.supportDesk ? { supportDesk: config.supportDesk } : {}),
    multiOrg: config.multiOrg,
    supportDeskOrg: supportDeskOrgs(store, config.slack?.supportTeamId),
  });
  return {
    store,
    secutix,
    ...(sandbox ? { sandbox } : {}),
    service,
    builder,
    health: new HealthCheckService({
      secutix,
      clock,
      logger: logger.child({ component: 'checks' }),
      access: service.access,
      assumptions: config.secutixAssumptions,
    }),
    notifiers,
    async close() {
      await sandbox?.instance.close();
      await store.close();
    },
  };
}

/**
 * Says at start, once per list, that an empty access list means "everyone" (issue 4): called by
 * the composition root in server mode (the console user is always allowed: local use).
 */
export function warnOpenAccess(config: AppConfig, logger: AppLogger): void {
  if (config.allowedOperators.length === 0) logger.warn('ALLOWED_OPERATORS is empty: everyone may start runs and press step buttons');
  if (config.supportUsers.length === 0)
    logger.warn('SUPPORT_USERS is empty: everyone may press password_assigned, and operators may cancel any run');
  if (config.teams && config.allowedTenants.length === 0)
    logger.warn('ALLOWED_TENANTS is empty: activities from every Teams tenant are served');
}

/** This process's share of `SECUTIX_RATE_LIMIT_PER_MINUTE` (calls per minute per institution and method) among `REPLICAS`. */
function replicaRateLimit(config: AppConfig): number {
  return Math.max(1, Math.floor(config.secutix.rateLimitPerMinute / (config.replicas ?? 1)));
}

/**
 * Says at start when `SECUTIX_POLL_INTERVAL_MS` is shorter than one call's share of the rate limit
 * (60000 / this replica's calls per minute): the catalog polls would then wait on the limiter and
 * use up the budget other verifications of the institution need. Not for the embedded sandbox.
 */
export function warnPollInterval(config: AppConfig, logger: AppLogger): void {
  if (config.secutix.sandbox) return;
  const minimumMs = Math.ceil(60000 / replicaRateLimit(config));
  if (config.secutix.pollIntervalMs >= minimumMs) return;
  logger.warn(
    {
      pollIntervalMs: config.secutix.pollIntervalMs,
      minimumMs,
      rateLimitPerMinute: config.secutix.rateLimitPerMinute,
      replicas: config.replicas ?? 1,
    },
    `SECUTIX_POLL_INTERVAL_MS is below ${minimumMs} ms (60000 / SECUTIX_RATE_LIMIT_PER_MINUTE per replica): catalog polls will wait on the SecuTix rate limit`,
  );
}
