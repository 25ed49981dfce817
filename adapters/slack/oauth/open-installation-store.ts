/** Opens the Slack installation store on the run database (OAuth mode), re-encrypting rows left on the previous key. */
import type { RunStore } from '../../../src/ports/run-store.port';
import type { Logger } from '../../../src/ports/logger.port';
import { installationRowsOf } from '../../store/installation-rows';
import { DatabaseInstallationStore } from './installation-store';
import { TokenCipher } from './token-cipher';

/**
 * Stored installations that neither `INSTALLATION_ENCRYPTION_KEY` nor `..._PREVIOUS` can read (a
 * new key set without the previous one): the service refuses to start (exit 2) instead of
 * ignoring every event of those workspaces.
 */
export class InstallationKeyError extends Error {
  override readonly name = 'InstallationKeyError';
}

/**
 * @throws InstallationKeyError when stored installations were written with a key that is not configured.
 * @throws Error when the run store keeps no installations (not SQLite or PostgreSQL) or a key is invalid.
 */
export async function openInstallationStore(
  store: RunStore,
  keys: { encryptionKey: string; previousEncryptionKey?: string },
  logger: Logger,
  options: { cacheTtlMs?: number } = {},
): Promise<DatabaseInstallationStore> {
  const rows = installationRowsOf(store);
  if (!rows) throw new Error('Slack OAuth mode keeps installations in the run database: DATABASE_URL must be sqlite: or postgres://');
  const cipher = new TokenCipher(keys.encryptionKey, keys.previousEncryptionKey);
  const unreadable = (await rows.all()).filter((r) => !cipher.knows(r.keyId));
  if (unreadable.length > 0) {
    const written = [...new Set(unreadable.map((r) => r.keyId))].join(', ');
    const [current, previous] = cipher.keyIds;
    throw new InstallationKeyError(
      `${unreadable.length === 1 ? '1 stored Slack installation was' : `${unreadable.length} stored Slack installations were`} ` +
        `written with encryption key ${written}, ` +
        (previous
          ? `which is neither INSTALLATION_ENCRYPTION_KEY (key ${current}) nor INSTALLATION_ENCRYPTION_KEY_PREVIOUS (key ${previous})`
          : `which is not INSTALLATION_ENCRYPTION_KEY (key ${current}), and INSTALLATION_ENCRYPTION_KEY_PREVIOUS ` +
            (keys.previousEncryptionKey ? 'is set to the same key' : 'is not set')) +
        `: set INSTALLATION_ENCRYPTION_KEY_PREVIOUS to the key they were written with (key ${written}) to read them and re-encrypt them ` +
        'with the new key, or set INSTALLATION_ENCRYPTION_KEY back to it. Not starting: every event of those workspaces would be ignored.',
    );
  }
  const installations = new DatabaseInstallationStore({
    rows,
    cipher,
    logger,
    ...(options.cacheTtlMs !== undefined ? { cacheTtlMs: options.cacheTtlMs } : {}),
  });
  if (keys.previousEncryptionKey) {
    const n = await installations.reencryptAll();
    logger.info({ reencrypted: n }, 'Slack installations re-encrypted with INSTALLATION_ENCRYPTION_KEY');
  }
  return installations;
}
