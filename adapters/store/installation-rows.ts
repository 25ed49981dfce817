/**
 * The `slack_installations` table (migration 4 of both dialects) as plain rows, for the Slack
 * installation store (`adapters/slack/oauth/installation-store.ts`), which encrypts the tokens
 * before they reach these functions. One implementation per dialect over the run store's own
 * connection, so installations live in the run database.
 */
import type Database from 'better-sqlite3';

/** One stored installation. `installation` is JSON with every secret already encrypted. */
export interface InstallationRow {
  /** `enterprise:<E id>` (org-wide install) or `team:<T id>`. */
  installKey: string;
  enterpriseId: string | null;
  teamId: string | null;
  isEnterpriseInstall: boolean;
  teamName: string | null;
  /** Id of the encryption key that wrote the secrets. */
  keyId: string;
  installation: string;
  installedAt: string;
  updatedAt: string;
}

/** Reads and writes `slack_installations`. */
export interface InstallationRows {
  get(installKey: string): Promise<InstallationRow | undefined>;
  /** Inserts or replaces the row (keeping its first `installedAt`). */
  put(row: InstallationRow): Promise<void>;
  /** @returns how many rows were removed (0 or 1). */
  delete(installKey: string): Promise<number>;
  /** Every row (maintenance: key rotation, tests). */
  all(): Promise<InstallationRow[]>;
}

interface RawRow {
  install_key: string;
  enterprise_id: string | null;
  team_id: string | null;
  is_enterprise_install: number | boolean;
  team_name: string | null;
  key_id: string;
  installation: string;
  installed_at: string;
  updated_at: string;
}

const COLUMNS = 'install_key, enterprise_id, team_id, is_enterprise_install, team_name, key_id, installation, installed_at, updated_at';

function fromRaw(r: RawRow): InstallationRow {
  return {
    installKey: r.install_key,
    enterpriseId: r.enterprise_id,
    teamId: r.team_id,
    isEnterpriseInstall: r.is_enterprise_install === true || r.is_enterprise_install === 1,
    teamName: r.team_name,
    keyId: r.key_id,
    installation: r.installation,
    installedAt: r.installed_at,
    updatedAt: r.updated_at,
  };
}

/** `slack_installations` of a SQLite run store (`SqliteRunStore.db`). */
export function sqliteInstallationRows(db: Database.Database): InstallationRows {
  return {
    get: async (key) => {
      const r = db.prepare(`SELECT ${COLUMNS} FROM slack_installations WHERE install_key = ?`).get(key) as RawRow | undefined;
      return r ? fromRaw(r) : undefined;
    },
    put: async (row) => {
      db.prepare(
        `INSERT INTO slack_installations (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (install_key) DO UPDATE SET enterprise_id = excluded.enterprise_id, team_id = excluded.team_id,
           is_enterprise_install = excluded.is_enterprise_install, team_name = excluded.team_name, key_id = excluded.key_id,
           installation = excluded.installation, updated_at = excluded.updated_at`,
      ).run(
        row.installKey,
        row.enterpriseId,
        row.teamId,
        row.isEnterpriseInstall ? 1 : 0,
        row.teamName,
        row.keyId,
        row.installation,
        row.installedAt,
        row.updatedAt,
      );
    },
    delete: async (key) => db.prepare('DELETE FROM slack_installations WHERE install_key = ?').run(key).changes,
    all: async () => (db.prepare(`SELECT ${COLUMNS} FROM slack_installations ORDER BY install_key`).all() as RawRow[]).map(fromRaw),
  };
}

/** A parameterised query on PostgreSQL (`PostgresRunStore.query`). */
export type PgQuery = (sql: string, params: unknown[]) => Promise<{ rows: unknown[]; rowCount: number | null }>;

/** `slack_installations` of a PostgreSQL run store. */
export function postgresInstallationRows(query: PgQuery): InstallationRows {
  return {
    get: async (key) => {
      const { rows } = await query(`SELECT ${COLUMNS} FROM slack_installations WHERE install_key = $1`, [key]);
      return rows[0] ? fromRaw(rows[0] as RawRow) : undefined;
    },
    put: async (row) => {
      await query(
        `INSERT INTO slack_installations (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (install_key) DO UPDATE SET enterprise_id = EXCLUDED.enterprise_id, team_id = EXCLUDED.team_id,
           is_enterprise_install = EXCLUDED.is_enterprise_install, team_name = EXCLUDED.team_name, key_id = EXCLUDED.key_id,
           installation = EXCLUDED.installation, updated_at = EXCLUDED.updated_at`,
        [
          row.installKey,
          row.enterpriseId,
          row.teamId,
          row.isEnterpriseInstall,
          row.teamName,
          row.keyId,
          row.installation,
          row.installedAt,
          row.updatedAt,
        ],
      );
    },
    delete: async (key) => (await query('DELETE FROM slack_installations WHERE install_key = $1', [key])).rowCount ?? 0,
    all: async () =>
      (await query(`SELECT ${COLUMNS} FROM slack_installations ORDER BY install_key`, [])).rows.map((r) => fromRaw(r as RawRow)),
  };
}

/** The installation rows of a run store opened by `openRunStore`, or undefined for another kind of store. */
export function installationRowsOf(store: unknown): InstallationRows | undefined {
  const s = store as { installationRows?: () => InstallationRows };
  return typeof s.installationRows === 'function' ? s.installationRows() : undefined;
}
