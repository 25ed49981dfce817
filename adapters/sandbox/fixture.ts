/**
 * The sandbox's fixture: institutions kept in memory (source: `secutix-api.md`, "The sandbox").
 * Each lists its operator logins and passwords, contingent ids, contacts, `getPOSConfig` answer
 * and catalog with availability per contingent.
 */
import { z } from 'zod';
import defaultFixtureJson from './fixtures/default.json';

/** Extra fields answered as they are (clients ignore them): they make generated answers as large as real ones. */
const extraFields = z.record(z.string(), z.unknown()).optional();

const posId = z.number().int().positive();

const performanceSchema = z.object({
  id: posId,
  state: z.string(),
  start: z.string().optional(),
  /** Seats per contingent; a contingent not listed has 0. */
  seats: z.array(z.object({ contingentId: posId, availableSeats: z.number().int().min(0) })).default([]),
  extra: extraFields,
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
  extra: extraFields,
});

/**
 * A catalog generated deterministically when the sandbox starts (never stored in the repository):
 * `events` SINGLE_ENTRY products with `performancesPerEvent` performances each and `passes` PASS
 * products, all RUNNING, with seats and quantities in the institution's contingents.
 */
export const generatedCatalogSchema = z.object({
  seed: z.number().int(),
  seasonId: posId,
  seasonCode: z.string().min(1),
  events: z.number().int().min(0).max(50_000),
  performancesPerEvent: z.number().int().min(0).max(100),
  passes: z.number().int().min(0).max(50_000),
  firstProductId: posId,
  firstPerformanceId: posId,
});
export type GeneratedCatalogSpec = z.output<typeof generatedCatalogSchema>;

/** What a demo institution shows, for the console banner (`console.hints.shows.*`). */
export const DEMO_SHOWS = ['passes', 'fails', 'to_confirm', 'large_catalog'] as const;
export type DemoShows = (typeof DEMO_SHOWS)[number];

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
        /** Absent: the answer carries no `financialData.pendingAccountAuthorized` flag (assumed field). */
        pendingAccountAuthorized: z.boolean().optional(),
      }),
    )
    .default([]),
  seasons: z.array(z.object({ id: posId, code: z.string(), products: z.array(productSchema) })).default([]),
  /** A large catalog generated at start, answered after the `seasons` above. */
  generatedCatalog: generatedCatalogSchema.optional(),
  /** Item fields left out of availability answers (e.g. `availableSeats`: unpublished fields a real answer may lack). */
  omitItemFields: z.array(z.string()).default([]),
  /** How long in ms after the first identical catalog request `getCatalogDetailed` answers `in_progress` (0: at once). */
  extractionMs: z.number().int().min(0).max(600_000).default(0),
  /** What the institution shows in a demo (console banner). */
  demoShows: z.enum(DEMO_SHOWS).optional(),
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
/** A fixture as written (defaults not applied yet), e.g. posted to `/__sandbox/fixture`. */
export type SandboxFixtureInput = z.input<typeof sandboxFixtureSchema>;
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
  /** What the institution shows in a demo (fixture `demoShows`). */
  shows?: DemoShows;
}

/** Order of contacts in hints: authorised first, then without a flag, then not authorised. */
const flagRank = (flag: boolean | undefined): number => (flag === true ? 0 : flag === undefined ? 1 : 2);

/** Hints for one institution of a fixture (default: the default fixture); throws when unknown. */
export function sandboxHints(code: string, fixture: SandboxFixture = defaultFixture()): SandboxHints {
  const inst = fixture.institutions.find((i) => i.code === code.toUpperCase());
  if (!inst) throw new Error(`sandbox fixture has no institution ${code}`);
  return hintsOf(inst);
}

/** Hints for every institution of a fixture (default: the default fixture), in fixture order. */
export function allSandboxHints(fixture: SandboxFixture = defaultFixture()): SandboxHints[] {
  return fixture.institutions.map(hintsOf);
}

function hintsOf(inst: SandboxInstitution): SandboxHints {
  const op = inst.operators[0];
  return {
    institutionCode: inst.code,
    channelCode: op.login.slice(inst.code.length + 1),
    login: op.login,
    password: op.password,
    contingentIds: [...inst.contingentIds],
    contactNumbers: [...inst.contacts]
      .sort((a, b) => flagRank(a.pendingAccountAuthorized) - flagRank(b.pendingAccountAuthorized))
      .map((c) => c.contactNumber),
    contactNumber: inst.contacts.find((c) => c.pendingAccountAuthorized === true)?.contactNumber,
    ...(inst.demoShows ? { shows: inst.demoShows } : {}),
  };
}

/** Hints for `DEMO` (everything set up): login `DEMO_DGTK`, its password, contingents and contact numbers. */
export function demoHints(): SandboxHints {
  return sandboxHints('DEMO');
}
