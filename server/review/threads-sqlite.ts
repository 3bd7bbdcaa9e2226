/**
 * {@link ThreadStore} over better-sqlite3, in the database file the specs, the decisions ledger
 * and the contributions live in, on a connection of its own with its own migrations (version
 * kept in `schema_versions` under `threads`). Every write is one IMMEDIATE transaction that
 * checks the limits and assigns the next `seq` before inserting ([T7], [T8]); better-sqlite3 is
 * synchronous, so no other write of this process can interleave with it.
 */
import type Database from 'better-sqlite3'
import { openComponentDb, type SqliteFileOptions } from '../sqlite/components.js'
import { COMMENT_COLUMNS, commentValues, THREAD_COLUMNS, THREAD_SELECT, THREADS_MIGRATIONS, threadValues, toThreads, type CommentRow, type ThreadRow } from './thread-rows.js'
import {
  checkComment,
  checkStatus,
  checkTarget,
  checkThread,
  DEFAULT_THREAD_LIMITS,
  ThreadLimitError,
  type CommentRecord,
  type NewThread,
  type StatusChange,
  type StatusResult,
  type ThreadLimits,
  type ThreadRecord,
  type ThreadStore
} from './thread-store.js'

type DB = Database.Database

/** Options for {@link openSqliteThreadStore}. */
export interface SqliteThreadOptions extends SqliteFileOptions {
  /** [T7] limits; default {@link DEFAULT_THREAD_LIMITS}. */
  limits?: ThreadLimits
}

/** Opens the threads on `file` with a connection of its own, creating or migrating its tables. */
export function openSqliteThreadStore(opts: SqliteThreadOptions): SqliteThreadStore {
  return new SqliteThreadStore(openComponentDb(opts, { component: 'threads', migrations: THREADS_MIGRATIONS }), opts.limits ?? DEFAULT_THREAD_LIMITS)
}

/** The threads in one SQLite connection's database. */
export class SqliteThreadStore implements ThreadStore {
  private readonly q

  constructor(
    private readonly db: DB,
    private readonly limits: ThreadLimits
  ) {
    this.q = {
      threadCount: db.prepare('SELECT COUNT(*) AS n FROM review_threads WHERE spec_id = ?').pluck(),
      ownThreadCount: db.prepare('SELECT COUNT(*) AS n FROM review_threads WHERE spec_id = ? AND created_by = ?').pluck(),
      threadExists: db.prepare('SELECT 1 FROM review_threads WHERE spec_id = ? AND id = ?').pluck(),
      insertThread: db.prepare(`INSERT INTO review_threads (${THREAD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      commentCount: db.prepare('SELECT COUNT(*) AS n FROM review_thread_comments WHERE spec_id = ? AND thread_id = ?').pluck(),
      commentExists: db.prepare('SELECT 1 FROM review_thread_comments WHERE spec_id = ? AND thread_id = ? AND id = ?').pluck(),
      insertComment: db.prepare(`INSERT INTO review_thread_comments (${COMMENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      setStatus: db.prepare('UPDATE review_threads SET status = ?, resolved_by = ?, resolved_role = ?, resolved_at = ? WHERE spec_id = ? AND id = ?'),
      thread: db.prepare(`SELECT ${THREAD_SELECT} FROM review_threads WHERE spec_id = ? AND id = ?`),
      threadComments: db.prepare(`SELECT ${COMMENT_COLUMNS} FROM review_thread_comments WHERE spec_id = ? AND thread_id = ?`),
      threads: db.prepare(`SELECT ${THREAD_SELECT} FROM review_threads WHERE spec_id = ?`),
      comments: db.prepare(`SELECT ${COMMENT_COLUMNS} FROM review_thread_comments WHERE spec_id = ?`)
    }
  }

  async create(thread: NewThread): Promise<ThreadRecord> {
    checkThread(thread)
    this.db
      .transaction(() => {
        if (this.q.threadExists.get(thread.specId, thread.id)) throw new RangeError(`thread ${thread.id} already exists`)
        const n = this.q.threadCount.get(thread.specId) as number
        if (n >= this.limits.maxThreadsPerSpec) throw new ThreadLimitError('threads', this.limits.maxThreadsPerSpec)
        const own = this.q.ownThreadCount.get(thread.specId, thread.createdBy) as number
        if (own >= this.limits.maxThreadsPerPerson) throw new ThreadLimitError('own-threads', this.limits.maxThreadsPerPerson)
        this.q.insertThread.run(...threadValues(thread, n + 1))
        this.q.insertComment.run(...commentValues(thread.specId, thread.id, 1, thread.comment))
      })
      .immediate()
    return this.read(thread.specId, thread.id)!
  }

  async reply(specId: string, threadId: string, comment: CommentRecord): Promise<ThreadRecord | null> {
    checkTarget(specId, threadId)
    checkComment(comment)
    const found = this.db
      .transaction(() => {
        if (!this.q.threadExists.get(specId, threadId)) return false
        if (this.q.commentExists.get(specId, threadId, comment.id)) throw new RangeError(`comment ${comment.id} already exists`)
        const n = this.q.commentCount.get(specId, threadId) as number
        if (n >= this.limits.maxCommentsPerThread) throw new ThreadLimitError('comments', this.limits.maxCommentsPerThread)
        this.q.insertComment.run(...commentValues(specId, threadId, n + 1, comment))
        return true
      })
      .immediate()
    return found ? this.read(specId, threadId) : null
  }

  async setStatus(specId: string, threadId: string, change: StatusChange): Promise<StatusResult | null> {
    checkStatus(specId, threadId, change)
    return this.db
      .transaction((): StatusResult | null => {
        const before = this.read(specId, threadId)
        if (!before) return null
        if (before.status === change.status) return { thread: before, changed: false }
        const resolved = change.status === 'resolved'
        this.q.setStatus.run(change.status, resolved ? change.by : null, resolved ? change.role : null, resolved ? change.at : null, specId, threadId)
        return { thread: this.read(specId, threadId)!, changed: true }
      })
      .immediate()
  }

  async get(specId: string, threadId: string): Promise<ThreadRecord | null> {
    return this.read(specId, threadId)
  }

  async list(specId: string): Promise<ThreadRecord[]> {
    // One read transaction: threads and comments from the same snapshot.
    return this.db.transaction(() => toThreads(this.q.threads.all(specId) as ThreadRow[], this.q.comments.all(specId) as CommentRow[]))()
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }

  private read(specId: string, threadId: string): ThreadRecord | null {
    const row = this.q.thread.get(specId, threadId) as ThreadRow | undefined
    if (!row) return null
    return toThreads([row], this.q.threadComments.all(specId, threadId) as CommentRow[])[0]!
  }
}
