/**
 * The sandbox's fixture: institutions kept in memory (source: `secutix-api.md`, "The sandbox").
 * Each lists its operator logins and passwords, contingent ids, contacts, `getPOSConfig` answer
 * and catalog with availability per contingent.
 */
import { z } from 'zod';
import defaultFixtureJson from './fixtures/default.json';

const posId = z.number().int().positive();

const performanceSchema = z.object({
  id: posId,
  state: z.string(),
  start: z.string().optional(),
  /** Seats per contingent; a contingent not listed has 0. */
  seats: z.array(z.object({ contingentId: posId, availableSeats: z.number().int().min(0) })).default([]),
});

const productSchema = z.object({
  id: posId,
  code: z.string().min(1),
  /** Catalog state; only RUNNING and SUSPENDED products are returned by `getCatalogDetailed`. */
  state: z.string(),
  productFamilyType: z.string(),
  names: z.array(z.object({ locale: z.string(), value: z.string() })).default([]),
  /** Performances of an event (`SINGLE_ENTRY`). */
  performances: z.array(performanceSchema).default([]),
  /** Quantities of a pass per contingent and date (`PASS`). */
  quantities: z
    .array(z.object({ contingentId: posId, date: z.string().optional(), availableQuantity: z.number().int().min(0) }))
    .default([]),
});

const institutionSchema = z.object({
  /** Upper-case institution code (the token's `sub`). */
  code: z.string().regex(/^[A-Z0-9]{2,15}$/, 'institution code: 2 to 15 upper-case letters or digits'),
  name: z.string(),
  operators: z.array(z.object({ login: z.string().regex(/^[A-Z0-9]+_[A-Z0-9]+$/), password: z.string().min(1) })).min(1),
  contingentIds: z.array(posId),
  /** The `posConfigData` answered (any extra field is passed through as SecuTix would). */
  posConfig: z.looseObject({
    posId,
    posActivityState: z.string(),
    salesChannelCode: z.string(),
    salesChannelActivityState: z.string(),
    paymentMethods: z.array(z.looseObject({ paymentType: z.string() })),
  }),
  contacts: z
    .array(
      z.object({
        contactId: posId.optional(),
        contactNumber: z.string().regex(/^[A-Za-z0-9-]{1,20}$/),
        firstName: z.string().optional(),
        lastName: z.string().optional(),
        pendingAccountAuthorized: z.boolean(),
      }),
    )
    .default([]),
  seasons: z.array(z.object({ id: posId, code: z.string(), products: z.array(productSchema) })).default([]),
});

/** A sandbox fixture (`fixtures/default.json` is the default). */
export const sandboxFixtureSchema = z.object({ institutions: z.array(institutionSchema) }).superRefine((f, ctx) => {
  const codes = new Set<string>();
  f.institutions.forEach((i, n) => {
    if (codes.has(i.code)) ctx.addIssue({ code: 'custom', path: ['institutions', n, 'code'], message: `duplicate institution ${i.code}` });
    codes.add(i.code);
  });
});
export type SandboxFixture = z.output<typeof sandboxFixtureSchema>;
export type SandboxInstitution = SandboxFixture['institutions'][number];
export type SandboxProduct = SandboxInstitution['seasons'][number]['products'][number];

/** The default fixture (DEMO: everything set up; FAULTY: channel suspended and more), parsed. */
export function defaultFixture(): SandboxFixture {
  return sandboxFixtureSchema.parse(structuredClone(defaultFixtureJson));
}

/** What a user needs to try an institution of the sandbox (printed by the console and `npm run sandbox`). */
export interface SandboxHints {
  institutionCode: string;
  channelCode: string;
  /** Operator login `<INSTITUTION>_<CHANNEL>`. */
  login: string;
  /** The sandbox operator's password (a demo value, not a secret). */
  password: string;
  contingentIds: number[];
  /** Every contact number of the institution, authorised ones first. */
  contactNumbers: string[];
  /** The first contact authorised for the pending account, if any. */
  contactNumber?: string;
}

/** Hints for one institution of a fixture (default: the default fixture); throws when unknown. */
export function sandboxHints(code: string, fixture: SandboxFixture = defaultFixture()): SandboxHints {
  const inst = fixture.institutions.find((i) => i.code === code.toUpperCase());
  if (!inst) throw new Error(`sandbox fixture has no institution ${code}`);
  const op = inst.operators[0];
  return {
    institutionCode: inst.code,
    channelCode: op.login.slice(inst.code.length + 1),
    login: op.login,
    password: op.password,
    contingentIds: [...inst.contingentIds],
    contactNumbers: [...inst.contacts]
      .sort((a, b) => Number(b.pendingAccountAuthorized) - Number(a.pendingAccountAuthorized))
      .map((c) => c.contactNumber),
    contactNumber: inst.contacts.find((c) => c.pendingAccountAuthorized)?.contactNumber,
  };
}

/** Hints for `DEMO` (everything set up): login `DEMO_DGTK`, its password, contingents and contact numbers. */
export function demoHints(): SandboxHints {
  return sandboxHints('DEMO');
}
