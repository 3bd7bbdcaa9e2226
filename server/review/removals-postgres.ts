/**
 * {@link RemovalStore} over Postgres (node-postgres pool), beside the decisions ledger and the
 * contributions when those live in a shared database (`REVIEW_DATABASE_URL`). Loaded only when
 * configured. Its migrations are versioned under `removals` in `schema_versions`; the table is
 * the SQLite one (removal-rows.ts). A transition is one conditional UPDATE ... RETURNING ([M5]):
 * under READ COMMITTED a concurrent second UPDATE re-checks the status after the first commits.
 */
import type pg from 'pg'
import { openMigratedPool, type PostgresPoolOptions } from './postgres-pool.js'
import { REMOVAL_COLUMNS, REMOVALS_MIGRATIONS, removalValues, toRemoval, type RemovalRow } from './removal-rows.js'
import { byRemoval, checkRemoval, type RemovalPatch, type RemovalRecord, type RemovalStore } from './removal-store.js'

/** First key of the advisory lock migrations take ('VREM'). */
export const REMOVALS_LOCK = 0x5652454d

/** Options for {@link openPostgresRemovalStore}; `maxConnections` defaults to 2. */
export type PostgresRemovalOptions = PostgresPoolOptions

/** Connects, creates or migrates the removals table, and returns the store. */
export async function openPostgresRemovalStore(opts: PostgresRemovalOptions): Promise<PostgresRemovalStore> {
  const pool = await openMigratedPool(opts, { component: 'removals', lock: REMOVALS_LOCK, migrations: REMOVALS_MIGRATIONS }, 2)
  return new PostgresRemovalStore(pool)
}

const PLACEHOLDERS = REMOVAL_COLUMNS.split(',').map((_, i) => `$${i + 1}`).join(', ')

/** The removals in one Postgres database (see {@link openPostgresRemovalStore}). */
export class PostgresRemovalStore implements RemovalStore {
  private closing: Promise<void> | null = null

  constructor(private readonly pool: pg.Pool) {}

  async add(record: RemovalRecord): Promise<void> {
    checkRemoval(record)
    try {
      await this.pool.query(`INSERT INTO review_removals (${REMOVAL_COLUMNS}) VALUES (${PLACEHOLDERS})`, removalValues(record))
    } catch (err) {
      // 23505: unique_violation on the primary key.
      if ((err as { code?: string }).code === '23505') throw new RangeError(`removal ${record.id} exists`)
      throw err
    }
  }

  async list(specId: string, authorId?: string): Promise<RemovalRecord[]> {
    const res =
      authorId === undefined
        ? await this.pool.query<RemovalRow>(`SELECT ${REMOVAL_COLUMNS} FROM review_removals WHERE spec_id = $1`, [specId])
        : await this.pool.query<RemovalRow>(`SELECT ${REMOVAL_COLUMNS} FROM review_removals WHERE spec_id = $1 AND author_id = $2`, [specId, authorId])
    // Sorted here, not in SQL: the database collation and JS string order may disagree.
    return res.rows.map(toRemoval).sort(byRemoval)
  }

  async get(specId: string, id: string): Promise<RemovalRecord | null> {
    const res = await this.pool.query<RemovalRow>(`SELECT ${REMOVAL_COLUMNS} FROM review_removals WHERE spec_id = $1 AND id = $2`, [specId, id])
    return res.rows[0] ? toRemoval(res.rows[0]) : null
  }

  async transition(specId: string, id: string, from: ReadonlyArray<RemovalRecord['status']>, patch: RemovalPatch): Promise<RemovalRecord | null> {
    if (from.length === 0) return null
    const res = await this.pool.query<RemovalRow>(
      `UPDATE review_removals SET status = $1, restored_by = $2, restored_by_role = $3, restored_at = $4
       WHERE spec_id = $5 AND id = $6 AND status = ANY($7::text[]) RETURNING ${REMOVAL_COLUMNS}`,
      [patch.status, patch.restoredBy, patch.restoredByRole, patch.restoredAt, specId, id, [...from]]
    )
    return res.rows[0] ? toRemoval(res.rows[0]) : null
  }

  /** Ends the pool once (idempotent). */
  close(): Promise<void> {
    this.closing ??= this.pool.end()
    return this.closing
  }
}
