/**
 * Audit export (issue 5, "Audit export"): a run's whole trail as rows, as RFC 4180 CSV text and as
 * JSON, with every time in UTC and in the institution's time zone. Pure product logic: the
 * adapters read `RunStore.audit(runId)` and post what this module builds (Slack `files.uploadV2`,
 * a Teams table card, `GET /runs/:id/audit`, the console).
 *
 * The institution's time zone is SecuTix's `organizationTimeZone` (`getPOSConfig`, kept on the
 * verification report and in the verification's audit details since issue 5). Runs verified
 * before that, or never verified, use a default zone (`Europe/Paris` unless the caller gives
 * another), and every row says `(default)` after the zone so the file itself carries the note.
 *
 * Secrets: audit entries never hold a password (the stores refuse one, `secret-guard.ts`); this
 * module drops any details key named like a secret all the same, so neither CSV nor JSON can
 * carry one.
 */
import { showErased } from '../domain/erased';
import type { Surface } from '../domain/ids';
import type { StoredAuditEntry } from '../ports/run-store.port';
import type { Run } from '../workflow/types';

/** The default time zone when SecuTix gave none: the Digitick back office's own (Paris). */
export const DEFAULT_AUDIT_TIME_ZONE = 'Europe/Paris';

/** Header row of the CSV, in column order. Stable: automation reads these names. */
export const AUDIT_CSV_COLUMNS = [
  'seq',
  'time_utc',
  'time_local',
  'time_zone',
  'actor_id',
  'actor_name',
  'surface',
  'step',
  'action',
  'outcome',
  'checks',
  'details',
] as const;

/** Where the time zone of `time_local` comes from. */
export type TimeZoneSource = 'secutix' | 'default';

/** One line of the trail, ready for CSV, a table card or JSON. */
export interface AuditRow {
  /** Position in the run's trail (1, 2, ...). */
  seq: number;
  /** ISO-8601 UTC time as stored (`2025-03-30T00:30:00.000Z`). */
  timeUtc: string;
  /** The same instant in the institution's zone, ISO-8601 with its offset (`2025-03-30T01:30:00+01:00`). */
  timeLocal: string;
  actorId: string;
  actorName: string | null;
  surface: Surface;
  /** The run's step when it happened (null: start, or after the run ended). */
  step: string | null;
  /** `start`, `step_done`, `verify`, `run_cancel`... (`AuditEntry.action`). */
  action: string;
  /** `ok`, `refused:<code>`, `failed:<code>`. */
  outcome: string;
  /** SecuTix check results of a verification (`credentials` -> `passed`, `failed:<reason>`...), else null. */
  checks: Record<string, string> | null;
  /** Other recorded facts (contingent ids, contact number, skip reason, `passed`, `posId`...), else null. */
  details: Record<string, unknown> | null;
}

/** A run's export: what it is about, the zone used, and the rows in trail order. */
export interface AuditExport {
  runId: string;
  institutionCode: string;
  institutionName: string;
  channelCode: string;
  status: Run['status'];
  surface: Surface;
  timeZone: { id: string; source: TimeZoneSource };
  rows: AuditRow[];
}

/**
 * Details keys never exported, whatever a store let through (case-insensitive): anything naming
 * a password, token, secret, API key or authorization. `passed` and `credentials` (a check id) are
 * not secrets and do not match.
 */
const SECRET_KEY = /password|passwd|token|secret|authori[sz]ation|api_?key/i;

/** True when `zone` is an IANA time zone this runtime knows (`Intl.DateTimeFormat` accepts it). */
export function isTimeZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone.length === 0 || zone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The institution's time zone for `run`: the latest verification in the trail that recorded
 * SecuTix's `organizationTimeZone` (details `timeZone`), else the run's stored report, else
 * `fallback` (source `default`). An unknown zone name is ignored.
 */
export function institutionTimeZone(
  run: Pick<Run, 'verification'>,
  entries: readonly StoredAuditEntry[],
  fallback: string = DEFAULT_AUDIT_TIME_ZONE,
): { id: string; source: TimeZoneSource } {
  for (let i = entries.length - 1; i >= 0; i--) {
    const tz = entries[i]!.details?.timeZone;
    if (isTimeZone(tz)) return { id: tz, source: 'secutix' };
  }
  if (isTimeZone(run.verification?.timeZone)) return { id: run.verification.timeZone, source: 'secutix' };
  return { id: isTimeZone(fallback) ? fallback : DEFAULT_AUDIT_TIME_ZONE, source: 'default' };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * `iso` (any ISO-8601 instant) in `zone`, as ISO-8601 local time with the zone's offset at that
 * instant: `2025-03-30T03:30:00+02:00` (seconds precision; `+00:00` for UTC). Uses
 * `Intl.DateTimeFormat` (`timeZoneName: 'longOffset'`), so daylight saving follows the zone's rules.
 * @throws RangeError when `iso` is not a valid time or `zone` is unknown.
 */
export function toZonedIso(iso: string, zone: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO time: ${iso}`);
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  // longOffset is `GMT+02:00`, `GMT-03:30`, or `GMT` for a zero offset.
  const offset = (parts.timeZoneName ?? 'GMT').replace(/^GMT/, '') || '+00:00';
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset}`;
}

/**
 * A copy of `details` without secret-looking keys (recursively), the erased marker (`ERASED`) in
 * any text shown as `erased`; null when nothing is left.
 */
function withoutSecrets(details: Record<string, unknown> | undefined, erased: string): Record<string, unknown> | null {
  if (!details) return null;
  const clean = (v: unknown): unknown => {
    if (typeof v === 'string') return showErased(v, erased);
    if (Array.isArray(v)) return v.map(clean);
    if (typeof v !== 'object' || v === null) return v;
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([k]) => !SECRET_KEY.test(k))
        .map(([k, x]) => [k, clean(x)]),
    );
  };
  const out = clean(details) as Record<string, unknown>;
  return Object.keys(out).length > 0 ? out : null;
}

/** What `buildAuditExport` needs besides the run and its trail. */
export interface AuditExportOptions {
  /** Zone of local times when no verification recorded SecuTix's (default `Europe/Paris`). */
  defaultTimeZone?: string;
  /**
   * The words an erased answer is shown as, in the run's language (`value.erased`: "(erased)",
   * "(effacé)", "(gelöscht)"), as on every other surface: the raw marker never leaves the module.
   */
  erasedText: string;
}

/** Splits a verification's `checks` (id -> `outcome[:reason]`) from the other details. */
function splitChecks(details: Record<string, unknown> | null): {
  checks: Record<string, string> | null;
  rest: Record<string, unknown> | null;
} {
  if (!details) return { checks: null, rest: null };
  const { checks, ...rest } = details;
  const valid =
    typeof checks === 'object' && checks !== null && !Array.isArray(checks)
      ? Object.fromEntries(Object.entries(checks as Record<string, unknown>).map(([k, v]) => [k, String(v)]))
      : null;
  const others = valid ? rest : details;
  return { checks: valid, rest: Object.keys(others).length > 0 ? others : null };
}

/**
 * The export of `run` from its stored trail (`entries` as `RunStore.audit` returns them; sorted
 * by `seq` here all the same). `defaultTimeZone` is used when no verification recorded SecuTix's
 * zone (default `Europe/Paris`); an erased answer reads `erasedText`. Pure; never throws for a stored entry (an unreadable time is
 * exported as is in both time columns).
 */
export function buildAuditExport(run: Run, entries: readonly StoredAuditEntry[], opts: AuditExportOptions): AuditExport {
  const ordered = [...entries].sort((a, b) => a.seq - b.seq);
  const timeZone = institutionTimeZone(run, ordered, opts.defaultTimeZone);
  const rows = ordered.map((e): AuditRow => {
    const { checks, rest } = splitChecks(withoutSecrets(e.details, opts.erasedText));
    let timeLocal: string;
    try {
      timeLocal = toZonedIso(e.at, timeZone.id);
    } catch {
      timeLocal = e.at;
    }
    return {
      seq: e.seq,
      timeUtc: e.at,
      timeLocal,
      actorId: e.actor.id,
      actorName: e.actor.name === undefined ? null : showErased(e.actor.name, opts.erasedText),
      surface: e.surface,
      step: e.step,
      action: e.action,
      outcome: e.outcome,
      checks,
      details: rest,
    };
  });
  return {
    runId: run.id,
    institutionCode: run.details.institutionCode,
    institutionName: run.details.institutionName,
    channelCode: run.details.channelCode,
    status: run.status,
    surface: run.surface,
    timeZone,
    rows,
  };
}

/** `checks` as one cell: `credentials=passed; sales_channel=failed:channel_not_running`. */
export function checksText(checks: Record<string, string> | null): string {
  return checks
    ? Object.entries(checks)
        .map(([k, v]) => `${k}=${v}`)
        .join('; ')
    : '';
}

/** `details` as one cell: `contingentIds=101,102; reason=…` (arrays comma-joined, objects as JSON). */
export function detailsText(details: Record<string, unknown> | null): string {
  if (!details) return '';
  const value = (v: unknown): string =>
    Array.isArray(v) ? v.map(value).join(',') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  return Object.entries(details)
    .map(([k, v]) => `${k}=${value(v)}`)
    .join('; ');
}

/** The `time_zone` cell: the zone, with `(default)` when SecuTix did not give it. */
export function timeZoneCell(tz: AuditExport['timeZone']): string {
  return tz.source === 'default' ? `${tz.id} (default)` : tz.id;
}

/** The cells of one row, in `AUDIT_CSV_COLUMNS` order. */
export function rowCells(row: AuditRow, tz: AuditExport['timeZone']): string[] {
  return [
    String(row.seq),
    row.timeUtc,
    row.timeLocal,
    timeZoneCell(tz),
    row.actorId,
    row.actorName ?? '',
    row.surface,
    row.step ?? '',
    row.action,
    row.outcome,
    checksText(row.checks),
    detailsText(row.details),
  ];
}

/**
 * One CSV field (RFC 4180): quoted when it holds `"`, `,`, CR or LF, with `"` doubled. A field
 * that a spreadsheet would run as a formula (first character `=`, `+`, `-`, `@`, tab or CR: typed
 * text such as a skip reason or a display name) is prefixed with `'` first (OWASP "CSV injection").
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The export as CSV text (RFC 4180): a header row (`AUDIT_CSV_COLUMNS`), one record per audit
 * entry in trail order, CRLF line ends including after the last record, UTF-8 with a byte order
 * mark first (so spreadsheet programs read accented names right; strip `\uFEFF` to parse).
 */
export function auditCsv(exp: AuditExport): string {
  const lines = [AUDIT_CSV_COLUMNS.join(','), ...exp.rows.map((r) => rowCells(r, exp.timeZone).map(csvField).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** File name of a run's CSV: `audit-<RUN>-<INSTITUTION>.csv` (codes are letters and digits only). */
export function auditFileName(exp: Pick<AuditExport, 'runId' | 'institutionCode'>): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '');
  return `audit-${safe(exp.runId)}-${safe(exp.institutionCode)}.csv`;
}
