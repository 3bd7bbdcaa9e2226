/**
 * The decisions ledger's hash chain: the canonical encoding of an entry, its hash, the checks
 * on a new decision, and the verification of a whole chain. Pure functions over values; every
 * {@link ReviewStore} backend stores what {@link sealEntry} returns, and {@link verifyChain}
 * re-checks whatever a backend gives back.
 *
 * Canonical encoding, version 1 (README "Decisions ledger"): the tnetstring
 * (https://tnetstrings.info) of the list
 *
 *   ["valence.decision.v1", specId, seq, subjectId, state, note, decidedBy, role, decidedAt,
 *    supersedes, prevHash]
 *
 * where a string is `<byte length>:<UTF-8 bytes>,`, an integer `<digit count>:<decimal>#`, null
 * (`note`, `supersedes`) `0:~`, and the list `<byte length of its items>:<items>]`, lengths in
 * ASCII decimal. `hash` is the lower-case hex SHA-256 of those bytes. Each entry's `prevHash` is
 * the previous entry's `hash` (64 zeros for the first), so changing any stored field of any
 * entry breaks its own hash or the link from the entry after it.
 *
 * @example
 *   const entry = sealEntry({ specId, seq: 1, subjectId: '123:4', state: 'accepted', note: null,
 *     decidedBy, role: 'team', decidedAt: new Date().toISOString(), supersedes: null,
 *     prevHash: GENESIS_HASH })
 *   verifyChain(specId, [entry]) // { ok: true, entries: 1, head: entry.hash }
 */
import { createHash } from 'node:crypto'
import {
  DECISION_STATES,
  GENESIS_HASH,
  SUBJECT_ID_PATTERN,
  decisionNote,
  type DecisionCounts,
  type DecisionEntry,
  type DecisionState,
  type VerifyResponse
} from '../../shared/api-review.js'
import { TEAM_ROLES } from '../../shared/permissions.js'
import { SPEC_ID_PATTERN } from '../storage/ids.js'
// Type-only: review-store.ts imports nothing at runtime from here, so there is no cycle.
import type { NewDecision } from './review-store.js'

/** First element of every encoded entry; a new encoding gets a new tag. */
export const ENCODING_TAG = 'valence.decision.v1'

/** An entry before it is hashed. */
export type UnsealedEntry = Omit<DecisionEntry, 'hash'>

const utf8 = new TextEncoder()

function tnetString(s: string): Uint8Array {
  const bytes = utf8.encode(s)
  return concat([utf8.encode(`${bytes.length}:`), bytes, utf8.encode(',')])
}

function tnetInteger(n: number): Uint8Array {
  if (!Number.isSafeInteger(n)) throw new RangeError(`ledger encoding: ${String(n)} is not an integer`)
  const digits = String(n)
  return utf8.encode(`${digits.length}:${digits}#`)
}

const TNET_NULL = utf8.encode('0:~')

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** The canonical bytes of an entry (everything but `hash`); see the module comment. */
export function encodeEntry(e: UnsealedEntry): Uint8Array {
  const items = concat([
    tnetString(ENCODING_TAG),
    tnetString(e.specId),
    tnetInteger(e.seq),
    tnetString(e.subjectId),
    tnetString(e.state),
    e.note === null ? TNET_NULL : tnetString(e.note),
    tnetString(e.decidedBy),
    tnetString(e.role),
    tnetString(e.decidedAt),
    e.supersedes === null ? TNET_NULL : tnetInteger(e.supersedes),
    tnetString(e.prevHash)
  ])
  return concat([utf8.encode(`${items.length}:`), items, utf8.encode(']')])
}

/** Lower-case hex SHA-256 of {@link encodeEntry}. */
export function hashEntry(e: UnsealedEntry): string {
  return createHash('sha256').update(encodeEntry(e)).digest('hex')
}

/** The entry with its `hash`. */
export function sealEntry(e: UnsealedEntry): DecisionEntry {
  return { ...e, hash: hashEntry(e) }
}

/**
 * Refuses a decision no backend may store (programmer misuse: the HTTP layer has validated
 * the body already) with a RangeError. Contract rule [R6].
 */
export function checkNewDecision(d: NewDecision): void {
  const fail = (what: string): never => {
    throw new RangeError(`review store: ${what}`)
  }
  if (typeof d.specId !== 'string' || !SPEC_ID_PATTERN.test(d.specId)) fail('specId is not a spec id')
  if (typeof d.subjectId !== 'string' || !SUBJECT_ID_PATTERN.test(d.subjectId)) fail('subjectId is not a contribution id')
  if (!DECISION_STATES.includes(d.state)) fail(`unknown state ${JSON.stringify(d.state)}`)
  if (!TEAM_ROLES.includes(d.role)) fail(`role ${JSON.stringify(d.role)} may not decide`)
  if (typeof d.decidedBy !== 'string' || d.decidedBy.length === 0 || d.decidedBy.length > 128) fail('decidedBy is not a participant id')
  if (d.note !== null) {
    const parsed = decisionNote.safeParse(d.note)
    // The note must be stored as given: trimming or emptying it here would change what was said.
    if (!parsed.success || parsed.data !== d.note) fail('note is empty, untrimmed, too long or holds forbidden characters')
  }
}

/**
 * The entry a backend appends after `head` (the spec's last entry, or null), given the seq
 * of the subject's latest entry (`supersedes`). The backend calls this while it holds the
 * spec's ledger exclusively, so `head` is still the last entry when it inserts.
 */
export function nextEntry(d: NewDecision, head: { seq: number; hash: string } | null, supersedes: number | null, decidedAt: string): DecisionEntry {
  return sealEntry({
    specId: d.specId,
    seq: head ? head.seq + 1 : 1,
    subjectId: d.subjectId,
    state: d.state,
    note: d.note,
    decidedBy: d.decidedBy,
    role: d.role,
    decidedAt,
    supersedes,
    prevHash: head ? head.hash : GENESIS_HASH
  })
}

/**
 * Checks a spec's whole ledger, as a backend returned it, entry by entry: it belongs to
 * `specId`, its `seq` is its 1-based position, its `prevHash` is the previous entry's `hash`,
 * its state and role are known, its `supersedes` names the same subject's previous entry, and
 * its `hash` is the hash of its fields. The first entry failing any check is `firstBadIndex`.
 */
export function verifyChain(specId: string, entries: readonly DecisionEntry[]): VerifyResponse {
  const latestOfSubject = new Map<string, number>()
  let prevHash = GENESIS_HASH
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!
    if (!entryChecks(specId, e, i, prevHash, latestOfSubject)) return { ok: false, entries: entries.length, firstBadIndex: i, head: headOf(entries) }
    latestOfSubject.set(e.subjectId, e.seq)
    prevHash = e.hash
  }
  return { ok: true, entries: entries.length, head: headOf(entries) }
}

function entryChecks(specId: string, e: DecisionEntry, index: number, prevHash: string, latestOfSubject: Map<string, number>): boolean {
  if (e.specId !== specId || e.seq !== index + 1 || e.prevHash !== prevHash) return false
  if (!DECISION_STATES.includes(e.state) || !TEAM_ROLES.includes(e.role)) return false
  if (e.supersedes !== (latestOfSubject.get(e.subjectId) ?? null)) return false
  try {
    return hashEntry(e) === e.hash
  } catch {
    return false // a field of the wrong type (a tampered row): it has no encoding at all
  }
}

const headOf = (entries: readonly DecisionEntry[]): string | null => entries.at(-1)?.hash ?? null

/** Every state at zero. */
export function zeroCounts(): DecisionCounts {
  return Object.fromEntries(DECISION_STATES.map((s) => [s, 0])) as DecisionCounts
}

/** Counts from `(state, n)` rows of a backend's grouped query. */
export function countsFromRows(rows: Iterable<{ state: string; n: number }>): DecisionCounts {
  const counts = zeroCounts()
  for (const r of rows) if (DECISION_STATES.includes(r.state as DecisionState)) counts[r.state as DecisionState] = Number(r.n)
  return counts
}

/**
 * What `current` and `countsByState` answer ([R4]), computed from a history already read: a
 * view that shows the history too derives them from that one read, so all three agree even
 * while decisions arrive.
 */
export function summarise(history: readonly DecisionEntry[]): { current: DecisionEntry[]; counts: DecisionCounts } {
  const latest = new Map<string, DecisionEntry>()
  for (const e of history) latest.set(e.subjectId, e)
  const current = [...latest.values()].sort((a, b) => a.seq - b.seq)
  const counts = zeroCounts()
  for (const e of current) if (DECISION_STATES.includes(e.state)) counts[e.state]++
  return { current, counts }
}
