/** Reading Prometheus exposition text in tests. */

/** The value of the sample line of `text` that starts with `prefix` (a metric name with its labels), or undefined. */
export function sample(text: string, prefix: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(prefix + ' '));
  return line === undefined ? undefined : Number(line.slice(prefix.length + 1));
}
