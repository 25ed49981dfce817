/**
 * A guard in front of Bolt's HTTP receiver: a JSON body (any Content-Type but Bolt's form type,
 * which is how Bolt parses it) that parses to something other than an object (`null`, a number, a string, an array), or a form body whose `payload` field does (an
 * interactive payload `payload=null`), answers 400 at once when it is correctly signed (401 when
 * not). Bolt alone reads `body.ssl_check` of such a body and throws outside its own
 * error handling: no answer, an unhandled rejection in the log (issue 11).
 *
 * The body is buffered here and left on `req.rawBody`, which Bolt reuses as is (its
 * `bufferIncomingMessage` skips a request already buffered), so the signature is checked on the
 * same bytes by Bolt's own `parseAndVerifyHTTPRequest`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPModuleFunctions } from '@slack/bolt';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Wraps Bolt's `requestListener` for Slack's endpoint only (`path`, default `/slack/events`):
 * other routes on the same server (Teams' `/api/messages`) read their own body. `onRefused`
 * hears each refusal (for a log line).
 */
export function guardJsonBodies(
  signingSecret: string,
  next: Listener,
  onRefused: (status: 400 | 401 | 413, why: string) => void,
  path = '/slack/events',
): Listener {
  return (req, res) => {
    // As Bolt's `parseHTTPRequestBody`: exactly this type is a form; every other body (JSON,
    // text/plain, application/octet-stream, no type) is parsed as JSON.
    const form = req.headers['content-type'] === 'application/x-www-form-urlencoded';
    const json = !form;
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== path) return next(req, res);
    void (async () => {
      let buffered: Awaited<ReturnType<typeof HTTPModuleFunctions.bufferIncomingMessage>>;
      try {
        buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, HTTPModuleFunctions.defaultBodyLimit);
      } catch (err) {
        const tooLarge = HTTPModuleFunctions.isRawBodyError(err) && (err.type === 'entity.too.large' || err.statusCode === 413);
        onRefused(tooLarge ? 413 : 400, tooLarge ? 'body too large' : 'body could not be read');
        return answer(res, tooLarge ? 413 : 400);
      }
      // JSON: the body itself; a form: its `payload` field when there is one (slash commands have none).
      const text = json ? buffered.rawBody.toString('utf8') : new URLSearchParams(buffered.rawBody.toString('utf8')).get('payload');
      if (text === null) return next(req, res);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return next(req, res); // Bolt answers malformed JSON itself (400)
      }
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return next(req, res);
      try {
        await HTTPModuleFunctions.parseAndVerifyHTTPRequest({ enabled: true, signingSecret }, buffered);
      } catch {
        onRefused(401, 'signature check failed');
        return answer(res, 401);
      }
      const what = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
      onRefused(400, `signed ${json ? 'JSON body' : 'form field payload'} is ${what}, not an object`);
      answer(res, 400);
    })().catch(() => {
      if (!res.headersSent) answer(res, 400);
    });
  };
}

function answer(res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  res.writeHead(status);
  res.end();
}
