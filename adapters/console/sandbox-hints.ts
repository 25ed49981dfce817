/**
 * The console's sandbox hints from the sandbox fixture (`allSandboxHints()`): every institution,
 * `DEMO` first, each with what its verification shows, so the banner cannot drift from the fixture.
 */
import type { SandboxHints } from '../sandbox';
import type { ConsoleHints, ConsoleInstitutionHint } from './run-console';

/** Hints for the banner and the forms: DEMO (or the first) as the default, the others listed after it. */
export function consoleHintsFrom(all: readonly SandboxHints[]): ConsoleHints | undefined {
  const toHint = (h: SandboxHints): ConsoleInstitutionHint => ({
    institutionCode: h.institutionCode,
    password: h.password,
    contingentIds: h.contingentIds,
    contactNumbers: h.contactNumbers,
    ...(h.shows ? { shows: h.shows } : {}),
  });
  const first = all.find((h) => h.institutionCode === 'DEMO') ?? all[0];
  if (!first) return undefined;
  return { ...toHint(first), others: all.filter((h) => h !== first).map(toHint) };
}
