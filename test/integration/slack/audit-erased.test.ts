/**
 * Issue 8 follow-up: an answer erased by the password guard is shown in the audit export as the
 * run language's placeholder ("(effacé)" for a French run), like every other message, never as
 * the raw data marker; the password itself never appears. Through Bolt's real HTTP receiver
 * (signed requests), the fake Slack Web API (`files.uploadV2` calls), the admin
 * `GET /runs/:id/audit` route on the same server, and the real SecuTix client against the sandbox.
 */
import { createAuditRoute } from '../../../adapters/admin/audit-route';
import type { AuditExport } from '../../../src/app/audit-export';
import { ERASED } from '../../../src/domain/erased';
import { driveToVerification } from '../../helpers/slack-drive';
import { type SlackHarness, wireSlack } from '../../helpers/slack-wire';
import { parseCsv } from '../../helpers/rfc4180';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

describe('Slack: an erased answer in the audit export', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await wireSlack({
      env: { ADMIN_TOKEN },
      customRoutes: (core, config, logger) => [
        createAuditRoute({
          store: core.store,
          ...(config.adminToken ? { adminToken: config.adminToken } : {}),
          erasedText: (locale) => core.builder.t(locale, 'value.erased'),
          logger,
        }),
      ],
    });
  });
  afterAll(async () => {
    await h.close();
  });

  it('reads "(effacé)" in the French run\'s CSV upload, the admin JSON and CSV; never the marker or the password', async () => {
    const secret = 'Zq7-Contact-Pw';
    const r = await driveToVerification(h, { language: 'fr', contactNumber: secret });
    await r.press('verification', 'verify_start');
    await h.submit('onboard_password', h.lastView().private_metadata, { operator_password: secret });
    expect((await h.core.store.get(r.runId))?.erasedAnswers).toEqual(['contactNumber']);
    // The store keeps the data marker (what is checked here is what people read).
    expect(JSON.stringify(await h.core.store.audit(r.runId))).toContain(ERASED);

    await h.command(`audit ${r.runId}`, { responseUrl: h.api.responseUrl('audit-erased') });
    const complete = h.api.callsOf('files.completeUploadExternal').pop()!.args as { files: { id: string }[] };
    const csv = h.api.files.get(complete.files[0]!.id)!.content!;
    const headers = { Authorization: `Bearer ${ADMIN_TOKEN}` };
    const json = (await (await fetch(`${h.baseUrl}/runs/${r.runId}/audit`, { headers })).json()) as AuditExport;
    const adminCsv = await (await fetch(`${h.baseUrl}/runs/${r.runId}/audit?format=csv`, { headers })).text();

    const contact = parseCsv(csv.replace(/^\uFEFF/, '')).find((row) => row[7] === 'technical_contact' && row[8] === 'step_done');
    expect(contact?.[11]).toBe('contactNumber=(effacé)');
    expect(json.rows.find((row) => row.step === 'technical_contact' && row.action === 'step_done')?.details).toEqual({
      contactNumber: '(effacé)',
    });
    for (const text of [csv, adminCsv, JSON.stringify(json)]) {
      expect(text).not.toContain(ERASED);
      expect(text).not.toContain(secret);
      expect(text).toContain('(effacé)');
    }
  });
});
