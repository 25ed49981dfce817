import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_DATABASE_URL, openRunStore, parseDatabaseUrl } from '../../../adapters/store/open-run-store';
import { SqliteRunStore } from '../../../adapters/store/sqlite-run-store';
import { dummyRun } from '../../fixtures/dummy-run';

describe('parseDatabaseUrl', () => {
  const cwd = '/srv/app';

  it.each([
    ['sqlite:./data/onboarding.db', '/srv/app/data/onboarding.db'],
    ['sqlite:data/x.db', '/srv/app/data/x.db'],
    ['sqlite:/var/lib/x.db', '/var/lib/x.db'],
    ['sqlite:///var/lib/x.db', '/var/lib/x.db'],
    ['sqlite://data/x.db', '/srv/app/data/x.db'],
    ['  SQLite:./x.db  ', '/srv/app/x.db'],
    ['sqlite::memory:', ':memory:'],
  ])('%s -> SQLite file %s', (url, file) => {
    expect(parseDatabaseUrl(url, cwd)).toEqual({ kind: 'sqlite', path: file });
  });

  it('resolves the default against the working directory', () => {
    expect(parseDatabaseUrl(DEFAULT_DATABASE_URL, cwd)).toEqual({ kind: 'sqlite', path: '/srv/app/data/onboarding.db' });
  });

  it.each(['postgres://u@db/onboarding', 'postgresql://u@db:5432/onboarding'])('%s -> PostgreSQL', (url) => {
    expect(parseDatabaseUrl(url, cwd)).toEqual({ kind: 'postgres', url });
  });

  it.each([
    ['', /empty value/],
    ['./data/onboarding.db', /without a scheme/],
    ['mysql://root:s3cr3t@db/app', /scheme "mysql:"/],
    ['sqlite:', /SQLite path is empty/],
  ])('refuses %j, naming the accepted forms', (url, reason) => {
    expect(() => parseDatabaseUrl(url, cwd)).toThrow(reason);
    expect(() => parseDatabaseUrl(url, cwd)).toThrow(/sqlite:<path>.*postgres:\/\//);
  });

  it('never repeats the URL (it may hold a password) in its error', () => {
    expect(() => parseDatabaseUrl('mysql://root:s3cr3t@db/app')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('s3cr3t') }),
    );
  });
});

describe('openRunStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'open-run-store-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('opens a SQLite file relative to the working directory, creating its directory', async () => {
    const store = await openRunStore('sqlite:./data/onboarding.db', { cwd: dir });

    await store.create(dummyRun(), [], []);

    expect(store).toBeInstanceOf(SqliteRunStore);
    expect(fs.existsSync(path.join(dir, 'data', 'onboarding.db'))).toBe(true);
    await store.close();
    const again = await openRunStore(`sqlite:${path.join(dir, 'data', 'onboarding.db')}`);
    expect(await again.get('RUN0ACME')).toEqual(dummyRun());
    await again.close();
  });

  it('opens an in-memory store for sqlite::memory:', async () => {
    const store = await openRunStore('sqlite::memory:');
    expect(await store.list({})).toEqual([]);
    await store.close();
  });

  it.each(['postgres://u:s3cr3t-pw@127.0.0.1:1/onboarding', 'postgresql://u:s3cr3t-pw@127.0.0.1:1/onboarding'])(
    'opens PostgreSQL for %s, reporting a refused connection without the password',
    async (url) => {
      // Port 1 on loopback refuses at once: this reaches the PostgreSQL store without a server.
      const attempt = openRunStore(url, { connectionTimeoutMs: 2000 });

      await expect(attempt).rejects.toThrow(/^PostgreSQL run store \(postgres(ql)?:\/\/u:\*\*\*@127\.0\.0\.1:1\/onboarding\): /);
      await expect(attempt).rejects.toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cr3t') }));
    },
  );

  it('rejects an unsupported value', async () => {
    await expect(openRunStore('redis://localhost')).rejects.toThrow(/expected `sqlite:<path>`/);
  });
});
