/**
 * A run's audit trail as Adaptive Cards with a `Table` element (schema 1.5; Adaptive Cards
 * "Table" reference: `columns[].width`, `rows[]` of `TableRow` with `cells[]` of `TableCell`
 * holding `items`, `firstRowAsHeader`). Teams cannot receive the CSV file here: a bot posts files
 * only through Microsoft Graph / the file consent flow, which needs permissions this bot does not
 * have, so the same rows are shown as a table, split over several cards when one would pass the
 * 28 KB card limit or `MAX_ROWS_PER_CARD` rows. Pure: no I/O.
 *
 * What Teams makes of it (issue 9): cell text is Markdown, so no cell may start with a list
 * marker (`-`, `1. `...: `markdownSafe`); the card is full width (`msteams.width: "Full"`) with
 * three columns (local time, who, what happened) so words are not broken mid-way; people are
 * named, never shown by id; steps, actions and checks are words from the catalog. The CSV
 * (Slack, `GET /runs/:id/audit`) keeps every raw column.
 */
import { type AuditExport, type AuditRow, timeZoneCell } from '../../src/app/audit-export';
import { showErased } from '../../src/domain/erased';
import type { Locale } from '../../src/domain/ids';
import type { MessageBuilder } from '../../src/messages/builder';
import { labelled, listSeparator } from '../../src/messages/typography';
import { type AcNode, type AdaptiveCard, adaptiveCard, cardBytes, MAX_CARD_BYTES } from './cards';
import { escapeTeamsMarkdown } from './markdown';

/** At most this many trail rows per card (readability; the byte limit may cut earlier). */
export const MAX_ROWS_PER_CARD = 30;
/** Room kept under `MAX_CARD_BYTES` for the activity envelope around the card. */
const BYTE_BUDGET = MAX_CARD_BYTES - 2 * 1024;

/** `text` (a value, or a catalog word) that Markdown shows as written: no list, no emphasis. */
export const markdownSafe = escapeTeamsMarkdown;

const cell = (text: string, extra: Record<string, unknown> = {}): AcNode => ({
  type: 'TableCell',
  items: [{ type: 'TextBlock', text: markdownSafe(text), wrap: true, size: 'Small', ...extra }],
});

/** A detail value as text (lists joined, objects as JSON). */
const valueText = (v: unknown): string =>
  Array.isArray(v)
    ? v.map((x) => (typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x))).join(', ')
    : typeof v === 'object' && v !== null
      ? JSON.stringify(v)
      : String(v);

/** Answer fields (`changed`, `erased`, `changes[].field`) by their name in `L`. */
const fieldName = (f: unknown, builder: MessageBuilder, L: Locale): string =>
  builder.has(L, `answers.field.${String(f)}`) ? builder.t(L, `answers.field.${String(f)}`) : words(String(f));

/** A detail's value in the reader's language where it is made of codes (fields, checks, reminder kinds). */
function detailValue(key: string, v: unknown, builder: MessageBuilder, L: Locale): string {
  const list = (xs: unknown): unknown[] => (Array.isArray(xs) ? xs : [xs]);
  switch (key) {
    case 'changed':
    case 'erased':
      return list(v)
        .map((f) => fieldName(f, builder, L))
        .join(', ');
    case 'changes':
      return list(v)
        .map((c) => {
          const o = (c ?? {}) as { field?: unknown; from?: unknown; to?: unknown };
          return `${fieldName(o.field, builder, L)} ${o.from ? `${valueText(o.from)} → ` : ''}${valueText(o.to ?? '')}`;
        })
        .join(', ');
    case 'confirmed':
      return list(v)
        .map((c) => {
          const id = String((c as { check?: unknown } | null)?.check ?? '');
          return builder.has(L, `check.name.${id}`) ? builder.t(L, `check.name.${id}`) : words(id);
        })
        .join(', ');
    case 'kind':
      return builder.has(L, `teams.audit.reminder.${String(v)}`) ? builder.t(L, `teams.audit.reminder.${String(v)}`) : words(String(v));
    case 'reportAt':
      return localText(String(v));
    case 'language':
      return builder.has(L, `form.language.${String(v)}`) ? builder.t(L, `form.language.${String(v)}`) : String(v);
    default:
      return valueText(v);
  }
}

/** `2025-03-30T01:30:00+01:00` -> `2025-03-30 01:30:00` (the zone is in the column header). */
const localText = (iso: string): string => (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : iso);

/** `contingentIds` -> `contingent ids`, `channel_not_running` -> `channel not running`. */
const words = (id: string): string =>
  id
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_:]+/g, ' ')
    .toLowerCase();

/** One trail row as a `TableRow`: local time, who (name), what happened (step, action, outcome; checks and details under it). */
export function auditTableRow(row: AuditRow, builder: MessageBuilder, L: Locale): AcNode {
  const t = (key: string, view: Record<string, unknown> = {}): string => builder.t(L, key, view);
  const optional = (key: string, fallback: string): string => (builder.has(L, key) ? t(key) : fallback);
  const action = row.action === 'start' ? t('teams.audit.start') : optional(`teams.audit.action.${row.action}`, words(row.action));
  const step = row.step ? optional(`step.${row.step}.title`, words(row.step)) : '';
  const [kind, reason] = row.outcome.split(/:(.*)/s);
  const reasonWords = optional(`teams.audit.reason.${reason ?? kind}`, words(reason ?? kind ?? ''));
  const outcome = kind === 'refused' || kind === 'failed' ? ` ${t(`teams.audit.outcome.${kind}`, { reason: reasonWords })}` : '';
  const what =
    step && row.action !== 'start'
      ? labelled(L, `**${markdownSafe(step)}**`, markdownSafe(`${action}${outcome}`))
      : markdownSafe(`${action}${outcome}`);
  // Checks as "name: outcome word" in the reader's language (the stored `outcome:reason` code is
  // the CSV's; the reason needs values the trail does not keep, so the card leaves it out).
  const checks = Object.entries(row.checks ?? {}).map(([id, v]) => {
    const code = v.split(':')[0]!;
    return t('teams.audit.check', {
      name: optional(`check.name.${id}`, words(id)),
      outcome: optional(`report.outcome.${code}`, words(code)),
    });
  });
  const details = Object.entries(row.details ?? {})
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => {
      // `passed` is what the checks above already say: the report's outcome as a word.
      if (k === 'passed' && typeof v === 'boolean') return t(v ? 'report.header.passed' : 'report.header.failed');
      return builder.has(L, `teams.audit.detail.${k}`)
        ? t(`teams.audit.detail.${k}`, { value: detailValue(k, v, builder, L) })
        : showErased(labelled(L, words(k), valueText(v)), t('value.erased'));
    });
  const more = [...checks, ...details].join(listSeparator(L));
  return {
    type: 'TableRow',
    cells: [
      cell(localText(row.timeLocal)),
      cell(row.actorName ?? t('teams.user.unnamed')),
      {
        type: 'TableCell',
        items: [
          { type: 'TextBlock', text: what, wrap: true, size: 'Small' },
          ...(more ? [{ type: 'TextBlock', text: markdownSafe(more), wrap: true, size: 'Small', isSubtle: true, spacing: 'None' }] : []),
        ],
      },
    ],
  };
}

/**
 * The cards of `exp` in `locale`: each starts with the run id header (contract: the first
 * TextBlock shows the run id), "part n of m" when split, the first card also the note on why Teams
 * gets a table and, when SecuTix gave no zone, which zone the times are in; then the `Table` with
 * a header row. Always at least one card.
 */
export function auditCards(exp: AuditExport, builder: MessageBuilder, locale: Locale): AdaptiveCard[] {
  const t = (key: string, view: Record<string, unknown> = {}): string => builder.t(locale, key, view);
  const header: AcNode = {
    type: 'TableRow',
    style: 'accent',
    cells: [
      t('teams.audit.column.when', { timeZone: timeZoneCell(exp.timeZone) }),
      t('teams.audit.column.who'),
      t('teams.audit.column.what'),
    ].map((c) => cell(c, { weight: 'Bolder' })),
  };
  const title = t('audit.teams.header', { runId: exp.runId });
  const build = (rows: AuditRow[], part: number, parts: number): AdaptiveCard => {
    const body: AcNode[] = [
      { type: 'TextBlock', text: title, weight: 'Bolder', wrap: true },
      ...(parts > 1 ? [{ type: 'TextBlock', text: t('audit.teams.part', { part, parts }), isSubtle: true, spacing: 'None' }] : []),
      ...(part === 1
        ? [
            { type: 'TextBlock', text: markdownSafe(`${exp.institutionName} (${exp.institutionCode})`), wrap: true, spacing: 'None' },
            ...(exp.timeZone.source === 'default'
              ? [{ type: 'TextBlock', text: t('audit.time_zone_default', { timeZone: exp.timeZone.id }), wrap: true, size: 'Small' }]
              : []),
            { type: 'TextBlock', text: t('audit.teams.note'), wrap: true, isSubtle: true, size: 'Small' },
          ]
        : []),
      {
        type: 'Table',
        firstRowAsHeader: true,
        showGridLines: true,
        columns: [{ width: 2 }, { width: 2 }, { width: 4 }],
        rows: [header, ...rows.map((r) => auditTableRow(r, builder, locale))],
      },
    ];
    return { ...adaptiveCard(body, [], title), msteams: { width: 'Full' } };
  };
  // Greedy split: fill a card until the row cap or the byte budget (with a generous part label).
  const chunks: AuditRow[][] = [];
  let current: AuditRow[] = [];
  for (const row of exp.rows) {
    const candidate = [...current, row];
    if (current.length > 0 && (candidate.length > MAX_ROWS_PER_CARD || cardBytes(build(candidate, 1, 99)) > BYTE_BUDGET)) {
      chunks.push(current);
      current = [row];
    } else current = candidate;
  }
  chunks.push(current);
  return chunks.map((rows, i) => build(rows, i + 1, chunks.length));
}
