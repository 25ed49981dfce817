import type { RawValues } from '../../src/app/forms';
import { INPUT_IDS } from '../../src/domain/ids';

/** The form inputs' values of a card action's data (strings only; anything else is left out). */
export function raw(data: Record<string, unknown>): RawValues {
  const out: RawValues = {};
  for (const id of Object.values(INPUT_IDS)) {
    const v = data[id];
    if (typeof v === 'string') out[id] = v;
  }
  return out;
}
