/**
 * The baseline of `npm run bench`: a bare Bolt `App` (same Bolt version as the product, HTTP
 * receiver, same signing secret, same `processBeforeResponse: false`, the same
 * `deferInitialization` + `init()` with one `auth.test` against `SLACK_API_URL`) whose
 * listeners only `ack()`. Run as its own process (`node --import tsx`), like the product, so
 * both are measured the same way. Prints one JSON line `{"port": <n>}` once listening.
 *
 * Environment: `SLACK_SIGNING_SECRET`, `SLACK_BOT_TOKEN`, `SLACK_API_URL` (required).
 */
import type { Server } from 'node:http';
import { App, LogLevel } from '@slack/bolt';

async function main(): Promise<void> {
  const { SLACK_SIGNING_SECRET: signingSecret, SLACK_BOT_TOKEN: token, SLACK_API_URL: apiUrl } = process.env;
  if (!signingSecret || !token || !apiUrl) throw new Error('SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN and SLACK_API_URL are required');
  const app = new App({
    signingSecret,
    token,
    port: 0,
    deferInitialization: true,
    processBeforeResponse: false,
    logLevel: LogLevel.WARN,
    clientOptions: { slackApiUrl: apiUrl.replace(/\/*$/, '/') },
  });
  app.command(/.*/, async ({ ack }) => ack());
  app.action(/.*/, async ({ ack }) => ack());
  app.view(/.*/, async ({ ack }) => ack());
  await app.init();
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  const stop = () => void app.stop().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`bare Bolt could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
