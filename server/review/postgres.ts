/**
 * {@link ReviewStore} over Postgres (node-postgres pool), for deployments that keep the
 * ledger in a shared database (`REVIEW_DATABASE_URL`). Loaded only when configured: the
 * default service never imports `pg`.
 *
 * Serialisation per spec ([R7]): each `append` is one transaction that first takes a
 * transaction-scoped advisory lock on the spec (`pg_advisory_xact_lock(REVIEW_LOCK, hashtext(spec_id))`),
 * then reads the head and inserts the next entry. Under READ COMMITTED every statement after
 * the lock sees what the previous holder committed, and the lock is released by COMMIT or
 * ROLLBACK, so appends to one spec chain one after the other across every pool and process
 * using the database, while other specs proceed in parallel (two specs whose ids hash alike
 * merely share a lock). The primary key (spec_id, seq) backs this up: a mistake here would
 * fail an append, never fork the chain.
 */
import type pg from 'pg'
import type { DecisionCounts, DecisionEntry } from '../../shared/api-review.js'
import { inTransaction, openMigratedPool, type PostgresPoolOptions } from './postgres-pool.js'
import { checkNewDecision, countsFromRows, nextEntry } from './ledger.js'
import type { NewDecision, ReviewStore } from './review-store.js'
import { CURRENT_WHERE, ENTRY_COLUMNS, entryValues, toEntry, type EntryRow } from './rows.js'

/** First key of every advisory lock this store takes ('VREV'); the second is the spec's hash. */
export const REVIEW_LOCK = 0x56524556

/** Review schema migrations for Postgres; entry `i` takes the tables from version `i` to `i + 1`. */
export const REVIEW_POSTGRES_MIGRATIONS: readonly string[] = [
  // 1: the ledger; same columns and constraints as the SQLite table (sqlite.ts).
  `CREATE TABLE IF NOT EXISTS review_decisions (
     spec_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     subject_id TEXT NOT NULL,
     state TEXT NOT NULL,
     note TEXT,
     decided_by TEXT NOT NULL,
     role TEXT NOT NULL,
     decided_at TEXT NOT NULL,
     supersedes INTEGER,
     prev_hash TEXT NOT NULL,
     hash TEXT NOT NULL,
     PRIMARY KEY (spec_id, seq),
     UNIQUE (spec_id, supersedes)
   );
   CREATE INDEX IF NOT EXISTS review_decisions_subject ON review_decisions (spec_id, subject_id, seq);`
]

/** Options for {@link openPostgresReviewStore}; `maxConnections` defaults to 4. */
export type PostgresReviewOptions = PostgresPoolOptions

/** Connects, creates or migrates the review tables, and returns the store. */
export async function openPostgresReviewStore(opts: PostgresReviewOptions): Promise<PostgresReviewStore> {
  const pool = await openMigratedPool(opts, { component: 'review', lock: REVIEW_LOCK, migrations: REVIEW_POSTGRES_MIGRATIONS }, 4)
  return new PostgresReviewStore(pool)
}

const WHERE_CURRENT = CURRENT_WHERE.replace('$SPEC', '$1')

/** The ledger in one Postgres database (see {@link openPostgresReviewStore}). */
export class PostgresReviewStore implements ReviewStore {
  constructor(private readonly pool: pg.Pool) {}

  async append(decision: NewDecision): Promise<DecisionEntry> {
    checkNewDecision(decision)
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [REVIEW_LOCK, decision.specId])
      const head = await client.query<{ seq: number; hash: string }>(
        'SELECT seq, hash FROM review_decisions WHERE spec_id = $1 ORDER BY seq DESC LIMIT 1',
        [decision.specId]
      )
      const latest = await client.query<{ seq: number }>(
        'SELECT seq FROM review_decisions WHERE spec_id = $1 AND subject_id = $2 ORDER BY seq DESC LIMIT 1',
        [decision.specId, decision.subjectId]
      )
      // Stamped under the lock, so timestamps never run backwards along one spec's chain
      // as long as the servers' clocks agree.
      const entry = nextEntry(decision, head.rows[0] ?? null, latest.rows[0]?.seq ?? null, new Date().toISOString())
      await client.query(
        `INSERT INTO review_decisions (${ENTRY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        entryValues(entry)
      )
      return entry
    })
  }

  async history(specId: string): Promise<DecisionEntry[]> {
    const res = await this.pool.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM review_decisions WHERE spec_id = $1 ORDER BY seq`, [specId])
    return res.rows.map(toEntry)
  }

  async current(specId: string): Promise<DecisionEntry[]> {
    const res = await this.pool.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM review_decisions d WHERE ${WHERE_CURRENT} ORDER BY d.seq`, [specId])
    return res.rows.map(toEntry)
  }

  async countsByState(specId: string): Promise<DecisionCounts> {
    const res = await this.pool.query<{ state: string; n: number }>(
      `SELECT d.state AS state, COUNT(*)::int AS n FROM review_decisions d WHERE ${WHERE_CURRENT} GROUP BY d.state`,
      [specId]
    )
    return countsFromRows(res.rows)
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1')
  }

  private closing: Promise<void> | null = null

  /** Ends the pool once (idempotent). */
  close(): Promise<void> {
    this.closing ??= this.pool.end()
    return this.closing
  }
}
