/**
 * The PostgreSQL run store: the shared `RunStore` contract (each test in a fresh schema) plus what
 * only a shared server shows: replicas migrating together, compare-and-set across pools, audit
 * numbering and dedupe keys under concurrency.
 *
 * Needs `TEST_DATABASE_URL=postgres://user:password@127.0.0.1:5432/db` of a database the role may
 * create schemas in (`.ci/run` starts the machine's PostgreSQL and sets it). Without it the
 * suites are skipped with a visible message, never silently.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openRunStore } from '../../adapters/store/open-run-store';
import { applyPostgresMigrations, POSTGRES_MIGRATIONS } from '../../adapters/store/postgres-migrations';
import { openPostgresRunStore, PostgresRunStore, type PostgresRunStoreOptions } from '../../adapters/store/postgres-run-store';
import { StoredRecordError } from '../../adapters/store/run-record.schema';
import { DuplicateOpenRunError, VersionConflictError, type AuditEntry } from '../../src/ports/run-store.port';
import type { Clock } from '../../src/ports/clock.port';
import type { Run } from '../../src/workflow/types';
import { dummyRun } from '../fixtures/dummy-run';
import { runStoreContract } from './run-store.contract';

const url = process.env.TEST_DATABASE_URL?.trim();
const SKIP_MESSAGE = 'PostgreSQL suites skipped: set TEST_DATABASE_URL=postgres://... (CI sets it)';

if (!url || !/^postgres(ql)?:\/\//i.test(url)) {
  console.warn(url ? `${SKIP_MESSAGE}; TEST_DATABASE_URL is set but is not a postgres:// URL` : SKIP_MESSAGE);
  describe('PostgresRunStore', () => {
    it.skip(SKIP_MESSAGE, () => undefined);
  });
} else {
  postgresSuites(url);
}

function postgresSuites(databaseUrl: string): void {
  /** Admin connections of the test file: creates and drops the per-test schemas. */
  const admin = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const schemas = new Set<string>();

  /** A schema name not used before (the store creates it). */
  const freshSchema = (): string => {
    const name = `t_${randomBytes(6).toString('hex')}`;
    schemas.add(name);
    return name;
  };
  const dropSchema = async (name: string): Promise<void> => {
    await admin.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    schemas.delete(name);
  };
  const open = (schema: string, options: PostgresRunStoreOptions = {}): Promise<PostgresRunStore> =>
    openPostgresRunStore(databaseUrl, { schema, maxConnections: 4, ...options });

  afterAll(async () => {
    for (const name of [...schemas]) await dropSchema(name);
    await admin.end();
  });

  runStoreContract('PostgreSQL', async () => {
    const schema = freshSchema();
    return {
      store: await open(schema),
      reopen: () => open(schema),
      cleanup: () => dropSchema(schema),
    };
  });

  describe('PostgresRunStore (PostgreSQL specifics)', () => {
    const fixedClock: Clock = { nowMs: () => Date.parse('2025-02-01T10:00:00.000Z') };
    const opened: PostgresRunStore[] = [];
    const track = (store: PostgresRunStore): PostgresRunStore => {
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    });

    const entry = (run: Run, action: string): AuditEntry => ({
      runId: run.id,
      at: run.updatedAt,
      actor: run.startedBy,
      surface: run.surface,
      action,
      step: run.currentStep,
      outcome: 'ok',
    });

    it.each(['a new schema', 'an existing empty schema'])(
      'two replicas migrating %s at the same time both open, each migration recorded once',
      async (kind) => {
        const schema = freshSchema();
        if (kind === 'an existing empty schema') await admin.query(`CREATE SCHEMA ${schema}`);
        const clockOf = (replica: number): Clock => ({ nowMs: () => Date.parse('2025-02-01T10:00:00.000Z') + replica * 60_000 });

        const stores = await Promise.all([0, 1, 2].map((replica) => open(schema, { clock: clockOf(replica) })));
        stores.forEach(track);

        const { rows } = await admin.query(`SELECT version, applied_at FROM ${schema}.schema_migrations ORDER BY version`);
        expect(rows.map((r) => r.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
        // One replica applied the whole batch (one clock), the others found it done.
        expect(new Set(rows.map((r) => r.applied_at)).size).toBe(1);
        await stores[0].create(dummyRun(), [], []);
        expect(await stores[2].get('RUN0ACME')).toEqual(dummyRun());
      },
    );

    it('reopening applies nothing and keeps the data', async () => {
      const schema = freshSchema();
      const first = await open(schema, { clock: fixedClock });
      await first.create(dummyRun(), [], []);
      await first.close();

      const second = track(await open(schema));

      const { rows } = await admin.query(`SELECT COUNT(*)::int AS n FROM ${schema}.schema_migrations`);
      expect(rows[0].n).toBe(POSTGRES_MIGRATIONS.length);
      expect(await second.get('RUN0ACME')).toEqual(dummyRun());
    });

    it('migrating a database of version 5 keeps its runs, with org NULL, and their one-open-run rule', async () => {
      const schema = freshSchema();
      const client = await admin.connect();
      try {
        await client.query(`CREATE SCHEMA ${schema}`);
        await client.query(`SET search_path TO ${schema}`);
        await applyPostgresMigrations(client, () => '2025-02-01T10:00:00.000Z', POSTGRES_MIGRATIONS.slice(0, 5));
        const legacy = dummyRun();
        await client.query(
          `INSERT INTO runs (id, version, surface, channel_id, institution_code, channel_code, status, started_by_id, created_at, updated_at, state)
           VALUES ($1, 1, 'slack', 'C1', 'ACME', 'DGTK', 'open', 'U1', $2, $2, $3::jsonb)`,
          [legacy.id, legacy.createdAt, JSON.stringify(legacy)],
        );
      } finally {
        await client.query('RESET search_path').catch(() => undefined);
        client.release();
      }
      const store = track(await open(schema));
      const { rows } = await admin.query(`SELECT id, org, open_scope FROM ${schema}.runs`);
      expect(rows).toEqual([{ id: 'RUN0ACME', org: null, open_scope: '' }]);
      expect(await store.get('RUN0ACME')).toEqual(dummyRun());
      await expect(store.create(dummyRun({ id: 'RUN2ACME' }), [], [])).rejects.toBeInstanceOf(DuplicateOpenRunError);
      // A run of an organisation in multi-organisation mode is not blocked by it.
      await store.create(dummyRun({ id: 'RUN3ACME', org: 'slack:TAAAA' }), [], [], { perOrg: true });
      expect((await store.list({ org: 'slack:TAAAA' })).map((r) => r.id)).toEqual(['RUN3ACME']);
    });

    it('lets exactly one of many concurrent saves from the same version win, across pools', async () => {
      const schema = freshSchema();
      const a = track(await open(schema));
      const b = track(await open(schema));
      const run = dummyRun();
      await a.create(run, [], []);
      let current = run;

      for (let round = 0; round < 5; round += 1) {
        const tries = [a, b, a, b].map((store, i) => {
          const next: Run = { ...current, version: current.version + 1, contingentIds: [round * 10 + i + 1] };
          return { next, promise: store.save(next, current.version, [entry(next, `save-${i}`)], [{ type: 'card' }]) };
        });
        const results = await Promise.allSettled(tries.map((t) => t.promise));

        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [tries[i].next] : []));
        expect(won).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(VersionConflictError);
        expect(await b.get(run.id)).toEqual(won[0]);
        current = won[0];
      }
      expect((await a.audit(run.id)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(await a.pendingOutbox(100, run.id)).toHaveLength(5);
    });

    it('numbers audit entries 1..n without gaps when replicas append to one run at the same time', async () => {
      const schema = freshSchema();
      const a = track(await open(schema));
      const b = track(await open(schema));
      const run = dummyRun();
      await a.create(run, [entry(run, 'start')], []);

      await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).appendAudit([entry(run, `x${i}`), entry(run, `y${i}`)])),
      );

      const trail = await a.audit(run.id);
      expect(trail.map((e) => e.seq)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
      // Each call's two entries stay next to each other, in order.
      for (let i = 0; i < 20; i += 1) {
        const x = trail.findIndex((e) => e.action === `x${i}`);
        expect(trail[x + 1].action).toBe(`y${i}`);
      }
    });

    it('claims a dedupe key once across replicas', async () => {
      const schema = freshSchema();
      const a = track(await open(schema));
      const b = track(await open(schema));

      const claims = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).claimOnce('teams:activity:9', '2025-02-01T10:00:00.000Z')),
      );

      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    it('refuses a database written by a newer build, naming the version', async () => {
      const schema = freshSchema();
      track(await open(schema));
      await admin.query(`INSERT INTO ${schema}.schema_migrations (version, applied_at) VALUES (999, 'x')`);

      await expect(open(schema)).rejects.toThrow(/schema version\(s\) 999 unknown/);
    });

    it('reports a corrupt state row with the run id and the fields', async () => {
      const schema = freshSchema();
      const store = track(await open(schema));
      await store.create(dummyRun(), [], []);
      await admin.query(`UPDATE ${schema}.runs SET state = jsonb_set(state, '{version}', '"one"')`);

      const attempt = store.get('RUN0ACME');

      await expect(attempt).rejects.toBeInstanceOf(StoredRecordError);
      await expect(attempt).rejects.toMatchObject({ runId: 'RUN0ACME', fields: ['version'] });
    });

    it('stores the run state as JSONB and outbox ids as a bigserial', async () => {
      const schema = freshSchema();
      const store = track(await open(schema, { clock: fixedClock }));
      await store.create(dummyRun(), [], [{ type: 'card' }]);

      const { rows } = await admin.query(
        `SELECT pg_typeof(r.state)::text AS state, pg_typeof(o.id)::text AS id, o.created_at
         FROM ${schema}.runs r JOIN ${schema}.outbox o ON o.run_id = r.id`,
      );
      expect(rows).toEqual([{ state: 'jsonb', id: 'bigint', created_at: '2025-02-01T10:00:00.000Z' }]);
      const [item] = await store.pendingOutbox(1);
      expect(typeof item.id).toBe('number');
    });

    it('is what openRunStore returns for a postgres:// DATABASE_URL', async () => {
      const schema = freshSchema();
      const store = await openRunStore(databaseUrl, { schema });
      track(store as PostgresRunStore);

      expect(store).toBeInstanceOf(PostgresRunStore);
      expect(await store.list({})).toEqual([]);
    });

    it('does not show the connection string when inspected or serialised', async () => {
      const password = new URL(databaseUrl).password;
      const store = track(await open(freshSchema()));
      const { inspect } = await import('node:util');

      expect(inspect(store, { depth: 10 })).not.toContain('postgres://');
      expect(JSON.stringify(store)).not.toContain('postgres://');
      if (password) expect(inspect(store, { depth: 10 })).not.toContain(password);
    });
  });
}
