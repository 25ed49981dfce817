import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteRunStore } from '../../adapters/store/sqlite-run-store';
import { installationStoreContract } from './installation-store.contract';

installationStoreContract('SQLite file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'installations-'));
  const file = path.join(dir, 'runs.db');
  const store = openSqliteRunStore(file);
  return {
    rows: store.installationRows(),
    // The file's bytes (WAL included) as well as the rows: no token may be anywhere.
    rawDump: async () => {
      const rows = JSON.stringify(store.db.prepare('SELECT * FROM slack_installations').all());
      store.db.pragma('wal_checkpoint(TRUNCATE)');
      return rows + fs.readFileSync(file).toString('latin1');
    },
    cleanup: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
