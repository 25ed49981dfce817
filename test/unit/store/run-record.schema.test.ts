import { effectSchema, parseStored, runRecordSchema, StoredRecordError } from '../../../adapters/store/run-record.schema';
import type { Effect, Run } from '../../../src/workflow/types';
import { dummyRun } from '../../fixtures/dummy-run';

const by = { id: 'U1' };
const at = '2025-01-15T10:00:00.000Z';

describe('runRecordSchema', () => {
  it('accepts the dummy run unchanged', () => {
    expect(runRecordSchema.parse(dummyRun())).toEqual(dummyRun());
  });

  it('accepts a finished run with a verification report', () => {
    const run: Run = {
      ...dummyRun(),
      version: 12,
      status: 'completed',
      currentStep: null,
      contingentIds: [3, 4],
      contactNumber: 'C-1',
      verification: {
        checks: [
          { id: 'credentials', outcome: 'passed' },
          { id: 'technical_contact', outcome: 'failed', reason: { code: 'check.reason.contact_missing', params: { contact: 'C-1' } } },
        ],
        posId: 9,
        passed: false,
        at,
      },
      endedBy: by,
      endedAt: at,
    };
    expect(runRecordSchema.parse(run)).toEqual(run);
  });

  it.each<[string, unknown]>([
    ['a missing step', { ...dummyRun(), steps: { ...dummyRun().steps, email_draft: undefined } }],
    ['an unknown step state', { ...dummyRun(), steps: { ...dummyRun().steps, contingents: { state: 'maybe' } } }],
    ['an unknown key', { ...dummyRun(), password: 'x' }],
    ['a bad institution code', { ...dummyRun(), details: { ...dummyRun().details, institutionCode: 'A!' } }],
    ['a non-ISO time', { ...dummyRun(), updatedAt: 'yesterday' }],
    ['an unknown surface', { ...dummyRun(), surface: 'irc' }],
    ['a zero contingent id', { ...dummyRun(), contingentIds: [0] }],
  ])('refuses %s', (_, value) => {
    expect(runRecordSchema.safeParse(value).success).toBe(false);
  });
});

describe('effectSchema', () => {
  const effects: Effect[] = [
    { type: 'card' },
    { type: 'step_prompt', step: 'contingents' },
    { type: 'step_closed', step: 'verification', outcome: 'verified', by, at },
    { type: 'support_request' },
    { type: 'support_closed', outcome: 'cancelled', by, at },
    { type: 'verification_report' },
    { type: 'notice', code: 'notice.x', params: { n: 2, s: 'y' } },
  ];

  it.each(effects)('accepts %j', (effect) => {
    expect(effectSchema.parse(effect)).toEqual(effect);
  });

  it('refuses an unknown effect', () => {
    expect(effectSchema.safeParse({ type: 'fireworks' }).success).toBe(false);
  });
});

describe('parseStored', () => {
  it('names the run, the part and each wrong field', () => {
    const json = JSON.stringify({ ...dummyRun(), version: 0, status: 'paused' });
    let error: unknown;
    try {
      parseStored(runRecordSchema, json, 'RUN0ACME', 'state');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StoredRecordError);
    expect(error).toMatchObject({ runId: 'RUN0ACME', part: 'state', fields: ['version', 'status'] });
    expect((error as Error).message).toMatch(/^stored state of run RUN0ACME is invalid: version: .+; status: .+/);
  });

  it('reports text that is not JSON', () => {
    expect(() => parseStored(runRecordSchema, 'nope', 'R1', 'state')).toThrow(/stored state of run R1 is invalid: not valid JSON/);
  });
});
