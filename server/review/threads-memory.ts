/** In-memory {@link ThreadStore}: for tests and `STORAGE=memory`. Nothing survives the process. */
import {
  checkComment,
  checkStatus,
  checkTarget,
  checkThread,
  copyThread,
  DEFAULT_THREAD_LIMITS,
  openedThread,
  ThreadLimitError,
  type CommentRecord,
  type NewThread,
  type StatusChange,
  type StatusResult,
  type ThreadLimits,
  type ThreadRecord,
  type ThreadStore
} from './thread-store.js'

/**
 * A {@link ThreadStore} kept in Maps (insertion order is creation order, [T4]). Every method
 * checks and changes synchronously after its call, so each is atomic ([T7], [T8]); records are
 * copied in and out.
 */
export class MemoryThreadStore implements ThreadStore {
  private readonly specs = new Map<string, Map<string, ThreadRecord>>()

  constructor(private readonly limits: ThreadLimits = DEFAULT_THREAD_LIMITS) {}

  async create(thread: NewThread): Promise<ThreadRecord> {
    checkThread(thread)
    let spec = this.specs.get(thread.specId)
    if (spec?.has(thread.id)) throw new RangeError(`thread ${thread.id} already exists`)
    if ((spec?.size ?? 0) >= this.limits.maxThreadsPerSpec) throw new ThreadLimitError('threads', this.limits.maxThreadsPerSpec)
    let own = 0
    for (const t of spec?.values() ?? []) if (t.createdBy === thread.createdBy) own++
    if (own >= this.limits.maxThreadsPerPerson) throw new ThreadLimitError('own-threads', this.limits.maxThreadsPerPerson)
    if (!spec) this.specs.set(thread.specId, (spec = new Map()))
    const stored = openedThread(thread)
    spec.set(thread.id, stored)
    return copyThread(stored)
  }

  async reply(specId: string, threadId: string, comment: CommentRecord): Promise<ThreadRecord | null> {
    checkTarget(specId, threadId)
    checkComment(comment)
    const t = this.specs.get(specId)?.get(threadId)
    if (!t) return null
    if (t.comments.some((c) => c.id === comment.id)) throw new RangeError(`comment ${comment.id} already exists`)
    if (t.comments.length >= this.limits.maxCommentsPerThread) throw new ThreadLimitError('comments', this.limits.maxCommentsPerThread)
    t.comments.push({ ...comment })
    return copyThread(t)
  }

  async setStatus(specId: string, threadId: string, change: StatusChange): Promise<StatusResult | null> {
    checkStatus(specId, threadId, change)
    const t = this.specs.get(specId)?.get(threadId)
    if (!t) return null
    if (t.status === change.status) return { thread: copyThread(t), changed: false }
    const resolved = change.status === 'resolved'
    Object.assign(t, { status: change.status, resolvedBy: resolved ? change.by : null, resolvedRole: resolved ? change.role : null, resolvedAt: resolved ? change.at : null })
    return { thread: copyThread(t), changed: true }
  }

  async get(specId: string, threadId: string): Promise<ThreadRecord | null> {
    const t = this.specs.get(specId)?.get(threadId)
    return t ? copyThread(t) : null
  }

  async list(specId: string): Promise<ThreadRecord[]> {
    return [...(this.specs.get(specId)?.values() ?? [])].map(copyThread)
  }

  async close(): Promise<void> {}
}
