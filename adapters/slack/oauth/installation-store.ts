/**
 * Bolt's `InstallationStore` over the run database (`slack_installations`), every token encrypted
 * at rest (`TokenCipher`), with a short in-process cache in front of the reads Bolt's `authorize`
 * makes on every request.
 *
 * Keys: an org-wide Enterprise Grid install is stored under `enterprise:<E id>` and serves every
 * workspace of the organisation; any other install under `team:<T id>`. A query for a team falls
 * back to its organisation's org-wide install.
 *
 * Rotation: values written with `INSTALLATION_ENCRYPTION_KEY_PREVIOUS` are decrypted and written
 * again with the current key the first time they are read (and by `reencryptAll`, at start).
 */
import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../../src/ports/clock.port';
import type { Logger } from '../../../src/ports/logger.port';
import type { InstallationRow, InstallationRows } from '../../store/installation-rows';
import { TokenCipher } from './token-cipher';

/** What identifies a workspace (or an Enterprise Grid organisation) for token look-ups. */
export interface WorkspaceKey {
  teamId?: string | undefined;
  enterpriseId?: string | undefined;
  isEnterpriseInstall?: boolean | undefined;
}

/** The row key of an installation (`enterprise:E...` for an org-wide install, else `team:T...`). */
export function installKeyOf(w: WorkspaceKey): string | undefined {
  if (w.isEnterpriseInstall && w.enterpriseId) return `enterprise:${w.enterpriseId}`;
  if (w.teamId) return `team:${w.teamId}`;
  if (w.enterpriseId) return `enterprise:${w.enterpriseId}`;
  return undefined;
}

type AnyInstallation = Installation<'v1' | 'v2', boolean>;
type Secretish = { token?: string | undefined; refreshToken?: string | undefined };

/** Applies `f` to every secret of an installation (tokens, refresh tokens, webhook URL), returning a copy. */
function mapSecrets(inst: AnyInstallation, f: (v: string) => string): AnyInstallation {
  const copy = JSON.parse(JSON.stringify(inst)) as AnyInstallation;
  const fix = (o: Secretish | undefined) => {
    if (!o) return;
    if (typeof o.token === 'string') o.token = f(o.token);
    if (typeof o.refreshToken === 'string') o.refreshToken = f(o.refreshToken);
  };
  fix(copy.bot as Secretish | undefined);
  fix(copy.user as Secretish | undefined);
  if (copy.incomingWebhook && typeof copy.incomingWebhook.url === 'string') copy.incomingWebhook.url = f(copy.incomingWebhook.url);
  return copy;
}

export interface DatabaseInstallationStoreDeps {
  rows: InstallationRows;
  cipher: TokenCipher;
  logger: Logger;
  clock?: Clock;
  /** How long a read installation is served from memory (default 60 s; 0: no cache). */
  cacheTtlMs?: number;
}

/** `InstallationStore` in the run database, tokens encrypted (AES-256-GCM). */
export class DatabaseInstallationStore implements InstallationStore {
  private readonly cache: LRUCache<string, { inst: AnyInstallation }> | undefined;
  private readonly now: () => string;
  /** Digests (SHA-256) of the bot tokens Slack refused (`refuse`): their installations read as absent until stored again. */
  private readonly refused = new Set<string>();

  constructor(private readonly deps: DatabaseInstallationStoreDeps) {
    const ttl = deps.cacheTtlMs ?? 60_000;
    this.cache = ttl > 0 ? new LRUCache({ max: 1000, ttl }) : undefined;
    this.now = () => new Date(deps.clock ? deps.clock.nowMs() : Date.now()).toISOString();
  }

  /** Stores (or replaces) an installation, its secrets encrypted with the current key. */
  async storeInstallation<AuthVersion extends 'v1' | 'v2'>(installation: Installation<AuthVersion, boolean>): Promise<void> {
    const inst = installation as AnyInstallation;
    const key = installKeyOf({
      teamId: inst.team?.id,
      enterpriseId: inst.enterprise?.id,
      isEnterpriseInstall: inst.isEnterpriseInstall,
    });
    if (!key) throw new Error('a Slack installation without a team or enterprise id cannot be stored');
    await this.writeRow(key, inst);
    // A reinstall: Slack granted this token (again).
    if (inst.bot?.token) this.refused.delete(digest(inst.bot.token));
    this.cache?.clear();
    this.deps.logger.info(
      { installKey: key, team: inst.team?.name ?? inst.enterprise?.name, enterprise: Boolean(inst.isEnterpriseInstall) },
      'Slack installation stored',
    );
  }

  /**
   * The installation serving `query` (its own, or its organisation's org-wide one), tokens in clear.
   * @throws Error when there is none (Bolt's `authorize` turns it into an authorization error).
   */
  async fetchInstallation(query: InstallationQuery<boolean>): Promise<Installation<'v1' | 'v2', boolean>> {
    const found = await this.find(query);
    if (!found) throw new Error(`no Slack installation for ${installKeyOf(query) ?? 'an empty query'}`);
    return found;
  }

  /** Like `fetchInstallation`, undefined when there is none. */
  async find(query: WorkspaceKey): Promise<AnyInstallation | undefined> {
    const keys = [installKeyOf(query)];
    if (!query.isEnterpriseInstall && query.enterpriseId) keys.push(`enterprise:${query.enterpriseId}`);
    for (const key of keys) {
      if (!key) continue;
      const cached = this.cache?.get(key);
      if (cached) return cached.inst;
      const row = await this.deps.rows.get(key);
      if (!row) continue;
      const inst = await this.open(row);
      if (inst.bot?.token && this.refused.has(digest(inst.bot.token))) continue;
      this.cache?.set(key, { inst });
      return inst;
    }
    return undefined;
  }

  /**
   * Slack refused `token` (revoked, access removed) without an uninstall event: its installation
   * reads as absent in this process (deliveries blocked, as after an uninstall) until a reinstall
   * stores a token again. The row is kept (nothing lost; another replica finds out by itself).
   */
  refuse(token: string): void {
    this.refused.add(digest(token));
    this.cache?.clear();
    this.deps.logger.warn({}, 'Slack refused a workspace token: that workspace counts as not installed until the app is reinstalled');
  }

  /** Removes the installation of `query` (app uninstalled, tokens revoked). */
  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.remove(query);
  }

  /** @returns whether a row was removed. */
  async remove(query: WorkspaceKey): Promise<boolean> {
    const key = installKeyOf(query);
    this.cache?.clear();
    if (!key) return false;
    const removed = (await this.deps.rows.delete(key)) > 0;
    this.deps.logger.info({ installKey: key, removed }, 'Slack installation removed');
    return removed;
  }

  /** Writes again, with the current key, every row still on the previous one. @returns how many. */
  async reencryptAll(): Promise<number> {
    let n = 0;
    for (const row of await this.deps.rows.all()) {
      if (row.keyId === this.deps.cipher.currentKeyId) continue;
      await this.open(row);
      n += 1;
    }
    return n;
  }

  private async open(row: InstallationRow): Promise<AnyInstallation> {
    const stored = JSON.parse(row.installation) as AnyInstallation;
    const inst = mapSecrets(stored, (v) => this.deps.cipher.decrypt(v));
    if (row.keyId !== this.deps.cipher.currentKeyId) {
      await this.writeRow(row.installKey, inst, row.installedAt);
      this.deps.logger.info({ installKey: row.installKey, fromKey: row.keyId }, 'Slack installation re-encrypted with the current key');
    }
    return inst;
  }

  private async writeRow(key: string, inst: AnyInstallation, installedAt?: string): Promise<void> {
    const sealed = mapSecrets(inst, (v) => this.deps.cipher.encrypt(v));
    const now = this.now();
    await this.deps.rows.put({
      installKey: key,
      enterpriseId: inst.enterprise?.id ?? null,
      teamId: inst.team?.id ?? null,
      isEnterpriseInstall: Boolean(inst.isEnterpriseInstall),
      teamName: inst.team?.name ?? inst.enterprise?.name ?? null,
      keyId: this.deps.cipher.currentKeyId,
      installation: JSON.stringify(sealed),
      installedAt: installedAt ?? (await this.deps.rows.get(key))?.installedAt ?? now,
      updatedAt: now,
    });
  }
}

/** A token's SHA-256 (hex): what is kept in memory of a refused token. */
function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
