/** An error as one short line for the logs (name and message, at most 500 characters). */
export function errText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 500) : String(err).slice(0, 500);
}
