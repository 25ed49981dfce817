/**
 * Generated sandbox institutions for the bench: one per full run, so that no institution's
 * SecuTix methods are called more than once per run (the client caps itself at
 * `SECUTIX_RATE_LIMIT_PER_MINUTE` calls per institution and method, default 50: spreading runs
 * over institutions keeps that cap out of the measurement). Each institution is the smallest
 * setup that passes every check of the verification (`product.md`, "Verification (step 9)"):
 * running sales channel and point of sale, a pending-account payment method, contingent 11,
 * one running event with seats and one running pass with a quantity in contingent 11, and an
 * authorised contact `000123`. Compact on purpose: the sandbox admin API takes at most 1 MB.
 */
import type { SandboxFixtureInput } from '../../adapters/sandbox/fixture';

/** Channel code of every generated institution (operator login `<CODE>_DGTK`). */
export const BENCH_CHANNEL_CODE = 'DGTK';
/** The contingent every generated institution has. */
export const BENCH_CONTINGENT = 11;
/** The authorised contact every generated institution has. */
export const BENCH_CONTACT = '000123';

/** What a run needs to know about its institution. */
export interface BenchInstitution {
  code: string;
  /** The sandbox operator's password (a generated bench value, not a secret). */
  password: string;
}

/** `count` institutions named `<prefix>00001`... (prefix: upper-case letters, at most 10). */
export function benchInstitutions(prefix: string, count: number): BenchInstitution[] {
  return Array.from({ length: count }, (_, i) => {
    const code = `${prefix}${String(i + 1).padStart(5, '0')}`;
    return { code, password: `pw-${code.toLowerCase()}` };
  });
}

/** The sandbox fixture (`adapters/sandbox/fixture.ts` schema) holding `institutions`. */
export function benchFixture(institutions: BenchInstitution[]): SandboxFixtureInput {
  return {
    institutions: institutions.map((inst, i) => ({
      code: inst.code,
      name: `Bench ${inst.code}`,
      operators: [{ login: `${inst.code}_${BENCH_CHANNEL_CODE}`, password: inst.password }],
      contingentIds: [BENCH_CONTINGENT],
      posConfig: {
        posId: 10_000 + i,
        posActivityState: 'RUNNING',
        salesChannelCode: BENCH_CHANNEL_CODE,
        salesChannelActivityState: 'RUNNING',
        paymentMethods: [{ paymentType: 'PENDING_ACCOUNT' }],
      },
      contacts: [{ contactNumber: BENCH_CONTACT, pendingAccountAuthorized: true }],
      seasons: [
        {
          id: 1,
          code: 'S1',
          products: [
            {
              id: 101,
              code: 'EV1',
              state: 'RUNNING',
              productFamilyType: 'SINGLE_ENTRY',
              names: [],
              performances: [{ id: 1001, state: 'RUNNING', seats: [{ contingentId: BENCH_CONTINGENT, availableSeats: 10 }] }],
              quantities: [],
            },
            {
              id: 201,
              code: 'PS1',
              state: 'RUNNING',
              productFamilyType: 'PASS',
              names: [],
              performances: [],
              quantities: [{ contingentId: BENCH_CONTINGENT, availableQuantity: 5 }],
            },
          ],
        },
      ],
    })),
  };
}
