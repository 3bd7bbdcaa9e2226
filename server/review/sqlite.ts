/**
 * {@link ReviewStore} over better-sqlite3, in the database file the specs live in, on a
 * connection of its own with its own migrations (version kept in `schema_versions` under
 * `review`, beside the identity store's; see server/identity/sqlite-schema.ts).
 *
 * Why its own connection: the store's lifecycle and migrations stay its own, and nothing the
 * document store does on its connection (group commit) can join a ledger transaction.
 * better-sqlite3 is synchronous, so each `append` is one BEGIN IMMEDIATE transaction that
 * reads the head and inserts the next entry without yielding: IMMEDIATE takes the database's
 * write lock first, so a second connection or process (the admin CLI, a second server on the
 * same file) cannot read the same head meanwhile ([R7]).
 */
import type Database from 'better-sqlite3'
import { openComponentDb, type SqliteFileOptions } from '../sqlite/components.js'
import type { DecisionCounts, DecisionEntry } from '../../shared/api-review.js'
import { checkNewDecision, countsFromRows, nextEntry } from './ledger.js'
import type { NewDecision, ReviewStore } from './review-store.js'
import { CURRENT_WHERE, ENTRY_COLUMNS, entryValues, toEntry, type EntryRow } from './rows.js'

type DB = Database.Database

/** Review schema migrations; entry `i` takes the tables from version `i` to `i + 1`. */
export const REVIEW_SQLITE_MIGRATIONS: readonly string[] = [
  // 1: the ledger. (spec_id, supersedes) is unique: a decision is superseded at most once, so
  // each subject's decisions form one line, and "current" is an indexed anti-join.
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


/** Options for {@link openSqliteReviewStore}. */
export type SqliteReviewOptions = SqliteFileOptions

/** Opens the ledger on `file` with a connection of its own, creating or migrating its tables. */
export function openSqliteReviewStore(opts: SqliteReviewOptions): SqliteReviewStore {
  return new SqliteReviewStore(openComponentDb(opts, { component: 'review', migrations: REVIEW_SQLITE_MIGRATIONS }))
}

/** The ledger in one SQLite connection's database. */
export class SqliteReviewStore implements ReviewStore {
  private readonly selectHead
  private readonly selectLatestOfSubject
  private readonly insert
  private readonly selectHistory
  private readonly selectCurrent
  private readonly selectCounts
  private readonly appendTx

  constructor(private readonly db: DB) {
    this.selectHead = db.prepare('SELECT seq, hash FROM review_decisions WHERE spec_id = ? ORDER BY seq DESC LIMIT 1')
    this.selectLatestOfSubject = db.prepare('SELECT seq FROM review_decisions WHERE spec_id = ? AND subject_id = ? ORDER BY seq DESC LIMIT 1')
    this.insert = db.prepare(`INSERT INTO review_decisions (${ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    this.selectHistory = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM review_decisions WHERE spec_id = ? ORDER BY seq`)
    const where = CURRENT_WHERE.replace('$SPEC', '?')
    this.selectCurrent = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM review_decisions d WHERE ${where} ORDER BY d.seq`)
    this.selectCounts = db.prepare(`SELECT d.state AS state, COUNT(*) AS n FROM review_decisions d WHERE ${where} GROUP BY d.state`)
    this.appendTx = db.transaction((decision: NewDecision, decidedAt: string): DecisionEntry => {
      const head = this.selectHead.get(decision.specId) as { seq: number; hash: string } | undefined
      const latest = this.selectLatestOfSubject.get(decision.specId, decision.subjectId) as { seq: number } | undefined
      const entry = nextEntry(decision, head ?? null, latest?.seq ?? null, decidedAt)
      this.insert.run(...entryValues(entry))
      return entry
    })
  }

  async append(decision: NewDecision): Promise<DecisionEntry> {
    checkNewDecision(decision)
    return this.appendTx.immediate(decision, new Date().toISOString())
  }

  async history(specId: string): Promise<DecisionEntry[]> {
    return (this.selectHistory.all(specId) as EntryRow[]).map(toEntry)
  }

  async current(specId: string): Promise<DecisionEntry[]> {
    return (this.selectCurrent.all(specId) as EntryRow[]).map(toEntry)
  }

  async countsByState(specId: string): Promise<DecisionCounts> {
    return countsFromRows(this.selectCounts.all(specId) as Array<{ state: string; n: number }>)
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get()
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }
}
