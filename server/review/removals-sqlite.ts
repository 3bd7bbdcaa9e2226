/**
 * {@link RemovalStore} over better-sqlite3, in the database file the specs, the decisions ledger
 * and the contributions live in, on a connection of its own with its own migrations (version
 * kept in `schema_versions` under `removals`). A transition is one conditional UPDATE ([M5]).
 */
import type Database from 'better-sqlite3'
import { openComponentDb, type SqliteFileOptions } from '../sqlite/components.js'
import { REMOVAL_COLUMNS, REMOVALS_MIGRATIONS, removalValues, toRemoval, type RemovalRow } from './removal-rows.js'
import { byRemoval, checkRemoval, type RemovalPatch, type RemovalRecord, type RemovalStore } from './removal-store.js'

type DB = Database.Database

/** Opens the removals on `opts.file` with a connection of its own, creating or migrating its table. */
export function openSqliteRemovalStore(opts: SqliteFileOptions): SqliteRemovalStore {
  return new SqliteRemovalStore(openComponentDb(opts, { component: 'removals', migrations: REMOVALS_MIGRATIONS }))
}

/** The removals in one SQLite connection's database. */
export class SqliteRemovalStore implements RemovalStore {
  private readonly insert
  private readonly selectSpec
  private readonly selectAuthor
  private readonly selectOne

  constructor(private readonly db: DB) {
    this.insert = db.prepare(`INSERT INTO review_removals (${REMOVAL_COLUMNS}) VALUES (${REMOVAL_COLUMNS.split(',').map(() => '?').join(', ')})`)
    this.selectSpec = db.prepare(`SELECT ${REMOVAL_COLUMNS} FROM review_removals WHERE spec_id = ?`)
    this.selectAuthor = db.prepare(`SELECT ${REMOVAL_COLUMNS} FROM review_removals WHERE spec_id = ? AND author_id = ?`)
    this.selectOne = db.prepare(`SELECT ${REMOVAL_COLUMNS} FROM review_removals WHERE spec_id = ? AND id = ?`)
  }

  async add(record: RemovalRecord): Promise<void> {
    checkRemoval(record)
    try {
      this.insert.run(...removalValues(record))
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new RangeError(`removal ${record.id} exists`)
      throw err
    }
  }

  async list(specId: string, authorId?: string): Promise<RemovalRecord[]> {
    const rows = (authorId === undefined ? this.selectSpec.all(specId) : this.selectAuthor.all(specId, authorId)) as RemovalRow[]
    // Sorted here, not in SQL: SQLite's collation and JS string order agree only for ASCII.
    return rows.map(toRemoval).sort(byRemoval)
  }

  async get(specId: string, id: string): Promise<RemovalRecord | null> {
    const row = this.selectOne.get(specId, id) as RemovalRow | undefined
    return row ? toRemoval(row) : null
  }

  async transition(specId: string, id: string, from: ReadonlyArray<RemovalRecord['status']>, patch: RemovalPatch): Promise<RemovalRecord | null> {
    if (from.length === 0) return null
    const changed = this.db
      .prepare(
        `UPDATE review_removals SET status = ?, restored_by = ?, restored_by_role = ?, restored_at = ?
         WHERE spec_id = ? AND id = ? AND status IN (${from.map(() => '?').join(', ')})`
      )
      .run(patch.status, patch.restoredBy, patch.restoredByRole, patch.restoredAt, specId, id, ...from).changes
    return changed === 1 ? this.get(specId, id) : null
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }
}
