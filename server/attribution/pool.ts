/**
 * A pool of deleted text that inserted text may be matched against, indexed so that a look-up
 * costs in proportion to the text looked up, never to the size of the pool: the recently-deleted
 * index of a participant can hold 500 000 characters and is consulted on every keystroke.
 *
 * - **k-gram chains**: every position of every segment is linked to the previous position whose
 *   `k` characters hash to the same bucket (typed arrays, newest first). Positions only grow, so
 *   a walk stops at the first position of a dropped segment.
 * - **Exact runs**: a map from text to the positions of unconsumed runs with that text: whole
 *   segments when added, and remainders shorter than `k` left by consumption (longer ones are
 *   found through the chains). Entries are validated, and dropped when stale, on look-up.
 *
 * Consumption is the only mutation of a segment, and {@link TextPool.take} is the only way to
 * consume: each character is handed out at most once.
 */

/** A piece of deleted text that inserted text may match. `consumed` is updated in place. */
export interface PoolSegment {
  readonly text: string
  /** Author ref of each character of `text`. */
  readonly authors: ArrayLike<number>
  /** 1 where the character was already matched. */
  readonly consumed: Uint8Array
}

/** A match found in the pool: segment index, offset in it, length. */
export interface PoolMatch {
  seg: number
  offset: number
  len: number
}

/** Chain nodes visited per look-up, so repetitive text keeps look-ups bounded. */
const MAX_VISITS = 256

const HASH_BASE = 31

/** Polynomial hash of `text[at, at + k)` (32-bit). */
function gramHash(text: string, at: number, k: number): number {
  let h = 0
  for (let j = 0; j < k; j++) h = (Math.imul(h, HASH_BASE) + text.charCodeAt(at + j)) | 0
  return h
}

function bucketOf(h: number, mask: number): number {
  const x = Math.imul(h ^ (h >>> 16), 0x45d9f3b)
  return (x ^ (x >>> 16)) & mask
}

/** The segments, their positions and both indexes. */
export class TextPool<S extends PoolSegment = PoolSegment> {
  /** Every segment ever added; segment indexes never change, dropped ones are cleared. */
  private readonly segs: Array<S | undefined> = []
  /** Position of each live segment's first character (positions restart at 0 on rebuild). */
  private readonly bases: number[] = []
  /** Index of the first segment not dropped. */
  private first = 0
  /** Next free position. */
  private end = 0
  private next: Int32Array = new Int32Array(0)
  private heads: Int32Array = new Int32Array(0)
  private mask = 0
  private runs = new Map<string, number[]>()
  private readonly pow: number

  constructor(readonly k: number) {
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`)
    let pow = 1
    for (let j = 1; j < k; j++) pow = Math.imul(pow, HASH_BASE)
    this.pow = pow
    this.rebuild(0)
  }

  /** A pool of `segments`, in order. */
  static of<T extends PoolSegment>(segments: Iterable<T>, k: number): TextPool<T> {
    const pool = new TextPool<T>(k)
    for (const s of segments) pool.add(s)
    return pool
  }

  /** Live segments (not dropped), oldest first. */
  get live(): S[] {
    return this.segs.slice(this.first) as S[]
  }

  /** Segment `i` (an index from a {@link PoolMatch}). */
  segment(i: number): S {
    return this.segs[i]!
  }

  /** Number of segments ever added (indexes below {@link TextPool.segmentCount}). */
  get segmentCount(): number {
    return this.segs.length
  }

  /** Index of the oldest live segment ({@link TextPool.segmentCount} when none is). */
  get firstLive(): number {
    return this.first
  }

  /** Whether segment index `i` is live. */
  isLive(i: number): boolean {
    return i >= this.first && i < this.segs.length
  }

  /** Characters in live segments. */
  get size(): number {
    return this.end - (this.bases[this.first] ?? this.end)
  }

  /** Appends a segment; returns its index. */
  add(seg: S): number {
    if (seg.authors.length !== seg.text.length || seg.consumed.length !== seg.text.length) {
      throw new RangeError('TextPool.add: one author and one consumed flag per character')
    }
    if (this.end + seg.text.length > this.next.length) this.rebuild(seg.text.length)
    const index = this.segs.length
    this.segs.push(seg)
    this.bases.push(this.end)
    this.indexSegment(index)
    return index
  }

  /** Drops the `n` oldest live segments (their characters are never handed out again). */
  dropOldest(n: number): void {
    const to = Math.min(this.segs.length, this.first + n)
    for (; this.first < to; this.first++) this.segs[this.first] = undefined
    // Keep the index proportional to the live pool.
    if (this.end > 1024 && this.size * 4 < this.end) this.rebuild(0)
  }

  /**
   * The oldest unconsumed run whose text is `key` and that is bounded by consumed characters or
   * its segment's ends (see the module comment for which runs are indexed).
   */
  exactRun(key: string): PoolMatch | null {
    const list = this.runs.get(key)
    if (list === undefined) return null
    const liveStart = this.bases[this.first] ?? this.end
    for (let i = 0; i < list.length; ) {
      const p = list[i]!
      const at = p >= liveStart ? this.locate(p) : -1
      if (at >= 0 && this.isRun(at, p - this.bases[at]!, key.length)) return { seg: at, offset: p - this.bases[at]!, len: key.length }
      list.splice(i, 1)
    }
    if (list.length === 0) this.runs.delete(key)
    return null
  }

  /**
   * The longest unconsumed stretch of the pool equal to a prefix of `target[at, end)` of at
   * least `k` characters, found through the k-gram chains (newest first; ties keep the newest).
   */
  longestAt(target: string, at: number, end: number): PoolMatch | null {
    if (end - at < this.k) return null
    const liveStart = this.bases[this.first] ?? this.end
    let p = this.heads[bucketOf(gramHash(target, at, this.k), this.mask)]!
    let best: PoolMatch | null = null
    for (let visits = 0; p >= liveStart && visits < MAX_VISITS; visits++, p = this.next[p]!) {
      const s = this.locate(p)
      const seg = this.segs[s]!
      const o = p - this.bases[s]!
      const maxL = Math.min(end - at, seg.text.length - o)
      let l = 0
      while (l < maxL && seg.consumed[o + l] !== 1 && seg.text.charCodeAt(o + l) === target.charCodeAt(at + l)) l++
      if (l >= this.k && (best === null || l > best.len)) best = { seg: s, offset: o, len: l }
    }
    return best
  }

  /**
   * Consumes `len` characters of segment `s` from `offset`.
   * @throws {RangeError} if one of them is consumed already or the segment was dropped.
   */
  take(s: number, offset: number, len: number): void {
    this.markConsumed(s, offset, len, true)
  }

  /** Consumes what persisted facts say was consumed (already-consumed characters are fine). */
  replayConsumed(s: number, offset: number, len: number): void {
    this.markConsumed(s, offset, len, false)
  }

  private markConsumed(s: number, offset: number, len: number, strict: boolean): void {
    if (!this.isLive(s)) throw new RangeError(`TextPool: segment ${s} is not live`)
    const seg = this.segs[s]!
    const from = Math.max(0, offset)
    const to = Math.min(seg.text.length, offset + len)
    for (let i = from; i < to; i++) {
      if (strict && seg.consumed[i] === 1) throw new RangeError('TextPool.take: character already consumed')
      seg.consumed[i] = 1
    }
    if (from >= to) return
    // Register the short remainders on both sides as exact runs (longer ones are in the chains).
    let a = from
    while (a > 0 && from - a < this.k && seg.consumed[a - 1] !== 1) a--
    if (a < from && (a === 0 || seg.consumed[a - 1] === 1) && from - a < this.k) this.addRun(s, a, from)
    let b = to
    while (b < seg.text.length && b - to < this.k && seg.consumed[b] !== 1) b++
    if (b > to && (b === seg.text.length || seg.consumed[b] === 1) && b - to < this.k) this.addRun(s, to, b)
  }

  private isRun(s: number, o: number, len: number): boolean {
    const seg = this.segs[s]!
    if (o + len > seg.text.length) return false
    if (o > 0 && seg.consumed[o - 1] !== 1) return false
    if (o + len < seg.text.length && seg.consumed[o + len] !== 1) return false
    for (let i = o; i < o + len; i++) if (seg.consumed[i] === 1) return false
    return true
  }

  private addRun(s: number, from: number, to: number): void {
    const key = this.segs[s]!.text.slice(from, to)
    const list = this.runs.get(key)
    if (list === undefined) this.runs.set(key, [this.bases[s]! + from])
    else list.push(this.bases[s]! + from)
  }

  /** Segment holding position `p` (binary search over live segments). */
  private locate(p: number): number {
    let lo = this.first
    let hi = this.segs.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1
      if (this.bases[mid]! <= p) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  private indexSegment(s: number): void {
    const seg = this.segs[s]!
    const base = this.bases[s]!
    const { text } = seg
    this.end = base + text.length
    // Maximal unconsumed runs (the whole segment, unless replayed facts consumed parts).
    for (let i = 0; i < text.length; ) {
      if (seg.consumed[i] === 1) {
        i++
        continue
      }
      const start = i
      while (i < text.length && seg.consumed[i] !== 1) i++
      this.addRun(s, start, i)
    }
    if (text.length < this.k) return
    let h = gramHash(text, 0, this.k)
    for (let o = 0; ; o++) {
      const b = bucketOf(h, this.mask)
      this.next[base + o] = this.heads[b]!
      this.heads[b] = base + o
      if (o + this.k >= text.length) break
      h = (Math.imul(h - Math.imul(text.charCodeAt(o), this.pow), HASH_BASE) + text.charCodeAt(o + this.k)) | 0
    }
  }

  /** Re-indexes the live segments from position 0, with room for `extra` more characters. */
  private rebuild(extra: number): void {
    let chars = extra
    for (let s = this.first; s < this.segs.length; s++) chars += this.segs[s]!.text.length
    let capacity = 64
    while (capacity < chars * 2) capacity *= 2
    this.end = 0
    this.next = new Int32Array(capacity)
    this.heads = new Int32Array(capacity).fill(-1)
    this.mask = capacity - 1
    this.runs = new Map()
    for (let s = 0; s < this.first; s++) this.bases[s] = 0
    for (let s = this.first; s < this.segs.length; s++) {
      this.bases[s] = this.end
      this.indexSegment(s)
    }
  }
}
