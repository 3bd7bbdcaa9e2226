/**
 * HTTP API shapes for removals: customer words a team member deleted, recorded by the server
 * so that no idea disappears quietly (server/review/removals.ts states the detection rules),
 * and the restore that puts them back where they were, still credited to their author
 * (routes in server/http/removals.ts, README "HTTP API"). Who removed, who restored and the
 * status are always the server's: no body field names a person. No Node or DOM imports.
 */
import { z } from 'zod'
import type { DecisionEntry } from './api-review.js'
import type { Role } from './permissions.js'
import type { Person } from './identity.js'

export type { Person } from './identity.js'

/**
 * Shape of a removal id in URLs: `r` + letters, digits, `_` or `-` (the server mints them).
 * Anything else is answered 404 like an unknown id, never reaches a store query.
 */
export const REMOVAL_ID_PATTERN = /^r[A-Za-z0-9_-]{1,127}$/


/**
 * Where a removal stands:
 * - `open`: the words are gone and nobody put them back;
 * - `returned`: they came back by themselves with their origins (cut and paste, undo);
 * - `restored`: a team member restored them (`restoredBy`, `restoredAt`);
 * - `closed`: still gone, but a decision on their contribution was recorded after the removal
 *   (`decision`; its note is the reason given to the customer).
 */
export const REMOVAL_STATUSES = ['open', 'returned', 'restored', 'closed'] as const
export type RemovalStatus = (typeof REMOVAL_STATUSES)[number]

/** One removal: a contiguous run of one customer's words deleted by someone else in one update. */
export interface RemovalView {
  id: string
  specId: string
  /** The contribution the words belonged to (`c<clientID>-<clock>`), or null if none is known. */
  contributionId: string | null
  /** The removed text (runs in different blocks joined by a line break). */
  text: string
  /** Who wrote the words (a customer). */
  author: Person
  /** Who deleted them. */
  removedBy: Person
  /** ISO-8601 UTC, server clock, when the deleting update was accepted. */
  removedAt: string
  status: RemovalStatus
  /** Who restored them, or null unless `status` is `restored`. */
  restoredBy: Person | null
  /** ISO-8601 UTC, or null unless `status` is `restored`. */
  restoredAt: string | null
  /**
   * The latest decision on `contributionId` recorded after the removal: it closes the removal
   * and its note is the reason. Null if none (or no contribution).
   */
  decision: DecisionEntry | null
}

/** `GET /api/specs/:id/removals` */
export interface RemovalsResponse {
  specId: string
  /** Oldest first. A customer gets only removals of their own words. */
  removals: RemovalView[]
}

/** `POST /api/specs/:id/removals/:removalId/restore` takes no fields (an empty or absent body). */
export const restoreBody = z.strictObject({})

/** `POST /api/specs/:id/removals/:removalId/restore` */
export interface RestoreResponse {
  removal: RemovalView
}
