/**
 * The opaque `value` of buttons (Slack, max 2000 characters) and `data` of Teams actions:
 * `<runId>:<stepId>`. Parsed at the edge; anything else is refused.
 */
import { STEP_IDS, type StepId } from '../domain/ids';

export interface ActionValue {
  runId: string;
  step: StepId;
}

/** Encodes a button value. */
export function encodeActionValue(v: ActionValue): string {
  return `${v.runId}:${v.step}`;
}

/** Decodes a button value; null when it is not one of ours (garbage, unknown step). */
export function decodeActionValue(value: unknown): ActionValue | null {
  if (typeof value !== 'string' || value.length > 100) return null;
  const m = /^([A-Z0-9]{4,16}):([a-z_]{1,40})$/.exec(value);
  if (!m) return null;
  const step = m[2] as StepId;
  if (!STEP_IDS.includes(step)) return null;
  return { runId: m[1], step };
}

/** True for a string shaped like a run id (8 upper-case Crockford base32 characters, or 4 to 16). */
export function isRunId(s: string): boolean {
  return /^[A-Z0-9]{4,16}$/.test(s);
}
