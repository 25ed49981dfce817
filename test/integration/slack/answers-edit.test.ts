/**
 * Issue 8 in Slack: `answers_edit` opens the `onboard_answers` modal prefilled; its submission is
 * validated (errors keyed by input id, in the run's language) and recorded (audit with old and
 * new values, the change in the thread, the verification step offered again); and the password
 * guard: a password equal to a recorded answer erases it everywhere and nothing echoes it.
 * Bolt's real HTTP receiver (signed requests), the fake Slack Web API on loopback, the real SQLite
 * store (read back with a second connection), the real SecuTix client against the sandbox.
 */
import Database from 'better-sqlite3';
import { demoHints } from '../../../adapters/sandbox';
import { parseAnswersForm } from '../../../src/app/forms';
import { buttonsOf, driveToVerification, shown } from '../../helpers/slack-drive';
import { OPERATOR, type SlackHarness, wireSlack } from '../../helpers/slack-wire';

const demo = demoHints();

type Input = { type: string; block_id: string; element: { action_id: string; initial_value?: string } };
/** Every mrkdwn text of a Block Kit tree (where Slack parses mentions). */
function mrkdwnTexts(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(mrkdwnTexts);
  if (typeof node !== 'object' || node === null) return [];
  const o = node as Record<string, unknown>;
  const own = o.type === 'mrkdwn' && typeof o.text === 'string' ? [o.text] : [];
  return [...own, ...Object.values(o).flatMap(mrkdwnTexts)];
}
const inputsOf = (blocks: Record<string, unknown>[]) => blocks.filter((b) => b.type === 'input') as unknown as Input[];

describe('Slack: correcting the recorded answers', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await wireSlack();
  });
  afterEach(async () => {
    await h.close();
  });

  it('opens onboard_answers prefilled, answers errors on contingent_ids in the run language, then records and audits a good change', async () => {
    // The run is in French; the user's own Slack locale is the default (en-US).
    const r = await driveToVerification(h, { language: 'fr' });
    const stepMsg = r.openMessage('verification', 'answers_edit');
    expect(buttonsOf(stepMsg.blocks).map((b) => b.action_id)).toEqual(['verify_start', 'answers_edit', 'verify_skip', 'run_cancel']);
    const opened = h.api.callsOf('views.open').length;
    await r.press('verification', 'answers_edit', { message: stepMsg });
    expect(h.api.callsOf('views.open')).toHaveLength(opened + 1);
    const view = h.lastView();
    expect(view.callback_id).toBe('onboard_answers');
    expect(JSON.parse(view.private_metadata)).toEqual({ run: r.runId, step: 'verification' });
    const inputs = inputsOf(view.blocks);
    expect(inputs.map((i) => [i.block_id, i.element.action_id, i.element.initial_value])).toEqual([
      ['contingent_ids', 'contingent_ids', demo.contingentIds.join(', ')],
      ['contact_number', 'contact_number', demo.contactNumbers[0]],
    ]);

    // A bad contingents value: the modal stays open with the error on that field, in French.
    const bad = await h.submit('onboard_answers', view.private_metadata, { contingent_ids: '11, douze', contact_number: '000124' });
    expect(bad.status).toBe(200);
    const errors = (bad.json as { response_action: string; errors: Record<string, string> }).errors;
    expect((bad.json as { response_action: string }).response_action).toBe('errors');
    expect(Object.keys(errors)).toEqual(['contingent_ids']);
    const parsed = parseAnswersForm({ contingent_ids: '11, douze', contact_number: '000124' });
    const key = parsed.ok ? '' : parsed.errors.contingent_ids!;
    expect(errors.contingent_ids).toBe(h.core.builder.t('fr', key));
    expect(errors.contingent_ids).not.toBe(h.core.builder.t('en', key));
    let run = await h.core.store.get(r.runId);
    expect(run?.contingentIds).toEqual(demo.contingentIds);

    // A good submission: recorded, audited with old and new values, said in the thread, and the verification step posted again.
    const stepMessagesBefore = r
      .thread()
      .filter(
        (m) => m.metadata?.event_payload.step === 'verification' && buttonsOf(m.blocks).some((b) => b.action_id === 'verify_start'),
      ).length;
    const good = await h.submit('onboard_answers', view.private_metadata, { contingent_ids: '11', contact_number: '000124' });
    expect(good.body).toBe('');
    run = await h.core.store.get(r.runId);
    expect(run?.contingentIds).toEqual([11]);
    expect(run?.contactNumber).toBe('000124');
    expect(run?.currentStep).toBe('verification');
    const audit = (await h.core.store.audit(r.runId)).filter((e) => e.action === 'answers_edit' && e.outcome === 'ok');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor.id).toBe(OPERATOR.id);
    expect(audit[0]!.details).toEqual({
      changes: [
        { field: 'contingentIds', from: demo.contingentIds.join(', '), to: '11' },
        { field: 'contactNumber', from: demo.contactNumbers[0], to: '000124' },
      ],
    });
    const changed = r.thread().find((m) => shown(m).includes('000124') && shown(m).includes(`<@${OPERATOR.id}>`));
    expect(changed).toBeDefined();
    expect(shown(changed!)).toContain(`${demo.contactNumbers[0]} → 000124`);
    const stepMessagesAfter = r
      .thread()
      .filter((m) => m.metadata?.event_payload.step === 'verification' && buttonsOf(m.blocks).some((b) => b.action_id === 'verify_start'));
    // The step posted again is the one live set of verification buttons (older ones point to it).
    expect(stepMessagesBefore).toBeGreaterThanOrEqual(1);
    expect(stepMessagesAfter).toHaveLength(1);
    expect(r.thread().indexOf(stepMessagesAfter[stepMessagesAfter.length - 1]!)).toBeGreaterThan(r.thread().indexOf(changed!));

    // The same values again change nothing: the user is told, ephemerally.
    const told = h.api.callsOf('chat.postEphemeral').length;
    await r.press('verification', 'answers_edit');
    await h.submit('onboard_answers', h.lastView().private_metadata, { contingent_ids: '11', contact_number: '000124' });
    expect(h.api.callsOf('chat.postEphemeral').length).toBe(told + 1);
    // Said plainly, in the run's language (an answer about one run): nothing changed, not "this action does not apply".
    const said = JSON.stringify(h.api.callsOf('chat.postEphemeral')[told]!.args);
    expect(said).toContain(h.core.builder.t('fr', 'refusal.nothing_changed'));
    expect(said).not.toContain('does not apply');
    expect((await h.core.store.audit(r.runId)).filter((e) => e.action === 'answers_edit' && e.outcome === 'ok')).toHaveLength(1);
  });

  it('a submit carrying fields the form did not show (institution name, Digitick contact): only the shown inputs are read, the others ignored and not recorded', async () => {
    const r = await driveToVerification(h);
    const before = (await h.core.store.get(r.runId))!;
    await r.press('verification', 'answers_edit');
    const view = h.lastView();
    expect(inputsOf(view.blocks).map((i) => i.block_id)).toEqual(['contingent_ids', 'contact_number']);
    // A signed view_submission whose state holds values for inputs the modal never had.
    const extra = { institution_name: 'Evil Corp', digitick_contact_name: 'Mallory', digitick_contact_email: 'attacker@evil.example' };
    const sent = await h.submit('onboard_answers', view.private_metadata, {
      contingent_ids: '11',
      contact_number: demo.contactNumbers[0]!,
      ...extra,
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toBe('');
    const run = (await h.core.store.get(r.runId))!;
    expect(run.contingentIds).toEqual([11]);
    expect(run.details).toEqual(before.details);
    const audit = (await h.core.store.audit(r.runId)).filter((e) => e.action.startsWith('answers'));
    expect(audit.map((e) => e.details)).toEqual([{ changes: [{ field: 'contingentIds', from: demo.contingentIds.join(', '), to: '11' }] }]);
    const everything = JSON.stringify([run, await h.core.store.audit(r.runId), r.thread(), h.api.callsOf('chat.update')]);
    expect(everything).not.toMatch(/Evil Corp|Mallory|evil\.example/);

    // Only extra fields (the shown ones unchanged), one of them blank: neither validated nor recorded.
    await r.press('verification', 'answers_edit');
    const again = await h.submit('onboard_answers', h.lastView().private_metadata, {
      contingent_ids: '11',
      contact_number: demo.contactNumbers[0]!,
      ...extra,
      institution_name: '   ',
    });
    expect(again.body).toBe('');
    expect((await h.core.store.get(r.runId))!.details).toEqual(before.details);
    expect((await h.core.store.audit(r.runId)).filter((e) => e.action === 'answers_edit' && e.outcome === 'ok')).toHaveLength(1);
  });

  it('a failed report carries verify_start (primary), answers_edit, verify_skip, run_cancel; its answers_edit opens the form', async () => {
    const r = await driveToVerification(h);
    await r.press('verification', 'verify_start');
    await h.submit('onboard_password', h.lastView().private_metadata, { operator_password: 'not-the-password' });
    const run = await h.core.store.get(r.runId);
    expect(run?.verification?.passed).toBe(false);
    expect(run?.steps.verification.state).toBe('failed');
    const report = r
      .thread()
      .filter((m) => buttonsOf(m.blocks).some((b) => b.action_id === 'verify_skip'))
      .pop();
    expect(report).toBeDefined();
    expect(shown(report!)).toContain(':x: *Operator login and password*: failed');
    const buttons = buttonsOf(report!.blocks);
    expect(buttons.map((b) => b.action_id)).toEqual(['verify_start', 'answers_edit', 'verify_skip', 'run_cancel']);
    expect(buttons.filter((b) => b.style === 'primary').map((b) => b.action_id)).toEqual(['verify_start']);
    // The card shows the verification step failed, with the word.
    expect(shown(h.api.messages.get(r.card.ts)!)).toMatch(/:x: [^\n"]*9\. [^\n"]*: failed/);
    await r.press('verification', 'answers_edit', { message: report! });
    expect(h.lastView().callback_id).toBe('onboard_answers');
  });

  it('a password equal to the recorded contact number erases it from the run, its audit and outbox; nothing sent to Slack carries it', async () => {
    const secret = 'Zq7-Contact-Pw';
    const r = await driveToVerification(h, { contactNumber: secret });
    expect((await h.core.store.get(r.runId))?.contactNumber).toBe(secret);
    const callsBefore = h.api.calls.length;
    await r.press('verification', 'verify_start');
    const answer = await h.submit('onboard_password', h.lastView().private_metadata, { operator_password: secret });
    expect(answer.body).toBe('');

    // The run: erased, to be entered again; no verification was made.
    const run = await h.core.store.get(r.runId);
    expect(run?.contactNumber).toBeUndefined();
    expect(run?.erasedAnswers).toEqual(['contactNumber']);
    expect(run?.verification).toBeUndefined();
    expect(h.core.sandbox!.instance.state.callCount('getPOSConfig')).toBe(0);

    // Every stored row of the run, read with a second connection: none holds it.
    const db = new Database(h.dbPath, { readonly: true, fileMustExist: true });
    try {
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
      expect(tables).toEqual(expect.arrayContaining(['audit', 'outbox']));
      let rows = 0;
      for (const table of tables) {
        const all = db.prepare(`SELECT * FROM "${table}"`).all();
        rows += all.length;
        expect(JSON.stringify(all)).not.toContain(secret);
      }
      expect(rows).toBeGreaterThan(20);
      const audit = db.prepare('SELECT details FROM audit WHERE run_id = ? AND details LIKE ?').all(r.runId, '%[erased]%');
      expect(audit.length).toBeGreaterThanOrEqual(1);
    } finally {
      db.close();
    }

    // Slack: the notice names the field (never the value) and carries answers_edit; nothing sent since the password has it.
    const notice = r.thread().find((m) => shown(m).includes('erased'));
    expect(notice).toBeDefined();
    expect(buttonsOf(notice!.blocks).map((b) => [b.action_id, b.style])).toEqual([['answers_edit', 'primary']]);
    const since = h.api.calls.slice(callsBefore);
    expect(since.length).toBeGreaterThan(1);
    for (const c of since) expect(`${c.raw}\n${JSON.stringify(c.args)}`).not.toContain(secret);
    // The card no longer shows it either (its last edit).
    expect(shown(h.api.messages.get(r.card.ts)!)).not.toContain(secret);

    // The earlier verification messages lost their buttons (they point to the notice). A
    // verification from one of them before the answer is entered again is refused (ephemeral);
    // the notice's button opens the form asking for it.
    expect(r.thread().filter((m) => buttonsOf(m.blocks).some((b) => b.action_id === 'verify_start'))).toEqual([]);
    const told = h.api.callsOf('chat.postEphemeral').length;
    await h.click('verify_start', `${r.runId}:verification`, { messageTs: notice!.ts });
    await h.submit('onboard_password', h.lastView().private_metadata, { operator_password: demo.password });
    expect(
      h.api
        .callsOf('chat.postEphemeral')
        .slice(told)
        .map((c) => [c.args.user, String(c.args.text)]),
    ).toEqual([[OPERATOR.id, expect.stringContaining('needs a value first')]]);
    expect((await h.core.store.get(r.runId))?.verification).toBeUndefined();
    expect(h.logs.join('\n')).not.toContain(secret);
    // resume posts the step again with what can be done now: "Edit answers" (primary) and cancel, never verify or skip.
    await h.command(`resume ${r.runId}`);
    const reposted = r
      .thread()
      .filter((m) => buttonsOf(m.blocks).length > 0)
      .pop()!;
    expect(shown(reposted)).toContain('Erased because they equalled the password: technical contact number.');
    expect(buttonsOf(reposted.blocks).map((b) => b.action_id)).toEqual(['answers_edit', 'run_cancel']);
    expect(buttonsOf(reposted.blocks)[0]!.style).toBe('primary');
    await r.press('verification', 'answers_edit', { message: reposted });
    const view = h.lastView();
    expect(view.callback_id).toBe('onboard_answers');
    const contact = inputsOf(view.blocks).find((i) => i.block_id === 'contact_number')!;
    expect(contact.element.initial_value).toBeUndefined();
    await h.submit('onboard_answers', view.private_metadata, {
      contingent_ids: demo.contingentIds.join(', '),
      contact_number: demo.contactNumbers[0]!,
    });
    const after = await h.core.store.get(r.runId);
    expect(after?.contactNumber).toBe(demo.contactNumbers[0]);
    expect(after?.erasedAnswers).toBeUndefined();
    const change = (await h.core.store.audit(r.runId)).find((e) => e.action === 'answers_edit' && e.outcome === 'ok');
    expect(change?.details).toEqual({ changes: [{ field: 'contactNumber', from: '', to: demo.contactNumbers[0] }] });
  });

  it('an erased institution name is asked for again in the form; the new value is escaped in the thread and on the card', async () => {
    const r = await driveToVerification(h);
    // The password typed equals the institution name recorded at the start.
    await r.press('verification', 'verify_start');
    await h.submit('onboard_password', h.lastView().private_metadata, { operator_password: 'demo theatre' });
    expect((await h.core.store.get(r.runId))?.erasedAnswers).toEqual(['institutionName']);
    const notice = r
      .thread()
      .filter((m) => buttonsOf(m.blocks).some((b) => b.action_id === 'answers_edit'))
      .pop()!;
    expect(shown(notice)).toContain('institution name');
    expect(shown(notice)).not.toMatch(/demo theatre/i);
    await r.press('verification', 'answers_edit', { message: notice });
    const view = h.lastView();
    expect(inputsOf(view.blocks).map((i) => [i.block_id, i.element.initial_value])).toEqual([
      ['contingent_ids', demo.contingentIds.join(', ')],
      ['contact_number', demo.contactNumbers[0]],
      ['institution_name', undefined],
    ]);
    // An empty name is refused on its field.
    const empty = await h.submit('onboard_answers', view.private_metadata, {
      contingent_ids: demo.contingentIds.join(', '),
      contact_number: demo.contactNumbers[0]!,
      institution_name: '  ',
    });
    expect(Object.keys((empty.json as { errors: Record<string, string> }).errors)).toEqual(['institution_name']);
    await h.submit('onboard_answers', view.private_metadata, {
      contingent_ids: demo.contingentIds.join(', '),
      contact_number: demo.contactNumbers[0]!,
      institution_name: 'Théâtre <!channel> & Co',
    });
    const run = await h.core.store.get(r.runId);
    expect(run?.details.institutionName).toBe('Théâtre <!channel> & Co');
    expect(run?.erasedAnswers).toBeUndefined();
    const changed = r.thread().find((m) => shown(m).includes('entered again'));
    expect(changed).toBeDefined();
    expect(shown(changed!)).toContain('Théâtre &lt;!channel&gt; &amp; Co');
    // Nowhere Slack parses markup (mrkdwn texts, the notification text) does it arrive unescaped.
    for (const c of [...h.api.callsOf('chat.postMessage'), ...h.api.callsOf('chat.update')]) {
      const parsed = [String(c.args.text ?? ''), ...mrkdwnTexts(c.args.blocks)];
      for (const t of parsed) expect(t).not.toContain('<!channel>');
    }
    // The card's header (plain_text: shown as typed, never parsed) names the new value.
    expect(h.api.messages.get(r.card.ts)!.blocks[0]).toMatchObject({
      type: 'header',
      text: { type: 'plain_text', text: expect.stringContaining('Théâtre <!channel> & Co') },
    });
  });
});
