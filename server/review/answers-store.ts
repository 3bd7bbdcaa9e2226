/**
 * The answers seam: review state kept per spec and per reader, beside the decisions ledger in
 * the same database. Per spec, whether its decisions are public to customers; per (participant,
 * spec), up to when that reader has seen their answers; per participant, whether they want
 * email digests and up to when answers were already mailed. Answers themselves are derived
 * (server/review/answers.ts): this store holds only the marks, so it stays small.
 *
 * Timestamps are stored in one canonical form (`Date#toISOString`, UTC, milliseconds), so
 * their text order is their time order in every implementation.
 *
 * Every implementation (memory, SQLite, Postgres) passes the contract suite in
 * test/contract/answers.contract.ts, whose rules are cited here.
 *
 * - [A1] `decisionsPublic(spec)` is false until `setDecisionsPublic` sets it; the last set wins.
 *   Specs are isolated.
 * - [A2] `seenUpTo(participant, spec)` is null until marked. `markSeen` never moves a mark
 *   backwards: the stored mark is the latest of all marks given. It returns the stored mark.
 *   Participants and specs are isolated.
 * - [A3] `seenOf(participant)` maps every spec the participant marked to its mark (one read for
 *   the spec list).
 * - [A4] `digest(participant)` is `{ enabled: true, mailedUpTo: null }` until changed.
 *   `setDigestEnabled` keeps the watermark; `advanceMailed` keeps the switch and, like
 *   `markSeen`, never moves the watermark backwards.
 * - [A5] Malformed input (an empty spec or participant id, a timestamp that is not ISO-8601
 *   with `Z` or an offset) is refused with a RangeError and stores nothing. Equal instants
 *   written differently (`+01:00`, `Z`, with or without milliseconds) are one instant.
 * - [A6] Everything survives `close` and reopening the same database.
 * - [A7] `teamMayExport(spec)` (team members may export the spec's brief, server/http/exports.ts)
 *   is false until `setTeamMayExport` sets it; the last set wins; it and `decisionsPublic` are
 *   independent; specs are isolated.
 */

/** A participant's email digest state. */
export interface DigestState {
  /** False once they switched digests off. */
  enabled: boolean
  /** Answers at or before this instant were mailed (or offered) already; null: none yet. */
  mailedUpTo: string | null
}

/** Review state per spec and per reader. Rules [A1]-[A7] above. */
export interface AnswersStore {
  decisionsPublic(specId: string): Promise<boolean>
  setDecisionsPublic(specId: string, value: boolean): Promise<void>
  teamMayExport(specId: string): Promise<boolean>
  setTeamMayExport(specId: string, value: boolean): Promise<void>
  seenUpTo(participantId: string, specId: string): Promise<string | null>
  markSeen(participantId: string, specId: string, upTo: string): Promise<string>
  seenOf(participantId: string): Promise<Map<string, string>>
  digest(participantId: string): Promise<DigestState>
  setDigestEnabled(participantId: string, enabled: boolean): Promise<void>
  advanceMailed(participantId: string, upTo: string): Promise<void>
  close(): Promise<void>
}

/** The state of a participant nobody changed yet ([A4]). */
export const DEFAULT_DIGEST: Readonly<DigestState> = Object.freeze({ enabled: true, mailedUpTo: null })

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/

/**
 * [A5]: the canonical form of `at` (`toISOString`), or a RangeError.
 * @throws RangeError for anything but an ISO-8601 instant with `Z` or an offset.
 */
export function canonicalInstant(at: string): string {
  const ms = typeof at === 'string' && ISO.test(at) ? Date.parse(at) : NaN
  if (!Number.isFinite(ms)) throw new RangeError(`not an ISO-8601 instant: ${JSON.stringify(at)}`)
  return new Date(ms).toISOString()
}

/** [A5]: throws a RangeError for an empty or non-string id. */
export function checkId(what: 'spec' | 'participant', id: string): void {
  if (typeof id !== 'string' || id === '') throw new RangeError(`empty ${what} id`)
}

/** The later of two canonical instants (null counts as the earliest). */
export const later = (a: string | null, b: string): string => (a !== null && a > b ? a : b)
