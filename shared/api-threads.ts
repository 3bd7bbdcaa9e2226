/**
 * HTTP API shapes for threads: comments anchored to a range of a spec's text with
 * `Y.RelativePosition`s, with replies, resolve and reopen (routes in server/http/threads.ts,
 * README "HTTP API"). Bodies are strict zod objects (unknown fields are refused); responses are
 * plain interfaces. Authors, roles, quotes and anchored text are always stamped by the server:
 * nothing here lets a client say who wrote a comment or what text a thread points at.
 * No Node or DOM imports.
 */
import { z } from 'zod'
import type { Role } from './permissions.js'
import type { Person } from './identity.js'

export type { Person } from './identity.js'

/** Longest comment accepted, in UTF-16 code units after trimming. */
export const MAX_COMMENT_LENGTH = 4000

/**
 * Longest anchor accepted, in base64 characters. An encoded `Y.RelativePosition` is a few
 * varints (a client id, a clock, an assoc): well under 64 bytes; anything bigger is crafted.
 */
export const MAX_ANCHOR_LENGTH = 128

/**
 * Longest `quote` and `text` of a thread, in UTF-16 code units: longer anchored text is cut
 * and ends with "…" (the anchors still cover all of it).
 */
export const MAX_QUOTE_LENGTH = 1000

/** Most threads one spec may hold; creating one more answers `409 limit_reached`. */
export const MAX_THREADS_PER_SPEC = 2000

/**
 * Most threads one person may open in one spec; one more answers `409 limit_reached`. Without
 * it a single viewer could use up {@link MAX_THREADS_PER_SPEC} and silence everyone else.
 */
export const MAX_THREADS_PER_PERSON = 200

/** Most comments (the opening one included) one thread may hold; more answers `409 limit_reached`. */
export const MAX_COMMENTS_PER_THREAD = 500

/**
 * Characters a comment may not hold: control characters other than tab and line breaks, and
 * lone UTF-16 surrogates (no UTF-8 encoding; Postgres would refuse them), as for decision notes.
 */
const FORBIDDEN_IN_COMMENT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|\p{Cs}/u

/** Standard base64 (what `btoa`/`Buffer#toString('base64')` produce), padding optional. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/** Shape of a thread id (server-generated): `t` then 22 base64url characters. */
export const THREAD_ID_PATTERN = /^t[A-Za-z0-9_-]{22}$/

/** Shape of a contribution id (server/review/contributions.ts): `c<clientID>-<clock>`. */
export const CONTRIBUTION_ID_PATTERN = /^c\d{1,16}-\d{1,16}$/

/** A comment's text: trimmed, 1 to {@link MAX_COMMENT_LENGTH} characters. */
export const commentBody = z
  .string()
  .trim()
  .min(1, 'comment must not be empty')
  .max(MAX_COMMENT_LENGTH, `comment must be at most ${MAX_COMMENT_LENGTH} characters`)
  .refine((s) => !FORBIDDEN_IN_COMMENT.test(s), 'comment must not contain control characters or lone surrogates')

/** A base64 `Y.encodeRelativePosition` (checked further, against the live doc, by the server). */
export const anchor = z
  .string()
  .min(1, 'anchor must not be empty')
  .max(MAX_ANCHOR_LENGTH, `anchor must be at most ${MAX_ANCHOR_LENGTH} characters`)
  .regex(BASE64, 'anchor must be base64')

/** `POST /api/specs/:id/threads` */
export const createThreadBody = z.strictObject({
  start: anchor,
  end: anchor,
  body: commentBody,
  contributionId: z.string().regex(CONTRIBUTION_ID_PATTERN, 'contributionId must be c<client>-<clock>').optional()
})
export type CreateThreadBody = z.infer<typeof createThreadBody>

/** `POST /api/specs/:id/threads/:threadId/replies` */
export const replyBody = z.strictObject({ body: commentBody })
export type ReplyBody = z.infer<typeof replyBody>

/** `POST /api/specs/:id/threads/:threadId/resolve` and `/reopen` take no fields (an empty or absent body). */
export const emptyBody = z.strictObject({})


/** One comment of a thread. */
export interface CommentView {
  id: string
  author: Person
  body: string
  /** ISO-8601 UTC, server clock. */
  createdAt: string
}

/** Whether a thread still asks for attention. */
export type ThreadStatus = 'open' | 'resolved'

/** One thread, as every reader of the spec sees it. */
export interface ThreadView {
  id: string
  specId: string
  /** The contribution whose conversation this is, or null for a thread on any text. */
  contributionId: string | null
  /** Base64 `Y.RelativePosition` of the first anchored character (map with y-prosemirror). */
  start: string
  /** Base64 `Y.RelativePosition` just after the last anchored character. */
  end: string
  /** The anchored text when the thread was started (computed by the server; kept forever). */
  quote: string
  /** The anchored characters still live now, in order (pieces in different blocks joined by "\n"). */
  text: string
  /** True once none of the anchored characters is live any more ("text removed"). */
  textRemoved: boolean
  status: ThreadStatus
  createdBy: Person
  createdAt: string
  resolvedBy: Person | null
  resolvedAt: string | null
  /** Oldest first; the first is the thread's opening comment. */
  comments: CommentView[]
}

/** `GET /api/specs/:id/threads` */
export interface ThreadsResponse {
  specId: string
  /** Oldest first. */
  threads: ThreadView[]
}

/** Answer of every thread-changing route (201 for create and reply, 200 for resolve and reopen). */
export interface ThreadResponse {
  thread: ThreadView
}
