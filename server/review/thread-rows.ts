/**
 * The stored form of threads, shared by the SQLite and Postgres stores: the same two tables on
 * both (`review_threads`, one row per thread with its per-spec creation `seq`, and
 * `review_thread_comments`, one row per comment with its per-thread `seq`), the same
 * migrations, and one mapping from rows back to records. Order comes from the `seq` columns,
 * which the stores assign inside the writing transaction ([T4], [T8]); never from text
 * collation or clocks.
 */
import type { Role } from '../../shared/permissions.js'
import type { ThreadStatus } from '../../shared/api-threads.js'
import type { CommentRecord, NewThread, ThreadRecord } from './thread-store.js'

/** Threads schema migrations (the same DDL runs on SQLite and Postgres); entry `i` takes version `i` to `i + 1`. */
export const THREADS_MIGRATIONS: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS review_threads (
     spec_id TEXT NOT NULL,
     id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     contribution_id TEXT,
     start_anchor TEXT NOT NULL,
     end_anchor TEXT NOT NULL,
     anchored TEXT NOT NULL,
     quote TEXT NOT NULL,
     created_by TEXT NOT NULL,
     created_role TEXT NOT NULL,
     created_at TEXT NOT NULL,
     status TEXT NOT NULL,
     resolved_by TEXT,
     resolved_role TEXT,
     resolved_at TEXT,
     PRIMARY KEY (spec_id, id),
     UNIQUE (spec_id, seq)
   );
   CREATE TABLE IF NOT EXISTS review_thread_comments (
     spec_id TEXT NOT NULL,
     thread_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     id TEXT NOT NULL,
     author_id TEXT NOT NULL,
     author_role TEXT NOT NULL,
     body TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (spec_id, thread_id, seq),
     UNIQUE (spec_id, thread_id, id)
   );`
]

/** A `review_threads` row as both drivers return it. */
export interface ThreadRow {
  spec_id: string
  id: string
  seq: number
  contribution_id: string | null
  start_anchor: string
  end_anchor: string
  anchored: string
  quote: string
  created_by: string
  created_role: string
  created_at: string
  status: string
  resolved_by: string | null
  resolved_role: string | null
  resolved_at: string | null
}

/** A `review_thread_comments` row as both drivers return it. */
export interface CommentRow {
  thread_id: string
  seq: number
  id: string
  author_id: string
  author_role: string
  body: string
  created_at: string
}

/** Columns of a thread insert, in the order of {@link threadValues}. */
export const THREAD_COLUMNS = 'spec_id, id, seq, contribution_id, start_anchor, end_anchor, anchored, quote, created_by, created_role, created_at, status'

/** Columns of a comment insert, in the order of {@link commentValues}. */
export const COMMENT_COLUMNS = 'spec_id, thread_id, seq, id, author_id, author_role, body, created_at'

/** Columns read back for threads (ordered by `seq`). */
export const THREAD_SELECT = `${THREAD_COLUMNS}, resolved_by, resolved_role, resolved_at`

/** The parameters of a thread insert. */
export const threadValues = (t: NewThread, seq: number): unknown[] => [
  t.specId,
  t.id,
  seq,
  t.contributionId,
  t.start,
  t.end,
  t.anchored,
  t.quote,
  t.createdBy,
  t.createdRole,
  t.createdAt,
  'open'
]

/** The parameters of a comment insert. */
export const commentValues = (specId: string, threadId: string, seq: number, c: CommentRecord): unknown[] => [
  specId,
  threadId,
  seq,
  c.id,
  c.authorId,
  c.role,
  c.body,
  c.createdAt
]

const toComment = (r: CommentRow): CommentRecord => ({ id: r.id, authorId: r.author_id, role: r.author_role as Role, body: r.body, createdAt: r.created_at })

/**
 * Threads back as records, in thread `seq` order, each with its comments in comment `seq`
 * order. `comments` may hold rows of other threads of the spec (they are grouped here).
 */
export function toThreads(threads: ThreadRow[], comments: CommentRow[]): ThreadRecord[] {
  const byThread = new Map<string, CommentRow[]>()
  for (const c of comments) {
    let list = byThread.get(c.thread_id)
    if (!list) byThread.set(c.thread_id, (list = []))
    list.push(c)
  }
  return [...threads]
    .sort((a, b) => Number(a.seq) - Number(b.seq))
    .map((r) => ({
      specId: r.spec_id,
      id: r.id,
      contributionId: r.contribution_id,
      start: r.start_anchor,
      end: r.end_anchor,
      anchored: r.anchored,
      quote: r.quote,
      createdBy: r.created_by,
      createdRole: r.created_role as Role,
      createdAt: r.created_at,
      status: r.status as ThreadStatus,
      resolvedBy: r.resolved_by,
      resolvedRole: r.resolved_role as Role | null,
      resolvedAt: r.resolved_at,
      comments: (byThread.get(r.id) ?? []).sort((a, b) => Number(a.seq) - Number(b.seq)).map(toComment)
    }))
}
