/**
 * Who wrote and who last moved every inserted character, keyed like Yjs 14's `IdMap`:
 * clientID → sorted, non-overlapping clock ranges → attribute (author, mover).
 *
 * Yjs clocks are write-once, so new facts almost always append at the end of their client's
 * list (clocks of a client integrate in order), which keeps recording O(1) and look-ups
 * O(log n) by binary search. The engine never re-attributes existing clocks (a character that
 * stayed in place keeps its author), but facts persisted by earlier versions did, so a later
 * fact about existing clocks still overrides the earlier one; facts are replayed in order, so
 * the last one wins everywhere.
 *
 * Participants are interned: a *ref* is 1 + the index in {@link AuthorMap.participants},
 * and ref 0 means "unknown" (text written before attribution existed, or never recorded).
 *
 * Each range also has an *origin*: the Yjs id of the character as first written, for its first
 * clock (the next clocks have the next origin clocks). A freshly typed character is its own
 * origin; a character the engine matched with a deleted one (a move) takes that one's origin,
 * so words keep one identity through split, join, wrap, drag, cut and paste, undo and redo
 * (contributions are keyed on it, see server/review/contributions.ts). Unrecorded clocks and
 * facts from before origins existed are their own origin.
 *
 * And a *moved-at* time: when the mover put the characters there, in whole seconds since the
 * Unix epoch, from the server's clock. Only ranges whose mover is not their author carry one
 * (typing leaves it 0, so a typed run keeps extending one range); 0 also means "unknown", for
 * facts written before times were kept (facts version 3 and older).
 */

/** Ref of an unknown participant. */
export const UNKNOWN = 0

/** The ranges of one clientID, as parallel arrays sorted by clock. */
interface ClientRanges {
  clocks: number[]
  lens: number[]
  authors: number[]
  movers: number[]
  originClients: number[]
  originClocks: number[]
  movedAts: number[]
}

/** The Yjs id of a character as first written. */
export interface Origin {
  client: number
  clock: number
}

/** A recorded range, as iterated by {@link AuthorMap.ranges}. */
export interface AttributedRange {
  client: number
  clock: number
  len: number
  author: number
  mover: number
  /** Origin of the range's first clock (the others follow it clock by clock). */
  origin: Origin
  /** When it was moved, seconds since the epoch; 0 when not moved or unknown. */
  movedAt: number
}

/** The IdMap-shaped attribution store. */
export class AuthorMap {
  /** Interned participant ids; ref r names `participants[r - 1]`. */
  readonly participants: string[] = []
  private readonly refs = new Map<string, number>()
  private readonly clients = new Map<number, ClientRanges>()

  /** The ref of `participantId`, interning it on first use. */
  refOf(participantId: string): number {
    let ref = this.refs.get(participantId)
    if (ref === undefined) {
      this.participants.push(participantId)
      ref = this.participants.length
      this.refs.set(participantId, ref)
    }
    return ref
  }

  /** The participant id of `ref`, or `null` for {@link UNKNOWN}. */
  idOf(ref: number): string | null {
    return ref === UNKNOWN ? null : (this.participants[ref - 1] ?? null)
  }

  /**
   * Records (author, mover, origin, movedAt) for clocks [clock, clock + len) of `client`,
   * replacing earlier facts. `origin` is that of the first clock; default: the clock itself.
   * `movedAt`: seconds since the epoch, 0 (the default) when not moved or unknown.
   */
  set(client: number, clock: number, len: number, author: number, mover: number, origin?: Origin, movedAt = 0): void {
    if (len <= 0) return
    const oClient = origin?.client ?? client
    const oClock = origin?.clock ?? clock
    let r = this.clients.get(client)
    if (r === undefined) {
      r = { clocks: [], lens: [], authors: [], movers: [], originClients: [], originClocks: [], movedAts: [] }
      this.clients.set(client, r)
    }
    const n = r.clocks.length
    const lastEnd = n === 0 ? 0 : r.clocks[n - 1]! + r.lens[n - 1]!
    if (n === 0 || clock >= lastEnd) {
      if (
        n > 0 &&
        clock === lastEnd &&
        r.authors[n - 1] === author &&
        r.movers[n - 1] === mover &&
        r.originClients[n - 1] === oClient &&
        r.originClocks[n - 1]! + r.lens[n - 1]! === oClock &&
        r.movedAts[n - 1] === movedAt
      ) {
        r.lens[n - 1]! += len
      } else {
        r.clocks.push(clock)
        r.lens.push(len)
        r.authors.push(author)
        r.movers.push(mover)
        r.originClients.push(oClient)
        r.originClocks.push(oClock)
        r.movedAts.push(movedAt)
      }
      return
    }
    // Rare: a fact about existing clocks. Cut the overlapped ranges, then insert.
    const end = clock + len
    let i = Math.max(0, this.indexAt(r, clock))
    while (i < r.clocks.length && r.clocks[i]! + r.lens[i]! <= clock) i++
    const insertAt = i
    type Row = [clock: number, len: number, author: number, mover: number, originClient: number, originClock: number, movedAt: number]
    const removed: Row[] = []
    let k = i
    while (k < r.clocks.length && r.clocks[k]! < end) {
      removed.push([r.clocks[k]!, r.lens[k]!, r.authors[k]!, r.movers[k]!, r.originClients[k]!, r.originClocks[k]!, r.movedAts[k]!])
      k++
    }
    const keep: Row[] = []
    const first = removed[0]
    if (first !== undefined && first[0] < clock) keep.push([first[0], clock - first[0], first[2], first[3], first[4], first[5], first[6]])
    keep.push([clock, len, author, mover, oClient, oClock, movedAt])
    const last = removed[removed.length - 1]
    if (last !== undefined && last[0] + last[1] > end) keep.push([end, last[0] + last[1] - end, last[2], last[3], last[4], last[5] + end - last[0], last[6]])
    r.clocks.splice(insertAt, removed.length, ...keep.map((x) => x[0]))
    r.lens.splice(insertAt, removed.length, ...keep.map((x) => x[1]))
    r.authors.splice(insertAt, removed.length, ...keep.map((x) => x[2]))
    r.movers.splice(insertAt, removed.length, ...keep.map((x) => x[3]))
    r.originClients.splice(insertAt, removed.length, ...keep.map((x) => x[4]))
    r.originClocks.splice(insertAt, removed.length, ...keep.map((x) => x[5]))
    r.movedAts.splice(insertAt, removed.length, ...keep.map((x) => x[6]))
  }

  /**
   * Calls `fn(len, author, mover, movedAt)` for consecutive pieces covering [clock, clock + len)
   * of `client`, in clock order; uncovered clocks come as {@link UNKNOWN} (movedAt 0).
   */
  forEach(client: number, clock: number, len: number, fn: (len: number, author: number, mover: number, movedAt: number) => void): void {
    const r = this.clients.get(client)
    const end = clock + len
    if (r === undefined) {
      fn(len, UNKNOWN, UNKNOWN, 0)
      return
    }
    let i = Math.max(0, this.indexAt(r, clock))
    let cursor = clock
    while (cursor < end) {
      if (i >= r.clocks.length) {
        fn(end - cursor, UNKNOWN, UNKNOWN, 0)
        return
      }
      const start = r.clocks[i]!
      const stop = start + r.lens[i]!
      if (stop <= cursor) {
        i++
        continue
      }
      if (start > cursor) {
        const gapEnd = Math.min(end, start)
        fn(gapEnd - cursor, UNKNOWN, UNKNOWN, 0)
        cursor = gapEnd
        continue
      }
      const pieceEnd = Math.min(end, stop)
      fn(pieceEnd - cursor, r.authors[i]!, r.movers[i]!, r.movedAts[i]!)
      cursor = pieceEnd
      i++
    }
  }

  /**
   * Calls `fn(len, originClient, originClock)` for consecutive pieces covering [clock, clock +
   * len) of `client`, in clock order (`originClock` is that of the piece's first clock).
   */
  forEachOrigin(client: number, clock: number, len: number, fn: (len: number, originClient: number, originClock: number) => void): void {
    const r = this.clients.get(client)
    const end = clock + len
    if (r === undefined) {
      fn(len, client, clock)
      return
    }
    let i = Math.max(0, this.indexAt(r, clock))
    let cursor = clock
    while (cursor < end) {
      const start = i < r.clocks.length ? r.clocks[i]! : end
      const stop = i < r.clocks.length ? start + r.lens[i]! : end
      if (i < r.clocks.length && stop <= cursor) {
        i++
        continue
      }
      if (start > cursor || i >= r.clocks.length) {
        const gapEnd = Math.min(end, start)
        fn(gapEnd - cursor, client, cursor)
        cursor = gapEnd
        continue
      }
      const pieceEnd = Math.min(end, stop)
      fn(pieceEnd - cursor, r.originClients[i]!, r.originClocks[i]! + cursor - start)
      cursor = pieceEnd
      i++
    }
  }

  /** Origin of one clock. */
  originAt(client: number, clock: number): Origin {
    let origin: Origin = { client, clock }
    this.forEachOrigin(client, clock, 1, (_len, c, k) => {
      origin = { client: c, clock: k }
    })
    return origin
  }

  /** Author ref of one clock. */
  authorAt(client: number, clock: number): number {
    let author = UNKNOWN
    this.forEach(client, clock, 1, (_len, a) => {
      author = a
    })
    return author
  }

  /** Every recorded range, by client then clock. */
  *ranges(): IterableIterator<AttributedRange> {
    for (const [client, r] of this.clients) {
      for (let i = 0; i < r.clocks.length; i++) {
        const origin = { client: r.originClients[i]!, clock: r.originClocks[i]! }
        yield { client, clock: r.clocks[i]!, len: r.lens[i]!, author: r.authors[i]!, mover: r.movers[i]!, origin, movedAt: r.movedAts[i]! }
      }
    }
  }

  /** Number of stored ranges (a size measure). */
  get rangeCount(): number {
    let n = 0
    for (const r of this.clients.values()) n += r.clocks.length
    return n
  }

  /** Index of the last range starting at or before `clock` (-1 if none). */
  private indexAt(r: ClientRanges, clock: number): number {
    let lo = 0
    let hi = r.clocks.length - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (r.clocks[mid]! <= clock) {
        found = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    return found
  }
}
