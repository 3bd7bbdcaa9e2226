/**
 * {@link ContributionStore} over better-sqlite3, in the database file the specs and the
 * decisions ledger live in, on a connection of its own with its own migrations (version kept in
 * `schema_versions` under `contributions`, like the ledger's under `review`). A `save` is one
 * IMMEDIATE transaction ([K5]); panel ids and origins are JSON text (read whole, never queried).
 */
import type Database from 'better-sqlite3'
import { openComponentDb, type SqliteFileOptions } from '../sqlite/components.js'
import { byCreation, checkRecords, type ContributionRecord, type ContributionStore } from './contribution-store.js'

type DB = Database.Database

/** Contributions schema migrations; entry `i` takes the tables from version `i` to `i + 1`. */
export const CONTRIBUTIONS_SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS review_contributions (
     spec_id TEXT NOT NULL,
     id TEXT NOT NULL,
     participant_id TEXT NOT NULL,
     panel_ids TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     origins TEXT NOT NULL,
     excerpt TEXT NOT NULL,
     chars INTEGER NOT NULL,
     PRIMARY KEY (spec_id, id)
   );
   CREATE INDEX IF NOT EXISTS review_contributions_participant ON review_contributions (spec_id, participant_id);`
]


/** Options for {@link openSqliteContributionStore}. */
export type SqliteContributionOptions = SqliteFileOptions

/** Opens the contributions on `file` with a connection of its own, creating or migrating its tables. */
export function openSqliteContributionStore(opts: SqliteContributionOptions): SqliteContributionStore {
  return new SqliteContributionStore(openComponentDb(opts, { component: 'contributions', migrations: CONTRIBUTIONS_SQLITE_MIGRATIONS }))
}

interface Row {
  spec_id: string
  id: string
  participant_id: string
  panel_ids: string
  created_at: string
  updated_at: string
  origins: string
  excerpt: string
  chars: number
}

const COLUMNS = 'spec_id, id, participant_id, panel_ids, created_at, updated_at, origins, excerpt, chars'

const toRecord = (r: Row): ContributionRecord => ({
  specId: r.spec_id,
  id: r.id,
  participantId: r.participant_id,
  panelIds: JSON.parse(r.panel_ids) as string[],
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  origins: JSON.parse(r.origins) as ContributionRecord['origins'],
  excerpt: r.excerpt,
  chars: r.chars
})

/** The contributions in one SQLite connection's database. */
export class SqliteContributionStore implements ContributionStore {
  private readonly upsert
  private readonly selectSpec
  private readonly selectParticipant
  private readonly saveTx

  constructor(private readonly db: DB) {
    // [K1]: the conflict branch leaves participant, panels and creation time as stored.
    this.upsert = db.prepare(
      `INSERT INTO review_contributions (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (spec_id, id) DO UPDATE SET updated_at = excluded.updated_at, origins = excluded.origins,
         excerpt = excluded.excerpt, chars = excluded.chars`
    )
    this.selectSpec = db.prepare(`SELECT ${COLUMNS} FROM review_contributions WHERE spec_id = ?`)
    this.selectParticipant = db.prepare(`SELECT ${COLUMNS} FROM review_contributions WHERE spec_id = ? AND participant_id = ?`)
    this.saveTx = db.transaction((records: readonly ContributionRecord[]) => {
      for (const r of records) {
        this.upsert.run(r.specId, r.id, r.participantId, JSON.stringify(r.panelIds), r.createdAt, r.updatedAt, JSON.stringify(r.origins), r.excerpt, r.chars)
      }
    })
  }

  async save(records: readonly ContributionRecord[]): Promise<void> {
    checkRecords(records)
    this.saveTx.immediate(records)
  }

  async list(specId: string, participantId?: string): Promise<ContributionRecord[]> {
    const rows = (participantId === undefined ? this.selectSpec.all(specId) : this.selectParticipant.all(specId, participantId)) as Row[]
    // Sorted here, not in SQL: SQLite's collation and JS string order agree only for ASCII.
    return rows.map(toRecord).sort(byCreation)
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }
}
