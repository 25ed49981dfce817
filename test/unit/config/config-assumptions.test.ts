/** `loadConfig`: the SecuTix assumptions' variables (issue 8), parsed and validated with the others. */
import { ConfigError, loadConfig } from '../../../adapters/config';
import { DEFAULT_SECUTIX_ASSUMPTIONS } from '../../../src/app/secutix-assumptions';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: SecuTix assumptions', () => {
  it('unset: the documented defaults (DEFAULT_SECUTIX_ASSUMPTIONS)', () => {
    expect(loadConfig({}).secutixAssumptions).toEqual(DEFAULT_SECUTIX_ASSUMPTIONS);
  });

  it('the status code set empty or blank is a start-up error naming it (never the default in silence)', () => {
    for (const value of ['', '   ']) {
      expect(problems({ SECUTIX_CONTACT_NOT_FOUND_STATUS: value })).toEqual([
        `SECUTIX_CONTACT_NOT_FOUND_STATUS: must be one status code (got "${value}"; unset it to use the default error.contact.notfound)`,
      ]);
    }
  });

  it('a list variable set empty, blank or to commas only is a start-up error naming it (never the default in silence)', () => {
    const found = problems({
      SECUTIX_RUNNING_STATES: '',
      SECUTIX_STOPPED_STATES: '  ',
      SECUTIX_PENDING_ACCOUNT_TYPES: ',',
      SECUTIX_OTHER_PAYMENT_TYPES: ' , ,',
    });
    expect(found).toHaveLength(4);
    for (const name of [
      'SECUTIX_RUNNING_STATES',
      'SECUTIX_STOPPED_STATES',
      'SECUTIX_PENDING_ACCOUNT_TYPES',
      'SECUTIX_OTHER_PAYMENT_TYPES',
    ]) {
      expect(found).toContainEqual(
        expect.stringMatching(new RegExp(`^${name}: must list at least one value.*unset it to use the default`)),
      );
    }
    expect(() => loadConfig({ SECUTIX_RUNNING_STATES: '' })).toThrow(/SECUTIX_RUNNING_STATES: must list at least one value/);
  });

  it('comma-separated lists replace the defaults: spaces trimmed, duplicates dropped, the families kept', () => {
    const a = loadConfig({
      SECUTIX_RUNNING_STATES: 'RUNNING, OPEN ,ACTIVE,OPEN',
      SECUTIX_STOPPED_STATES: 'CLOSED',
      SECUTIX_PENDING_ACCOUNT_TYPES: 'PENDING_ACCOUNT,WAITING_ACCOUNT',
      SECUTIX_OTHER_PAYMENT_TYPES: 'CREDIT_CARD',
      SECUTIX_CONTACT_NOT_FOUND_STATUS: ' error.contact.unknown ',
    }).secutixAssumptions;
    expect(a).toEqual({
      ...DEFAULT_SECUTIX_ASSUMPTIONS,
      runningStates: ['RUNNING', 'OPEN', 'ACTIVE'],
      stoppedStates: ['CLOSED'],
      pendingAccountPaymentTypes: ['PENDING_ACCOUNT', 'WAITING_ACCOUNT'],
      otherPaymentTypes: ['CREDIT_CARD'],
      contactNotFoundStatus: 'error.contact.unknown',
    });
  });

  it('a list with no value, a value that is not a literal, and overlapping lists: every problem at once, each on its variable, with the others', () => {
    const found = problems({
      SECUTIX_RUNNING_STATES: ' , ,',
      SECUTIX_STOPPED_STATES: 'CLOSED;OPEN, SUSPENDED',
      SECUTIX_PENDING_ACCOUNT_TYPES: 'PENDING_ACCOUNT',
      SECUTIX_OTHER_PAYMENT_TYPES: 'CREDIT_CARD, pending_account',
      SECUTIX_CONTACT_NOT_FOUND_STATUS: 'not found',
      PORT: 'abc',
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^SECUTIX_RUNNING_STATES: must list at least one value/),
        expect.stringMatching(/^SECUTIX_STOPPED_STATES: .*not "CLOSED;OPEN"/),
        expect.stringMatching(/^SECUTIX_OTHER_PAYMENT_TYPES: "pending_account" also in SECUTIX_PENDING_ACCOUNT_TYPES/),
        expect.stringMatching(/^SECUTIX_CONTACT_NOT_FOUND_STATUS: must be one status code.*"not found"/),
        expect.stringMatching(/^PORT: /),
      ]),
    );
    expect(found).toHaveLength(5);
  });

  it('a state both running and stopped is refused (case ignored, as the checks compare)', () => {
    expect(problems({ SECUTIX_RUNNING_STATES: 'RUNNING,open', SECUTIX_STOPPED_STATES: 'OPEN,CLOSED' })).toEqual([
      'SECUTIX_STOPPED_STATES: "OPEN" also in SECUTIX_RUNNING_STATES (a value cannot be running and stopped)',
    ]);
    // Overlap with a default list counts too.
    expect(problems({ SECUTIX_STOPPED_STATES: 'running' })).toEqual([
      'SECUTIX_STOPPED_STATES: "running" also in SECUTIX_RUNNING_STATES (a value cannot be running and stopped)',
    ]);
  });

  it('the product family types: one event type, one pass type, a list of other known types; overlaps and empty values refused', () => {
    expect(
      loadConfig({
        SECUTIX_EVENT_FAMILY_TYPE: ' EVENT ',
        SECUTIX_PASS_FAMILY_TYPE: 'SEASON_PASS',
        SECUTIX_OTHER_FAMILY_TYPES: 'GOODS, SERVICE',
      }).secutixAssumptions,
    ).toEqual({ ...DEFAULT_SECUTIX_ASSUMPTIONS, eventFamily: 'EVENT', passFamily: 'SEASON_PASS', otherFamilyTypes: ['GOODS', 'SERVICE'] });
    expect(problems({ SECUTIX_EVENT_FAMILY_TYPE: '', SECUTIX_OTHER_FAMILY_TYPES: ',' })).toEqual([
      'SECUTIX_EVENT_FAMILY_TYPE: must be one product family type (got ""; unset it to use the default SINGLE_ENTRY)',
      expect.stringMatching(/^SECUTIX_OTHER_FAMILY_TYPES: must list at least one value/),
    ]);
    expect(problems({ SECUTIX_PASS_FAMILY_TYPE: 'single_entry' })).toEqual([
      'SECUTIX_PASS_FAMILY_TYPE: "single_entry" also in SECUTIX_EVENT_FAMILY_TYPE (a value cannot be an event and a pass)',
    ]);
    expect(problems({ SECUTIX_OTHER_FAMILY_TYPES: 'GOODS,Pass' })).toEqual([
      'SECUTIX_OTHER_FAMILY_TYPES: "Pass" also in SECUTIX_PASS_FAMILY_TYPE (a value cannot be a pass and another family)',
    ]);
  });
});
