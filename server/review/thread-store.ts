/**
 * The threads seam: every comment thread of every spec, beside the decisions ledger and the
 * contributions in the same database. A thread is anchored to a range of text by two
 * `Y.RelativePosition`s and the origins of the characters between them when it was started
 * (server/review/thread-anchors.ts), and holds an append-only list of comments. The server is its only writer: routes (server/http/threads.ts) stamp authors,
 * roles, times and ids from the caller's credentials and the server clock; the store keeps
 * participant ids and roles only, never display names (those are read from the identity layer
 * when a thread is shown, so a renamed person shows under their new name). Every
 * implementation (memory, SQLite, Postgres) passes test/contract/threads.contract.ts, whose
 * rules are cited here.
 *
 * - [T1] `create` stores a new thread, open, with its opening comment, and returns it exactly
 *   as `get` and `list` will (in any script, anchors and quote byte for byte).
 * - [T2] `reply` appends one comment at the end of a thread's comments; comments are never
 *   edited, reordered or removed. Replies to an unknown thread return null and store nothing.
 * - [T3] `setStatus` resolves or reopens: resolving records who (id and role) and when;
 *   reopening clears them. Setting the status a thread already has changes nothing (the first
 *   resolver stays) and returns the thread unchanged with `changed: false`. Comments survive
 *   any number of resolves and reopens. Unknown threads return null.
 * - [T4] `list` returns every thread of a spec in creation order, comments oldest first; an
 *   unknown spec has `[]`. `get` returns one thread, or null.
 * - [T5] Specs are isolated: a thread id of one spec is unknown in another.
 * - [T6] Malformed input (ids not of their pattern, a thread or comment id that exists
 *   already, empty participant ids, unknown roles, timestamps that are not ISO-8601 UTC,
 *   anchors that are not bounded base64, anchored characters that are not non-empty encoded id
 *   runs, a quote over {@link MAX_QUOTE_LENGTH}, a comment body the API would refuse) is
 *   refused with a RangeError, and nothing is stored.
 * - [T7] Limits: a spec holds at most `maxThreadsPerSpec` threads, of which one person
 *   (`createdBy`) opened at most `maxThreadsPerPerson`, and a thread at most
 *   `maxCommentsPerThread` comments; one more is refused with {@link ThreadLimitError} and
 *   nothing is stored. Each call is atomic: fully stored or not at all.
 * - [T8] Concurrent replies to one thread are all kept, each exactly once, in the order the
 *   store accepted them (the order `reply` calls resolved in), and the limit holds under them.
 * - [T9] Threads survive `close` and reopening the same database (durable stores).
 */
import {
  anchor,
  commentBody,
  CONTRIBUTION_ID_PATTERN,
  MAX_COMMENTS_PER_THREAD,
  MAX_QUOTE_LENGTH,
  MAX_THREADS_PER_PERSON,
  MAX_THREADS_PER_SPEC,
  THREAD_ID_PATTERN,
  type ThreadStatus
} from '../../shared/api-threads.js'
import { ROLES, type Role } from '../../shared/permissions.js'
import { decodeRuns } from './thread-anchors.js'

/** Longest quote a thread stores (shared/api-threads.ts; the route cuts longer text). */
export { MAX_QUOTE_LENGTH }

/** Shape of a comment id (server-generated): `m` then 22 base64url characters. */
export const COMMENT_ID_PATTERN = /^m[A-Za-z0-9_-]{22}$/

/** One comment, as stored. */
export interface CommentRecord {
  id: string
  /** Participant id of the author. */
  authorId: string
  /** The author's role on the spec when they wrote it. */
  role: Role
  body: string
  /** ISO-8601 UTC. */
  createdAt: string
}

/** One thread, as stored. */
export interface ThreadRecord {
  specId: string
  id: string
  contributionId: string | null
  /** Base64 `Y.RelativePosition`s of the anchored range (start inclusive, end exclusive). */
  start: string
  end: string
  /** The anchored characters: Yjs id runs, encoded by thread-anchors.ts `encodeRuns`. */
  anchored: string
  /** The anchored text at creation, computed by the server. */
  quote: string
  createdBy: string
  createdRole: Role
  createdAt: string
  status: ThreadStatus
  resolvedBy: string | null
  resolvedRole: Role | null
  resolvedAt: string | null
  /** Oldest first; the first is the opening comment. */
  comments: CommentRecord[]
}

/** What `create` needs: a thread without status fields, with its opening comment. */
export type NewThread = Omit<ThreadRecord, 'status' | 'resolvedBy' | 'resolvedRole' | 'resolvedAt' | 'comments'> & { comment: CommentRecord }

/** A resolve or reopen: by whom (id and role on the spec) and when. */
export interface StatusChange {
  status: ThreadStatus
  by: string
  role: Role
  at: string
}

/** Result of {@link ThreadStore.setStatus}. */
export interface StatusResult {
  thread: ThreadRecord
  /** False when the thread already had that status ([T3]). */
  changed: boolean
}

/** The [T7] limits of a store. */
export interface ThreadLimits {
  maxThreadsPerSpec: number
  /** Threads one person (`createdBy`) may have opened in one spec. */
  maxThreadsPerPerson: number
  maxCommentsPerThread: number
}

/** The documented limits (shared/api-threads.ts). */
export const DEFAULT_THREAD_LIMITS: ThreadLimits = {
  maxThreadsPerSpec: MAX_THREADS_PER_SPEC,
  maxThreadsPerPerson: MAX_THREADS_PER_PERSON,
  maxCommentsPerThread: MAX_COMMENTS_PER_THREAD
}

/** [T7]: a spec or thread is full. */
export class ThreadLimitError extends Error {
  constructor(
    readonly limit: 'threads' | 'own-threads' | 'comments',
    readonly max: number
  ) {
    super(
      limit === 'threads'
        ? `a spec holds at most ${max} threads`
        : limit === 'own-threads'
          ? `one person may open at most ${max} threads in a spec`
          : `a thread holds at most ${max} comments`
    )
    this.name = 'ThreadLimitError'
  }
}

/** The threads of every spec. Rules [T1]-[T9] above. */
export interface ThreadStore {
  /** @throws RangeError ([T6]), ThreadLimitError ([T7]) */
  create(thread: NewThread): Promise<ThreadRecord>
  /** @throws RangeError ([T6]), ThreadLimitError ([T7]) */
  reply(specId: string, threadId: string, comment: CommentRecord): Promise<ThreadRecord | null>
  /** @throws RangeError ([T6]) */
  setStatus(specId: string, threadId: string, change: StatusChange): Promise<StatusResult | null>
  get(specId: string, threadId: string): Promise<ThreadRecord | null>
  list(specId: string): Promise<ThreadRecord[]>
  close(): Promise<void>
}

const validRuns = (stored: string): boolean => {
  try {
    return decodeRuns(stored).length > 0
  } catch {
    return false
  }
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/

const fail = (what: string): never => {
  throw new RangeError(what)
}

const checkActor = (id: unknown, role: unknown, at: unknown, what: string): void => {
  if (typeof id !== 'string' || id === '' || id.length > 200) fail(`${what}: empty or overlong participant id`)
  if (!ROLES.includes(role as Role)) fail(`${what}: unknown role ${JSON.stringify(role)}`)
  if (typeof at !== 'string' || !ISO_UTC.test(at)) fail(`${what}: timestamp must be ISO-8601 UTC`)
}

const checkIds = (specId: unknown, threadId: unknown): void => {
  if (typeof specId !== 'string' || specId === '' || specId.length > 200) fail('empty or overlong spec id')
  if (typeof threadId !== 'string' || !THREAD_ID_PATTERN.test(threadId)) fail(`thread id ${JSON.stringify(threadId)} is not t<22 base64url>`)
}

/** [T6] for a comment: throws a RangeError naming what is wrong. */
export function checkComment(c: CommentRecord): void {
  if (typeof c?.id !== 'string' || !COMMENT_ID_PATTERN.test(c.id)) fail(`comment id ${JSON.stringify(c?.id)} is not m<22 base64url>`)
  checkActor(c.authorId, c.role, c.createdAt, `comment ${c.id}`)
  const body = commentBody.safeParse(c.body)
  if (!body.success || body.data !== c.body) fail(`comment ${c.id}: body is not a valid, trimmed comment`)
}

/** [T6] for a new thread: throws a RangeError naming what is wrong. */
export function checkThread(t: NewThread): void {
  checkIds(t?.specId, t?.id)
  if (t.contributionId !== null && (typeof t.contributionId !== 'string' || !CONTRIBUTION_ID_PATTERN.test(t.contributionId))) fail(`thread ${t.id}: malformed contribution id`)
  if (!anchor.safeParse(t.start).success || !anchor.safeParse(t.end).success) fail(`thread ${t.id}: anchors must be bounded base64`)
  if (typeof t.anchored !== 'string' || !validRuns(t.anchored)) fail(`thread ${t.id}: anchored characters must be encoded, non-empty id runs`)
  if (typeof t.quote !== 'string' || t.quote.length > MAX_QUOTE_LENGTH) fail(`thread ${t.id}: quote longer than ${MAX_QUOTE_LENGTH}`)
  checkActor(t.createdBy, t.createdRole, t.createdAt, `thread ${t.id}`)
  checkComment(t.comment)
}

/** [T6] for a reply's target. */
export const checkTarget = (specId: string, threadId: string): void => checkIds(specId, threadId)

/** [T6] for a status change. */
export function checkStatus(specId: string, threadId: string, change: StatusChange): void {
  checkIds(specId, threadId)
  if (change?.status !== 'open' && change?.status !== 'resolved') fail(`unknown status ${JSON.stringify(change?.status)}`)
  checkActor(change.by, change.role, change.at, `status of ${threadId}`)
}

/** The stored form of a fresh thread ([T1]). */
export const openedThread = (t: NewThread): ThreadRecord => {
  const { comment, ...rest } = t
  return { ...rest, status: 'open', resolvedBy: null, resolvedRole: null, resolvedAt: null, comments: [{ ...comment }] }
}

/** A deep copy (stores never share objects with their callers). */
export const copyThread = (t: ThreadRecord): ThreadRecord => ({ ...t, comments: t.comments.map((c) => ({ ...c })) })
