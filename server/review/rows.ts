/**
 * The ledger table, as both SQL backends store it: one row per entry, every hashed field in a
 * column of its own, so a row can be read back and re-hashed exactly ([R2], [R10]). Text
 * columns hold the values verbatim (timestamps too: a database time type would reformat them
 * and change the hash input).
 */
import type { DecisionEntry } from '../../shared/api-review.js'

/** Columns of `review_decisions`, for `SELECT`. */
export const ENTRY_COLUMNS = 'spec_id, seq, subject_id, state, note, decided_by, role, decided_at, supersedes, prev_hash, hash'

/** A `review_decisions` row as a driver returns it. */
export interface EntryRow {
  spec_id: string
  seq: number
  subject_id: string
  state: string
  note: string | null
  decided_by: string
  role: string
  decided_at: string
  supersedes: number | null
  prev_hash: string
  hash: string
}

/**
 * A row as an entry, unchecked: a row someone edited (an unknown state, say) comes back as it
 * is, for verification to find ([R10]).
 */
export function toEntry(r: EntryRow): DecisionEntry {
  return {
    specId: r.spec_id,
    seq: r.seq,
    subjectId: r.subject_id,
    state: r.state as DecisionEntry['state'],
    note: r.note,
    decidedBy: r.decided_by,
    role: r.role as DecisionEntry['role'],
    decidedAt: r.decided_at,
    supersedes: r.supersedes,
    prevHash: r.prev_hash,
    hash: r.hash
  }
}

/** An entry's values in {@link ENTRY_COLUMNS} order, for `INSERT`. */
export function entryValues(e: DecisionEntry): unknown[] {
  return [e.specId, e.seq, e.subjectId, e.state, e.note, e.decidedBy, e.role, e.decidedAt, e.supersedes, e.prevHash, e.hash]
}

/**
 * The entries no later entry supersedes, i.e. each subject's current decision ([R4]): an
 * anti-join on the `(spec_id, supersedes)` unique index. `$SPEC` is the dialect's placeholder.
 */
export const CURRENT_WHERE = `d.spec_id = $SPEC AND NOT EXISTS (
    SELECT 1 FROM review_decisions s WHERE s.spec_id = d.spec_id AND s.supersedes = d.seq)`
