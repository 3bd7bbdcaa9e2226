/**
 * {@link ThreadStore} over Postgres (node-postgres pool), beside the decisions ledger and the
 * contributions when those live in a shared database (`REVIEW_DATABASE_URL`). Loaded only when
 * configured. Migrations are versioned under `threads` in `schema_versions`.
 *
 * Why the locks: several server processes may write one spec's threads at once. Creating a
 * thread takes a transaction-scoped advisory lock on the spec, and replying or changing status
 * locks the thread's row (`FOR UPDATE`), so the limit check, the next `seq` and the insert
 * happen as one step: concurrent replies all land, each with its own place, and no spec or
 * thread goes past its limit ([T7], [T8]).
 */
import type pg from 'pg'
import { inTransaction, openMigratedPool, type PostgresPoolOptions } from './postgres-pool.js'
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

/** First key of the advisory locks ('VTHR'): migrations, and thread creation per spec. */
export const THREADS_LOCK = 0x56544852

/** Options for {@link openPostgresThreadStore}; `maxConnections` defaults to 4. */
export interface PostgresThreadOptions extends PostgresPoolOptions {
  /** [T7] limits; default {@link DEFAULT_THREAD_LIMITS}. */
  limits?: ThreadLimits
}

type Queryable = Pick<pg.PoolClient, 'query'>

const placeholders = (n: number): string => Array.from({ length: n }, (_, i) => `$${i + 1}`).join(', ')

/** Connects, creates or migrates the threads tables, and returns the store. */
export async function openPostgresThreadStore(opts: PostgresThreadOptions): Promise<PostgresThreadStore> {
  const pool = await openMigratedPool(opts, { component: 'threads', lock: THREADS_LOCK, migrations: THREADS_MIGRATIONS }, 4)
  return new PostgresThreadStore(pool, opts.limits ?? DEFAULT_THREAD_LIMITS)
}

/** The threads in one Postgres database (see {@link openPostgresThreadStore}). */
export class PostgresThreadStore implements ThreadStore {
  private closing: Promise<void> | null = null

  constructor(
    private readonly pool: pg.Pool,
    private readonly limits: ThreadLimits
  ) {}

  async create(thread: NewThread): Promise<ThreadRecord> {
    checkThread(thread)
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [THREADS_LOCK, thread.specId])
      const exists = await client.query('SELECT 1 FROM review_threads WHERE spec_id = $1 AND id = $2', [thread.specId, thread.id])
      if (exists.rowCount) throw new RangeError(`thread ${thread.id} already exists`)
      const count = await client.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM review_threads WHERE spec_id = $1', [thread.specId])
      const n = count.rows[0]!.n
      if (n >= this.limits.maxThreadsPerSpec) throw new ThreadLimitError('threads', this.limits.maxThreadsPerSpec)
      const own = await client.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM review_threads WHERE spec_id = $1 AND created_by = $2', [thread.specId, thread.createdBy])
      if (own.rows[0]!.n >= this.limits.maxThreadsPerPerson) throw new ThreadLimitError('own-threads', this.limits.maxThreadsPerPerson)
      await client.query(`INSERT INTO review_threads (${THREAD_COLUMNS}) VALUES (${placeholders(12)})`, threadValues(thread, n + 1))
      await client.query(`INSERT INTO review_thread_comments (${COMMENT_COLUMNS}) VALUES (${placeholders(8)})`, commentValues(thread.specId, thread.id, 1, thread.comment))
      return (await read(client, thread.specId, thread.id))!
    })
  }

  async reply(specId: string, threadId: string, comment: CommentRecord): Promise<ThreadRecord | null> {
    checkTarget(specId, threadId)
    checkComment(comment)
    return inTransaction(this.pool, async (client) => {
      const locked = await client.query('SELECT 1 FROM review_threads WHERE spec_id = $1 AND id = $2 FOR UPDATE', [specId, threadId])
      if (!locked.rowCount) return null
      const dup = await client.query('SELECT 1 FROM review_thread_comments WHERE spec_id = $1 AND thread_id = $2 AND id = $3', [specId, threadId, comment.id])
      if (dup.rowCount) throw new RangeError(`comment ${comment.id} already exists`)
      const count = await client.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM review_thread_comments WHERE spec_id = $1 AND thread_id = $2', [specId, threadId])
      const n = count.rows[0]!.n
      if (n >= this.limits.maxCommentsPerThread) throw new ThreadLimitError('comments', this.limits.maxCommentsPerThread)
      await client.query(`INSERT INTO review_thread_comments (${COMMENT_COLUMNS}) VALUES (${placeholders(8)})`, commentValues(specId, threadId, n + 1, comment))
      return read(client, specId, threadId)
    })
  }

  async setStatus(specId: string, threadId: string, change: StatusChange): Promise<StatusResult | null> {
    checkStatus(specId, threadId, change)
    return inTransaction(this.pool, async (client) => {
      const locked = await client.query<{ status: string }>('SELECT status FROM review_threads WHERE spec_id = $1 AND id = $2 FOR UPDATE', [specId, threadId])
      if (!locked.rowCount) return null
      if (locked.rows[0]!.status === change.status) return { thread: (await read(client, specId, threadId))!, changed: false }
      const resolved = change.status === 'resolved'
      await client.query('UPDATE review_threads SET status = $1, resolved_by = $2, resolved_role = $3, resolved_at = $4 WHERE spec_id = $5 AND id = $6', [
        change.status,
        resolved ? change.by : null,
        resolved ? change.role : null,
        resolved ? change.at : null,
        specId,
        threadId
      ])
      return { thread: (await read(client, specId, threadId))!, changed: true }
    })
  }

  async get(specId: string, threadId: string): Promise<ThreadRecord | null> {
    return read(this.pool, specId, threadId)
  }

  async list(specId: string): Promise<ThreadRecord[]> {
    // REPEATABLE READ: threads and comments from one snapshot.
    return inTransaction(this.pool, async (client) => {
      await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ')
      const threads = await client.query<ThreadRow>(`SELECT ${THREAD_SELECT} FROM review_threads WHERE spec_id = $1`, [specId])
      const comments = await client.query<CommentRow>(`SELECT ${COMMENT_COLUMNS} FROM review_thread_comments WHERE spec_id = $1`, [specId])
      return toThreads(threads.rows, comments.rows)
    })
  }

  /** Ends the pool once (idempotent). */
  close(): Promise<void> {
    this.closing ??= this.pool.end()
    return this.closing
  }
}

/** One thread with its comments, read through `db` (a pool, or a client inside a transaction). */
async function read(db: Queryable | pg.Pool, specId: string, threadId: string): Promise<ThreadRecord | null> {
  const thread = await db.query<ThreadRow>(`SELECT ${THREAD_SELECT} FROM review_threads WHERE spec_id = $1 AND id = $2`, [specId, threadId])
  if (!thread.rowCount) return null
  const comments = await db.query<CommentRow>(`SELECT ${COMMENT_COLUMNS} FROM review_thread_comments WHERE spec_id = $1 AND thread_id = $2`, [specId, threadId])
  return toThreads(thread.rows, comments.rows)[0]!
}
