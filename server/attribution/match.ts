/**
 * Matching inserted text against deleted text, so that words keep their author when they are
 * moved (deleted here, inserted there). Pure string work; callers map the results to clocks.
 *
 * Three passes, each only over what is still unmatched:
 * 1. **Exact runs**: an unmatched inserted stretch equal to a whole unconsumed deleted run
 *    (split, join, block-type change, wrap, drag-and-drop of a whole block, undo of those).
 *    Any length, so a one-character tail moved by a split is matched too.
 * 2. **Longest anchored matches**: left to right, the longest stretch of at least `minMatch`
 *    characters that also occurs, unconsumed, in the deleted text (anchored by a `minMatch`-gram
 *    index; moved text that was split into pieces, or moved together with new text).
 * 3. **Exact runs again**, for short pieces left between the matches of pass 2.
 * 4. **Whitespace between matches**: an unmatched stretch of at most {@link MAX_ABSORBED_SPACE}
 *    whitespace characters next to matched text takes the author of its (left, else right)
 *    neighbour. y-prosemirror's text diff often moves a word boundary's space to the other side
 *    of the moved text, which would otherwise leave a lone space with the mover.
 *
 * Every deleted character is consumed at most once: a participant may move words, not copy
 * them into more credit.
 */

/** A piece of deleted text that inserted text may match. `consumed` is updated in place. */
export interface PoolSegment {
  readonly text: string
  /** Author ref of each character of `text`. */
  readonly authors: ArrayLike<number>
  /** 1 where the character was already matched. */
  readonly consumed: Uint8Array
}

/** A range of pool segment `segment` that this call matched. */
export interface Consumption {
  segment: number
  offset: number
  len: number
}

/** Value of an unmatched character in `assigned`. */
export const UNMATCHED = -1

/** Shortest match accepted by the anchored pass (exact whole-run matches have no minimum). */
export const DEFAULT_MIN_MATCH = 6

/** Longest whitespace-only stretch that {@link matchText} attributes to its matched neighbour. */
export const MAX_ABSORBED_SPACE = 2

/** Candidates looked at per anchor, so pathological repetitive text stays linear. */
const MAX_CANDIDATES = 64

interface Stretch {
  seg: number
  start: number
  end: number
}

/**
 * Fills `assigned[t][i]` (for characters still {@link UNMATCHED}) with the author ref of the
 * deleted character it matches, consuming pool characters. Returns what it consumed.
 */
export function matchText(
  targets: readonly string[],
  assigned: readonly Int32Array[],
  pool: readonly PoolSegment[],
  minMatch: number = DEFAULT_MIN_MATCH
): Consumption[] {
  if (!Number.isInteger(minMatch) || minMatch < 1) throw new RangeError(`minMatch must be a positive integer, got ${minMatch}`)
  const consumed: Consumption[] = []
  if (pool.length === 0 || targets.length === 0) return consumed
  const take = (t: Stretch, p: number, pOffset: number, len: number): void => {
    const seg = pool[p]!
    const out = assigned[t.seg]!
    for (let k = 0; k < len; k++) {
      out[t.start + k] = seg.authors[pOffset + k]!
      seg.consumed[pOffset + k] = 1
    }
    consumed.push({ segment: p, offset: pOffset, len })
  }
  exactPass(targets, assigned, pool, take)
  anchoredPass(targets, assigned, pool, minMatch, take)
  exactPass(targets, assigned, pool, take)
  absorbSpaces(targets, assigned)
  return consumed
}

const SPACE = /^\s+$/

function absorbSpaces(targets: readonly string[], assigned: readonly Int32Array[]): void {
  for (const s of unmatchedStretches(assigned)) {
    if (s.end - s.start > MAX_ABSORBED_SPACE || !SPACE.test(targets[s.seg]!.slice(s.start, s.end))) continue
    const a = assigned[s.seg]!
    const left = s.start > 0 ? a[s.start - 1]! : UNMATCHED
    const right = s.end < a.length ? a[s.end]! : UNMATCHED
    const author = left !== UNMATCHED ? left : right
    if (author !== UNMATCHED) a.fill(author, s.start, s.end)
  }
}

/** Maximal unmatched stretches of the targets. */
function unmatchedStretches(assigned: readonly Int32Array[]): Stretch[] {
  const out: Stretch[] = []
  assigned.forEach((a, seg) => {
    let i = 0
    while (i < a.length) {
      if (a[i] !== UNMATCHED) {
        i++
        continue
      }
      const start = i
      while (i < a.length && a[i] === UNMATCHED) i++
      out.push({ seg, start, end: i })
    }
  })
  return out
}

/** Maximal unconsumed runs of the pool. */
function unconsumedRuns(pool: readonly PoolSegment[]): Stretch[] {
  const out: Stretch[] = []
  pool.forEach((p, seg) => {
    let i = 0
    const n = p.text.length
    while (i < n) {
      if (p.consumed[i] === 1) {
        i++
        continue
      }
      const start = i
      while (i < n && p.consumed[i] !== 1) i++
      out.push({ seg, start, end: i })
    }
  })
  return out
}

type Take = (t: Stretch, p: number, pOffset: number, len: number) => void

function exactPass(targets: readonly string[], assigned: readonly Int32Array[], pool: readonly PoolSegment[], take: Take): void {
  const runs = new Map<string, Stretch[]>()
  for (const run of unconsumedRuns(pool)) {
    const key = pool[run.seg]!.text.slice(run.start, run.end)
    const list = runs.get(key)
    if (list === undefined) runs.set(key, [run])
    else list.push(run)
  }
  if (runs.size === 0) return
  for (const stretch of unmatchedStretches(assigned)) {
    const key = targets[stretch.seg]!.slice(stretch.start, stretch.end)
    const run = runs.get(key)?.shift()
    if (run !== undefined) take(stretch, run.seg, run.start, run.end - run.start)
  }
}

function anchoredPass(
  targets: readonly string[],
  assigned: readonly Int32Array[],
  pool: readonly PoolSegment[],
  k: number,
  take: Take
): void {
  const stretches = unmatchedStretches(assigned).filter((s) => s.end - s.start >= k)
  if (stretches.length === 0) return
  // k-gram → flat [segment, offset, segment, offset, …] of unconsumed positions.
  const index = new Map<string, number[]>()
  for (const run of unconsumedRuns(pool)) {
    const text = pool[run.seg]!.text
    for (let o = run.start; o + k <= run.end; o++) {
      const key = text.slice(o, o + k)
      const list = index.get(key)
      if (list === undefined) index.set(key, [run.seg, o])
      else list.push(run.seg, o)
    }
  }
  if (index.size === 0) return
  for (const stretch of stretches) {
    const text = targets[stretch.seg]!
    let i = stretch.start
    while (i + k <= stretch.end) {
      const list = index.get(text.slice(i, i + k))
      let best = 0
      let bestSeg = -1
      let bestOffset = -1
      if (list !== undefined) {
        for (let j = 0, seen = 0; j < list.length && seen < MAX_CANDIDATES; j += 2) {
          const p = list[j]!
          const o = list[j + 1]!
          const seg = pool[p]!
          if (seg.consumed[o] === 1) continue
          seen++
          let l = 0
          const maxL = Math.min(stretch.end - i, seg.text.length - o)
          while (l < maxL && seg.consumed[o + l] !== 1 && seg.text.charCodeAt(o + l) === text.charCodeAt(i + l)) l++
          if (l > best) {
            best = l
            bestSeg = p
            bestOffset = o
          }
        }
      }
      if (best >= k) {
        take({ seg: stretch.seg, start: i, end: i + best }, bestSeg, bestOffset, best)
        i += best
      } else i++
    }
  }
}
