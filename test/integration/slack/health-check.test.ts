/**
 * Checks without a run through Bolt's real HTTP receiver (signed requests), the fake Slack Web API
 * on loopback, the real SecuTix client against the embedded sandbox over HTTP, and the real SQLite
 * store (issue 5, "Health check of an existing setup"):
 * `check INSTITUTION [CHANNEL]` opens `onboard_check` and posts the report ephemerally to the asker
 * (DEMO passes; FAULTY names what is broken and the screen to fix it; missing optional inputs skip
 * their checks; a wrong password fails credentials and skips the rest); `product CODE` offers the
 * check of one product (available, without availability, suspended, unknown). No run is created,
 * and the password never reaches a recorded Slack call, a log line or the database file.
 */
import fs from 'node:fs';
import { OPERATOR, RUN_CHANNEL, SUPPORT_USER, type SlackHarness, wireSlack } from '../../helpers/slack-wire';

const DEMO_PASSWORD = 'demo-password-2026';
const FAULTY_PASSWORD = 'faulty-password-2026';
const WRONG_PASSWORD = 'not-the-password-Zq81';

type Block = Record<string, unknown>;
const textOf = (blocks: unknown): string => JSON.stringify(blocks ?? []);

describe('Slack: checks without a run', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await wireSlack();
  });
  afterAll(async () => {
    const kinds = ['command', 'action', 'view'] as const;
    console.log(
      `health check acks (ms): ${kinds
        .map(
          (k) =>
            `${k} ${h.timings
              .filter((t) => t.kind === k)
              .map((t) => Math.round(t.ms))
              .join('/')}`,
        )
        .join('; ')}`,
    );
    await h.close();
  });

  const ephemeralsTo = (user: string) => h.api.callsOf('chat.postEphemeral').filter((c) => c.args.user === user);
  const lastEphemeral = (user = OPERATOR.id) => {
    const c = ephemeralsTo(user).pop();
    if (!c) throw new Error('no ephemeral answer');
    return { channel: String(c.args.channel), text: String(c.args.text), blocks: c.args.blocks as Block[], all: textOf(c.args.blocks) };
  };
  const inputIds = (view: { blocks: Block[] }) => view.blocks.filter((b) => b.type === 'input').map((b) => String(b.block_id));

  /** `check <args>`, then the modal submitted with `values`; returns the ephemeral report. */
  async function check(args: string, values: Record<string, string | null>) {
    const before = ephemeralsTo(OPERATOR.id).length;
    await h.command(`check ${args}`);
    const view = h.lastView();
    expect(view.callback_id).toBe('onboard_check');
    const answer = await h.submit('onboard_check', view.private_metadata, values);
    expect(answer.status).toBe(200);
    expect(ephemeralsTo(OPERATOR.id).length).toBe(before + 1);
    return lastEphemeral();
  }
  const checkLine = (all: string, name: string) => {
    const section = JSON.parse(all) as Block[];
    const text = section.map((b) => (b.text as { text?: string } | undefined)?.text ?? '').join('\n');
    // The check's entry: its line and the indented lines under it (reason, screen, warnings).
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.includes(`*${name}*`));
    if (i < 0) return '';
    let j = i + 1;
    while (j < lines.length && /^\s{2,}/.test(lines[j]!)) j++;
    return lines.slice(i, j).join('\n');
  };

  it('check DEMO: the form asks the password and the optional values; every check passes; no run, nothing posted in the channel', async () => {
    const posts = h.api.callsOf('chat.postMessage').length;
    await h.command('check demo');
    const view = h.lastView();
    expect(view.callback_id).toBe('onboard_check');
    expect(inputIds(view)).toEqual(['operator_password', 'contingent_ids', 'contact_number']);
    const optional = Object.fromEntries(view.blocks.filter((b) => b.type === 'input').map((b) => [b.block_id, b.optional]));
    expect(optional).toEqual({ operator_password: false, contingent_ids: true, contact_number: true });
    expect(JSON.parse(view.private_metadata)).toMatchObject({ c: RUN_CHANNEL, i: 'DEMO', ch: 'DGTK' });

    const started = performance.now();
    await h.submit('onboard_check', view.private_metadata, {
      operator_password: DEMO_PASSWORD,
      contingent_ids: '11, 12',
      contact_number: '000123',
    });
    console.log(`check DEMO: submit to report ${Math.round(performance.now() - started)} ms`);
    const rep = lastEphemeral();
    expect(rep.channel).toBe(RUN_CHANNEL);
    expect(rep.text).toBe('Health check of DEMO (DGTK): nothing broken');
    for (const name of [
      'Operator login and password',
      'Sales channel',
      'Point of sale',
      'Events on sale',
      'Passes on sale',
      'Technical contact',
    ])
      expect([name, checkLine(rep.all, name)]).toEqual([name, expect.stringContaining(':white_check_mark:')]);
    expect(rep.all).toContain('pointOfSalesId found: `4242`');
    expect(rep.all).not.toContain('Where to fix it');
    expect(rep.all).toContain('No run was created');
    expect(await h.core.store.list({})).toEqual([]);
    expect(h.api.callsOf('chat.postMessage').length).toBe(posts);
    const line = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'health check finished');
    expect(line).toMatchObject({ institution: 'DEMO', channel: 'DGTK', passed: true, actorId: OPERATOR.id });
  });

  it('check FAULTY: names what is broken and the back-office screen where to fix each', async () => {
    const rep = await check('FAULTY dgtk', { operator_password: FAULTY_PASSWORD, contingent_ids: '21', contact_number: '000789' });
    expect(rep.text).toMatch(/^Health check of FAULTY \(DGTK\): [2-9] problems$/);
    expect(checkLine(rep.all, 'Sales channel')).toContain(':x:');
    expect(checkLine(rep.all, 'Point of sale')).toContain(':x:');
    expect(checkLine(rep.all, 'Technical contact')).toContain(':x:');
    expect(rep.all).toContain('is not active (state SUSPENDED)');
    // One line per failed check: its reason, then the screen where to fix it; no second section.
    expect(rep.all).not.toContain('Where to fix it');
    expect(checkLine(rep.all, 'Sales channel')).toContain('*Where:* Institution &gt; Initialisation &gt; Sales channels');
    expect(checkLine(rep.all, 'Point of sale')).toContain('*Where:* the payment methods of the point of sale');
    expect(checkLine(rep.all, 'Technical contact')).toContain(
      "*Where:* the technical contact's file: authorise the contact for the pending account",
    );
    const failed = Number(/(\d) problem/.exec(rep.text)![1]);
    expect(rep.all.match(/\*Where:\*/g)?.length).toBe(failed);
    // No run here: nothing speaks of "the run's contingents".
    expect(rep.all).not.toMatch(/run's contingents/);
    expect(rep.all).toContain('has nothing available in the contingents you gave');
  });

  it('missing optional inputs: availability and contact checks are skipped, saying the value was not given', async () => {
    const rep = await check('DEMO', { operator_password: DEMO_PASSWORD, contingent_ids: null, contact_number: '' });
    expect(rep.text).toBe('Health check of DEMO (DGTK): nothing broken');
    for (const name of ['Events on sale', 'Passes on sale']) expect(checkLine(rep.all, name)).toContain(':heavy_minus_sign:');
    expect(checkLine(rep.all, 'Technical contact')).toContain(':heavy_minus_sign:');
    expect(rep.all.match(/Not checked: no contingent ids were given\./g)?.length).toBe(2);
    expect(rep.all).toContain('Not checked: no technical contact number was given.');
    expect(rep.all).toContain('Skipped checks were not run because their value was not given');
  });

  it('a wrong password fails credentials, skips every other check, and says to ask SecuTix support', async () => {
    const rep = await check('DEMO', { operator_password: WRONG_PASSWORD, contingent_ids: '11', contact_number: '000123' });
    expect(rep.text).toBe('Health check of DEMO (DGTK): 1 problem');
    expect(checkLine(rep.all, 'Operator login and password')).toContain(':x:');
    for (const name of ['Sales channel', 'Point of sale', 'Events on sale', 'Passes on sale', 'Technical contact'])
      expect([name, checkLine(rep.all, name)]).toEqual([name, expect.stringContaining(':heavy_minus_sign:')]);
    expect(checkLine(rep.all, 'Operator login and password')).toContain(
      '*Where:* ask SecuTix support for the password of operator `DEMO_DGTK`',
    );
  });

  it('usage: no institution, or a malformed one, is answered in the ack; no modal opens', async () => {
    const opened = h.api.callsOf('views.open').length;
    const none = await h.command('check');
    expect(JSON.stringify(none.json)).toContain('Say which institution to check');
    const bad = await h.command('check de$mo');
    expect(JSON.stringify(bad.json)).toContain('Say which institution to check');
    const badChannel = await h.command('check DEMO toolongchannel');
    expect(JSON.stringify(badChannel.json)).toContain('Say which institution to check');
    expect(h.api.callsOf('views.open').length).toBe(opened);
  });

  it('an empty password is refused on the field; nothing is checked', async () => {
    await h.command('check DEMO');
    const view = h.lastView();
    const before = ephemeralsTo(OPERATOR.id).length;
    const answer = await h.submit('onboard_check', view.private_metadata, {
      operator_password: '',
      contingent_ids: 'x1',
      contact_number: null,
    });
    expect(answer.json).toMatchObject({
      response_action: 'errors',
      errors: { operator_password: expect.any(String), contingent_ids: expect.any(String) },
    });
    expect(ephemeralsTo(OPERATOR.id).length).toBe(before);
  });

  it("follows the asker's own language (users.info locale): a German user gets the form and the report in German", async () => {
    const KLAUS = { id: 'U0KLAUS', name: 'klaus' };
    h.api.userLocales.set(KLAUS.id, 'de-DE');
    await h.command('check DEMO', { user: KLAUS });
    const view = h.lastView();
    expect(JSON.stringify(view)).toContain('Passwort des Operators DEMO_DGTK');
    await h.submit(
      'onboard_check',
      view.private_metadata,
      { operator_password: DEMO_PASSWORD, contingent_ids: null, contact_number: null },
      { user: KLAUS },
    );
    expect(lastEphemeral(KLAUS.id).text).toBe('Prüfung von DEMO (DGTK): alles in Ordnung');
  });

  describe('product CODE', () => {
    /** `product <code>`: the guide with its button, the click, the form, the report. */
    async function productCheck(code: string, values: Record<string, string | null>) {
      const answer = await h.command(`product ${code}`);
      const body = answer.json as { text: string; blocks: Block[] };
      expect(textOf(body.blocks)).toContain('Put a product on sale on Digitick');
      const actions = body.blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements as { action_id: string; value: string }[]);
      const button = actions.find((a) => a.action_id === 'product_check');
      if (!button) throw new Error('no product_check button');
      await h.click('product_check', button.value, { ephemeral: true });
      const view = h.lastView();
      expect(view.callback_id).toBe('onboard_product_check');
      expect(inputIds(view)).toEqual(['institution_code', 'channel_code', 'operator_password', 'contingent_ids']);
      const before = ephemeralsTo(OPERATOR.id).length;
      await h.submit('onboard_product_check', view.private_metadata, values);
      expect(ephemeralsTo(OPERATOR.id).length).toBe(before + 1);
      return lastEphemeral();
    }
    const demo = (contingents: string | null) => ({
      institution_code: 'demo',
      channel_code: '',
      operator_password: DEMO_PASSWORD,
      contingent_ids: contingents,
    });

    it('product CONC01 against DEMO: found, running, seats available in the contingents', async () => {
      const rep = await productCheck('conc01', demo('11, 12'));
      expect(rep.text).toBe('Product CONC01: Digitick can sell it');
      expect(rep.all).toContain("New Year's concert (`CONC01`): SINGLE_ENTRY, state RUNNING.");
      for (const name of ['Operator login and password', 'On sale on the channel', 'Running', 'Available in the contingents'])
        expect([name, checkLine(rep.all, name)]).toEqual([name, expect.stringContaining(':white_check_mark:')]);
      expect(rep.all).toContain('Seats available in the contingents 11, 12: 155 (running performances with seats: 2 of 2).');
    });

    it('product EXPO03 (no seats): available fails and says where to give places', async () => {
      const rep = await productCheck('EXPO03', demo('11 12'));
      expect(rep.text).toBe('Product EXPO03: Digitick cannot sell it yet');
      expect(checkLine(rep.all, 'Running')).toContain(':white_check_mark:');
      expect(checkLine(rep.all, 'Available in the contingents')).toContain(':x:');
      expect(rep.all).toContain('No seats available in the contingents 11, 12 on any running performance');
    });

    it('an unknown code is not on sale on the channel; the rest is skipped', async () => {
      const rep = await productCheck('NOPE99', demo('11'));
      expect(rep.text).toBe('Product NOPE99: Digitick cannot sell it yet');
      expect(checkLine(rep.all, 'On sale on the channel')).toContain(':x:');
      expect(rep.all).toContain('SecuTix lists no product NOPE99 on the sales channel DGTK');
      expect(checkLine(rep.all, 'Running')).toContain(':heavy_minus_sign:');
      expect(checkLine(rep.all, 'Available in the contingents')).toContain(':heavy_minus_sign:');
    });

    it('a pass (PASSHIV): quantity in the contingents; a suspended event (BALL04): not running; no contingents: skipped', async () => {
      const pass = await productCheck('PASSHIV', demo('11'));
      expect(pass.text).toBe('Product PASSHIV: Digitick can sell it');
      expect(pass.all).toContain('Quantity 40 available in the contingents 11.');
      const suspended = await productCheck('BALL04', demo('11'));
      expect(checkLine(suspended.all, 'Running')).toContain(':x:');
      expect(suspended.all).toContain('The product is not running (state SUSPENDED)');
      const noContingents = await productCheck('THEA02', demo(null));
      expect(noContingents.text).toBe('Product THEA02: Digitick can sell it');
      expect(checkLine(noContingents.all, 'Available in the contingents')).toContain(':heavy_minus_sign:');
    });

    it('a wrong password fails credentials and skips the rest; `product` alone is the guide without a button', async () => {
      const rep = await productCheck('CONC01', { ...demo('11'), operator_password: WRONG_PASSWORD });
      expect(checkLine(rep.all, 'Operator login and password')).toContain(':x:');
      expect(checkLine(rep.all, 'On sale on the channel')).toContain(':heavy_minus_sign:');
      const plain = await h.command('product');
      expect(textOf((plain.json as { blocks: Block[] }).blocks)).not.toContain('product_check');
      const bad = await h.command('product <bad>');
      expect(JSON.stringify(bad.json)).toContain('is not a product code');
    });
  });

  it('the passwords never reach a recorded Slack call, a log line or the database file', async () => {
    const calls = JSON.stringify(h.api.calls);
    const logs = h.logs.join('\n');
    const db =
      fs.readFileSync(h.dbPath).toString('latin1') +
      (fs.existsSync(`${h.dbPath}-wal`) ? fs.readFileSync(`${h.dbPath}-wal`).toString('latin1') : '');
    for (const secret of [DEMO_PASSWORD, FAULTY_PASSWORD, WRONG_PASSWORD]) {
      expect([secret, calls.includes(secret)]).toEqual([secret, false]);
      expect([secret, logs.includes(secret)]).toEqual([secret, false]);
      expect([secret, db.includes(secret)]).toEqual([secret, false]);
    }
    expect(h.logs.length).toBeGreaterThan(10);
  });
});

describe('Slack: who may run checks', () => {
  let h: SlackHarness;
  const NOBODY = { id: 'U0NOBODY', name: 'nobody' };
  beforeAll(async () => {
    h = await wireSlack({ env: { ALLOWED_OPERATORS: OPERATOR.id, SUPPORT_USERS: SUPPORT_USER.id } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('support and operators may; anyone else is refused in the ack, sees no form, and help does not list `check`', async () => {
    await h.command('check DEMO', { user: SUPPORT_USER });
    expect(h.lastView().callback_id).toBe('onboard_check');
    const opened = h.api.callsOf('views.open').length;
    const refused = await h.command('check DEMO', { user: NOBODY });
    expect(JSON.stringify(refused.json)).toContain('not on the list');
    expect(h.api.callsOf('views.open').length).toBe(opened);
    const helpNobody = JSON.stringify((await h.command('help', { user: NOBODY })).json);
    const helpSupport = JSON.stringify((await h.command('help', { user: SUPPORT_USER })).json);
    expect(helpNobody).not.toContain('check INSTITUTION');
    expect(helpSupport).toContain('check INSTITUTION');
    // A forged submission by someone refused is refused too (the core checks again).
    const view = h.lastView();
    await h.submit(
      'onboard_check',
      view.private_metadata,
      { operator_password: DEMO_PASSWORD, contingent_ids: null, contact_number: null },
      { user: NOBODY },
    );
    const last = h.api
      .callsOf('chat.postEphemeral')
      .filter((c) => c.args.user === NOBODY.id)
      .pop();
    expect(String(last?.args.text)).toContain('not on the list');
  });
});
