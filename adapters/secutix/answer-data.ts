/**
 * Where a success answer's data sits and how it is read (`secutix-api.md`, "Methods"): the
 * envelope's data field, or the JSON root for a root Result (`getContactData`) with its old
 * wrapper as a fallback; plus the key paths logged once per method, and the `in_progress`
 * progress callback.
 */
import type { z } from 'zod';
import { ENDPOINTS, type EnvelopeMethod, ROOT_DATA_FIELD } from './endpoints';
import { keyPaths } from './key-paths';
import { ENVELOPE_FIELDS, parseAt } from './schemas';

/** Progress callback of a call that SecuTix answers `in_progress` (the port's `onWaiting`). */
export type OnWaiting = (info: { waitedMs: number; polls: number }) => void;

/**
 * Parses a success answer's data: the envelope's data field, or for a root Result
 * (`dataField: 'root'`) the root first and the wrapper (`wrapperFallback`) when the root does not
 * parse. A failure names the first wrong field (of the wrapper when one was there, else of the root).
 */
export function parseAnswerData<T>(
  method: EnvelopeMethod,
  json: Record<string, unknown>,
  schema: z.ZodType<T>,
): { ok: true; value: T } | { ok: false; field: string; message: string } {
  const e = ENDPOINTS[method];
  const dataField = e.dataField ?? '';
  if (dataField !== ROOT_DATA_FIELD) return parseAt(schema, json[dataField], dataField);
  const root = parseAt(schema, json, '');
  if (root.ok) return root;
  const wrapper = e.wrapperFallback;
  const wrapped = wrapper ? json[wrapper] : undefined;
  if (wrapper && wrapped !== null && typeof wrapped === 'object') return parseAt(schema, wrapped, wrapper);
  return root;
}

/** Key paths (never values) of a success answer's data: under its data field, or the root without the envelope fields. */
export function answerKeyPaths(method: EnvelopeMethod, json: Record<string, unknown>): { paths: string[]; truncated: boolean } {
  const dataField = ENDPOINTS[method].dataField ?? '';
  return dataField === ROOT_DATA_FIELD ? keyPaths(json, '', undefined, ENVELOPE_FIELDS) : keyPaths(json[dataField], dataField);
}

/** Calls a progress callback; whatever it throws (or rejects) is ignored: it must never break the call. */
export function notifyWaiting(cb: OnWaiting, info: { waitedMs: number; polls: number }): void {
  try {
    const r: unknown = cb(info);
    if (r && typeof (r as Promise<unknown>).catch === 'function') (r as Promise<unknown>).catch(() => undefined);
  } catch {
    // ignored on purpose: a failing progress message must not fail the verification
  }
}
