/** The installation store contract on PostgreSQL (a fresh schema per test). Needs `TEST_DATABASE_URL`, like the run store suite. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresRunStore } from '../../adapters/store/postgres-run-store';
import { installationStoreContract } from './installation-store.contract';

const url = process.env.TEST_DATABASE_URL?.trim();
const SKIP_MESSAGE = 'PostgreSQL installation store suite skipped: set TEST_DATABASE_URL=postgres://... (CI sets it)';

if (!url || !/^postgres(ql)?:\/\//i.test(url)) {
  console.warn(SKIP_MESSAGE);
  describe('PostgreSQL installation store', () => {
    it.skip(SKIP_MESSAGE, () => undefined);
  });
} else {
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  afterAll(async () => {
    await admin.end();
  });
  installationStoreContract('PostgreSQL', async () => {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const store = await openPostgresRunStore(url, { schema, maxConnections: 2 });
    return {
      rows: store.installationRows(),
      rawDump: async () => JSON.stringify((await admin.query(`SELECT * FROM ${schema}.slack_installations`)).rows),
      cleanup: async () => {
        await store.close();
        await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      },
    };
  });
}
