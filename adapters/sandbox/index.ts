/** The SecuTix sandbox (see `server.ts`) and its fixture accessors. */
export { createSandbox, SandboxState, EXCHANGED_TOKEN_TTL_SECONDS } from './server';
export type { Sandbox, SandboxOptions, SandboxCall } from './server';
export { defaultFixture, demoHints, sandboxHints, sandboxFixtureSchema } from './fixture';
export type { SandboxFixture, SandboxHints, SandboxInstitution } from './fixture';
export { SANDBOX_METHODS, faultRuleSchema } from './faults';
export type { FaultRule, FaultRuleInput, SandboxMethod } from './faults';
