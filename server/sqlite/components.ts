/**
 * One SQLite database file holds several independently migrated components (documents,
 * identity, the decisions ledger, contributions). Each keeps its own version in the shared
 * `schema_versions` table and opens its own connection, so a long transaction of one never
 * holds or rolls back another's writes.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'

type DB = Database.Database

/** One component's tables: its `schema_versions` row and the migrations that build them. */
export interface SqliteComponent {
  /** Row name in `schema_versions`. */
  component: string
  /** Entry `i` takes the tables from version `i` to `i + 1`. */
  migrations: readonly string[]
}

/**
 * Creates or upgrades `set`'s tables of `db` to the newest version, in one IMMEDIATE
 * transaction: a server and the admin CLI starting together migrate one after the other.
 * @throws RangeError if the tables are newer than this server knows.
 */
export function migrateComponent(db: DB, set: SqliteComponent): void {
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)')
    const row = db.prepare('SELECT version FROM schema_versions WHERE component = ?').get(set.component) as { version: number } | undefined
    const from = row?.version ?? 0
    if (from > set.migrations.length) {
      throw new RangeError(`${set.component} tables are at version ${from}, newer than this server knows (${set.migrations.length})`)
    }
    for (let v = from; v < set.migrations.length; v++) db.exec(set.migrations[v]!)
    db.prepare('INSERT INTO schema_versions (component, version) VALUES (?, ?) ON CONFLICT (component) DO UPDATE SET version = excluded.version').run(
      set.component,
      set.migrations.length
    )
  }).immediate()
}

/** Where and how durably a component's connection writes. */
export interface SqliteFileOptions {
  /** Database file (the specs' `valence.db`); `:memory:` for a throwaway database. */
  file: string
  synchronous: 'FULL' | 'NORMAL'
}

/**
 * Opens a connection of its own to `opts.file` (WAL, a busy timeout so components wait for each
 * other's write locks) and migrates `set`. The connection is closed again if that fails.
 */
export function openComponentDb(opts: SqliteFileOptions, set: SqliteComponent): DB {
  if (opts.file !== ':memory:') fs.mkdirSync(path.dirname(opts.file), { recursive: true })
  const db = new Database(opts.file)
  try {
    db.pragma('journal_mode = WAL')
    db.pragma(`synchronous = ${opts.synchronous}`)
    db.pragma('busy_timeout = 5000')
    migrateComponent(db, set)
  } catch (err) {
    db.close()
    throw err
  }
  return db
}
