/**
 * Configuration from the environment (`product.md`, "Configuration"), parsed with zod; every
 * problem is reported at once (`ConfigError.problems`).
 */
import { z } from 'zod';
import { LOCALES, type Locale } from '../src/domain/ids';
import type { SecutixAssumptions } from '../src/app/secutix-assumptions';
import { assumptionsEnvShape, assumptionsFromEnv, assumptionsProblems } from './config-assumptions';
import { encryptionKeyProblem } from './slack/oauth/token-cipher';
import { supportDeskSchema, supportSettings } from './config-support';

export { supportChannelSetting } from './config-support';

/**
 * The words every on/off switch accepts, in any case (`SLACK_SOCKET_MODE`, `TEAMS_ENABLED`,
 * `SECUTIX_SANDBOX`, ...): the same for all, read by zod's `stringbool`.
 */
export const SWITCH_WORDS = { on: ['true', '1', 'yes', 'on'], off: ['false', '0', 'no', 'off'] } as const;

/** One switch's value (trimmed first): true, false, or an issue naming what was given. */
const switchValue = z
  .string()
  .trim()
  .pipe(
    z.stringbool({
      truthy: [...SWITCH_WORDS.on],
      falsy: [...SWITCH_WORDS.off],
      case: 'insensitive',
      error: (issue) => `must be true or false (got "${String(issue.input)}")`,
    }),
  );

const bool = (def: boolean) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))
    .pipe(switchValue.optional())
    .transform((b) => b ?? def);

const int = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v.trim());
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max} (got "${v}")` });
        return z.NEVER;
      }
      return n;
    });

const num = (def: number, min: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v.trim());
      if (!Number.isFinite(n) || n < min) {
        ctx.addIssue({ code: 'custom', message: `must be a number of at least ${min} (got "${v}")` });
        return z.NEVER;
      }
      return n;
    });

const optStr = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const list = z
  .string()
  .optional()
  .transform((v) => (v ?? '').split(/[\s,]+/).filter((s) => s.length > 0));

const url = (def: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const s = v === undefined || v.trim() === '' ? def : v.trim();
      try {
        new URL(s.replace('{institution}', 'x'));
      } catch {
        ctx.addIssue({ code: 'custom', message: `is not a URL (got "${s}")` });
        return z.NEVER;
      }
      return s.replace(/\/+$/, '');
    });

/** `SECUTIX_POLL_INTERVAL_MS` default when serving Slack or Teams (`secutix-api.md`: 5 s). */
export const DEFAULT_POLL_INTERVAL_MS = 5000;
/** Its default in console mode: the demo's few-second extraction shows its progress, ending within about a second. */
export const CONSOLE_POLL_INTERVAL_MS = 1000;

const envSchema = z.object({
  PORT: int(3000, 0, 65535),
  HOST: optStr,
  SLACK_SIGNING_SECRET: optStr,
  SLACK_BOT_TOKEN: optStr,
  SLACK_APP_TOKEN: optStr,
  SLACK_SOCKET_MODE: bool(false),
  SLACK_API_URL: optStr,
  SLACK_CLIENT_ID: optStr,
  SLACK_CLIENT_SECRET: optStr,
  SLACK_STATE_SECRET: optStr,
  INSTALLATION_ENCRYPTION_KEY: optStr,
  INSTALLATION_ENCRYPTION_KEY_PREVIOUS: optStr,
  SECUTIX_SUPPORT_SLACK_CHANNEL: optStr,
  SECUTIX_SUPPORT_DESK: supportDeskSchema,
  MICROSOFT_APP_ID: optStr,
  MICROSOFT_APP_PASSWORD: optStr,
  MICROSOFT_APP_TENANT_ID: optStr,
  MICROSOFT_APP_TYPE: optStr,
  TEAMS_ENABLED: bool(false),
  SECUTIX_BASE_URL: url('https://{institution}.ws.secutix.com'),
  SECUTIX_PUBLIC_URL: url('https://{institution}.ws.secutix.com'),
  SECUTIX_AUTH: z.enum(['signed', 'exchange'], { error: 'must be signed or exchange' }).optional().default('signed'),
  SECUTIX_PARTNER: optStr,
  SECUTIX_SANDBOX: optStr,
  DATABASE_URL: optStr,
  DATABASE_CONNECT_TIMEOUT_MS: int(2000, 100, 600000),
  DATABASE_QUERY_TIMEOUT_MS: int(2000, 0, 3600000),
  DEFAULT_LOCALE: z.enum(LOCALES, { error: 'must be en, fr or de' }).optional().default('en'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be a pino level' })
    .optional()
    .default('info'),
  LOG_FILE: optStr,
  SECUTIX_TIMEOUT_MS: int(10000, 100, 600000),
  SECUTIX_MAX_RETRIES: int(3, 0, 10),
  SECUTIX_RATE_LIMIT_PER_MINUTE: int(50, 1, 6000),
  // -1: unset (the default depends on the mode, see `loadConfig`).
  SECUTIX_POLL_INTERVAL_MS: int(-1, 10, 600000),
  SECUTIX_EXTRACTION_TIMEOUT_MS: int(180000, 0, 3600000),
  SECUTIX_CATALOG_TIMEOUT_MS: int(60000, 100, 600000),
  TEAMS_SERVICE_URL_ALLOWLIST: list,
  ALLOWED_OPERATORS: list,
  SUPPORT_USERS: list,
  ALLOWED_TENANTS: list,
  REMIND_AFTER_HOURS: num(24, 0),
  SUPPORT_REMIND_AFTER_HOURS: num(4, 0),
  DELIVERY_MAX_ATTEMPTS: int(10, 2, 1000),
  ADMIN_TOKEN: optStr,
  METRICS_TOKEN: optStr,
  REPLICAS: int(1, 1, 100),
  DEFAULT_TIME_ZONE: z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim() || 'Europe/Paris')
    .refine(
      (tz) => {
        try {
          new Intl.DateTimeFormat('en-US', { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      },
      { error: 'must be an IANA time zone such as Europe/Paris' },
    ),
  // What the verification knows of SecuTix's values (issue 8): `adapters/config-assumptions.ts`.
  ...assumptionsEnvShape,
});

/** Every environment variable the configuration reads (`.env.example` must list each). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/** The parsed configuration. Secrets stay in this object; never log it whole. */
export interface AppConfig {
  port: number;
  /** Listen address (`HOST`); unset: every interface. Tests use 127.0.0.1. */
  host?: string;
  /** Which surfaces are served: Slack when both signing secret and bot token are set, Teams when enabled, else console. */
  mode: 'server' | 'console';
  slack?: {
    signingSecret: string;
    /** `SLACK_BOT_TOKEN`: one workspace. Absent in OAuth mode (`oauth`), where each workspace's token comes from its installation. */
    botToken?: string;
    /**
     * OAuth distribution (`SLACK_CLIENT_ID`, `SLACK_CLIENT_SECRET`, `SLACK_STATE_SECRET`): any
     * workspace installs the app through `GET /slack/install`; installations (tokens encrypted with
     * `INSTALLATION_ENCRYPTION_KEY`) live in the run database. Secrets: never logged.
     */
    oauth?: { clientId: string; clientSecret: string; stateSecret: string; encryptionKey: string; previousEncryptionKey?: string };
    appToken?: string;
    socketMode: boolean;
    apiUrl?: string;
    /** `SECUTIX_SUPPORT_SLACK_CHANNEL`: the support channel's id. */
    supportChannel?: string;
    /**
     * The support workspace's team id when `SECUTIX_SUPPORT_SLACK_CHANNEL` is `TEAM_ID/CHANNEL_ID`
     * (OAuth distribution: SecuTix support in its own workspace, which installs the app too).
     */
    supportTeamId?: string;
    /** Its Enterprise Grid organisation (`ENTERPRISE_ID/TEAM_ID/CHANNEL_ID`): an org-wide installation serves the desk. */
    supportEnterpriseId?: string;
  };
  teams?: {
    appId?: string;
    appPassword?: string;
    tenantId?: string;
    appType?: string;
    serviceUrlAllowlist: string[];
  };
  secutix: {
    /** Base URL; `{institution}` is replaced by the lower-case code. */
    baseUrl: string;
    publicUrl: string;
    auth: 'signed' | 'exchange';
    partner: string;
    /** Start the embedded sandbox and point the client at it. */
    sandbox: boolean;
    timeoutMs: number;
    maxRetries: number;
    /** Calls per minute per institution and method for the whole deployment (`SECUTIX_RATE_LIMIT_PER_MINUTE`); each replica takes its share. */
    rateLimitPerMinute: number;
    /** `SECUTIX_POLL_INTERVAL_MS`: wait between `in_progress` polls (default 5000; 1000 in console mode, so the demo shows progress). */
    pollIntervalMs: number;
    /** `SECUTIX_EXTRACTION_TIMEOUT_MS`: how long a catalog extraction is awaited from the first request (default 180000). */
    extractionTimeoutMs: number;
    /** `SECUTIX_CATALOG_TIMEOUT_MS`: timeout of one catalog call (default 60000; other calls: `timeoutMs`). */
    catalogTimeoutMs: number;
  };
  databaseUrl: string;
  /** PostgreSQL: `DATABASE_CONNECT_TIMEOUT_MS` (2000) and `DATABASE_QUERY_TIMEOUT_MS` (2000; 0 = none). */
  database: { connectTimeoutMs: number; queryTimeoutMs: number };
  defaultLocale: Locale;
  logLevel: string;
  /** `LOG_FILE`: console mode only, where logs go instead of the terminal (see `consoleLogTarget`). */
  logFile?: string;
  allowedOperators: string[];
  supportUsers: string[];
  /**
   * `SECUTIX_SUPPORT_DESK`: where SecuTix support works when Slack and Teams are both served
   * (`slack`: the Slack support channel; `teams`: the channel registered with `support-channel
   * here`): every run's password request goes there, whatever the run's surface. Unset: each run's own.
   */
  supportDesk?: 'slack' | 'teams';
  allowedTenants: string[];
  remindAfterHours: number;
  supportRemindAfterHours: number;
  /**
   * `DELIVERY_MAX_ATTEMPTS` (default 10): refused attempts of one outbox item before it is given up and the operator
   * told (failures while the platform is unreachable or overloaded do not count).
   */
  deliveryMaxAttempts: number;
  adminToken?: string;
  /** `METRICS_TOKEN`: bearer token required by `GET /metrics` when set (unset: open, keep it on a private network). */
  metricsToken?: string;
  /**
   * `REPLICAS` (default 1): how many processes share the database. The SecuTix rate limit
   * (`SECUTIX_RATE_LIMIT_PER_MINUTE`, per institution and method) is divided by it, so the
   * replicas together stay under SecuTix's budget.
   */
  replicas: number;
  /**
   * Multi-organisation mode (issue 12, "Isolation"): Slack in OAuth mode (each workspace installs
   * the app) or Teams with `MICROSOFT_APP_TYPE=MultiTenant`. Every read and action is then scoped
   * to the caller's workspace or tenant. False: one workspace / tenant, as before.
   */
  multiOrg: boolean;
  /**
   * `DEFAULT_TIME_ZONE` (IANA, default `Europe/Paris`): local times of the audit export when SecuTix
   * has not given the institution's `organizationTimeZone` (no verification yet).
   */
  defaultTimeZone: string;
  /**
   * What the verification knows of SecuTix's values (`SECUTIX_RUNNING_STATES`,
   * `SECUTIX_STOPPED_STATES`, `SECUTIX_PENDING_ACCOUNT_TYPES`, `SECUTIX_OTHER_PAYMENT_TYPES`,
   * `SECUTIX_CONTACT_NOT_FOUND_STATUS`, `SECUTIX_EVENT_FAMILY_TYPE`, `SECUTIX_PASS_FAMILY_TYPE`,
   * `SECUTIX_OTHER_FAMILY_TYPES`; defaults `DEFAULT_SECUTIX_ASSUMPTIONS`).
   */
  secutixAssumptions: SecutixAssumptions;
}

/** Thrown with every configuration problem at once (one line each: `VARIABLE: problem`). */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment.
 * @throws ConfigError listing every problem.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  // Cross-field checks read the raw values, so they are reported together with the per-field ones.
  const problems: string[] = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  const raw = (k: string): string | undefined => {
    const v = env[k]?.trim();
    return v ? v : undefined;
  };
  const isTrue = (k: string): boolean => switchValue.safeParse(raw(k)).data === true;
  const oauthVars = ['SLACK_CLIENT_ID', 'SLACK_CLIENT_SECRET', 'SLACK_STATE_SECRET'] as const;
  const oauthWanted = oauthVars.some((k) => raw(k) !== undefined);
  const slackWanted = Boolean(raw('SLACK_SIGNING_SECRET') || raw('SLACK_BOT_TOKEN') || oauthWanted);
  if (oauthWanted) {
    // Distribution: every workspace's token comes from its installation, never from SLACK_BOT_TOKEN.
    for (const k of oauthVars)
      if (!raw(k)) problems.push(`${k}: required for Slack OAuth distribution (with ${oauthVars.filter((v) => v !== k).join(' and ')})`);
    if (!raw('SLACK_SIGNING_SECRET')) problems.push('SLACK_SIGNING_SECRET: required with SLACK_CLIENT_ID');
    if (raw('SLACK_BOT_TOKEN'))
      problems.push(
        'SLACK_BOT_TOKEN: set either SLACK_BOT_TOKEN (one workspace) or SLACK_CLIENT_ID/SLACK_CLIENT_SECRET/SLACK_STATE_SECRET (OAuth distribution), not both',
      );
    const state = raw('SLACK_STATE_SECRET');
    if (state && state.length < 16) problems.push('SLACK_STATE_SECRET: use at least 16 random characters (it signs the install state)');
    if (isTrue('SLACK_SOCKET_MODE'))
      problems.push('SLACK_SOCKET_MODE: OAuth distribution needs HTTP mode (GET /slack/install, /slack/oauth_redirect); set it to false');
    const keyProblem = encryptionKeyProblem(raw('INSTALLATION_ENCRYPTION_KEY'));
    if (keyProblem) problems.push(`INSTALLATION_ENCRYPTION_KEY: ${keyProblem}`);
    const previous = raw('INSTALLATION_ENCRYPTION_KEY_PREVIOUS');
    const previousProblem = previous === undefined ? undefined : encryptionKeyProblem(previous);
    if (previousProblem) problems.push(`INSTALLATION_ENCRYPTION_KEY_PREVIOUS: ${previousProblem}`);
  } else {
    if (slackWanted && !raw('SLACK_SIGNING_SECRET')) problems.push('SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN');
    if (slackWanted && !raw('SLACK_BOT_TOKEN')) problems.push('SLACK_BOT_TOKEN: required with SLACK_SIGNING_SECRET');
  }
  if (isTrue('SLACK_SOCKET_MODE') && !raw('SLACK_APP_TOKEN')) problems.push('SLACK_APP_TOKEN: required when SLACK_SOCKET_MODE=true');
  const slackApiUrl = raw('SLACK_API_URL');
  if (slackApiUrl) {
    try {
      new URL(slackApiUrl);
    } catch {
      problems.push(`SLACK_API_URL: is not a URL (got "${slackApiUrl}")`);
    }
  }
  const support = supportSettings(raw, { slack: slackWanted, oauth: oauthWanted, teams: isTrue('TEAMS_ENABLED') });
  problems.push(...support.problems);
  const appType = raw('MICROSOFT_APP_TYPE');
  if (appType && !['MultiTenant', 'SingleTenant', 'UserAssignedMSI'].includes(appType)) {
    problems.push('MICROSOFT_APP_TYPE: must be MultiTenant, SingleTenant or UserAssignedMSI');
  }
  if (appType === 'SingleTenant' && !raw('MICROSOFT_APP_TENANT_ID'))
    problems.push('MICROSOFT_APP_TENANT_ID: required with MICROSOFT_APP_TYPE=SingleTenant');
  if (raw('MICROSOFT_APP_ID') && !raw('MICROSOFT_APP_PASSWORD') && appType !== 'UserAssignedMSI')
    problems.push('MICROSOFT_APP_PASSWORD: required with MICROSOFT_APP_ID');
  const server = slackWanted || isTrue('TEAMS_ENABLED');
  let sandbox = !server;
  const sandboxRaw = raw('SECUTIX_SANDBOX');
  if (sandboxRaw !== undefined) {
    const parsedSandbox = switchValue.safeParse(sandboxRaw);
    if (parsedSandbox.success) sandbox = parsedSandbox.data;
    else problems.push(`SECUTIX_SANDBOX: must be true or false (got "${sandboxRaw}")`);
  }
  const databaseUrl = raw('DATABASE_URL') ?? 'sqlite:./data/onboarding.db';
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl))
    problems.push(`DATABASE_URL: must start with sqlite: or postgres:// (got "${databaseUrl.replace(/:[^:@/]*@/, ':***@')}")`);
  if (parsed.success && parsed.data.REPLICAS > 1) {
    const { REPLICAS: replicas, SECUTIX_RATE_LIMIT_PER_MINUTE: limit } = parsed.data;
    // SQLite serves one process: several replicas would each have their own runs (or lock one file).
    if (databaseUrl.startsWith('sqlite:'))
      problems.push(
        `REPLICAS: ${replicas} replicas need a shared PostgreSQL database (DATABASE_URL=postgres://...); SQLite serves one process`,
      );
    // Each replica takes the limit divided by REPLICAS, at least 1 a minute: more replicas than calls overshoot.
    if (replicas > limit)
      problems.push(
        `REPLICAS: ${replicas} replicas cannot share SECUTIX_RATE_LIMIT_PER_MINUTE=${limit} (each takes at least 1 call a minute, ${replicas} in all): lower REPLICAS or raise the limit`,
      );
  }
  // Issue 8: the SecuTix assumptions' lists may not overlap.
  problems.push(...assumptionsProblems(env));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;

  return {
    port: e.PORT,
    ...(e.HOST ? { host: e.HOST } : {}),
    mode: server ? 'server' : 'console',
    ...(slackWanted
      ? {
          slack: {
            signingSecret: e.SLACK_SIGNING_SECRET!,
            ...(e.SLACK_BOT_TOKEN ? { botToken: e.SLACK_BOT_TOKEN } : {}),
            ...(oauthWanted
              ? {
                  oauth: {
                    clientId: e.SLACK_CLIENT_ID!,
                    clientSecret: e.SLACK_CLIENT_SECRET!,
                    stateSecret: e.SLACK_STATE_SECRET!,
                    encryptionKey: e.INSTALLATION_ENCRYPTION_KEY!,
                    ...(e.INSTALLATION_ENCRYPTION_KEY_PREVIOUS ? { previousEncryptionKey: e.INSTALLATION_ENCRYPTION_KEY_PREVIOUS } : {}),
                  },
                }
              : {}),
            ...(e.SLACK_APP_TOKEN ? { appToken: e.SLACK_APP_TOKEN } : {}),
            socketMode: e.SLACK_SOCKET_MODE,
            ...(e.SLACK_API_URL ? { apiUrl: e.SLACK_API_URL } : {}),
            ...(support.channelId ? { supportChannel: support.channelId } : {}),
            ...(support.teamId ? { supportTeamId: support.teamId } : {}),
            ...(support.enterpriseId ? { supportEnterpriseId: support.enterpriseId } : {}),
          },
        }
      : {}),
    ...(e.TEAMS_ENABLED
      ? {
          teams: {
            ...(e.MICROSOFT_APP_ID ? { appId: e.MICROSOFT_APP_ID } : {}),
            ...(e.MICROSOFT_APP_PASSWORD ? { appPassword: e.MICROSOFT_APP_PASSWORD } : {}),
            ...(e.MICROSOFT_APP_TENANT_ID ? { tenantId: e.MICROSOFT_APP_TENANT_ID } : {}),
            ...(e.MICROSOFT_APP_TYPE ? { appType: e.MICROSOFT_APP_TYPE } : {}),
            serviceUrlAllowlist: e.TEAMS_SERVICE_URL_ALLOWLIST,
          },
        }
      : {}),
    secutix: {
      baseUrl: e.SECUTIX_BASE_URL,
      publicUrl: e.SECUTIX_PUBLIC_URL,
      auth: e.SECUTIX_AUTH,
      partner: e.SECUTIX_PARTNER ?? 'Digitick onboarding assistant',
      sandbox,
      timeoutMs: e.SECUTIX_TIMEOUT_MS,
      maxRetries: e.SECUTIX_MAX_RETRIES,
      rateLimitPerMinute: e.SECUTIX_RATE_LIMIT_PER_MINUTE,
      pollIntervalMs:
        e.SECUTIX_POLL_INTERVAL_MS >= 0 ? e.SECUTIX_POLL_INTERVAL_MS : server ? DEFAULT_POLL_INTERVAL_MS : CONSOLE_POLL_INTERVAL_MS,
      extractionTimeoutMs: e.SECUTIX_EXTRACTION_TIMEOUT_MS,
      catalogTimeoutMs: e.SECUTIX_CATALOG_TIMEOUT_MS,
    },
    databaseUrl,
    database: { connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS, queryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_MS },
    defaultLocale: e.DEFAULT_LOCALE,
    logLevel: e.LOG_LEVEL,
    ...(e.LOG_FILE ? { logFile: e.LOG_FILE } : {}),
    allowedOperators: e.ALLOWED_OPERATORS,
    supportUsers: e.SUPPORT_USERS,
    ...(e.SECUTIX_SUPPORT_DESK ? { supportDesk: e.SECUTIX_SUPPORT_DESK } : {}),
    allowedTenants: e.ALLOWED_TENANTS,
    remindAfterHours: e.REMIND_AFTER_HOURS,
    supportRemindAfterHours: e.SUPPORT_REMIND_AFTER_HOURS,
    deliveryMaxAttempts: e.DELIVERY_MAX_ATTEMPTS,
    ...(e.ADMIN_TOKEN ? { adminToken: e.ADMIN_TOKEN } : {}),
    ...(e.METRICS_TOKEN ? { metricsToken: e.METRICS_TOKEN } : {}),
    replicas: e.REPLICAS,
    multiOrg: oauthWanted || (e.TEAMS_ENABLED && e.MICROSOFT_APP_TYPE === 'MultiTenant'),
    defaultTimeZone: e.DEFAULT_TIME_ZONE,
    secutixAssumptions: assumptionsFromEnv(e),
  };
}
