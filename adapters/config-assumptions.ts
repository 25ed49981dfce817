/**
 * The `SECUTIX_*` settings of what the verification knows of SecuTix's values (issue 8,
 * `src/app/secutix-assumptions.ts`): comma-separated lists replacing the documented defaults
 * (`DEFAULT_SECUTIX_ASSUMPTIONS`), so that a first real answer corrects them without a code
 * change. Parsed with zod like every other variable (`adapters/config.ts`); every problem is
 * reported at once, with the other variables' problems.
 */
import { z } from 'zod';
import { DEFAULT_SECUTIX_ASSUMPTIONS, type SecutixAssumptions } from '../src/app/secutix-assumptions';

/** One SecuTix literal: letters, digits, `_`, `.`, `-` (states, payment types, status codes). */
const LITERAL = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * A comma-separated list of literals (spaces around commas allowed). Unset: `def`. Set but with
 * no value (empty, blank, or only commas and spaces), or with a value that is not a literal: a
 * start-up problem naming it (an empty list is never silently read as the default).
 */
const literalList = (def: readonly string[]) =>
  z
    .string()
    .optional()
    .transform((v, ctx): string[] => {
      if (v === undefined) return [...def];
      const items = v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      if (items.length === 0) {
        ctx.addIssue({
          code: 'custom',
          message: `must list at least one value, separated by commas (got "${v}"; unset it to use the default ${def.join(',')})`,
        });
        return z.NEVER;
      }
      const bad = items.filter((s) => !LITERAL.test(s));
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `values may hold only letters, digits, "_", "." and "-", separated by commas (not ${bad.map((b) => `"${b}"`).join(', ')})`,
        });
        return z.NEVER;
      }
      return [...new Set(items)];
    });

/**
 * A single literal. Unset: `def`. Set but empty or blank: a start-up problem naming it, as for the
 * lists (an empty value is never silently read as the default).
 */
const literal = (def: string, what = 'status code') =>
  z
    .string()
    .optional()
    .transform((v, ctx): string => {
      if (v === undefined) return def;
      const s = v.trim();
      if (s === '') {
        ctx.addIssue({ code: 'custom', message: `must be one ${what} (got "${v}"; unset it to use the default ${def})` });
        return z.NEVER;
      }
      if (!LITERAL.test(s)) {
        ctx.addIssue({ code: 'custom', message: `must be one ${what}: letters, digits, "_", "." and "-" (got "${v}")` });
        return z.NEVER;
      }
      return s;
    });

const D = DEFAULT_SECUTIX_ASSUMPTIONS;

/** The variables, to spread into the environment schema of `adapters/config.ts`. */
export const assumptionsEnvShape = {
  SECUTIX_RUNNING_STATES: literalList(D.runningStates),
  SECUTIX_STOPPED_STATES: literalList(D.stoppedStates),
  SECUTIX_PENDING_ACCOUNT_TYPES: literalList(D.pendingAccountPaymentTypes),
  SECUTIX_OTHER_PAYMENT_TYPES: literalList(D.otherPaymentTypes),
  SECUTIX_CONTACT_NOT_FOUND_STATUS: literal(D.contactNotFoundStatus),
  SECUTIX_EVENT_FAMILY_TYPE: literal(D.eventFamily, 'product family type'),
  SECUTIX_PASS_FAMILY_TYPE: literal(D.passFamily, 'product family type'),
  SECUTIX_OTHER_FAMILY_TYPES: literalList(D.otherFamilyTypes),
};

type AssumptionsEnv = { [K in keyof typeof assumptionsEnvShape]: z.output<(typeof assumptionsEnvShape)[K]> };

/** The assumptions from the parsed variables. */
export function assumptionsFromEnv(e: AssumptionsEnv): SecutixAssumptions {
  return {
    ...D,
    runningStates: e.SECUTIX_RUNNING_STATES,
    stoppedStates: e.SECUTIX_STOPPED_STATES,
    pendingAccountPaymentTypes: e.SECUTIX_PENDING_ACCOUNT_TYPES,
    otherPaymentTypes: e.SECUTIX_OTHER_PAYMENT_TYPES,
    contactNotFoundStatus: e.SECUTIX_CONTACT_NOT_FOUND_STATUS,
    eventFamily: e.SECUTIX_EVENT_FAMILY_TYPE,
    passFamily: e.SECUTIX_PASS_FAMILY_TYPE,
    otherFamilyTypes: e.SECUTIX_OTHER_FAMILY_TYPES,
  };
}

/**
 * Cross-list problems (`VARIABLE: problem`): a value may not be both running and stopped, nor
 * both a pending account and another payment type (the comparison ignores case, as the checks
 * do). Reads the raw values so they are reported with the per-field problems.
 */
export function assumptionsProblems(env: NodeJS.ProcessEnv): string[] {
  const listOf = (name: keyof typeof assumptionsEnvShape): string[] | undefined => {
    const r = assumptionsEnvShape[name].safeParse(env[name]);
    if (!r.success) return undefined;
    return Array.isArray(r.data) ? r.data : [r.data];
  };
  const problems: string[] = [];
  const overlap = (a: keyof typeof assumptionsEnvShape, b: keyof typeof assumptionsEnvShape, what: string): void => {
    const x = listOf(a);
    const y = listOf(b);
    if (!x || !y) return; // already reported on its own field
    const upper = new Set(x.map((s) => s.toUpperCase()));
    const both = y.filter((s) => upper.has(s.toUpperCase()));
    if (both.length > 0) problems.push(`${b}: ${both.map((s) => `"${s}"`).join(', ')} also in ${a} (a value cannot be ${what})`);
  };
  overlap('SECUTIX_RUNNING_STATES', 'SECUTIX_STOPPED_STATES', 'running and stopped');
  overlap('SECUTIX_PENDING_ACCOUNT_TYPES', 'SECUTIX_OTHER_PAYMENT_TYPES', 'a pending account and another payment type');
  overlap('SECUTIX_EVENT_FAMILY_TYPE', 'SECUTIX_PASS_FAMILY_TYPE', 'an event and a pass');
  overlap('SECUTIX_EVENT_FAMILY_TYPE', 'SECUTIX_OTHER_FAMILY_TYPES', 'an event and another family');
  overlap('SECUTIX_PASS_FAMILY_TYPE', 'SECUTIX_OTHER_FAMILY_TYPES', 'a pass and another family');
  return problems;
}
