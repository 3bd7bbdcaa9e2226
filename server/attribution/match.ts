/**
 * Matching inserted text against deleted text, so that words keep their author when they are
 * moved (deleted here, inserted there). Pure string work; callers map the results to clocks.
 *
 * **Conservation, by construction.** An inserted character takes an author only through `take`,
 * which consumes one distinct, unconsumed deleted character with the same character value
 * ({@link TextPool.take} refuses a consumed one) and copies that character's author. So for
 * every author A, the characters credited to A by matching never outnumber the characters of A
 * that were deleted and not yet re-used: text can move, it cannot be copied into more credit.
 *
 * Passes, each only over what is still unmatched:
 * 0. **Hints and claims**, from where Yjs's undo puts restored text: in front of the deleted
 *    item it restores. A hint names a position of the pool (P's own earlier deletion): as many
 *    equal characters as there are. A claim names only authors (the restored item was deleted
 *    and its text re-used, for instance by the move being undone): each character consumes an
 *    equal pool character of the claimed author, contiguous pieces first.
 * 1. **Exact runs** (unless `exact: false`): an inserted stretch equal to a whole unconsumed deleted run (split, join,
 *    block-type change, wrap, drag-and-drop of a whole block, undo of those). Any length, so a
 *    one-character tail moved by a split is matched too.
 * 2. **Longest anchored matches**: left to right, the longest stretch of at least `minMatch`
 *    characters that also occurs, unconsumed, in the deleted text (moved text that was split
 *    into pieces, or moved together with new text).
 * 3. **Exact runs again** (unless `exact: false`), for short pieces left between the matches of
 *    pass 2.
 * 4. **Rearranged leftovers** (only with `rearrange`, for deletions of the same update): when the
 *    characters left unmatched are exactly the characters left unconsumed (the same multiset),
 *    the update only rearranged them: a drag of a few characters, which y-prosemirror writes as
 *    a rotation of the dragged text and its neighbours, or a move whose word-boundary space the
 *    text diff put on the other side. They are matched longest common piece first, down to
 *    single characters. Typing over a selection inserts other characters than it deletes, so
 *    it is not matched here.
 * 5. **Spaces next to a match**: an unmatched stretch of at most {@link MAX_ABSORBED_SPACE}
 *    whitespace characters next to matched text consumes an equal whitespace character just
 *    before or after that match's source, if one is left there (y-prosemirror's text diff often
 *    moves a word boundary's space to the other side of the moved text).
 */
import { TextPool, type PoolSegment } from './pool.js'

export type { PoolSegment } from './pool.js'

/** A range of pool segment `segment` that a call consumed. */
export interface Consumption {
  segment: number
  offset: number
  len: number
}

/** Options of {@link matchText}. */
export interface MatchOptions {
  /** Shortest match of pass 2 when the pool is given as segments (a {@link TextPool} has its own `k`). Default {@link DEFAULT_MIN_MATCH}. */
  minMatch?: number
  /** Run passes 1 and 3. Default true. */
  exact?: boolean
  /** Run pass 4 (for the same update's deletions only). Default false. */
  rearrange?: boolean
  /** Pass 0. */
  hints?: readonly MatchHint[]
  /** Pass 0. */
  claims?: readonly MatchClaim[]
}

/** Pass 0: target `target` from `start` restores characters of these authors, in order. */
export interface MatchClaim {
  target: number
  start: number
  authors: ArrayLike<number>
}

/** Pool characters a claim may scan per character (claims are for small undo steps). */
const MAX_CLAIM_SCAN = 4096

/** Pass 0: target `target` from `start` is expected to re-insert segment `seg` from `offset`. */
export interface MatchHint {
  target: number
  start: number
  seg: number
  offset: number
  /** Most characters to match. */
  len: number
}

/** Value of an unmatched character in `assigned`. */
export const UNMATCHED = -1

/** Shortest match accepted by the anchored pass (exact whole-run matches have no minimum). */
export const DEFAULT_MIN_MATCH = 6

/** Longest whitespace-only stretch that {@link matchText} attributes next to a match. */
export const MAX_ABSORBED_SPACE = 2

/** Most leftover characters pass 4 looks at (it is quadratic; honest drags leave a handful). */
export const MAX_REARRANGED = 256

interface Stretch {
  seg: number
  start: number
  end: number
}

/** One consumption with the target range it assigned: target `target` from `start`. */
export interface Take extends Consumption {
  target: number
  start: number
}

/**
 * Fills `assigned[t][i]` (for characters still {@link UNMATCHED}) with the author ref of the
 * deleted character it matches, consuming pool characters. Returns what it consumed, with
 * segment indexes of `pool` and the target characters each consumption went to.
 */
export function matchText(
  targets: readonly string[],
  assigned: readonly Int32Array[],
  pool: TextPool | readonly PoolSegment[],
  options: MatchOptions = {}
): Take[] {
  const minMatch = options.minMatch ?? DEFAULT_MIN_MATCH
  if (!Number.isInteger(minMatch) || minMatch < 1) throw new RangeError(`minMatch must be a positive integer, got ${minMatch}`)
  const takes: Take[] = []
  if (targets.length === 0) return takes
  const p = pool instanceof TextPool ? pool : TextPool.of(pool, minMatch)
  if (p.size === 0) return takes
  /** Index into `takes` of the take that matched each target character. */
  const via = targets.map((t) => new Int32Array(t.length).fill(-1))
  const take = (t: number, start: number, s: number, offset: number, len: number): void => {
    const seg = p.segment(s)
    const text = targets[t]!
    const out = assigned[t]!
    for (let k = 0; k < len; k++) {
      // Never reached by the passes below; the check makes the invariant local to this function.
      if (seg.text.charCodeAt(offset + k) !== text.charCodeAt(start + k) || out[start + k] !== UNMATCHED) {
        throw new Error('matchText: a take must pair equal, unmatched characters')
      }
    }
    p.take(s, offset, len)
    for (let k = 0; k < len; k++) {
      out[start + k] = seg.authors[offset + k]!
      via[t]![start + k] = takes.length
    }
    takes.push({ segment: s, offset, len, target: t, start })
  }
  for (const h of options.hints ?? []) hintPass(targets, assigned, p, h, take)
  for (const c of options.claims ?? []) claimPass(targets, assigned, p, c, take)
  const exact = options.exact !== false
  if (exact) exactPass(targets, assigned, p, take)
  anchoredPass(targets, assigned, p, take)
  if (exact) exactPass(targets, assigned, p, take)
  if (options.rearrange === true) rearrangePass(targets, assigned, p, take)
  absorbSpaces(targets, assigned, p, takes, via, take)
  return takes.map(({ segment, offset, len, target, start }) => ({ segment, offset, len, target, start }))
}

type TakeFn = (t: number, start: number, s: number, offset: number, len: number) => void

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

function hintPass(targets: readonly string[], assigned: readonly Int32Array[], pool: TextPool, h: MatchHint, take: TakeFn): void {
  if (!pool.isLive(h.seg)) return
  const seg = pool.segment(h.seg)
  const text = targets[h.target]!
  const out = assigned[h.target]!
  let l = 0
  const maxL = Math.min(h.len, text.length - h.start, seg.text.length - h.offset)
  while (l < maxL && out[h.start + l] === UNMATCHED && seg.consumed[h.offset + l] !== 1 && seg.text.charCodeAt(h.offset + l) === text.charCodeAt(h.start + l)) l++
  if (l > 0) take(h.target, h.start, h.seg, h.offset, l)
}

function claimPass(targets: readonly string[], assigned: readonly Int32Array[], pool: TextPool, c: MatchClaim, take: TakeFn): void {
  const text = targets[c.target]!
  const out = assigned[c.target]!
  let prevSeg = -1
  let prevEnd = -1
  const fits = (s: number, o: number, i: number): boolean => {
    const seg = pool.segment(s)
    return o < seg.text.length && seg.consumed[o] !== 1 && seg.authors[o] === c.authors[i] && seg.text.charCodeAt(o) === text.charCodeAt(c.start + i)
  }
  for (let i = 0; i < c.authors.length && c.start + i < text.length; i++) {
    if (out[c.start + i] !== UNMATCHED) continue
    let found: [number, number] | null = prevSeg >= 0 && fits(prevSeg, prevEnd, i) ? [prevSeg, prevEnd] : null
    for (let s = 0, scanned = 0; found === null && s < pool.segmentCount && scanned < MAX_CLAIM_SCAN; s++) {
      if (!pool.isLive(s)) continue
      const n = pool.segment(s).text.length
      for (let o = 0; o < n && scanned < MAX_CLAIM_SCAN; o++, scanned++) {
        if (fits(s, o, i)) {
          found = [s, o]
          break
        }
      }
    }
    if (found === null) continue
    take(c.target, c.start + i, found[0], found[1], 1)
    prevSeg = found[0]
    prevEnd = found[1] + 1
  }
}

function exactPass(targets: readonly string[], assigned: readonly Int32Array[], pool: TextPool, take: TakeFn): void {
  for (const s of unmatchedStretches(assigned)) {
    const m = pool.exactRun(targets[s.seg]!.slice(s.start, s.end))
    if (m !== null) take(s.seg, s.start, m.seg, m.offset, m.len)
  }
}

function anchoredPass(targets: readonly string[], assigned: readonly Int32Array[], pool: TextPool, take: TakeFn): void {
  for (const s of unmatchedStretches(assigned)) {
    const text = targets[s.seg]!
    let i = s.start
    while (i + pool.k <= s.end) {
      const m = pool.longestAt(text, i, s.end)
      if (m === null) i++
      else {
        take(s.seg, i, m.seg, m.offset, m.len)
        i += m.len
      }
    }
  }
}

function rearrangePass(targets: readonly string[], assigned: readonly Int32Array[], pool: TextPool, take: TakeFn): void {
  const stretches = unmatchedStretches(assigned)
  let left = 0
  const counts = new Map<number, number>()
  for (const s of stretches) {
    left += s.end - s.start
    if (left > MAX_REARRANGED) return
    for (let i = s.start; i < s.end; i++) {
      const c = targets[s.seg]!.charCodeAt(i)
      counts.set(c, (counts.get(c) ?? 0) + 1)
    }
  }
  if (left === 0) return
  // Unconsumed pool characters by value; the multisets must be equal.
  const byChar = new Map<number, number[]>()
  let poolLeft = 0
  for (let s = 0; s < pool.segmentCount; s++) {
    if (!pool.isLive(s)) continue
    const seg = pool.segment(s)
    for (let o = 0; o < seg.text.length; o++) {
      if (seg.consumed[o] === 1) continue
      if (++poolLeft > left) return
      const c = seg.text.charCodeAt(o)
      const n = counts.get(c)
      if (n === undefined || n === 0) return
      counts.set(c, n - 1)
      const list = byChar.get(c)
      if (list === undefined) byChar.set(c, [s, o])
      else list.push(s, o)
    }
  }
  if (poolLeft !== left) return
  // Longest common piece first, over all leftovers: a rotation "mode and" → "and mode" splits
  // into its two words, and a dragged letter pairs with the letter that moved, not an equal one
  // that stayed in its word. Each round is a common-suffix table over the leftovers.
  const ins = stretches.flatMap((st) => Array.from({ length: st.end - st.start }, (_, k) => [st.seg, st.start + k] as const))
  const del: Array<readonly [number, number]> = []
  for (const [, list] of byChar) for (let j = 0; j < list.length; j += 2) del.push([list[j]!, list[j + 1]!])
  del.sort((x, y) => x[0] - y[0] || x[1] - y[1])
  const insChar = (i: number): number => targets[ins[i]![0]]!.charCodeAt(ins[i]![1])
  const delChar = (j: number): number => pool.segment(del[j]![0]).text.charCodeAt(del[j]![1])
  const free = (i: number, j: number): boolean => assigned[ins[i]![0]]![ins[i]![1]] === UNMATCHED && pool.segment(del[j]![0]).consumed[del[j]![1]] !== 1
  // Neighbours in the leftovers that are also neighbours in their text.
  const insNext = (i: number): boolean => i + 1 < ins.length && ins[i + 1]![0] === ins[i]![0] && ins[i + 1]![1] === ins[i]![1] + 1
  const delNext = (j: number): boolean => j + 1 < del.length && del[j + 1]![0] === del[j]![0] && del[j + 1]![1] === del[j]![1] + 1
  const m = del.length
  const run = new Int32Array((ins.length + 1) * (m + 1))
  for (let rounds = 0; ; rounds++) {
    let best = 0
    let bestI = -1
    let bestJ = -1
    for (let i = ins.length - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        let l = 0
        if (free(i, j) && insChar(i) === delChar(j)) l = 1 + (insNext(i) && delNext(j) ? run[(i + 1) * (m + 1) + j + 1]! : 0)
        run[i * (m + 1) + j] = l
        if (l > best || (l === best && l > 0)) {
          best = l
          bestI = i
          bestJ = j
        }
      }
    }
    if (best === 0) return
    take(ins[bestI]![0], ins[bestI]![1], del[bestJ]![0], del[bestJ]![1], best)
    if (rounds > 64) break
  }
  // Many small pieces (not a drag): finish left to right.
  for (let i = 0; i < ins.length; i++) {
    for (let j = 0; j < m; j++) {
      if (free(i, j) && insChar(i) === delChar(j)) {
        take(ins[i]![0], ins[i]![1], del[j]![0], del[j]![1], 1)
        break
      }
    }
  }
}

const SPACE = /^\s+$/

function absorbSpaces(
  targets: readonly string[],
  assigned: readonly Int32Array[],
  pool: TextPool,
  takes: readonly Take[],
  via: readonly Int32Array[],
  take: TakeFn
): void {
  for (const s of unmatchedStretches(assigned)) {
    const text = targets[s.seg]!
    if (s.end - s.start > MAX_ABSORBED_SPACE || !SPACE.test(text.slice(s.start, s.end))) continue
    const v = via[s.seg]!
    const neighbours = [s.start > 0 ? v[s.start - 1]! : -1, s.end < v.length ? v[s.end]! : -1].filter((n) => n >= 0)
    for (let i = s.start; i < s.end; i++) {
      const c = text.charCodeAt(i)
      found: for (const n of neighbours) {
        const { segment, offset, len } = takes[n]!
        const seg = pool.segment(segment)
        for (const o of [offset - 1, offset - 2, offset + len, offset + len + 1]) {
          if (o < 0 || o >= seg.text.length || seg.consumed[o] === 1 || seg.text.charCodeAt(o) !== c) continue
          take(s.seg, i, segment, o, 1)
          break found
        }
      }
    }
  }
}
