/**
 * HTTP API shapes for reviewing customer ideas: the decision states, the `POST
 * /api/specs/:id/decisions` body (a strict zod object: unknown fields are refused) and the
 * ledger entries the decision routes return. No Node or DOM imports.
 */
import { z } from 'zod'

/**
 * The states a decision can put a contribution in, in the order a review usually moves
 * through them. A contribution nobody decided on yet counts as `new`.
 */
export const DECISION_STATES = ['new', 'under_discussion', 'accepted', 'planned', 'declined'] as const
export type DecisionState = (typeof DECISION_STATES)[number]

/**
 * Shape of a decision's subject: a contribution id, stored opaque. Contributions are keyed on
 * the Yjs id of their first-written character (`<clientID>:<clock>` or an encoding of it), so
 * the pattern admits digits, letters and `_ . : -` only: safe in URLs, logs and SQL text.
 */
export const SUBJECT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/

/** Longest note to the contributor accepted, in UTF-16 code units after trimming. */
export const MAX_NOTE_LENGTH = 2000

/**
 * Characters a note may not hold: control characters other than tab and line breaks
 * (NUL cannot even be stored in Postgres text), and lone UTF-16 surrogates, which have no
 * UTF-8 encoding and so no stable hash.
 */
const FORBIDDEN_IN_NOTE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]|\p{Cs}/u

/** A decision's subject id (see {@link SUBJECT_ID_PATTERN}). */
export const subjectId = z.string().regex(SUBJECT_ID_PATTERN, 'subjectId must be 1-128 letters, digits or _ . : - (a contribution id)')

/** A note to the contributor: trimmed; empty or null means no note. */
export const decisionNote = z
  .string()
  .trim()
  .max(MAX_NOTE_LENGTH, `note must be at most ${MAX_NOTE_LENGTH} characters`)
  .refine((s) => !FORBIDDEN_IN_NOTE.test(s), 'note must not contain control characters or lone surrogates')
  .nullable()
  .transform((s) => (s ? s : null))

/** `POST /api/specs/:id/decisions` */
export const createDecisionBody = z.strictObject({
  subjectId,
  state: z.enum(DECISION_STATES),
  note: decisionNote.optional().transform((s) => s ?? null)
})
export type CreateDecisionBody = z.infer<typeof createDecisionBody>

/**
 * One ledger entry, exactly as hashed: every field below except `hash` goes into the
 * canonical encoding (README "Decisions ledger"), so anyone holding the entries can
 * re-verify the chain.
 */
export interface DecisionEntry {
  specId: string
  /** Position in the spec's ledger, from 1, without gaps. */
  seq: number
  subjectId: string
  state: DecisionState
  /** Note to the contributor, or null. */
  note: string | null
  /** Participant id of who decided. */
  decidedBy: string
  /** Their role when they decided. */
  role: 'facilitator' | 'team'
  /** ISO-8601 UTC timestamp, server clock. */
  decidedAt: string
  /** `seq` of the same subject's previous decision, which this one supersedes; null if first. */
  supersedes: number | null
  /** `hash` of entry `seq - 1`, or {@link GENESIS_HASH} for the first entry. */
  prevHash: string
  /** Lower-case hex SHA-256 of the canonical encoding of this entry. */
  hash: string
}

/** `prevHash` of a spec's first entry: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64)

/** Number of subjects currently in each state. */
export type DecisionCounts = Record<DecisionState, number>

/** `GET /api/specs/:id/decisions` */
export interface DecisionsResponse {
  specId: string
  /** The latest decision of each decided subject, in ledger order. */
  current: DecisionEntry[]
  /** Every entry, in ledger order. */
  history: DecisionEntry[]
  /** Decided subjects by current state (undecided contributions are not counted here). */
  counts: DecisionCounts
  /** Hash of the last entry, or null for an empty ledger: keep it to detect a rewritten tail. */
  head: string | null
}

/** `POST /api/specs/:id/decisions` */
export interface CreateDecisionResponse {
  decision: DecisionEntry
}

/** `GET /api/specs/:id/decisions/verify` */
export interface VerifyResponse {
  ok: boolean
  /** Entries checked. */
  entries: number
  /** 0-based index of the first entry that does not verify (absent when `ok`). */
  firstBadIndex?: number
  /** Hash of the last entry, or null for an empty ledger. */
  head: string | null
}

/**
 * One contribution (server/review/contributions.ts): one customer's words in one place, keyed
 * on the Yjs id of its first-written character, with its current decision (`new` if none).
 */
export interface ContributionView {
  /** `c<clientID>-<clock>`; the `subjectId` of its decisions. */
  id: string
  participantId: string
  /** The participant's display name now (resolved when the list is read). */
  displayName: string
  /** Panels the participant belonged to (of those invited to the spec) when they wrote it. */
  panelIds: string[]
  createdAt: string
  updatedAt: string
  /** Start of its current text (pieces in different blocks joined by a line break). */
  excerpt: string
  /** Length of its current text; 0 once all of it was deleted (it keeps its id and decision). */
  chars: number
  state: DecisionState
  /** The current decision, or null while undecided. */
  decision: DecisionEntry | null
  /** Where it is now, one piece per block, in document order; [] when none of its text is live. */
  pieces: ContributionPiece[]
  /** Comments in threads on this contribution (for sorting by most discussed). */
  comments: number
}

/**
 * Where a contribution is now, within one block: base64 `Y.encodeRelativePosition`s of the
 * position before its first live character there and after its last. Map them with
 * y-prosemirror's `relativePositionToAbsolutePosition` to scroll to and highlight it.
 */
export interface ContributionPiece {
  start: string
  end: string
}

/** Contributions in each decision state, for one panel or one participant. */
export interface ContributionCounts {
  total: number
  byState: DecisionCounts
}

/** `GET /api/specs/:id/contributions` */
export interface ContributionsResponse {
  specId: string
  /**
   * Oldest first. A customer gets their own, and, when a facilitator made the spec's decisions
   * public (`GET /review-settings`), other customers' contributions that have a decision.
   */
  contributions: ContributionView[]
  /** Counts over `contributions` by decision state. */
  counts: ContributionCounts
  /** Per panel id (a contribution counts for each of its panels; none: under `""`). */
  byPanel: Record<string, ContributionCounts>
  /** Per participant id. */
  byParticipant: Record<string, ContributionCounts>
  /**
   * Names of the panels in {@link byPanel}, by id, for readers who review (team roles); empty for
   * customers, who see no panels on other people's ideas.
   */
  panelNames: Record<string, string>
}
