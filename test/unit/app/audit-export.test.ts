/**
 * The audit export (issue 5) as pure functions: rows from a stored trail, the institution's time
 * zone (SecuTix's, else a default marked in the file), local times with Intl (daylight saving
 * included), RFC 4180 CSV quoting, spreadsheet formula neutralisation, and no secret in CSV/JSON.
 */
import {
  AUDIT_CSV_COLUMNS,
  auditCsv,
  auditFileName,
  buildAuditExport,
  csvField,
  institutionTimeZone,
  isTimeZone,
  rowCells,
  toZonedIso,
} from '../../../src/app/audit-export';
import { ERASED } from '../../../src/domain/erased';
import type { StoredAuditEntry } from '../../../src/ports/run-store.port';
import { dummyRun } from '../../fixtures/dummy-run';
import { parseCsv } from '../../helpers/rfc4180';

const entry = (seq: number, at: string, action: string, over: Partial<StoredAuditEntry> = {}): StoredAuditEntry => ({
  runId: 'RUN0ACME',
  seq,
  at,
  actor: { id: 'U0OPERATOR', name: 'Alex Operator' },
  surface: 'slack',
  action,
  step: 'sales_channel',
  outcome: 'ok',
  ...over,
});

const EN = { erasedText: '(erased)' };

const verifyDetails = (timeZone?: string) => ({
  passed: false,
  posId: 4242,
  ...(timeZone ? { timeZone } : {}),
  checks: { credentials: 'passed', sales_channel: 'failed:channel_not_running', technical_contact: 'skipped:no_contact_number' },
});

describe('toZonedIso', () => {
  it.each([
    // Paris: winter +01:00, summer +02:00; the spring-forward gap (02:00 -> 03:00 local on 2025-03-30 at 01:00 UTC).
    ['2025-01-15T09:30:00.000Z', 'Europe/Paris', '2025-01-15T10:30:00+01:00'],
    ['2025-07-01T22:15:07.123Z', 'Europe/Paris', '2025-07-02T00:15:07+02:00'],
    ['2025-03-30T00:59:59.000Z', 'Europe/Paris', '2025-03-30T01:59:59+01:00'],
    ['2025-03-30T01:00:00.000Z', 'Europe/Paris', '2025-03-30T03:00:00+02:00'],
    // Autumn: 02:30 local happens twice; the offset tells them apart.
    ['2025-10-26T00:30:00.000Z', 'Europe/Paris', '2025-10-26T02:30:00+02:00'],
    ['2025-10-26T01:30:00.000Z', 'Europe/Paris', '2025-10-26T02:30:00+01:00'],
    ['2025-01-15T09:30:00.000Z', 'UTC', '2025-01-15T09:30:00+00:00'],
    ['2025-01-15T09:30:00.000Z', 'Asia/Kolkata', '2025-01-15T15:00:00+05:30'],
    ['2025-01-15T02:00:00.000Z', 'America/St_Johns', '2025-01-14T22:30:00-03:30'],
    ['2025-01-15T00:00:00.000Z', 'Europe/Zurich', '2025-01-15T01:00:00+01:00'],
  ])('%s in %s is %s', (iso, zone, expected) => {
    expect(toZonedIso(iso, zone)).toBe(expected);
  });

  it('refuses a time that is not one, and an unknown zone', () => {
    expect(() => toZonedIso('yesterday', 'Europe/Paris')).toThrow(RangeError);
    expect(() => toZonedIso('2025-01-15T09:30:00Z', 'Mars/Olympus')).toThrow(RangeError);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
    expect(isTimeZone('Europe/Paris')).toBe(true);
  });
});

describe('institutionTimeZone', () => {
  it('takes the latest verification that recorded SecuTix organizationTimeZone', () => {
    const entries = [
      entry(1, '2025-01-15T09:30:00.000Z', 'start', { step: null }),
      entry(2, '2025-01-15T10:00:00.000Z', 'verify', { details: verifyDetails('Europe/Zurich') }),
      entry(3, '2025-01-15T11:00:00.000Z', 'verify', { details: verifyDetails('America/Montreal') }),
      entry(4, '2025-01-15T12:00:00.000Z', 'verify', { details: verifyDetails() }),
    ];
    expect(institutionTimeZone(dummyRun(), entries)).toEqual({ id: 'America/Montreal', source: 'secutix' });
  });

  it('falls back to the run report, then to the default (Europe/Paris unless given), ignoring unknown zones', () => {
    const run = dummyRun({ verification: { checks: [], passed: true, at: '2025-01-15T10:00:00.000Z', timeZone: 'Europe/Brussels' } });
    expect(institutionTimeZone(run, [])).toEqual({ id: 'Europe/Brussels', source: 'secutix' });
    const bogus = [entry(1, '2025-01-15T10:00:00.000Z', 'verify', { details: verifyDetails('Mars/Olympus') })];
    expect(institutionTimeZone(dummyRun(), bogus)).toEqual({ id: 'Europe/Paris', source: 'default' });
    expect(institutionTimeZone(dummyRun(), [], 'Indian/Reunion')).toEqual({ id: 'Indian/Reunion', source: 'default' });
    expect(institutionTimeZone(dummyRun(), [], 'Not/AZone')).toEqual({ id: 'Europe/Paris', source: 'default' });
  });
});

describe('csvField (RFC 4180)', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\r\nlines', '"two\r\nlines"'],
    ['line\nfeed', '"line\nfeed"'],
    ['Théâtre Acme', 'Théâtre Acme'],
    // A typed text that a spreadsheet would run as a formula is neutralised.
    ['=HYPERLINK("http://x","y")', '"\'=HYPERLINK(""http://x"",""y"")"'],
    ['+33 1 23', "'+33 1 23"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
  ])('%j -> %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe('buildAuditExport + auditCsv', () => {
  const run = dummyRun({ status: 'completed', currentStep: null });
  const trail: StoredAuditEntry[] = [
    entry(1, '2025-01-15T09:30:00.000Z', 'start', {
      step: null,
      details: { institutionCode: 'ACME', channelCode: 'DGTK', language: 'fr' },
    }),
    entry(3, '2025-01-15T09:40:00.000Z', 'step_done', { step: 'contingents', details: { contingentIds: [101, 102] } }),
    entry(2, '2025-01-15T09:35:00.000Z', 'step_done', { actor: { id: 'U0SUPPORT', name: 'Sam, "support"' } }),
    entry(4, '2025-07-01T22:15:07.123Z', 'verify', { step: 'verification', details: verifyDetails('Europe/Paris') }),
    entry(5, '2025-07-01T22:16:00.000Z', 'verify_skip', {
      step: 'verification',
      // A details key named like a secret never leaves the module, whatever a store let through.
      details: { reason: 'SecuTix down,\nretry "later"', password: 'hunter2-secret', nested: { token: 'fakebot-leak' } },
    }),
    entry(6, '2025-07-01T22:17:00.000Z', 'run_cancel', { step: 'email_draft', outcome: 'refused:not_permitted', surface: 'teams' }),
  ];

  it('orders rows by seq, converts times, splits SecuTix check results from other details', () => {
    const exp = buildAuditExport(run, trail, EN);
    expect(exp.timeZone).toEqual({ id: 'Europe/Paris', source: 'secutix' });
    expect(exp.rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const verify = exp.rows[3]!;
    expect(verify.timeLocal).toBe('2025-07-02T00:15:07+02:00');
    expect(verify.checks).toEqual({
      credentials: 'passed',
      sales_channel: 'failed:channel_not_running',
      technical_contact: 'skipped:no_contact_number',
    });
    expect(verify.details).toEqual({ passed: false, posId: 4242, timeZone: 'Europe/Paris' });
    expect(exp.rows[0]!.timeLocal).toBe('2025-01-15T10:30:00+01:00');
    expect(exp.rows[4]!.details).toEqual({ reason: 'SecuTix down,\nretry "later"', nested: {} });
    expect(exp.rows[5]).toMatchObject({ surface: 'teams', outcome: 'refused:not_permitted', actorName: 'Alex Operator' });
  });

  it('writes RFC 4180 CSV that reads back to the same cells, header first, CRLF, BOM', () => {
    const exp = buildAuditExport(run, trail, EN);
    const csv = auditCsv(exp);
    expect(csv.startsWith('\uFEFFseq,time_utc,time_local,time_zone,actor_id,')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    const records = parseCsv(csv.slice(1));
    expect(records[0]).toEqual([...AUDIT_CSV_COLUMNS]);
    expect(records.slice(1)).toEqual(exp.rows.map((r) => rowCells(r, exp.timeZone)));
    expect(records.every((r) => r.length === AUDIT_CSV_COLUMNS.length)).toBe(true);
    // A few cells as a reader sees them.
    expect(records[2]![5]).toBe('Sam, "support"');
    expect(records[4]![10]).toBe(
      'credentials=passed; sales_channel=failed:channel_not_running; technical_contact=skipped:no_contact_number',
    );
    expect(records[3]![11]).toBe('contingentIds=101,102');
    expect(records[5]![11]).toBe('reason=SecuTix down,\nretry "later"; nested={}');
  });

  it('never exports a secret-looking key, in CSV or JSON', () => {
    const exp = buildAuditExport(run, trail, EN);
    for (const text of [auditCsv(exp), JSON.stringify(exp)]) {
      expect(text).not.toContain('hunter2-secret');
      expect(text).not.toContain('fakebot-leak');
      expect(text).not.toMatch(/password/i);
    }
  });

  it('marks the default zone in every row when SecuTix gave none', () => {
    const exp = buildAuditExport(run, trail.slice(0, 3), { defaultTimeZone: 'Europe/Paris', ...EN });
    expect(exp.timeZone).toEqual({ id: 'Europe/Paris', source: 'default' });
    const records = parseCsv(auditCsv(exp).slice(1)).slice(1);
    expect(records.map((r) => r[3])).toEqual(['Europe/Paris (default)', 'Europe/Paris (default)', 'Europe/Paris (default)']);
  });

  it('keeps an unreadable stored time as is instead of failing the export', () => {
    const exp = buildAuditExport(run, [entry(1, 'not-a-time', 'start')], EN);
    expect(exp.rows[0]).toMatchObject({ timeUtc: 'not-a-time', timeLocal: 'not-a-time' });
  });

  it('shows an erased answer in the given words, in every text of the trail, never the raw marker', () => {
    const erased = [
      entry(1, '2025-01-15T09:30:00.000Z', 'step_done', { step: 'technical_contact', details: { contactNumber: ERASED } }),
      entry(2, '2025-01-15T09:31:00.000Z', 'answers_edit', {
        details: { changes: [{ field: 'contactNumber', from: ERASED, to: '000124' }], note: `was ${ERASED} then` },
      }),
      entry(3, '2025-01-15T09:32:00.000Z', 'answers_erased', { details: { erased: ['contactNumber'] } }),
    ];
    const exp = buildAuditExport(run, erased, { erasedText: '(effacé)' });
    expect(exp.rows[0]!.details).toEqual({ contactNumber: '(effacé)' });
    expect(exp.rows[1]!.details).toEqual({
      changes: [{ field: 'contactNumber', from: '(effacé)', to: '000124' }],
      note: 'was (effacé) then',
    });
    for (const text of [auditCsv(exp), JSON.stringify(exp)]) {
      expect(text).not.toContain(ERASED);
      expect(text).toContain('(effacé)');
    }
    expect(parseCsv(auditCsv(exp).slice(1))[1]![11]).toBe('contactNumber=(effacé)');
  });

  it('names the file after the run and the institution', () => {
    expect(auditFileName({ runId: 'RUN0ACME', institutionCode: 'ACME' })).toBe('audit-RUN0ACME-ACME.csv');
  });
});
