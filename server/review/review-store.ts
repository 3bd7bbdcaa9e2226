/**
 * The decisions ledger seam: one append-only, hash-chained ledger of review decisions per spec.
 * Every implementation (memory, SQLite, Postgres) passes the contract suite in
 * test/contract/review.contract.ts, whose numbered rules are cited here. The chain itself
 * (encoding, hashing, verification) is one set of pure functions in ledger.ts, shared by all.
 *
 * - [R1] `append` seals and stores one entry after the spec's last one: `seq` is the last
 *   `seq` + 1 (1 for the first), `prevHash` the last entry's `hash` (`GENESIS_HASH` for the
 *   first), `decidedAt` the store's clock (ISO-8601 UTC), `supersedes` the `seq` of the same
 *   subject's latest entry (null if none), and `hash` = `hashEntry` of the rest. It resolves
 *   with the stored entry once it is durably committed.
 * - [R2] `history` returns every entry of the spec in `seq` order, each field exactly as
 *   `append` returned it (notes in any script, line breaks, no note); an unknown spec has `[]`.
 * - [R3] Append only: a new decision on a subject supersedes its previous one, which stays in
 *   the ledger unchanged. No method edits or removes an entry.
 * - [R4] `current` returns the latest entry of every decided subject, in `seq` order, and
 *   `countsByState` the number of decided subjects in each state (every state present, zero
 *   included), both equal to what `summarise(history)` (ledger.ts) derives. Both follow from
 *   the ledger rows alone (the `supersedes` links): nothing derived is stored that could drift
 *   from the chain, and in SQL each is one indexed query over the spec's rows (for views that
 *   do not load the history, like the counts at a glance).
 * - [R5] Specs are isolated: each has its own `seq` numbering and its own chain.
 * - [R6] `append` refuses input no decision may carry (unknown state, a role that may not
 *   decide, malformed spec or subject id, an empty, untrimmed or over-long note) with a
 *   RangeError, and stores nothing.
 * - [R7] Concurrent appends on the same spec, in one process or several (two connections,
 *   two pools, two servers on one database), are serialised per spec: every one commits, the
 *   `seq`s are contiguous and the chain verifies. Appends on different specs do not wait for
 *   each other longer than one append (Postgres: not at all).
 * - [R8] An untouched ledger verifies: `verifyChain(specId, await history(specId))` is ok
 *   with `entries` = its length (0 for an empty one) and `head` its last hash.
 * - [R9] Entries survive `close` and reopening the same database, and still verify.
 * - [R10] `history` returns stored rows as they are, never repaired: a row changed in the
 *   database directly (any hashed column), or a row deleted from the middle, makes
 *   verification fail at that row's index. (Removing the newest entries is caught only by
 *   comparing `head` with one remembered earlier: see README "Decisions ledger".)
 */
import type { DecisionCounts, DecisionEntry, DecisionState } from '../../shared/api-review.js'

/** What the caller says about a new decision; the store adds position, time and hashes. */
export interface NewDecision {
  specId: string
  /** The contribution decided on (shared/api-review.ts `SUBJECT_ID_PATTERN`), stored opaque. */
  subjectId: string
  state: DecisionState
  /** Note to the contributor: null, or a non-empty trimmed string. */
  note: string | null
  /** Participant id of who decides. */
  decidedBy: string
  /** Their role now (only team roles may decide). */
  role: 'facilitator' | 'team'
}

/** The decisions ledger of every spec. Rules [R1]-[R10] above. */
export interface ReviewStore {
  append(decision: NewDecision): Promise<DecisionEntry>
  history(specId: string): Promise<DecisionEntry[]>
  current(specId: string): Promise<DecisionEntry[]>
  countsByState(specId: string): Promise<DecisionCounts>
  /** Resolves if the backing database answers (readiness probe). */
  ping(): Promise<void>
  close(): Promise<void>
}
