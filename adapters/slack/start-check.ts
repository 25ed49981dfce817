/**
 * The Slack surface's start check (`auth.test`, through Bolt's `app.init()`) and what its failure
 * means, said as seen: Slack refused the token (Slack's own JSON error code), something else than
 * Slack answered (a proxy's or captive portal's page: status and content type; an HTTP 4xx), or
 * nothing answered.
 */
import type { App, webApi } from '@slack/bolt';
import { errText } from './err-text';
import { slackErrorCode } from './web-errors';

/** A start-up failure of the Slack surface. `code` is Slack's error, `unreachable` or `not_slack`. */
export class SlackStartError extends Error {
  override readonly name = 'SlackStartError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Default longest wait for the bot token check at start (`auth.test`, its retries included). */
export const START_CHECK_MS = 15_000;

/** A Slack error code (`invalid_auth`, `token_revoked`...), not the text of a page. */
const SLACK_CODE = /^[a-z][a-z0-9_.]{0,63}$/;

/**
 * The Web API client's fetch, noting the HTTP status and content type of each `auth.test` answer
 * (the Web API client keeps neither when a body is not JSON: it hands the raw text as the error).
 */
export class AuthTestWatch {
  last: { status: number; contentType: string; retryAfterSeconds?: number } | undefined;
  /** Told of each HTTP 429 answer to `auth.test` (its `Retry-After` in seconds, when readable). */
  onRateLimited: ((retryAfterSeconds: number | undefined) => void) | undefined;
  readonly fetch: webApi.FetchFunction = async (url, init) => {
    const answer = await globalThis.fetch(url, init);
    if (String(url).endsWith('/auth.test')) {
      const retryAfter = Number(answer.headers.get('retry-after') ?? Number.NaN);
      this.last = {
        status: answer.status,
        contentType: answer.headers.get('content-type') ?? 'no content type',
        ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterSeconds: retryAfter } : {}),
      };
      if (answer.status === 429) this.onRateLimited?.(this.last.retryAfterSeconds);
    }
    return answer;
  };
}

/** The HTTP status of a Web API client HTTP error (`slack_webapi_http_error`), else undefined. */
function httpStatusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown };
  return e?.code === 'slack_webapi_http_error' && typeof e.statusCode === 'number' ? e.statusCode : undefined;
}

/**
 * `app.init()` (the bot token check), bounded by a timer that also keeps the process alive: Node's
 * fetch never settles when a server accepts the connection and closes it at once, and with no
 * timer pending (the Web API client's timeout is unref'd) the process would exit 0 in silence.
 * @throws SlackStartError saying what was seen.
 */
export async function checkBotToken(
  app: App,
  opts: { apiUrl: string | undefined; timeoutMs: number; watch: AuthTestWatch },
): Promise<void> {
  const at = opts.apiUrl ?? 'https://slack.com/api/';
  const hint = opts.apiUrl ? ' and SLACK_API_URL' : '';
  const unreachable = (why: string) =>
    new SlackStartError('unreachable', `Slack API unreachable at ${at} (${why}). Check the network${hint}.`);
  const rateLimited = (retryAfter: number | undefined) =>
    new SlackStartError(
      'ratelimited',
      `Slack API rate-limited the start (HTTP 429${retryAfter !== undefined ? `, Retry-After ${retryAfter} s` : ''}) at ${at}. Try again later.`,
    );
  let timer: NodeJS.Timeout | undefined;
  const started = Date.now();
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const seen = opts.watch.last;
      reject(
        seen?.status === 429
          ? rateLimited(seen.retryAfterSeconds)
          : unreachable(`no answer to auth.test within ${Math.round(opts.timeoutMs / 1000)} s`),
      );
    }, opts.timeoutMs);
    // A 429 asking to wait past the deadline: said now, not after waiting for nothing.
    opts.watch.onRateLimited = (retryAfter) => {
      if (retryAfter === undefined || Date.now() + retryAfter * 1000 > started + opts.timeoutMs) reject(rateLimited(retryAfter));
    };
  });
  try {
    await Promise.race([app.init(), deadline]);
  } catch (err) {
    if (err instanceof SlackStartError) throw err;
    const code = slackErrorCode(err);
    const seen = opts.watch.last;
    const json = seen === undefined || /json/i.test(seen.contentType);
    if (code !== undefined && SLACK_CODE.test(code) && json) {
      throw new SlackStartError(code, `Slack rejected the bot token check (auth.test: ${code}). Check SLACK_BOT_TOKEN${hint}.`);
    }
    // An HTTP 4xx (not 429) from the API URL is not Slack (its Web API answers errors as JSON with
    // HTTP 200): a proxy, or a SLACK_API_URL that points elsewhere. Not "unreachable": it answered.
    const status = httpStatusOf(err) ?? seen?.status;
    if (status === 429 || (err as { code?: unknown }).code === 'slack_webapi_rate_limited_error')
      throw rateLimited((err as { retryAfter?: number }).retryAfter ?? seen?.retryAfterSeconds);
    if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
      throw new SlackStartError(
        'not_slack',
        `Not a Slack API answer (HTTP ${status} from ${at}auth.test): a proxy or a wrong SLACK_API_URL may stand between this server and Slack. Check the network${hint}.`,
      );
    }
    if ((err as { code?: unknown }).code === 'slack_webapi_platform_error') {
      // An answer, but not Slack's (a body that is not Slack's JSON): not a token problem.
      const what = seen ? `HTTP ${seen.status} ${seen.contentType}` : 'an answer without a Slack error code';
      throw new SlackStartError(
        'not_slack',
        `Not a Slack API answer at ${at} (auth.test: ${what}): a proxy or captive portal may stand between this server and Slack. Check the network${hint}.`,
      );
    }
    // No answer from Slack at all (refused, timeout, DNS, 5xx): not a token problem.
    throw unreachable(errText(err));
  } finally {
    clearTimeout(timer);
    opts.watch.onRateLimited = undefined;
  }
}
