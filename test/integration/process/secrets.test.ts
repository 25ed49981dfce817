/**
 * Secrets after full runs (issue 4, "secrets"): the operator password, the Slack signing secret,
 * the bot token and the Teams app password appear in none of the SQLite files (`-wal` and `-shm`
 * included), the debug-level logs, or the recorded Slack / Teams calls.
 * - Slack: the real product process (Slack and Teams configured, Teams authentication on with an
 *   app id and password), a full run to `email_sent`, plus an unauthenticated Teams activity.
 *   The bot token legitimately travels in the `Authorization` header of each Web API call (and
 *   in the body of Bolt's one `auth.test`); those two places are checked apart.
 * - Teams: a full run through `startTeamsHarness` (CloudAdapter + fake connector, debug logs).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSandbox, demoHints } from '../../../adapters/sandbox';
import { FakeSlackApi } from '../../fakes/fake-slack-api';
import { ALEX, actionOf, cardOf, type Conversation, invokeCard, latestWithAction, SAM, startTeamsHarness } from '../teams/helpers';
import { PROCESS_SECRETS, SlackDriver, spawnProduct, SUPPORT_CHANNEL, waitFor } from './product-process';

const demo = demoHints();
const SECRETS = {
  'operator password': demo.password,
  'signing secret': PROCESS_SECRETS.signingSecret,
  'bot token': PROCESS_SECRETS.botToken,
  'Teams app password': PROCESS_SECRETS.teamsAppPassword,
};

/** The names of the secrets found in `text`. */
const leaked = (text: string): string[] => Object.entries(SECRETS).flatMap(([name, value]) => (text.includes(value) ? [name] : []));

/** The SQLite file and its `-wal` / `-shm` companions, as text. */
const dbFiles = (dbPath: string): string =>
  ['', '-wal', '-shm']
    .filter((s) => fs.existsSync(dbPath + s))
    .map((s) => fs.readFileSync(dbPath + s).toString('latin1'))
    .join('\n');

it('after a full Slack run in the product process, no secret is in the database, the debug logs or the Slack calls', async () => {
  // Arrange
  const sandbox = createSandbox({ admin: true });
  const { url: sandboxUrl } = await sandbox.listen(0, '127.0.0.1');
  const api = await new FakeSlackApi().start();
  api.validTokens.add(PROCESS_SECRETS.botToken);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-'));
  const dbPath = path.join(dir, 'runs.db');
  const p = await spawnProduct({
    SLACK_SIGNING_SECRET: PROCESS_SECRETS.signingSecret,
    SLACK_BOT_TOKEN: PROCESS_SECRETS.botToken,
    SLACK_API_URL: api.apiUrl,
    SECUTIX_SUPPORT_SLACK_CHANNEL: SUPPORT_CHANNEL,
    TEAMS_ENABLED: 'true',
    MICROSOFT_APP_ID: '11111111-2222-3333-4444-555555555555',
    MICROSOFT_APP_PASSWORD: PROCESS_SECRETS.teamsAppPassword,
    MICROSOFT_APP_TYPE: 'MultiTenant',
    SECUTIX_SANDBOX: 'false',
    SECUTIX_BASE_URL: sandboxUrl,
    DATABASE_URL: `sqlite:${dbPath}`,
    LOG_LEVEL: 'debug',
  });
  try {
    // Act: a full run, then a Teams activity without a Bot Framework token.
    const slack = new SlackDriver(api, `${p.baseUrl}/slack/events`);
    const runId = await slack.runTo('verification', demo);
    const views = api.callsOf('views.open').length;
    await slack.click(slack.open(runId, 'verification', 'verify_start')!, 'verify_start');
    await slack.submitView(views + 1, { operator_password: demo.password });
    await slack.click(await slack.waitOpen(runId, 'email_draft', 'email_sent'), 'email_sent');
    await waitFor('the run to complete', () => slack.card(runId)?.metadata?.event_payload.state === 'completed');
    const teams = await fetch(`${p.baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: 'x1',
        text: 'help',
        timestamp: new Date().toISOString(),
        serviceUrl: 'http://127.0.0.1:9/',
        channelId: 'msteams',
        from: { id: '29:alex', name: 'Alex Operator', aadObjectId: 'aad-alex' },
        recipient: { id: '28:digitick-bot', name: 'Digitick' },
        conversation: { id: 'a:personal-alex', conversationType: 'personal', tenantId: 'tenant-1' },
      }),
    });
    expect(teams.status).toBe(401);
    await p.stop(); // graceful: the store is closed, the WAL checkpointed

    // Assert: the run went through (so there was something to leak), at debug level.
    expect(api.messages.size).toBeGreaterThan(10);
    const card = slack.card(runId)!;
    expect(card.metadata?.event_payload.state).toBe('completed');
    expect(p.logs.some((l) => l.includes('"level":20'))).toBe(true);
    expect(dbFiles(dbPath)).toContain('DEMO_DGTK');

    expect(leaked(dbFiles(dbPath))).toEqual([]);
    expect(leaked([...p.logs, ...p.stderr].join('\n'))).toEqual([]);
    const calls = api.calls.map((c) => {
      const { authorization, ...headers } = c.headers;
      return {
        method: c.method,
        headers,
        raw: c.method === 'auth.test' ? '' : c.raw,
        args: c.method === 'auth.test' ? {} : c.args,
        authorization,
      };
    });
    expect(leaked(JSON.stringify(calls.map(({ authorization: _a, ...rest }) => rest)))).toEqual([]);
    // The token's one legitimate place: the Bearer header (never the signing secret or a password).
    const headerValues = new Set(calls.filter((c) => c.method !== 'response_url').map((c) => c.authorization));
    expect([...headerValues]).toEqual([`Bearer ${PROCESS_SECRETS.botToken}`]);
  } finally {
    await p.kill9();
    await api.stop();
    await sandbox.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

it('after a full Teams run, the operator password is in none of the database files, the debug logs or the connector calls', async () => {
  const h = await startTeamsHarness();
  try {
    const PERSONAL: Conversation = { id: 'a:personal-secrets', conversationType: 'personal' };
    const SUPPORT: Conversation = { id: '19:support-secrets@thread.tacv2', conversationType: 'channel' };
    await h.message(SUPPORT, SAM, 'support-channel here', { mention: true });
    await h.message(PERSONAL, ALEX, 'digitick-onboard start');
    const form = latestWithAction(h.connector, 'onboard_start');
    const inputs = {
      institution_code: 'demo',
      institution_name: 'Demo Theatre',
      channel_code: 'DGTK',
      digitick_contact_name: 'Camille Martin',
      digitick_contact_email: 'camille.martin@digitick.example',
      language: 'en',
    };
    invokeCard(await h.invoke(PERSONAL, ALEX, actionOf(cardOf(form), 'onboard_start')!, inputs, { replyToId: form.id }));
    const click = async (verb: string, step: string, conv = PERSONAL, user = ALEX) => {
      const target = latestWithAction(h.connector, verb, step);
      return { card: invokeCard(await h.invoke(conv, user, actionOf(cardOf(target), verb)!, {}, { replyToId: target.id })), target };
    };
    const submit = async (
      opened: { card: ReturnType<typeof invokeCard>; target: { id: string } },
      verb: string,
      inputs: Record<string, string>,
    ) => invokeCard(await h.invoke(PERSONAL, ALEX, actionOf(opened.card, verb)!, inputs, { replyToId: opened.target.id }));
    await click('step_done', 'sales_channel');
    await click('step_done', 'point_of_sale');
    await submit(await click('step_done', 'contingents'), 'onboard_contingents', { contingent_ids: demo.contingentIds.join(',') });
    await submit(await click('step_done', 'technical_contact'), 'onboard_contact', { contact_number: demo.contactNumbers[0]! });
    await click('step_done', 'event_products');
    await click('step_done', 'pass_products');
    await click('step_done', 'sales_interface');
    await click('password_assigned', 'password_request', SUPPORT, SAM);
    await submit(await click('verify_start', 'verification'), 'onboard_password', { operator_password: demo.password });
    await h.surface.idle();
    await click('email_sent', 'email_draft');
    const runs = await h.store.list({ surface: 'teams' });
    expect(runs.map((r) => r.status)).toEqual(['completed']);
    expect(runs[0]!.verification?.passed).toBe(true);
    await h.store.close(); // checkpoints the WAL; closing again in close() is harmless

    expect(h.logLines.some((l) => l.includes('"level":20'))).toBe(true);
    expect(h.connector.requests.length).toBeGreaterThan(10);
    expect(leaked(dbFiles(h.dbPath))).toEqual([]);
    expect(leaked(h.logLines.join('\n'))).toEqual([]);
    expect(leaked(JSON.stringify(h.connector.requests))).toEqual([]);
  } finally {
    await h.close();
  }
});
