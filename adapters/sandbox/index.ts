/** The SecuTix sandbox (see `server.ts`) and its fixture accessors. */
export { createSandbox, SandboxState, EXCHANGED_TOKEN_TTL_SECONDS } from './server';
export type { Sandbox, SandboxOptions, SandboxCall } from './server';
export { allSandboxHints, defaultFixture, demoHints, sandboxHints, sandboxFixtureSchema, DEMO_SHOWS } from './fixture';
export type { DemoShows, SandboxFixture, SandboxFixtureInput, SandboxHints, SandboxInstitution } from './fixture';
export { generateCatalog } from './big-catalog';
export { SANDBOX_METHODS, faultRuleSchema } from './faults';
export type { FaultRule, FaultRuleInput, SandboxMethod } from './faults';
