/**
 * The persisted form of attribution: a list of *facts* (bindings, attributed clock ranges,
 * recent deletions and their re-use). A per-update delta and a full snapshot have the same
 * format, so folding is "decode the snapshot, apply each delta, encode". Facts are replayed in
 * order and a later fact about the same clocks overrides an earlier one (last fact wins, see
 * author-map.ts); replaying a delta twice is harmless because it states the same thing again.
 *
 * Encoding (lib0 `encoding`, all integers `varUint`):
 * ```
 * version (= 4; versions 1-3 are read too: 1 has no `nIds` part, 1 and 2 no `origin` part,
 *            1-3 no moved-at time: their moved ranges read as "time unknown")
 * nNames, nNames × varString participantId            -- local table; ref = index + 1, 0 = unknown
 * nBindings, nBindings × (clientID, nameIndex)
 * nClients, nClients × (clientID, nRanges, nRanges × (clockGap, len, authorRef, moverRef, flags,
 *                       [originClientID, originClock], [movedAt]))
 *                                                      -- clockGap: from the previous range's end
 *                                                      -- flags bit 1: an origin follows (else the
 *                                                      --   range is its own origin)
 *                                                      -- flags bit 2 (version 4): movedAt follows,
 *                                                      --   seconds since the Unix epoch
 *                                                      -- (version 3 wrote the same flags, bit 1 only)
 * nRecent, nRecent × (deleterIndex, entryId, timeMs, varString text, nRuns, nRuns × (len, authorRef),
 *                      nIds, nIds × (clientID, clock, len))  -- the deleted characters' ids, in text order
 * nConsumed, nConsumed × (deleterIndex, entryId, offset, len)
 * ```
 *
 * Why version 4 is this small a change: the engine gives a moved-at time only to ranges whose
 * mover is not their author (a split, join, drag or paste of someone else's words, a restore),
 * never to typed text, so a keystroke's delta is byte for byte what version 3 wrote apart from
 * its version number, and a time costs 5 bytes (seconds, not ms) per moved range. A version 3
 * blob is a valid version 4 blob without times except for its first byte.
 */
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'

/** Format version written first in every facts blob. */
export const FACTS_VERSION = 4

/** Range flags: an origin follows. */
const FLAG_ORIGIN = 1
/** Range flags (version 4): a moved-at time follows. */
const FLAG_MOVED_AT = 2

/** A run of recently deleted characters with one author (`null` = unknown). */
export interface AuthorRun {
  len: number
  author: string | null
}

/** Clocks [clock, clock + len) of one client. */
export interface IdRange {
  client: number
  clock: number
  len: number
}

/**
 * The Yjs id, as first written, of a range's first character (absent: the range is its own
 * origin, as every range of version 1 and 2 facts is).
 */
export interface RangeOrigin {
  client: number
  clock: number
}

/** One attributed clock range. */
export interface RangeFact {
  client: number
  clock: number
  len: number
  author: string | null
  mover: string | null
  origin?: RangeOrigin
  /** When the mover put the range there, seconds since the epoch (absent: not moved, or unknown). */
  movedAt?: number
}

/** Everything the engine must remember, or the part of it one update added. */
export interface Facts {
  bindings: Array<{ clientID: number; participantId: string }>
  /** Sorted by client then clock within a client is not required, but keeps encoding small. */
  ranges: RangeFact[]
  /** `ids`: the Yjs ids of the deleted characters, in text order (empty in version 1 facts). */
  recent: Array<{ deleter: string; id: number; time: number; text: string; runs: AuthorRun[]; ids: IdRange[] }>
  consumed: Array<{ deleter: string; id: number; offset: number; len: number }>
}

/** Thrown by {@link decodeFacts} for bytes that are not facts of a known version. */
export class FactsDecodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'FactsDecodeError'
  }
}

/** Facts with nothing in them. */
export const emptyFacts = (): Facts => ({ bindings: [], ranges: [], recent: [], consumed: [] })

/** True if `facts` records nothing. */
export const isEmptyFacts = (facts: Facts): boolean =>
  facts.bindings.length === 0 && facts.ranges.length === 0 && facts.recent.length === 0 && facts.consumed.length === 0

/** Encodes facts (see the module comment for the layout). */
export function encodeFacts(facts: Facts): Uint8Array {
  const names = new Map<string, number>()
  const nameOf = (id: string): number => {
    let i = names.get(id)
    if (i === undefined) {
      i = names.size
      names.set(id, i)
    }
    return i
  }
  const refOf = (id: string | null): number => (id === null ? 0 : nameOf(id) + 1)
  // Body first, so the name table can be written in front of it.
  const body = encoding.createEncoder()
  encoding.writeVarUint(body, facts.bindings.length)
  for (const b of facts.bindings) {
    encoding.writeVarUint(body, b.clientID)
    encoding.writeVarUint(body, nameOf(b.participantId))
  }
  const byClient = new Map<number, Facts['ranges']>()
  for (const r of facts.ranges) {
    const list = byClient.get(r.client)
    if (list === undefined) byClient.set(r.client, [r])
    else list.push(r)
  }
  encoding.writeVarUint(body, byClient.size)
  for (const [client, list] of byClient) {
    list.sort((a, b) => a.clock - b.clock)
    encoding.writeVarUint(body, client)
    encoding.writeVarUint(body, list.length)
    let end = 0
    for (const r of list) {
      // Overlaps cannot occur in engine output; clamp so the gap is never negative.
      const clock = Math.max(r.clock, end)
      const len = r.clock + r.len - clock
      encoding.writeVarUint(body, clock - end)
      encoding.writeVarUint(body, Math.max(0, len))
      encoding.writeVarUint(body, refOf(r.author))
      encoding.writeVarUint(body, refOf(r.mover))
      // Clamping moved the start: the origin moves with it.
      const origin = r.origin === undefined ? undefined : { client: r.origin.client, clock: r.origin.clock + clock - r.clock }
      const ownOrigin = origin === undefined || (origin.client === client && origin.clock === clock)
      const timed = r.movedAt !== undefined && r.movedAt > 0
      encoding.writeVarUint(body, (ownOrigin ? 0 : FLAG_ORIGIN) | (timed ? FLAG_MOVED_AT : 0))
      if (!ownOrigin) {
        encoding.writeVarUint(body, origin.client)
        encoding.writeVarUint(body, origin.clock)
      }
      if (timed) encoding.writeVarUint(body, r.movedAt!)
      end = clock + Math.max(0, len)
    }
  }
  encoding.writeVarUint(body, facts.recent.length)
  for (const e of facts.recent) {
    encoding.writeVarUint(body, nameOf(e.deleter))
    encoding.writeVarUint(body, e.id)
    encoding.writeVarUint(body, e.time)
    encoding.writeVarString(body, e.text)
    encoding.writeVarUint(body, e.runs.length)
    for (const run of e.runs) {
      encoding.writeVarUint(body, run.len)
      encoding.writeVarUint(body, refOf(run.author))
    }
    encoding.writeVarUint(body, e.ids.length)
    for (const r of e.ids) {
      encoding.writeVarUint(body, r.client)
      encoding.writeVarUint(body, r.clock)
      encoding.writeVarUint(body, r.len)
    }
  }
  encoding.writeVarUint(body, facts.consumed.length)
  for (const c of facts.consumed) {
    encoding.writeVarUint(body, nameOf(c.deleter))
    encoding.writeVarUint(body, c.id)
    encoding.writeVarUint(body, c.offset)
    encoding.writeVarUint(body, c.len)
  }
  const out = encoding.createEncoder()
  encoding.writeVarUint(out, FACTS_VERSION)
  encoding.writeVarUint(out, names.size)
  for (const id of names.keys()) encoding.writeVarString(out, id)
  encoding.writeUint8Array(out, encoding.toUint8Array(body))
  return encoding.toUint8Array(out)
}

/** Decodes {@link encodeFacts} output. @throws {FactsDecodeError} */
export function decodeFacts(bytes: Uint8Array): Facts {
  try {
    return decodeUnchecked(bytes)
  } catch (error) {
    if (error instanceof FactsDecodeError) throw error
    throw new FactsDecodeError(`malformed attribution facts: ${String(error)}`, { cause: error })
  }
}

function decodeUnchecked(bytes: Uint8Array): Facts {
  const d = decoding.createDecoder(bytes)
  const version = decoding.readVarUint(d)
  if (version !== FACTS_VERSION && version !== 3 && version !== 2 && version !== 1) throw new FactsDecodeError(`unknown attribution facts version ${version}`)
  const names: string[] = []
  for (let n = decoding.readVarUint(d); n > 0; n--) names.push(decoding.readVarString(d))
  const name = (i: number): string => {
    const id = names[i]
    if (id === undefined) throw new FactsDecodeError(`name index ${i} out of range`)
    return id
  }
  const ref = (r: number): string | null => (r === 0 ? null : name(r - 1))
  const facts = emptyFacts()
  for (let n = decoding.readVarUint(d); n > 0; n--) {
    const clientID = decoding.readVarUint(d)
    facts.bindings.push({ clientID, participantId: name(decoding.readVarUint(d)) })
  }
  for (let c = decoding.readVarUint(d); c > 0; c--) {
    const client = decoding.readVarUint(d)
    let end = 0
    for (let n = decoding.readVarUint(d); n > 0; n--) {
      const clock = end + decoding.readVarUint(d)
      const len = decoding.readVarUint(d)
      const author = ref(decoding.readVarUint(d))
      const mover = ref(decoding.readVarUint(d))
      const flags = version >= 3 ? decoding.readVarUint(d) : 0
      if (flags > (version >= 4 ? FLAG_ORIGIN | FLAG_MOVED_AT : FLAG_ORIGIN)) throw new FactsDecodeError(`range flags ${flags}`)
      const range: RangeFact = { client, clock, len, author, mover }
      if ((flags & FLAG_ORIGIN) !== 0) range.origin = { client: decoding.readVarUint(d), clock: decoding.readVarUint(d) }
      if ((flags & FLAG_MOVED_AT) !== 0) range.movedAt = decoding.readVarUint(d)
      facts.ranges.push(range)
      end = clock + len
    }
  }
  for (let n = decoding.readVarUint(d); n > 0; n--) {
    const deleter = name(decoding.readVarUint(d))
    const id = decoding.readVarUint(d)
    const time = decoding.readVarUint(d)
    const text = decoding.readVarString(d)
    const runs: AuthorRun[] = []
    let total = 0
    for (let r = decoding.readVarUint(d); r > 0; r--) {
      const len = decoding.readVarUint(d)
      runs.push({ len, author: ref(decoding.readVarUint(d)) })
      total += len
    }
    if (total !== text.length) throw new FactsDecodeError(`recent entry ${id}: runs cover ${total} of ${text.length} characters`)
    const ids: IdRange[] = []
    if (version >= 2) {
      let covered = 0
      for (let r = decoding.readVarUint(d); r > 0; r--) {
        const range = { client: decoding.readVarUint(d), clock: decoding.readVarUint(d), len: decoding.readVarUint(d) }
        ids.push(range)
        covered += range.len
      }
      if (ids.length > 0 && covered !== text.length) throw new FactsDecodeError(`recent entry ${id}: ids cover ${covered} of ${text.length} characters`)
    }
    facts.recent.push({ deleter, id, time, text, runs, ids })
  }
  for (let n = decoding.readVarUint(d); n > 0; n--) {
    const deleter = name(decoding.readVarUint(d))
    facts.consumed.push({ deleter, id: decoding.readVarUint(d), offset: decoding.readVarUint(d), len: decoding.readVarUint(d) })
  }
  if (decoding.hasContent(d)) throw new FactsDecodeError('trailing bytes after attribution facts')
  return facts
}
