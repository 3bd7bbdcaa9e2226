/**
 * The contributions seam: the server's record of every contribution (server/review/
 * contributions.ts says what one is), next to the decisions ledger in the same database. The
 * server is its only writer: the contributions feed saves what the tracker derived, debounced
 * after commits, never on the keystroke path. Every implementation (memory, SQLite, Postgres)
 * passes the contract suite in test/contract/contributions.contract.ts, whose rules are cited here.
 *
 * - [K1] `save` upserts by (specId, id). A stored contribution's `participantId`, `panelIds`
 *   and `createdAt` never change (a later save keeps the stored ones: who wrote it and where
 *   they sat when they did are history); `updatedAt`, `origins`, `excerpt` and `chars` are
 *   replaced by the latest save.
 * - [K2] `list` returns every contribution of the spec in (`createdAt`, `id`) order, each field
 *   exactly as saved (excerpts in any script, clientIDs up to 2^32 - 1); an unknown spec has
 *   `[]`. `list(specId, participantId)` returns only that participant's, in the same order.
 * - [K3] Specs are isolated: equal contribution ids in two specs are two contributions.
 * - [K4] `save` refuses a batch holding a malformed record (an id not `c<client>-<clock>`,
 *   an empty participant id, timestamps that are not ISO-8601 UTC, origins that are not
 *   non-negative integers with len >= 1, an excerpt longer than EXCERPT_LENGTH, a negative
 *   `chars`) with a RangeError, and stores nothing of it.
 * - [K5] One `save` is atomic: all its records are stored, or none.
 * - [K6] Contributions survive `close` and reopening the same database.
 */
import { contributionId, EXCERPT_LENGTH, type ContributionRecord } from './contributions.js'

export type { ContributionRecord } from './contributions.js'

/** The contributions of every spec. Rules [K1]-[K6] above. */
export interface ContributionStore {
  save(records: readonly ContributionRecord[]): Promise<void>
  list(specId: string, participantId?: string): Promise<ContributionRecord[]>
  close(): Promise<void>
}

const ID = /^c(\d{1,16})-(\d{1,16})$/
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/
/**
 * Largest clientID: what sync admits (validate-update.ts refuses clientIDs beyond 2^53 - 1).
 * Yjs draws ids below 2^32, but a crafted client may use any safe integer, and its words are
 * still someone's contribution.
 */
const MAX_CLIENT = Number.MAX_SAFE_INTEGER

const isCount = (n: unknown, max = Number.MAX_SAFE_INTEGER): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max

/** [K4]: throws a RangeError naming what is wrong with the first malformed record. */
export function checkRecords(records: readonly ContributionRecord[]): void {
  for (const r of records) {
    const m = ID.exec(r.id)
    if (m === null || contributionId(Number(m[1]), Number(m[2])) !== r.id || Number(m[1]) > MAX_CLIENT) throw new RangeError(`contribution id ${JSON.stringify(r.id)} is not c<client>-<clock>`)
    if (typeof r.specId !== 'string' || r.specId === '') throw new RangeError(`contribution ${r.id}: empty spec id`)
    if (typeof r.participantId !== 'string' || r.participantId === '') throw new RangeError(`contribution ${r.id}: empty participant id`)
    if (!Array.isArray(r.panelIds) || !r.panelIds.every((p) => typeof p === 'string' && p !== '')) throw new RangeError(`contribution ${r.id}: malformed panel ids`)
    if (!ISO_UTC.test(r.createdAt) || !ISO_UTC.test(r.updatedAt)) throw new RangeError(`contribution ${r.id}: timestamps must be ISO-8601 UTC`)
    if (!Array.isArray(r.origins) || !r.origins.every((o) => isCount(o.client, MAX_CLIENT) && isCount(o.clock) && isCount(o.len) && o.len >= 1)) {
      throw new RangeError(`contribution ${r.id}: malformed origins`)
    }
    if (typeof r.excerpt !== 'string' || r.excerpt.length > EXCERPT_LENGTH) throw new RangeError(`contribution ${r.id}: excerpt longer than ${EXCERPT_LENGTH}`)
    if (!isCount(r.chars)) throw new RangeError(`contribution ${r.id}: chars must be a count`)
  }
}

/** A deep copy of `r` (stores never share arrays with their callers). */
export const copyRecord = (r: ContributionRecord): ContributionRecord => ({ ...r, panelIds: [...r.panelIds], origins: r.origins.map((o) => ({ ...o })) })

/** [K2] order. */
export const byCreation = (a: ContributionRecord, b: ContributionRecord): number =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
