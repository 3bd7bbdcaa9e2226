/**
 * Review events: what the server tells the clients of a spec when its review changes, in a
 * `messageReview` frame (shared/protocol.ts, docs/PROTOCOL.md). An event names the parts that
 * changed, never their content: each client re-reads those parts over HTTP, where the server
 * checks what that reader may see (a customer's "My ideas", a team member's review panel).
 * No Node or DOM imports.
 */
import { z } from 'zod'

/** Parts of a spec's review that can change. */
export const REVIEW_TOPICS = ['contributions', 'decisions', 'threads', 'removals', 'settings'] as const
export type ReviewTopic = (typeof REVIEW_TOPICS)[number]

/** One event: these parts of spec `specId`'s review changed. */
export interface ReviewEvent {
  specId: string
  /** Distinct, in {@link REVIEW_TOPICS} order. */
  topics: ReviewTopic[]
}

const reviewEvent = z.strictObject({ specId: z.string().min(1), topics: z.array(z.enum(REVIEW_TOPICS)).min(1) })

/** Parses a frame's JSON; throws on anything that is not a {@link ReviewEvent}. */
export const parseReviewEvent = (json: string): ReviewEvent => reviewEvent.parse(JSON.parse(json))

/** Canonical event for a set of topics (deduplicated, in {@link REVIEW_TOPICS} order). */
export const reviewEventOf = (specId: string, topics: Iterable<ReviewTopic>): ReviewEvent => {
  const set = new Set(topics)
  return { specId, topics: REVIEW_TOPICS.filter((t) => set.has(t)) }
}
