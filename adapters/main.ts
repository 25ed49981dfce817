/**
 * Composition root: config -> core (store, SecuTix client or sandbox, run service) -> surfaces.
 * With neither Slack nor Teams configured, the console runs on the embedded SecuTix sandbox.
 */
import type { CustomRoute } from '@slack/bolt';
import path from 'node:path';
import { createAuditRoute } from './admin/audit-route';
import { ConfigError, loadConfig, type AppConfig } from './config';
import { consoleHintsFrom, createConsoleNotifier, runConsole } from './console';
import { consoleLogTarget, openConsoleLogDestination } from './console/log-target';
import { createCore, type Core, warnOpenAccess, warnPollInterval } from './core-wiring';
import { parseDatabaseUrl } from './store/open-run-store';
import { probeSqliteFile } from './store/sqlite-probe';
import { loadTemplates } from './templates-loader';
import { Renderer } from '../src/messages/renderer';
import { createLogger, type AppLogger } from './logger';
import { allSandboxHints } from './sandbox';
import { createSlackSurface } from './slack';
import { InstallationKeyError, openInstallationStore } from './slack/oauth/open-installation-store';
import { createTeamsOnlyServer, createTeamsSurface } from './teams';
import { createOpsRoutes } from './http/ops-routes';
import { Metrics } from './metrics/metrics';
import { observeHttp } from './metrics/observe';
import { APP_VERSION } from './runtime/package-root';
import { OutageLog } from '../src/app/outage-log';

/**
 * How long the embedded sandbox takes to "extract" a catalog in the console demo (ms): long enough
 * for a newcomer to see the verification's progress while SecuTix works, short enough to wait for.
 */
const CONSOLE_DEMO_EXTRACTION_MS = 4000;

async function runConsoleMode(config: AppConfig): Promise<number> {
  const target = parseDatabaseUrl(config.databaseUrl);
  const databaseFile = target.kind === 'sqlite' && target.path !== ':memory:' ? target.path : undefined;
  // The terminal is the console's: logs go to LOG_FILE, to stderr when it is not a terminal, else
  // to a file next to the database; quiet (warn) unless LOG_LEVEL asks for more.
  const level = process.env.LOG_LEVEL ? config.logLevel : 'warn';
  const logTarget = consoleLogTarget({
    stderrIsTTY: process.stderr.isTTY === true,
    ...(config.logFile ? { logFile: config.logFile } : {}),
    ...(databaseFile ? { databaseFile } : {}),
  });
  const logger = createLogger(level, openConsoleLogDestination(logTarget));
  // A database file that is not a database, is damaged or read-only is named, with what to do,
  // before anything is asked (the answers could not be saved).
  const problem = databaseFile ? probeSqliteFile(databaseFile) : null;
  if (databaseFile && problem) {
    const text = new Renderer(loadTemplates()).t(config.defaultLocale, `console.db.${problem.kind}`, {
      file: databaseFile,
      folder: path.dirname(databaseFile),
      detail: problem.detail,
    });
    process.stdout.write(`${text}\n`);
    return 1;
  }
  const core = await createCore(config, logger, { sandboxExtractionMs: CONSOLE_DEMO_EXTRACTION_MS });
  core.notifiers.console = createConsoleNotifier(process.stdout, core.builder);
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  const hints = config.secutix.sandbox ? consoleHintsFrom(allSandboxHints()) : undefined;
  // SIGTERM / SIGINT: the session stops reading, says where the run is saved, and exits.
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort('SIGTERM'));
  process.once('SIGINT', () => stop.abort('SIGINT'));
  await core.service.drain();
  const { exitCode } = await runConsole({
    service: core.service,
    builder: core.builder,
    store: core.store,
    health: core.health,
    defaultTimeZone: config.defaultTimeZone,
    input: process.stdin,
    output: process.stdout,
    defaultLocale: config.defaultLocale,
    stop: stop.signal,
    ...(databaseFile ? { databaseFile } : {}),
    ...(hints ? { hints } : {}),
  });
  // Stopped: exit now, without waiting for a verification under way (its result is saved whole
  // or not at all, and nothing is printed after the stop message).
  if (stop.signal.aborted) process.exit(exitCode);
  await core.close();
  return exitCode;
}

/** How long a stop waits for the work of requests already acknowledged (a verification is not awaited). */
const STOP_GRACE_MS = 2000;

/** Resolves when `p` settles or after `ms`, whichever comes first. */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

async function runServerMode(config: AppConfig, logger: AppLogger): Promise<void> {
  const metrics = new Metrics();
  const core: Core = await createCore(config, logger, { metrics });
  warnOpenAccess(config, logger);
  warnPollInterval(config, logger);
  let draining = false;
  let notReady: () => string | undefined = () => undefined;
  // GET /healthz (version, uptime), /readyz (store answers, not draining, Slack Socket Mode connected), /metrics (METRICS_TOKEN).
  const opsRoutes = createOpsRoutes({
    store: core.store,
    metrics,
    version: APP_VERSION,
    draining: () => draining,
    notReady: () => notReady(),
    ...(config.metricsToken ? { metricsToken: config.metricsToken } : {}),
    logger,
  });
  if (!config.metricsToken) logger.warn('METRICS_TOKEN is not set: GET /metrics is open (keep the port on a private network)');
  const stops: (() => Promise<void>)[] = [];
  let teamsRoute: CustomRoute | undefined;
  // Admin `GET /runs/:id/audit` (bearer ADMIN_TOKEN; 404 when unset, said in the log now).
  const auditRoute = createAuditRoute({
    store: core.store,
    ...(config.adminToken ? { adminToken: config.adminToken } : {}),
    defaultTimeZone: config.defaultTimeZone,
    erasedText: (locale) => core.builder.t(locale, 'value.erased'),
    logger,
  });
  let teams: ReturnType<typeof createTeamsSurface> | undefined;
  if (config.teams) {
    teams = createTeamsSurface({
      teams: { ...config.teams, allowedTenants: config.allowedTenants },
      service: core.service,
      builder: core.builder,
      store: core.store,
      logger,
      defaultLocale: config.defaultLocale,
      defaultTimeZone: config.defaultTimeZone,
      health: core.health,
    });
    core.notifiers.teams = teams.notifier;
    const surface = teams;
    teamsRoute = {
      path: '/api/messages',
      method: ['POST'],
      handler: (req, res) => {
        void surface.handle(req, res).catch((err: unknown) => logger.error({ err: String(err) }, 'teams handler failed'));
      },
    };
  }
  if (config.slack) {
    const slack = await createSlackSurface({
      slack: config.slack,
      port: config.port,
      ...(config.host ? { host: config.host } : {}),
      service: core.service,
      builder: core.builder,
      store: core.store,
      logger,
      defaultLocale: config.defaultLocale,
      defaultTimeZone: config.defaultTimeZone,
      health: core.health,
      ...(config.supportDesk === 'teams' ? { supportDeskElsewhere: true } : {}),
      // A run's workspace uninstalled the app: the Teams desk hears it (once per run).
      ...(config.supportDesk === 'teams' && teams ? { reportWorkspaceGone: tellTeamsDesk(teams) } : {}),
      ...(config.slack.oauth ? { installations: await openInstallationStore(core.store, config.slack.oauth, logger) } : {}),
      customRoutes: [...(teamsRoute ? [teamsRoute] : []), auditRoute, ...opsRoutes],
    });
    core.notifiers.slack = slack.notifier;
    notReady = () => slack.notReady();
    const { port, server } = await slack.start();
    if (server) observeHttp(server, metrics);
    logger.info(
      { port, teams: Boolean(teams) },
      (config.slack.socketMode
        ? `serving Slack over Socket Mode (${slack.notReady() === undefined ? 'connected' : 'not connected yet: retrying'}; GET /healthz, /readyz, /metrics on port ${port})`
        : 'serving Slack on POST /slack/events') +
        (config.slack.oauth ? ' (OAuth distribution: GET /slack/install, GET /slack/oauth_redirect)' : '') +
        (teams ? ' and Teams on POST /api/messages' : ''),
    );
    stops.push(() => slack.stop({ graceMs: STOP_GRACE_MS }));
  } else if (teams) {
    const server = createTeamsOnlyServer(teams, logger, [auditRoute, ...opsRoutes]);
    observeHttp(server, metrics);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const address = server.address();
    logger.info({ port: typeof address === 'object' && address ? address.port : config.port }, 'serving Teams on POST /api/messages');
    stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  }
  // Messages saved before a crash or restart but not yet posted go out now, in order; then a poll
  // every 2 s retries failed deliveries (after a growing pause) and picks up what other replicas left.
  await core.service.drain();
  const stopPolling = core.service.startPolling(2000);
  // A verification cut by a crash is offered again with a word to the operator: at start any
  // marker is stale with one process (SQLite); with replicas (PostgreSQL) only markers older than
  // any verification can last are, checked every minute.
  const staleVerificationMs = config.databaseUrl.startsWith('sqlite:') ? 0 : 5 * 60_000;
  await core.service.recoverInterruptedVerifications(staleVerificationMs);
  // A database outage is said once when it starts and once when it ends (as the other pollers do).
  const recoverOutage = new OutageLog(logger, 'interrupted-verification check');
  const recoverTimer = setInterval(() => {
    core.service
      .recoverInterruptedVerifications(5 * 60_000)
      .then(() => recoverOutage.succeeded())
      .catch((err: unknown) => {
        if (!recoverOutage.failed(err)) logger.error({ err: String(err) }, 'recovery of interrupted verifications failed');
      });
  }, 60_000);
  recoverTimer.unref();
  // Reminders (issue 5): due times live in the run store, so a restart picks them up here; with
  // several replicas each reminder is sent once (compare-and-set). Every 10 s, or more often when
  // a delay is shorter (REMIND_AFTER_HOURS=0.01 is 36 s, for demos), never under 1 s.
  const shortestMs = Math.min(...[config.remindAfterHours, config.supportRemindAfterHours].filter((h) => h > 0).map((h) => h * 3_600_000));
  const stopReminders = core.service.startReminders(Math.max(1000, Math.min(10_000, Math.floor(shortestMs / 4))));
  logger.info(
    {
      version: APP_VERSION,
      node: process.version,
      surfaces: [...(config.slack ? [config.slack.socketMode ? 'slack (socket mode)' : 'slack'] : []), ...(teams ? ['teams'] : [])],
      store: parseDatabaseUrl(config.databaseUrl).kind,
      replicas: config.replicas,
    },
    `digitick-onboard ${APP_VERSION} started`,
  );
  const shutdown = async (signal: string): Promise<void> => {
    logger.info({ signal }, 'stopping');
    draining = true;
    // Whatever hangs (a request that never ends, a database that does not answer), exit within 8 s.
    setTimeout(() => {
      logger.error('stop took longer than 8 s: exiting now');
      process.exit(1);
    }, 8000).unref();
    stopPolling();
    stopReminders();
    clearInterval(recoverTimer);
    // A verification under way is not awaited (it may take minutes): its durable marker stays, so
    // the next start tells the operator it was interrupted and offers it again, as after kill -9.
    const verifying = core.service.verificationsRunning();
    if (verifying.length > 0)
      logger.warn({ runIds: verifying }, 'stopping during a verification: it is left and will be reported interrupted at the next start');
    for (const stop of stops) await stop().catch(() => undefined);
    await within(teams?.idle() ?? Promise.resolve(), STOP_GRACE_MS);
    await core.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  if (config.mode === 'console' && process.env.NODE_ENV === 'production' && !process.stdin.isTTY) {
    // A container started without its settings: no console to talk to, so say what is missing and
    // fail (exit 0 would look like a clean stop, and a restart policy would loop on it silently).
    createLogger(config.logLevel).fatal(
      { mode: 'unconfigured', exitCode: 2 },
      'nothing to serve: NODE_ENV=production and no Slack or Teams settings (set SLACK_SIGNING_SECRET with SLACK_BOT_TOKEN ' +
        'or SLACK_CLIENT_ID/SLACK_CLIENT_SECRET/SLACK_STATE_SECRET, or TEAMS_ENABLED=true; see .env.example); ' +
        'the console needs a terminal on standard input',
    );
    process.exitCode = 2;
    return;
  }
  if (config.mode === 'console') {
    process.exitCode = await runConsoleMode(config);
    return;
  }
  const logger = createLogger(config.logLevel);
  process.on('unhandledRejection', (reason) => logger.error({ err: String(reason) }, 'unhandled rejection (kept running)'));
  // A start-up step whose promise never settles while nothing else keeps the process alive would
  // end it with status 0 and no word: say so and fail instead.
  const stalled = () => {
    process.stderr.write('digitick-onboard could not start: a start-up step stopped without an answer or an error\n');
    process.exit(1);
  };
  process.once('beforeExit', stalled);
  await runServerMode(config, logger);
  process.off('beforeExit', stalled);
}

main().catch((err: unknown) => {
  if (err instanceof InstallationKeyError) {
    // A configuration problem (the wrong key), not a crash: exit 2 as for the other settings.
    process.stderr.write(`digitick-onboard refuses to start: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`digitick-onboard could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  // Exit now: the store, the embedded sandbox or Bolt's server may be open and would keep the process alive.
  process.exit(1);
});

/** `SlackSurfaceDeps.reportWorkspaceGone` for a support desk on Teams: the notice as a note in its channel. */
function tellTeamsDesk(teams: { tellDesk(text: string): Promise<void> }): (run: unknown, notice: { text: string }) => Promise<void> {
  return (_run, notice) => teams.tellDesk(notice.text);
}
