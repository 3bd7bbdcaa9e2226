/**
 * HTTP API shapes for answers to customers: a spec's review settings (whether customers see
 * decisions on other people's contributions), a reader's answers (decisions, comments,
 * removals and restores by others that concern their words or their threads) with what they
 * have read, and the email digest switch. Routes: server/http/answers.ts,
 * server/http/review-settings.ts, server/http/email-digest.ts; README "HTTP API".
 *
 * Bodies are strict zod objects (unknown fields are refused). Nothing here names a person: the
 * reader is always the caller, taken from their credentials. No Node or DOM imports.
 */
import { z } from 'zod'
import type { Person } from './api-threads.js'

export type { Person } from './api-threads.js'

/** `PUT /api/specs/:id/review-settings` */
export const reviewSettingsBody = z.strictObject({ decisionsPublic: z.boolean() })
export type ReviewSettingsBody = z.infer<typeof reviewSettingsBody>

/** `GET` and `PUT /api/specs/:id/review-settings` */
export interface ReviewSettingsResponse {
  specId: string
  /**
   * True: customers see other customers' decided contributions with their decisions and notes
   * (`GET /contributions`). False (the default): each customer sees only their own.
   */
  decisionsPublic: boolean
}

/** What happened, as an answer to a reader. */
export const ANSWER_KINDS = ['decision', 'comment', 'removal', 'restore'] as const
export type AnswerKind = (typeof ANSWER_KINDS)[number]

/**
 * One answer: something someone else did that concerns the reader's words or threads:
 * - `decision`: a decision on one of their contributions (`summary`: state, and note if any);
 * - `comment`: a comment in a thread on one of their contributions, or in a thread they started
 *   or replied to (`summary`: the comment's start);
 * - `removal`: someone deleted their words (`summary`: the removed text's start);
 * - `restore`: a team member put removed words of theirs back.
 */
export interface AnswerItem {
  /** Stable key for keyed rendering: `<kind>:<id of the ledger entry, comment or removal>`. */
  id: string
  kind: AnswerKind
  /** The contribution concerned, or null (a comment in a thread on any text). */
  contributionId: string | null
  /** The thread of a comment, else null. */
  threadId: string | null
  /** ISO-8601 UTC, server clock. */
  at: string
  by: Person
  /** One line for the list and the email digest (at most {@link SUMMARY_LENGTH} characters). */
  summary: string
  /** True if `at` is after the reader's seen mark for this spec. */
  unread: boolean
}

/** Longest {@link AnswerItem.summary}. */
export const SUMMARY_LENGTH = 200

/** `GET /api/specs/:id/answers` */
export interface AnswersResponse {
  specId: string
  /** Items with `unread`. */
  unread: number
  /** Oldest first. */
  items: AnswerItem[]
}

/** ISO-8601 timestamp with an offset or `Z` (the server normalises it to UTC). */
const isoInstant = z.iso.datetime({ offset: true })

/**
 * `POST /api/specs/:id/answers/seen`: the reader has seen every answer up to `upTo` (normally
 * the `at` of the newest item shown). The mark never moves backwards, and never past the
 * server's clock.
 */
export const answersSeenBody = z.strictObject({ upTo: isoInstant })
export type AnswersSeenBody = z.infer<typeof answersSeenBody>

/** `POST /api/specs/:id/answers/seen` */
export interface AnswersSeenResponse {
  /** Unread answers left after the mark moved. */
  unread: number
}

/** `PUT /api/me/email-digest` */
export const emailDigestBody = z.strictObject({ enabled: z.boolean() })
export type EmailDigestBody = z.infer<typeof emailDigestBody>

/** `GET` and `PUT /api/me/email-digest`, and `GET /api/email/unsubscribe` */
export interface EmailDigestResponse {
  /** False once the participant switched digests off (by the setting or an unsubscribe link). */
  enabled: boolean
}
