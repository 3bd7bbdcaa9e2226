/**
 * Fetch wrappers for a spec's threads: comments anchored to text (routes in
 * server/http/threads.ts, shapes in shared/api-threads.ts). Authors, roles, quotes and the anchored
 * text always come from the server; the client only sends anchors and comment bodies.
 */
import type { CreateThreadBody, ThreadView } from '../../shared/api-threads.js'
import { field, list, request, seg } from './http.js'

const threadsPath = (specId: string): string => `/api/specs/${seg(specId)}/threads`
const threadPath = (specId: string, threadId: string): string => `${threadsPath(specId)}/${seg(threadId)}`

/** Every thread of a spec, oldest first (`GET /api/specs/:id/threads`). */
export const listThreads = async (specId: string): Promise<ThreadView[]> =>
  list<ThreadView>(await request('GET', threadsPath(specId)), 'threads')

/** Starts a thread on the range `start..end` with its opening comment. */
export const createThread = async (specId: string, body: CreateThreadBody): Promise<ThreadView> =>
  field<ThreadView>(await request('POST', threadsPath(specId), body), 'thread')

/** Adds a reply to a thread. */
export const replyToThread = async (specId: string, threadId: string, body: string): Promise<ThreadView> =>
  field<ThreadView>(await request('POST', `${threadPath(specId, threadId)}/replies`, { body }), 'thread')

/** Marks a thread resolved (own thread, or any thread with `spec:resolve-any`). */
export const resolveThread = async (specId: string, threadId: string): Promise<ThreadView> =>
  field<ThreadView>(await request('POST', `${threadPath(specId, threadId)}/resolve`, {}), 'thread')

/** Opens a resolved thread again (same permission as resolving). */
export const reopenThread = async (specId: string, threadId: string): Promise<ThreadView> =>
  field<ThreadView>(await request('POST', `${threadPath(specId, threadId)}/reopen`, {}), 'thread')
