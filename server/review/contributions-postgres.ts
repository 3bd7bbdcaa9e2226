/**
 * {@link ContributionStore} over Postgres (node-postgres pool), beside the decisions ledger when
 * that lives in a shared database (`REVIEW_DATABASE_URL`). Loaded only when configured. Its
 * migrations are versioned under `contributions` in the ledger's `schema_versions` table; a
 * `save` is one transaction ([K5]) whose upsert keeps participant, panels and creation time
 * ([K1]). Panel ids and origins are JSON text, as on SQLite (read whole, never queried).
 */
import type pg from 'pg'
import { inTransaction, openMigratedPool, type PostgresPoolOptions } from './postgres-pool.js'
import { CONTRIBUTION_COLUMNS, CONTRIBUTION_ON_CONFLICT, contributionValues, toContribution, type ContributionRow, CONTRIBUTIONS_MIGRATIONS } from './contribution-rows.js'
import { byCreation, checkRecords, type ContributionRecord, type ContributionStore } from './contribution-store.js'

/** First key of the advisory lock migrations take ('VCON'). */
export const CONTRIBUTIONS_LOCK = 0x56434f4e

/** Options for {@link openPostgresContributionStore}; `maxConnections` defaults to 2. */
export type PostgresContributionOptions = PostgresPoolOptions

/** Connects, creates or migrates the contributions tables, and returns the store. */
export async function openPostgresContributionStore(opts: PostgresContributionOptions): Promise<PostgresContributionStore> {
  const pool = await openMigratedPool(opts, { component: 'contributions', lock: CONTRIBUTIONS_LOCK, migrations: CONTRIBUTIONS_MIGRATIONS }, 2)
  return new PostgresContributionStore(pool)
}

/** The contributions in one Postgres database (see {@link openPostgresContributionStore}). */
export class PostgresContributionStore implements ContributionStore {
  private closing: Promise<void> | null = null

  constructor(private readonly pool: pg.Pool) {}

  async save(records: readonly ContributionRecord[]): Promise<void> {
    checkRecords(records)
    if (records.length === 0) return
    await inTransaction(this.pool, async (client) => {
      for (const r of records) {
        await client.query(
          `INSERT INTO review_contributions (${CONTRIBUTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ${CONTRIBUTION_ON_CONFLICT}`,
          contributionValues(r)
        )
      }
    })
  }

  async list(specId: string, participantId?: string): Promise<ContributionRecord[]> {
    const res =
      participantId === undefined
        ? await this.pool.query<ContributionRow>(`SELECT ${CONTRIBUTION_COLUMNS} FROM review_contributions WHERE spec_id = $1`, [specId])
        : await this.pool.query<ContributionRow>(`SELECT ${CONTRIBUTION_COLUMNS} FROM review_contributions WHERE spec_id = $1 AND participant_id = $2`, [specId, participantId])
    // Sorted here, not in SQL: the database collation and JS string order may disagree.
    return res.rows.map(toContribution).sort(byCreation)
  }

  /** Ends the pool once (idempotent). */
  close(): Promise<void> {
    this.closing ??= this.pool.end()
    return this.closing
  }
}
