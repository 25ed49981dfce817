/**
 * A run's audit trail as Adaptive Cards with a `Table` element (schema 1.5; Adaptive Cards
 * "Table" reference: `columns[].width`, `rows[]` of `TableRow` with `cells[]` of `TableCell`
 * holding `items`, `firstRowAsHeader`). Teams cannot receive the CSV file here: a bot posts files
 * only through Microsoft Graph / the file consent flow, which needs permissions this bot does not
 * have, so the same rows are shown as a table, split over several cards when one would pass the
 * 28 KB card limit or `MAX_ROWS_PER_CARD` rows. Pure: no I/O.
 */
import { type AuditExport, type AuditRow, checksText, detailsText, timeZoneCell } from '../../src/app/audit-export';
import type { Locale } from '../../src/domain/ids';
import type { MessageBuilder } from '../../src/messages/builder';
import { type AcNode, type AdaptiveCard, adaptiveCard, cardBytes, MAX_CARD_BYTES } from './cards';

/** At most this many trail rows per card (readability; the byte limit may cut earlier). */
export const MAX_ROWS_PER_CARD = 30;
/** Room kept under `MAX_CARD_BYTES` for the activity envelope around the card. */
const BYTE_BUDGET = MAX_CARD_BYTES - 2 * 1024;

const cell = (text: string, header = false): AcNode => ({
  type: 'TableCell',
  items: [{ type: 'TextBlock', text, wrap: true, size: 'Small', ...(header ? { weight: 'Bolder' } : {}) }],
});

/** `2025-03-30T00:30:00.000Z` -> `2025-03-30 00:30:00 UTC`. */
const utcText = (iso: string): string =>
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : iso;

/** One trail row as a `TableRow`: time (UTC, then local), who, step, action, outcome, checks and details. */
export function auditTableRow(row: AuditRow): AcNode {
  const who = row.actorName ? `${row.actorName} (${row.actorId}, ${row.surface})` : `${row.actorId} (${row.surface})`;
  const more = [checksText(row.checks), detailsText(row.details)].filter(Boolean).join('; ');
  return {
    type: 'TableRow',
    cells: [
      cell(`${row.seq}. ${utcText(row.timeUtc)}\n\n${row.timeLocal}`),
      cell(who),
      cell(row.step ?? '-'),
      cell(row.action),
      cell(row.outcome),
      cell(more || '-'),
    ],
  };
}

/**
 * The cards of `exp` in `locale`: each starts with the run id header (contract: the first
 * TextBlock shows the run id), "part n of m" when split, the time zone (marked `(default)` when
 * SecuTix gave none), the first card also the note on why Teams gets a table, then the `Table`
 * with a header row. Always at least one card.
 */
export function auditCards(exp: AuditExport, builder: MessageBuilder, locale: Locale): AdaptiveCard[] {
  const header: AcNode = {
    type: 'TableRow',
    style: 'accent',
    cells: ['time', 'actor', 'step', 'action', 'outcome', 'details'].map((c) => cell(builder.t(locale, `audit.column.${c}`), true)),
  };
  const build = (rows: AuditRow[], part: number, parts: number): AdaptiveCard => {
    const body: AcNode[] = [
      { type: 'TextBlock', text: builder.t(locale, 'audit.teams.header', { runId: exp.runId }), weight: 'Bolder', wrap: true },
      ...(parts > 1
        ? [{ type: 'TextBlock', text: builder.t(locale, 'audit.teams.part', { part, parts }), isSubtle: true, spacing: 'None' }]
        : []),
      {
        type: 'TextBlock',
        text: [
          builder.t(locale, 'audit.comment', {
            runId: exp.runId,
            institutionCode: exp.institutionCode,
            count: exp.rows.length,
            timeZone: timeZoneCell(exp.timeZone),
          }),
          ...(exp.timeZone.source === 'default' ? [builder.t(locale, 'audit.time_zone_default', { timeZone: exp.timeZone.id })] : []),
        ].join('\n\n'),
        wrap: true,
        size: 'Small',
      },
      ...(part === 1
        ? [{ type: 'TextBlock', text: builder.t(locale, 'audit.teams.note'), wrap: true, isSubtle: true, size: 'Small' }]
        : []),
      {
        type: 'Table',
        firstRowAsHeader: true,
        showGridLines: true,
        columns: [{ width: 3 }, { width: 3 }, { width: 2 }, { width: 2 }, { width: 2 }, { width: 4 }],
        rows: [header, ...rows.map(auditTableRow)],
      },
    ];
    return adaptiveCard(body, [], builder.t(locale, 'audit.teams.header', { runId: exp.runId }));
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
