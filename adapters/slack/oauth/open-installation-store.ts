/** Opens the Slack installation store on the run database (OAuth mode), re-encrypting rows left on the previous key. */
import type { RunStore } from '../../../src/ports/run-store.port';
import type { Logger } from '../../../src/ports/logger.port';
import { installationRowsOf } from '../../store/installation-rows';
import { DatabaseInstallationStore } from './installation-store';
import { TokenCipher } from './token-cipher';

/**
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
  const installations = new DatabaseInstallationStore({
    rows,
    cipher: new TokenCipher(keys.encryptionKey, keys.previousEncryptionKey),
    logger,
    ...(options.cacheTtlMs !== undefined ? { cacheTtlMs: options.cacheTtlMs } : {}),
  });
  if (keys.previousEncryptionKey) {
    const n = await installations.reencryptAll();
    logger.info({ reencrypted: n }, 'Slack installations re-encrypted with INSTALLATION_ENCRYPTION_KEY');
  }
  return installations;
}
