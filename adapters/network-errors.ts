/** Socket-level error codes of a call that got no answer (refused, reset, timed out, no route, no DNS): Slack and Teams alike. */
export const NO_ANSWER_CODES: readonly string[] = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
];
