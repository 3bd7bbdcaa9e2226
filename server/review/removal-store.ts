/**
 * The removals seam: the server's record of customer words someone else deleted (server/review/
 * removals.ts says when one is recorded), next to the contributions and the decisions ledger in
 * the same database. The server is its only writer: the removals feed adds them after the
 * deleting update committed, the feed marks them returned, and the restore route marks them
 * restored. Every implementation (memory, SQLite, Postgres) passes the contract suite in
 * test/contract/removals.contract.ts, whose rules are cited here.
 *
 * - [M1] `add` stores a new removal exactly as given (every field, texts in any script,
 *   clientIDs up to 2^53 - 1); adding an id the spec already has is refused with a RangeError
 *   and changes nothing.
 * - [M2] `list` returns the spec's removals in (`removedAt`, `id`) order; an unknown spec has
 *   `[]`. `list(specId, authorId)` returns only removals of that author's words, same order.
 *   `get` returns one removal, or null if the spec has no such id.
 * - [M3] Specs are isolated: equal ids in two specs are two removals.
 * - [M4] `add` refuses a malformed record (an id not `r` + 1-127 of [A-Za-z0-9_-], empty
 *   participant ids, timestamps that are not ISO-8601 UTC, no pieces, origins that are not
 *   non-negative integers with len >= 1 or whose total differs from the pieces' length, a text
 *   that is not the pieces' texts joined by line breaks, a status other than `open`, restore
 *   fields that are set) with a RangeError, and stores nothing.
 * - [M5] `transition(specId, id, from, patch)` is a compare-and-set: it applies `patch` (a new
 *   status and the restore fields) only if the stored status is one of `from`, and returns the
 *   updated removal; else (or for an unknown id) it returns null and changes nothing. Of
 *   concurrent transitions out of the same status, in one process or several, exactly one wins.
 * - [M6] Removals survive `close` and reopening the same database.
 */
import type { Role } from '../../shared/permissions.js'
import { REMOVAL_ID_PATTERN } from '../../shared/api-removals.js'
import { removalText, type RemovalRecord } from './removals.js'

export type { RemovalRecord } from './removals.js'

/** What a {@link RemovalStore.transition} sets. */
export interface RemovalPatch {
  status: RemovalRecord['status']
  restoredBy: string | null
  restoredByRole: Role | null
  restoredAt: string | null
}

/** The removals of every spec. Rules [M1]-[M6] above. */
export interface RemovalStore {
  add(record: RemovalRecord): Promise<void>
  list(specId: string, authorId?: string): Promise<RemovalRecord[]>
  get(specId: string, id: string): Promise<RemovalRecord | null>
  transition(specId: string, id: string, from: ReadonlyArray<RemovalRecord['status']>, patch: RemovalPatch): Promise<RemovalRecord | null>
  close(): Promise<void>
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/
const isCount = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
const nonEmpty = (s: unknown): boolean => typeof s === 'string' && s !== ''

/** [M4]: throws a RangeError naming what is wrong with `r`. */
export function checkRemoval(r: RemovalRecord): void {
  const bad = (what: string): never => {
    throw new RangeError(`removal ${JSON.stringify(r.id)}: ${what}`)
  }
  if (typeof r.id !== 'string' || !REMOVAL_ID_PATTERN.test(r.id)) bad('id is not r + [A-Za-z0-9_-]')
  if (!nonEmpty(r.specId) || !nonEmpty(r.authorId) || !nonEmpty(r.removedBy)) bad('empty spec or participant id')
  if (!nonEmpty(r.authorRole) || !nonEmpty(r.removedByRole)) bad('empty role')
  if (r.contributionId !== null && !nonEmpty(r.contributionId)) bad('empty contribution id')
  if (typeof r.removedAt !== 'string' || !ISO_UTC.test(r.removedAt)) bad('removedAt must be ISO-8601 UTC')
  if (!Array.isArray(r.pieces) || r.pieces.length === 0) bad('no pieces')
  for (const p of r.pieces) {
    if (typeof p.text !== 'string' || p.text === '' || typeof p.place?.inFragment !== 'string' || typeof p.place.blockKey !== 'string') bad('malformed piece')
  }
  if (r.text !== removalText(r.pieces)) bad('text is not its pieces joined by line breaks')
  if (!Array.isArray(r.origins) || !r.origins.every((o) => isCount(o.client) && isCount(o.clock) && isCount(o.len) && o.len >= 1)) bad('malformed origins')
  const chars = r.pieces.reduce((n, p) => n + p.text.length, 0)
  if (r.origins.reduce((n, o) => n + o.len, 0) !== chars) bad('origins do not cover the text')
  if (r.status !== 'open') bad('a new removal is open')
  if (r.restoredBy !== null || r.restoredByRole !== null || r.restoredAt !== null) bad('a new removal is not restored')
}

/** A deep copy of `r` (stores never share objects with their callers). */
export const copyRemoval = (r: RemovalRecord): RemovalRecord => ({
  ...r,
  origins: r.origins.map((o) => ({ ...o })),
  pieces: r.pieces.map((p) => ({ text: p.text, place: { ...p.place } }))
})

/** [M2] order. */
export const byRemoval = (a: RemovalRecord, b: RemovalRecord): number =>
  a.removedAt < b.removedAt ? -1 : a.removedAt > b.removedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
