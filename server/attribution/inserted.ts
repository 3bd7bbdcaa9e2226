/**
 * Rule 4 of the engine (engine.ts): the facts of every character an update inserted, once rule 3
 * matched some of them with deleted characters. Each inserted character gets its author (the
 * matched character's, else the writer), its mover (the writer), its origin (the matched
 * character's, else its own id) and, when its mover is not its author, the moved-at time.
 *
 * Cost: typed text (nothing matched) is recorded per run of equal author, never per character,
 * and carries no time (author = mover), so a keystroke appends to or extends one range exactly
 * as before times were kept. Only matched characters cost per character (their origins).
 */
import type { AuthorMap, Origin } from './author-map.js'
import type { InsertedRun } from './collect.js'
import type { Facts, IdRange, RangeFact } from './facts.js'
import { UNMATCHED, type Take } from './match.js'
import { sliceIds } from './runs.js'

/** A consumption of rule 3 with the ids of the consumed segment's characters. */
export interface OriginTake extends Take {
  readonly ids: readonly IdRange[]
}

/** Seconds since the epoch of a clock reading in ms: the unit moved-at times are kept in. */
export const movedAtOf = (nowMs: number): number => Math.floor(nowMs / 1000)

/**
 * The origin of each matched inserted character: that of the deleted character it consumed
 * (per target, origin client and clock; NaN where unmatched). Costs the matched characters.
 */
export function originsOf(authors: AuthorMap, inserted: readonly InsertedRun[], takes: readonly OriginTake[]): Array<Float64Array | null> {
  const out: Array<Float64Array | null> = inserted.map(() => null)
  for (const t of takes) {
    let o = out[t.target]
    if (o === null || o === undefined) {
      o = new Float64Array(inserted[t.target]!.text.length * 2).fill(Number.NaN)
      out[t.target] = o
    }
    let k = 0
    for (const r of sliceIds(t.ids, t.offset, t.offset + t.len)) {
      authors.forEachOrigin(r.client, r.clock, r.len, (n, client, clock) => {
        for (let m = 0; m < n; m++, k++) {
          o[2 * (t.start + k)] = client
          o[2 * (t.start + k) + 1] = clock + m
        }
      })
    }
  }
  return out
}

/**
 * Rule 4: records in `authors`, and adds to `facts`, every inserted character (matched author,
 * else `me`; mover `me`; origin; `movedAt` in seconds where the author is not `me`).
 */
export function recordInserted(
  authors: AuthorMap,
  inserted: readonly InsertedRun[],
  assigned: readonly Int32Array[],
  origins: ReadonlyArray<Float64Array | null>,
  me: number,
  movedAt: number,
  facts: Facts
): void {
  const id = (ref: number): string | null => authors.idOf(ref)
  inserted.forEach((run, r) => {
    const matched = assigned[r]!
    const o = origins[r] ?? null
    let at = 0
    for (const piece of run.pieces) {
      // The origin of character `x` of the piece (its own id unless matched).
      const originOf = (x: number): Origin => {
        const c = o === null ? Number.NaN : o[2 * (at + x)]!
        return Number.isNaN(c) ? { client: piece.client, clock: piece.clock + x } : { client: c, clock: o![2 * (at + x) + 1]! }
      }
      // Runs of equal author and consecutive origins within the piece.
      let i = 0
      while (i < piece.len) {
        const a = matched[at + i]!
        const author = a === UNMATCHED ? me : a
        const origin = originOf(i)
        let j = i + 1
        for (; j < piece.len; j++) {
          if ((matched[at + j] === UNMATCHED ? me : matched[at + j]) !== author) break
          // Without matches in this run every character is its own origin: consecutive.
          if (o === null) continue
          const next = originOf(j)
          if (next.client !== origin.client || next.clock !== origin.clock + j - i) break
        }
        // Only someone else's words are moved: typed (and own) text keeps no time.
        const time = author === me ? 0 : movedAt
        authors.set(piece.client, piece.clock + i, j - i, author, me, origin, time)
        const fact: RangeFact = { client: piece.client, clock: piece.clock + i, len: j - i, author: id(author), mover: id(me) }
        if (origin.client !== piece.client || origin.clock !== piece.clock + i) fact.origin = origin
        if (time > 0) fact.movedAt = time
        facts.ranges.push(fact)
        i = j
      }
      at += piece.len
    }
  })
}
