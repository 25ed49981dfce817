/**
 * Issue 8 follow-up: one check may see several values it does not know. The point of sale listed
 * in `hub.pointsOfSales` with an unknown `running` value and payment methods of unknown types:
 * the report names both (neither hides the other), and `verify_confirm` records both in the audit.
 * Bolt's real HTTP receiver (signed requests), the fake Slack Web API, the real SecuTix client
 * against the sandbox over HTTP, the real SQLite store.
 */
import { defaultFixture } from '../../../adapters/sandbox';
import { buttonsOf, driveToVerification, shown } from '../../helpers/slack-drive';
import { type SlackHarness, wireSlack } from '../../helpers/slack-wire';
import { demoHints } from '../../../adapters/sandbox';

const demo = demoHints();

describe('Slack: a check with several values to confirm', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await wireSlack();
  });
  afterAll(async () => {
    await h.close();
  });

  it('names the unknown running value and the unknown payment types in the report; confirming records both', async () => {
    const f = defaultFixture();
    const inst = f.institutions.find((i) => i.code === 'DEMO')!;
    const pos = inst.posConfig as Record<string, unknown> & { paymentMethods: { paymentType: string }[] };
    pos.paymentMethods = pos.paymentMethods.map((m) =>
      m.paymentType === 'PENDING_ACCOUNT' ? { ...m, paymentType: 'WAITING_ACCOUNT' } : m,
    );
    const hub = pos.hub as { pointsOfSales: { running: unknown }[] };
    hub.pointsOfSales[0]!.running = 'yes';
    h.core.sandbox!.instance.state.loadFixture(f);

    const r = await driveToVerification(h);
    await r.press('verification', 'verify_start');
    await h.submit('onboard_password', h.lastView().private_metadata, { operator_password: demo.password });
    const report = r
      .thread()
      .filter((m) => buttonsOf(m.blocks).some((b) => b.action_id === 'verify_confirm'))
      .pop();
    expect(report).toBeDefined();
    const text = shown(report!);
    // Both values seen, in the one check's line.
    expect(text).toContain('running = \\"yes\\"'); // JSON of the blocks: the quotes escaped
    expect(text).toContain('WAITING_ACCOUNT');
    const run = await h.core.store.get(r.runId);
    const pointOfSale = run!.verification!.checks.find((c) => c.id === 'point_of_sale');
    expect(pointOfSale).toMatchObject({
      outcome: 'to_confirm',
      reason: { code: 'pos_running_unknown', params: { value: '"yes"' } },
      moreReasons: [{ code: 'payment_types_unknown', params: { methods: expect.stringContaining('WAITING_ACCOUNT') } }],
    });
    const verify = (await h.core.store.audit(r.runId)).find((e) => e.action === 'verify');
    expect((verify!.details!.checks as Record<string, string>).point_of_sale).toBe('to_confirm:pos_running_unknown+payment_types_unknown');

    await r.press('verification', 'verify_confirm', { message: report! });
    const confirmed = (await h.core.store.audit(r.runId)).find((e) => e.action === 'verify_confirm' && e.outcome === 'ok');
    expect(confirmed?.details?.confirmed).toEqual([
      expect.objectContaining({ check: 'point_of_sale', code: 'pos_running_unknown', value: '"yes"' }),
      expect.objectContaining({
        check: 'point_of_sale',
        code: 'payment_types_unknown',
        methods: expect.stringContaining('WAITING_ACCOUNT'),
      }),
    ]);
  });
});
