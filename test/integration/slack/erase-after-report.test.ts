/**
 * Issue 8, QA round 2 (D1, D2, D4) in Slack: the password guard erases an answer on a run that
 * already has a verification report showing it. The value leaves the stored report, the message
 * snapshots kept in refs and the earlier report in the thread (edited: its values shown as
 * erased, its buttons replaced by a pointer); its `verify_confirm` and `verify_skip` are refused
 * until the answer is entered again, and no audit entry holds the value. Bolt's real HTTP receiver
 * (signed requests), the fake Slack Web API on loopback, the real SQLite store (read back with a
 * second connection), the real SecuTix client against the sandbox (DEMO with an unpublished
 * sales channel state and a contact with no authorisation flag, so the report has checks to
 * confirm and shows the contact number).
 */
import Database from 'better-sqlite3';
import { demoHints } from '../../../adapters/sandbox';
import { buttonsOf, type DrivenRun, driveToVerification, shown } from '../../helpers/slack-drive';
import { OPERATOR, type SlackHarness, wireSlack } from '../../helpers/slack-wire';

const demo = demoHints();
const contact = demo.contactNumbers[0]!;

describe('Slack: the password guard on a run that already has a report', () => {
  let h: SlackHarness;
  let r: DrivenRun;
  let oldReport: { ts: string; confirm: string };

  beforeAll(async () => {
    h = await wireSlack();
    const inst = h.core.sandbox!.instance.state.institutions.get('DEMO')!;
    inst.posConfig.salesChannelActivityState = 'OPEN';
    // A contact with no authorisation flag: the report names it ("to confirm").
    delete inst.contacts.find((c) => c.contactNumber === contact)!.pendingAccountAuthorized;
    r = await driveToVerification(h);
    await r.press('verification', 'verify_start');
    await h.submit('onboard_password', h.lastView().private_metadata, { operator_password: demo.password });
    const report = r.openMessage('verification', 'verify_confirm');
    expect(shown(report)).toContain(contact);
    const buttons = buttonsOf(report.blocks);
    oldReport = {
      ts: report.ts,
      confirm: buttons.find((b) => b.action_id === 'verify_confirm')!.value,
    };
    expect(JSON.stringify(await h.core.store.getRefs(r.runId))).toContain(contact);
    // The contact number typed as the password.
    await r.press('verification', 'verify_start', { message: report });
    await h.submit('onboard_password', h.lastView().private_metadata, { operator_password: contact });
    expect((await h.core.store.get(r.runId))?.erasedAnswers).toEqual(['contactNumber']);
  });
  afterAll(async () => {
    await h.close();
  });

  it("erases it from the stored report, the refs' snapshots and the earlier report shown in the thread", async () => {
    const run = await h.core.store.get(r.runId);
    expect(run?.verification).toBeDefined();
    expect(JSON.stringify(run)).not.toContain(contact);
    expect(JSON.stringify(await h.core.store.getRefs(r.runId))).not.toContain(contact);
    const shownNow = h.api.messages.get(oldReport.ts)!;
    expect(shown(shownNow)).not.toContain(contact);
    expect(shown(shownNow)).toContain('(erased)');
    expect(shown(shownNow)).not.toContain('[erased]');
    expect(buttonsOf(shownNow.blocks)).toEqual([]);
    const db = new Database(h.dbPath, { readonly: true, fileMustExist: true });
    try {
      for (const table of ['runs', 'audit', 'outbox', 'refs']) {
        expect([table, JSON.stringify(db.prepare(`SELECT * FROM "${table}"`).all()).includes(contact)]).toEqual([table, false]);
      }
    } finally {
      db.close();
    }
  });

  it("refuses the old report's verify_confirm: the run stays at verification, no audit entry holds the value", async () => {
    const before = h.api.callsOf('chat.postEphemeral').length;
    await h.click('verify_confirm', oldReport.confirm, { messageTs: oldReport.ts });
    const told = h.api.callsOf('chat.postEphemeral').slice(before);
    expect(told).toHaveLength(1);
    expect(String(told[0]!.args.text)).toContain('technical contact number');
    const run = await h.core.store.get(r.runId);
    expect(run?.currentStep).toBe('verification');
    expect(run?.steps.verification.state).toBe('current');
    const audit = await h.core.store.audit(r.runId);
    expect(audit.filter((e) => e.action === 'verify_confirm' && e.outcome === 'ok')).toHaveLength(0);
    expect(JSON.stringify(audit)).not.toContain(contact);
  });

  it('refuses verify_skip until the erased answer is entered again, naming it; then the run goes on with it', async () => {
    // The step message's verify_skip (the same value on every verification message of the run).
    const notice = r.openMessage('verification', 'answers_edit');
    const skip = `${r.runId}:verification`;
    const before = h.api.callsOf('chat.postEphemeral').length;
    const views = h.api.callsOf('views.open').length;
    await h.click('verify_skip', skip, { messageTs: notice.ts });
    // Refused on the click: no form opens.
    expect(h.api.callsOf('views.open')).toHaveLength(views);
    let run = await h.core.store.get(r.runId);
    expect(run?.currentStep).toBe('verification');
    const told = h.api.callsOf('chat.postEphemeral').slice(before);
    expect(told.map((c) => String(c.args.text)).join('\n')).toContain('technical contact number');
    expect(h.api.callsOf('chat.postMessage').some((c) => String(c.args.text).includes('To: '))).toBe(false);

    await r.press('verification', 'answers_edit');
    await h.submit('onboard_answers', h.lastView().private_metadata, {
      contingent_ids: demo.contingentIds.join(', '),
      contact_number: '000124',
    });
    await h.click('verify_skip', skip, { messageTs: notice.ts, user: OPERATOR });
    await h.submit('onboard_verify_skip', h.lastView().private_metadata, { skip_reason: 'checked by phone' });
    run = await h.core.store.get(r.runId);
    expect(run?.currentStep).toBe('email_draft');
  });
});
