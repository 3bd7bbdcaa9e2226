/**
 * {@link ContributionStore} over better-sqlite3, in the database file the specs and the
 * decisions ledger live in, on a connection of its own with its own migrations (version kept in
 * `schema_versions` under `contributions`, like the ledger's under `review`). A `save` is one
 * IMMEDIATE transaction ([K5]); panel ids and origins are JSON text (read whole, never queried).
 */
import type Database from 'better-sqlite3'
import { openComponentDb, type SqliteFileOptions } from '../sqlite/components.js'
import { CONTRIBUTION_COLUMNS, CONTRIBUTION_ON_CONFLICT, contributionValues, toContribution, type ContributionRow, CONTRIBUTIONS_MIGRATIONS } from './contribution-rows.js'
import { byCreation, checkRecords, type ContributionRecord, type ContributionStore } from './contribution-store.js'

type DB = Database.Database

/** Options for {@link openSqliteContributionStore}. */
export type SqliteContributionOptions = SqliteFileOptions

/** Opens the contributions on `file` with a connection of its own, creating or migrating its tables. */
export function openSqliteContributionStore(opts: SqliteContributionOptions): SqliteContributionStore {
  return new SqliteContributionStore(openComponentDb(opts, { component: 'contributions', migrations: CONTRIBUTIONS_MIGRATIONS }))
}

/** The contributions in one SQLite connection's database. */
export class SqliteContributionStore implements ContributionStore {
  private readonly upsert
  private readonly selectSpec
  private readonly selectParticipant
  private readonly saveTx

  constructor(private readonly db: DB) {
    // [K1]: the conflict branch leaves participant, panels and creation time as stored.
    this.upsert = db.prepare(
      `INSERT INTO review_contributions (${CONTRIBUTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ${CONTRIBUTION_ON_CONFLICT}`
    )
    this.selectSpec = db.prepare(`SELECT ${CONTRIBUTION_COLUMNS} FROM review_contributions WHERE spec_id = ?`)
    this.selectParticipant = db.prepare(`SELECT ${CONTRIBUTION_COLUMNS} FROM review_contributions WHERE spec_id = ? AND participant_id = ?`)
    this.saveTx = db.transaction((records: readonly ContributionRecord[]) => {
      for (const r of records) {
        this.upsert.run(...contributionValues(r))
      }
    })
  }

  async save(records: readonly ContributionRecord[]): Promise<void> {
    checkRecords(records)
    this.saveTx.immediate(records)
  }

  async list(specId: string, participantId?: string): Promise<ContributionRecord[]> {
    const rows = (participantId === undefined ? this.selectSpec.all(specId) : this.selectParticipant.all(specId, participantId)) as ContributionRow[]
    // Sorted here, not in SQL: SQLite's collation and JS string order agree only for ASCII.
    return rows.map(toContribution).sort(byCreation)
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }
}
