/**
 * Audit export through Slack (issue 5): a complete DEMO run through Bolt's real HTTP receiver
 * (signed requests), the fake Slack Web API and the real SecuTix client against the sandbox; then
 * `/digitick-onboard audit RUN` uploads the trail as a CSV with `files.uploadV2` (the three calls
 * on the fake, the file shared in the run's thread), and the admin `GET /runs/:id/audit` on the
 * same HTTP server answers the same trail as JSON behind `ADMIN_TOKEN`.
 */
import { createAuditRoute } from '../../../adapters/admin/audit-route';
import { demoHints } from '../../../adapters/sandbox';
import { AUDIT_CSV_COLUMNS, type AuditExport } from '../../../src/app/audit-export';
import type { FakeSlackMessage } from '../../fakes/fake-slack-api';
import { OPERATOR, RUN_CHANNEL, SUPPORT_CHANNEL, SUPPORT_USER, type SlackHarness, wireSlack } from '../../helpers/slack-wire';
import { parseCsv } from '../../helpers/rfc4180';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
const demo = demoHints();
type Button = { action_id: string; value: string };
const buttonsOf = (blocks: Record<string, unknown>[] | undefined): Button[] =>
  (blocks ?? []).filter((b) => b.type === 'actions').flatMap((b) => b.elements as Button[]);

/** Drives a complete DEMO run (start form to email_sent, support assigning the password); returns the run id and its card. */
async function completeRun(h: SlackHarness): Promise<{ runId: string; card: FakeSlackMessage }> {
  await h.command('start demo');
  const startView = h.lastView();
  await h.submit(
    'onboard_start',
    startView.private_metadata,
    {
      institution_code: 'demo',
      institution_name: 'Demo Theatre, "Grande salle"',
      channel_code: 'DGTK',
      digitick_contact_name: 'Camille Martin',
      digitick_contact_email: 'camille.martin@digitick.example',
      language: 'en',
    },
    { selects: ['language'] },
  );
  const card = [...h.api.messages.values()].find((m) => m.channel === RUN_CHANNEL && !m.thread_ts)!;
  const runId = String(card.metadata?.event_payload.run_id);
  const press = async (step: string, actionId: string, o: { user?: typeof OPERATOR; channel?: string; msg?: FakeSlackMessage } = {}) => {
    const msg =
      o.msg ??
      h.api
        .messagesIn(RUN_CHANNEL, card.ts)
        .filter((m) => m.metadata?.event_payload.step === step && buttonsOf(m.blocks).length > 0)
        .pop()!;
    const b = buttonsOf(msg.blocks).find((x) => x.action_id === actionId)!;
    await h.click(actionId, b.value, { messageTs: msg.ts, channel: o.channel ?? RUN_CHANNEL, ...(o.user ? { user: o.user } : {}) });
  };
  await press('sales_channel', 'step_done');
  await press('point_of_sale', 'step_done');
  await press('contingents', 'step_done');
  await h.submit('onboard_contingents', h.lastView().private_metadata, { contingent_ids: demo.contingentIds.join(',') });
  await press('technical_contact', 'step_done');
  await h.submit('onboard_contact', h.lastView().private_metadata, { contact_number: demo.contactNumbers[0]! });
  await press('event_products', 'step_done');
  await press('pass_products', 'step_done');
  await press('sales_interface', 'step_done');
  await press('password_request', 'password_assigned', {
    user: SUPPORT_USER,
    channel: SUPPORT_CHANNEL,
    msg: h.api.messagesIn(SUPPORT_CHANNEL)[0]!,
  });
  await press('verification', 'verify_start');
  await h.submit('onboard_password', h.lastView().private_metadata, { operator_password: demo.password });
  await press('email_draft', 'email_sent');
  return { runId, card };
}

describe('Slack: audit RUN and GET /runs/:id/audit', () => {
  let h: SlackHarness;
  let runId: string;
  let card: FakeSlackMessage;

  beforeAll(async () => {
    h = await wireSlack({
      env: { ADMIN_TOKEN },
      customRoutes: (core, config, logger) => [
        createAuditRoute({
          store: core.store,
          ...(config.adminToken ? { adminToken: config.adminToken } : {}),
          defaultTimeZone: config.defaultTimeZone,
          erasedText: (locale) => core.builder.t(locale, 'value.erased'),
          logger,
        }),
      ],
    });
    ({ runId, card } = await completeRun(h));
    expect((await h.core.store.get(runId))?.status).toBe('completed');
  });
  afterAll(async () => {
    await h.close();
  });

  it('uploads the whole trail as a CSV in the run thread (files.uploadV2: three calls on the fake)', async () => {
    const before = h.api.calls.length;
    const t0 = performance.now();
    const answer = await h.command(`audit ${runId.toLowerCase()}`, { responseUrl: h.api.responseUrl('audit-1') });
    const ms = performance.now() - t0;
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(''); // acked at once; the answer comes by response_url

    const calls = h.api.calls.slice(before).filter((c) => c.method.startsWith('files.') || c.method === 'upload');
    expect(calls.map((c) => c.method)).toEqual(['files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);
    expect(calls.map((c) => [c.method, c.status, c.error ?? null])).toEqual([
      ['files.getUploadURLExternal', 200, null],
      ['upload', 200, null],
      ['files.completeUploadExternal', 200, null],
    ]);
    const complete = calls[2]!.args as {
      channel_id: string;
      thread_ts: string;
      files: { id: string; title: string }[];
      initial_comment: string;
    };
    expect(complete.channel_id).toBe(RUN_CHANNEL);
    expect(complete.thread_ts).toBe(card.ts);
    const file = h.api.files.get(complete.files[0]!.id)!;
    expect(file).toMatchObject({ completed: true, channel: RUN_CHANNEL, thread_ts: card.ts, filename: `audit-${runId}-DEMO.csv` });
    expect(file.initial_comment).toContain(`Audit trail of run ${runId} (DEMO)`);
    expect(file.initial_comment).toContain('Europe/Paris');
    expect(Buffer.byteLength(file.content!)).toBe(file.length);

    // Every transition in order, as the store has them; SecuTix's zone; the verification's checks.
    const trail = await h.core.store.audit(runId);
    const records = parseCsv(file.content!.replace(/^\uFEFF/, ''));
    expect(records[0]).toEqual([...AUDIT_CSV_COLUMNS]);
    const rows = records.slice(1);
    expect(rows.map((r) => r[0])).toEqual(trail.map((e) => String(e.seq)));
    expect(rows.map((r) => r[8])).toEqual(trail.map((e) => e.action));
    expect(rows.filter((r) => r[9] === 'ok').map((r) => r[8])).toEqual([
      'start',
      'step_done',
      'step_done',
      'step_done',
      'step_done',
      'step_done',
      'step_done',
      'step_done',
      'password_assigned',
      'verify',
      'email_sent',
    ]);
    expect(rows.every((r) => r[3] === 'Europe/Paris')).toBe(true); // from getPOSConfig, not the default
    expect(rows.every((r) => r[6] === 'slack')).toBe(true);
    const verify = rows.find((r) => r[8] === 'verify')!;
    expect(verify[10]).toMatch(/^credentials=passed; sales_channel=passed; point_of_sale=passed; event_products=passed; /);
    expect(verify[11]).toContain('posId=4242');
    expect(rows.find((r) => r[8] === 'password_assigned')![4]).toBe(SUPPORT_USER.id);
    expect(rows[0]![4]).toBe(OPERATOR.id);
    expect(rows.find((r) => r[7] === 'contingents')![11]).toBe(`contingentIds=${demo.contingentIds.join(',')}`);
    // Local time = UTC + 1 or + 2 h in Paris.
    expect(rows[0]![2]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$/);
    expect(file.content).not.toContain(demo.password);

    const reply = h.api.callsOf('response_url').find((c) => c.args.id === 'audit-1')!;
    expect(String(reply.args.text)).toContain(`The audit trail of run ${runId} is in its thread: https://fake.slack.test/archives/`);
    console.log(`audit CSV from the Slack test run (${rows.length} entries, command to answer ${Math.round(ms)} ms):\n${file.content}`);
  });

  it('says why when Slack refuses the upload, and refuses a missing or unknown run at once', async () => {
    h.api.fail('files.completeUploadExternal', { kind: 'slack_error', error: 'not_in_channel' });
    await h.command(`audit ${runId}`, { responseUrl: h.api.responseUrl('audit-2') });
    const reply = h.api.callsOf('response_url').find((c) => c.args.id === 'audit-2')!;
    expect(String(reply.args.text)).toContain(`I could not post the audit file of run ${runId} (Slack answered not_in_channel)`);

    const missing = await h.command('audit');
    expect(JSON.stringify(missing.body)).toContain('audit RUN_ID');
    const unknown = await h.command('audit ZZZZ9999');
    expect(JSON.stringify(unknown.body)).toContain('I know no run ZZZZ9999');
    // A typed id ending with '.' is not followed by a second one ('I know no run 1..').
    const dotted = await h.command('audit 1.');
    expect(JSON.stringify(dotted.body)).toContain('I know no run 1. ');
    expect(JSON.stringify(dotted.body)).not.toContain('1..');
  });

  it('GET /runs/:id/audit: the same trail as JSON with the token; 401 without or with a wrong one; 404 for an unknown run', async () => {
    const url = `${h.baseUrl}/runs/${runId}/audit`;
    const ok = await fetch(url, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const body = (await ok.json()) as AuditExport;
    const trail = await h.core.store.audit(runId);
    expect(body.runId).toBe(runId);
    expect(body.timeZone).toEqual({ id: 'Europe/Paris', source: 'secutix' });
    expect(body.rows.map((r) => [r.seq, r.action, r.outcome, r.actorId, r.timeUtc])).toEqual(
      trail.map((e) => [e.seq, e.action, e.outcome, e.actor.id, e.at]),
    );
    expect(body.rows.find((r) => r.action === 'verify')?.checks).toMatchObject({ credentials: 'passed', sales_channel: 'passed' });
    expect(JSON.stringify(body)).not.toContain(demo.password);

    const csv = await fetch(`${url}?format=csv`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(parseCsv((await csv.text()).replace(/^\uFEFF/, '')).length).toBe(trail.length + 1);

    const attempts: Record<string, string>[] = [
      {},
      { Authorization: 'Bearer wrong-token' },
      { Authorization: `Basic ${ADMIN_TOKEN}` },
      { Authorization: `Bearer ${ADMIN_TOKEN}x` },
    ];
    for (const headers of attempts) {
      const refused = await fetch(url, { headers });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('Bearer');
      expect(await refused.text()).not.toContain('DEMO');
    }
    const unknown = await fetch(`${h.baseUrl}/runs/ZZZZ9999/audit`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(unknown.status).toBe(404);
    const notAnId = await fetch(`${h.baseUrl}/runs/..%2F..%2Fetc/audit`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(notAnId.status).toBe(404);
    // The token never reaches the logs.
    expect(h.logs.join('\n')).not.toContain(ADMIN_TOKEN);
  });
});

describe('Slack: audit access', () => {
  it('lists audit in help and serves it only for operators and support; others are refused', async () => {
    const h = await wireSlack({ env: { ALLOWED_OPERATORS: OPERATOR.id, SUPPORT_USERS: SUPPORT_USER.id } });
    try {
      const outsider = { id: 'U0OUTSIDER', name: 'olga' };
      const helpOut = await h.command('help', { user: outsider });
      expect(JSON.stringify(helpOut.body)).not.toContain('audit RUN');
      const helpSupport = await h.command('help', { user: SUPPORT_USER });
      expect(JSON.stringify(helpSupport.body)).toContain('audit RUN');
      const refused = await h.command('audit ABCD1234', { user: outsider });
      expect(JSON.stringify(refused.body)).toContain('you are not on the list of people allowed');
      expect(h.api.callsOf('files.getUploadURLExternal')).toHaveLength(0);
    } finally {
      await h.close();
    }
  });
});
