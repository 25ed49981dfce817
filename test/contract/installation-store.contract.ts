/**
 * The shared contract of the Slack installation store (`DatabaseInstallationStore` over the run
 * database's `slack_installations`): each dialect calls `installationStoreContract` from its own
 * test file. Besides Bolt's `InstallationStore` behaviour, it reads the raw rows and checks that
 * no token is there in clear, and that a key rotation keeps every installation readable.
 */
import { randomBytes } from 'node:crypto';
import type { Installation } from '@slack/bolt';
import { DatabaseInstallationStore } from '../../adapters/slack/oauth/installation-store';
import { TokenCipher } from '../../adapters/slack/oauth/token-cipher';
import type { InstallationRows } from '../../adapters/store/installation-rows';
import { silentLogger } from '../../src/ports/logger.port';

/** What a dialect hands the contract for each test. */
export interface InstallationRowsUnderTest {
  rows: InstallationRows;
  /** Every value of every column of `slack_installations`, as stored (raw SQL). */
  rawDump: () => Promise<string>;
  cleanup: () => Promise<void>;
}

const KEY = randomBytes(32).toString('base64');
const KEY2 = randomBytes(32).toString('base64');

export function teamInstallation(teamId: string, token: string, extra: Partial<Installation<'v2', false>> = {}): Installation<'v2', false> {
  return {
    team: { id: teamId, name: `Workspace ${teamId}` },
    enterprise: undefined,
    user: { id: 'UINSTALLER', token: `fakeuser-user-${token}`, scopes: [] },
    bot: {
      id: 'BBOT',
      userId: 'UBOT',
      token,
      scopes: ['chat:write', 'commands'],
      refreshToken: `fakerefresh-refresh-${token}`,
      expiresAt: 0,
    },
    incomingWebhook: { url: `https://hooks.slack.test/${token}` },
    isEnterpriseInstall: false,
    authVersion: 'v2',
    appId: 'A0APP',
    ...extra,
  };
}

export function orgInstallation(enterpriseId: string, token: string): Installation<'v2', true> {
  return {
    team: undefined,
    enterprise: { id: enterpriseId, name: `Org ${enterpriseId}` },
    user: { id: 'UADMIN', token: undefined, scopes: undefined },
    bot: { id: 'BBOT', userId: 'UBOT', token, scopes: ['chat:write'] },
    isEnterpriseInstall: true,
    enterpriseUrl: 'https://org.enterprise.slack.test/',
    authVersion: 'v2',
    appId: 'A0APP',
  };
}

export function installationStoreContract(name: string, setup: () => Promise<InstallationRowsUnderTest>): void {
  describe(`InstallationStore contract: ${name}`, () => {
    let under: InstallationRowsUnderTest;
    const storeWith = (key = KEY, previous?: string) =>
      new DatabaseInstallationStore({ rows: under.rows, cipher: new TokenCipher(key, previous), logger: silentLogger, cacheTtlMs: 0 });
    beforeEach(async () => {
      under = await setup();
    });
    afterEach(async () => {
      await under.cleanup();
    });

    it('stores and fetches a workspace installation with its tokens, and none of them is in the rows in clear', async () => {
      const store = storeWith();
      const inst = teamInstallation('T0AAA', 'fakebot-secret-aaa');
      await store.storeInstallation(inst);
      expect(await store.fetchInstallation({ teamId: 'T0AAA', enterpriseId: undefined, isEnterpriseInstall: false })).toEqual(inst);
      const dump = await under.rawDump();
      expect(dump).toContain('T0AAA');
      for (const secret of [
        'fakebot-secret-aaa',
        'fakeuser-user-fakebot-secret-aaa',
        'fakerefresh-refresh-fakebot-secret-aaa',
        'hooks.slack.test',
      ])
        expect(dump).not.toContain(secret);
      expect(dump).toContain('enc:v1:');
    });

    it('keeps workspaces apart and replaces an installation on reinstall', async () => {
      const store = storeWith();
      await store.storeInstallation(teamInstallation('T0AAA', 'fakebot-a1'));
      await store.storeInstallation(teamInstallation('T0BBB', 'fakebot-b1'));
      await store.storeInstallation(teamInstallation('T0AAA', 'fakebot-a2'));
      expect((await store.find({ teamId: 'T0AAA' }))?.bot?.token).toBe('fakebot-a2');
      expect((await store.find({ teamId: 'T0BBB' }))?.bot?.token).toBe('fakebot-b1');
      expect((await under.rows.all()).map((r) => r.installKey)).toEqual(['team:T0AAA', 'team:T0BBB']);
    });

    it('refuses a fetch for an unknown workspace (Bolt answers it as not authorized)', async () => {
      await expect(
        storeWith().fetchInstallation({ teamId: 'T0NONE', enterpriseId: undefined, isEnterpriseInstall: false }),
      ).rejects.toThrow(/no Slack installation for team:T0NONE/);
    });

    it('serves an org-wide Enterprise Grid install by enterprise id, also for a workspace of that organisation', async () => {
      const store = storeWith();
      await store.storeInstallation(orgInstallation('E0ORG', 'fakebot-org'));
      expect((await store.fetchInstallation({ enterpriseId: 'E0ORG', teamId: undefined, isEnterpriseInstall: true })).bot?.token).toBe(
        'fakebot-org',
      );
      expect((await store.find({ enterpriseId: 'E0ORG', teamId: 'T0INORG', isEnterpriseInstall: false }))?.bot?.token).toBe('fakebot-org');
      expect(await store.find({ enterpriseId: 'E0OTHER', teamId: 'T0INORG' })).toBeUndefined();
      expect((await under.rows.all())[0]).toMatchObject({ installKey: 'enterprise:E0ORG', isEnterpriseInstall: true, teamId: null });
    });

    it('deletes one installation (uninstall) and leaves the others', async () => {
      const store = storeWith();
      await store.storeInstallation(teamInstallation('T0AAA', 'fakebot-a'));
      await store.storeInstallation(teamInstallation('T0BBB', 'fakebot-b'));
      await store.deleteInstallation({ teamId: 'T0AAA', enterpriseId: undefined, isEnterpriseInstall: false });
      expect(await store.find({ teamId: 'T0AAA' })).toBeUndefined();
      expect((await store.find({ teamId: 'T0BBB' }))?.bot?.token).toBe('fakebot-b');
      expect(await store.remove({ teamId: 'T0AAA' })).toBe(false);
    });

    it('after a key rotation reads values of the previous key and writes them again with the new one', async () => {
      await storeWith(KEY).storeInstallation(teamInstallation('T0AAA', 'fakebot-rotate'));
      const oldId = (await under.rows.all())[0]!.keyId;
      // Without the previous key the value is unreadable, and the error says which key wrote it.
      await expect(storeWith(KEY2).find({ teamId: 'T0AAA' })).rejects.toThrow(new RegExp(`written with key ${oldId}`));
      const rotated = storeWith(KEY2, KEY);
      expect((await rotated.find({ teamId: 'T0AAA' }))?.bot?.token).toBe('fakebot-rotate');
      const row = (await under.rows.all())[0]!;
      expect(row.keyId).not.toBe(oldId);
      expect(row.installation).not.toContain(`enc:v1:${oldId}:`);
      // The old key is no longer needed.
      expect((await storeWith(KEY2).find({ teamId: 'T0AAA' }))?.bot?.token).toBe('fakebot-rotate');
      expect(await rotated.reencryptAll()).toBe(0);
    });

    it('re-encrypts every row at once with reencryptAll', async () => {
      await storeWith(KEY).storeInstallation(teamInstallation('T0AAA', 'fakebot-1'));
      await storeWith(KEY).storeInstallation(orgInstallation('E0ORG', 'fakebot-2'));
      expect(await storeWith(KEY2, KEY).reencryptAll()).toBe(2);
      expect(new Set((await under.rows.all()).map((r) => r.keyId)).size).toBe(1);
      expect((await storeWith(KEY2).find({ enterpriseId: 'E0ORG', isEnterpriseInstall: true }))?.bot?.token).toBe('fakebot-2');
    });

    it('a tampered value is refused, not returned', async () => {
      const store = storeWith();
      await store.storeInstallation(teamInstallation('T0AAA', 'fakebot-tamper'));
      const row = (await under.rows.all())[0]!;
      const inst = JSON.parse(row.installation) as { bot: { token: string } };
      const t = inst.bot.token;
      inst.bot.token = t.slice(0, -2) + (t.endsWith('AA') ? 'BB' : 'AA');
      await under.rows.put({ ...row, installation: JSON.stringify(inst) });
      await expect(store.find({ teamId: 'T0AAA' })).rejects.toThrow(/does not decrypt/);
    });
  });
}
