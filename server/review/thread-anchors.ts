/**
 * Thread anchors: which characters of a spec a thread points at, decided by the server.
 *
 * A client sends two base64 `Y.RelativePosition`s (made by y-prosemirror's
 * `absolutePositionToRelativePosition`): `start` before the first character and `end` after
 * the last. When the thread is created the server resolves both against the live room doc and
 * records the *origins* of the live characters between them ({@link DocIndex.range}): the Yjs
 * id each character had when first written, which the attribution engine carries onto the
 * copies ProseMirror re-inserts on a split, join, heading or list change, move or undo (the
 * same identity contributions use, server/review/contributions.ts rule 1). They are stored as
 * id runs. From then on the thread's text is what is live of exactly those characters
 * ({@link DocIndex.textOf}):
 *
 * - [A1] An anchor must decode (at most {@link MAX_ANCHOR_BYTES} bytes) and point into the
 *   spec's `prosemirror` XmlFragment: a live Y.XmlText inside it, or the fragment or a live
 *   element itself. Anything else is refused with {@link AnchorError} `invalid_anchor`.
 * - [A2] The anchored characters are the live characters from `start` up to `end`, in
 *   document order; none (or `end` before `start`) is `empty_range`; more than
 *   {@link MAX_ANCHORED_CHARS} characters, or more than {@link MAX_ANCHOR_RUNS} runs, is
 *   `range_too_long`.
 * - [A3] The text of a thread is the live characters whose origin is one of its anchored
 *   characters, in document order; pieces in different Y.XmlTexts (blocks) are joined by "\n".
 *   Text typed later inside the range is not part of it (it never was anchored).
 *   `textRemoved` is true exactly when none is left.
 *
 * Yjs never reorders existing items, so characters keep the order they had; ids of deleted
 * (even garbage-collected) characters are simply not found live any more. Without an origin
 * map (tests over bare Y.Docs) every character is its own origin.
 */
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { FRAGMENT_NAME } from '../../shared/schema.js'

/** Largest decoded anchor accepted: a relative position is a few varints. */
export const MAX_ANCHOR_BYTES = 64
/** Most characters one thread may anchor. */
export const MAX_ANCHORED_CHARS = 10_000
/** Most id runs one thread's anchored characters may form (fragmented text costs runs). */
export const MAX_ANCHOR_RUNS = 2_000

/** Why an anchor or range was refused (answered as 400 with this code). */
export type AnchorErrorCode = 'invalid_anchor' | 'empty_range' | 'range_too_long'

/** A refused anchor or range. */
export class AnchorError extends Error {
  constructor(
    readonly code: AnchorErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'AnchorError'
  }
}

/** Consecutive Yjs ids `client:clock .. client:clock+len-1`. */
export interface IdRun {
  client: number
  clock: number
  len: number
}

/** What a range resolved to at creation. */
export interface AnchoredRange {
  /** Origins of the anchored characters, as id runs sorted by client and clock. */
  runs: IdRun[]
  /** Their text ([A3] joining). */
  text: string
}

/** The current text of a thread's anchored characters. */
export interface AnchoredText {
  text: string
  textRemoved: boolean
}

/**
 * Where characters came from: the attribution engine's author map (server/attribution/
 * author-map.ts) gives every character the Yjs id it had when first written, carried onto
 * copies ProseMirror re-inserts on a split, join, move or undo. Without one, every character is
 * its own origin.
 */
export interface OriginMap {
  forEachOrigin(client: number, clock: number, len: number, fn: (len: number, originClient: number, originClock: number) => void): void
}

/** A live string item inside the fragment, with its place in document order. */
interface Unit {
  item: Y.Item
  block: Y.XmlText
  /** Offset of its first character among all live countable content of the fragment. */
  offset: number
}

/** `len` characters of unit `unit` from `off` on, whose origins are `clock..clock+len-1` of one client. */
interface Segment {
  clock: number
  len: number
  unit: number
  off: number
}

/**
 * One walk over the live content of a doc's fragment: every live string item in document
 * order with the origins of its characters, where each type starts and ends, and where each
 * element's children start. Build it once per read and resolve many threads against it.
 */
export class DocIndex {
  readonly fragment: Y.XmlFragment
  private readonly units: Unit[] = []
  /** Segments of each unit, in offset order. */
  private readonly unitSegments: Array<Array<Segment & { client: number }>> = []
  /** Segments by origin client, in origin clock order, and the longest of each client. */
  private readonly byOrigin = new Map<number, { segments: Segment[]; longest: number }>()
  private readonly starts = new Map<Y.AbstractType<unknown>, number>()
  private readonly ends = new Map<Y.AbstractType<unknown>, number>()
  private readonly childStarts = new Map<Y.AbstractType<unknown>, number[]>()

  constructor(
    readonly doc: Y.Doc,
    origins?: OriginMap
  ) {
    this.fragment = doc.getXmlFragment(FRAGMENT_NAME)
    let offset = 0
    const walk = (type: Y.AbstractType<unknown>): void => {
      this.starts.set(type, offset)
      const children: number[] = []
      for (let item = type._start; item !== null; item = item.right) {
        if (item.deleted || !item.countable) continue
        if (type instanceof Y.XmlText) {
          if (item.content instanceof Y.ContentString) this.addUnit({ item, block: type, offset }, origins)
          offset += item.length
        } else {
          children.push(offset)
          if (item.content instanceof Y.ContentType) walk(item.content.type)
        }
      }
      this.childStarts.set(type, children)
      this.ends.set(type, offset)
    }
    walk(this.fragment as Y.AbstractType<unknown>)
    for (const entry of this.byOrigin.values()) entry.segments.sort((a, b) => a.clock - b.clock)
  }

  /** [A1]: the offset `anchor` (base64) resolves to. @throws AnchorError `invalid_anchor` */
  offsetOf(anchor: string): number {
    const rpos = decodeAnchor(anchor)
    if (rpos.tname !== null && rpos.tname !== FRAGMENT_NAME) throw invalid('it names another root type')
    let abs: Y.AbsolutePosition | null
    try {
      abs = Y.createAbsolutePositionFromRelativePosition(rpos, this.doc)
    } catch {
      abs = null
    }
    if (abs === null) throw invalid('it points at nothing in this spec')
    const type = abs.type as Y.AbstractType<unknown>
    const start = this.starts.get(type)
    if (start === undefined) throw invalid('it does not point into the live text of this spec')
    const end = this.ends.get(type)!
    if (type instanceof Y.XmlText) return start + Math.min(abs.index, end - start)
    return this.childStarts.get(type)![abs.index] ?? end
  }

  /** [A2]: the origins and text of the live characters between two anchors. @throws AnchorError */
  range(start: string, end: string): AnchoredRange {
    const from = this.offsetOf(start)
    const to = this.offsetOf(end)
    const found: IdRun[] = []
    const pieces: Piece[] = []
    let chars = 0
    for (let u = 0; u < this.units.length; u++) {
      const unit = this.units[u]!
      if (unit.offset + unit.item.length <= from) continue
      if (unit.offset >= to) break
      const a = Math.max(from, unit.offset) - unit.offset
      const b = Math.min(to, unit.offset + unit.item.length) - unit.offset
      if (b <= a) continue
      chars += b - a
      if (chars > MAX_ANCHORED_CHARS) throw new AnchorError('range_too_long', `a thread may anchor at most ${MAX_ANCHORED_CHARS} characters`)
      for (const seg of this.unitSegments[u]!) {
        const lo = Math.max(a, seg.off)
        const hi = Math.min(b, seg.off + seg.len)
        if (hi > lo) found.push({ client: seg.client, clock: seg.clock + lo - seg.off, len: hi - lo })
      }
      pieces.push({ unit: u, from: a, to: b })
    }
    const runs = normalize(found)
    if (runs.length === 0) throw new AnchorError('empty_range', 'the range holds no text')
    if (runs.length > MAX_ANCHOR_RUNS) throw new AnchorError('range_too_long', `the range is too fragmented (over ${MAX_ANCHOR_RUNS} runs of characters)`)
    return { runs, text: this.join(pieces) }
  }

  /** [A3]: the live characters whose origins `runs` names, and their text. */
  textOf(runs: readonly IdRun[]): AnchoredText {
    const pieces: Piece[] = []
    for (const run of runs) {
      const entry = this.byOrigin.get(run.client)
      if (!entry) continue
      const { segments, longest } = entry
      const end = run.clock + run.len
      // First segment that could overlap: none starting before `run.clock - longest` can.
      let i = lowerBound(segments, run.clock - longest + 1)
      for (; i < segments.length && segments[i]!.clock < end; i++) {
        const seg = segments[i]!
        const lo = Math.max(run.clock, seg.clock)
        const hi = Math.min(end, seg.clock + seg.len)
        if (hi > lo) pieces.push({ unit: seg.unit, from: seg.off + lo - seg.clock, to: seg.off + hi - seg.clock })
      }
    }
    pieces.sort((p, q) => p.unit - q.unit || p.from - q.from)
    return { text: this.join(pieces), textRemoved: pieces.length === 0 }
  }

  private addUnit(unit: Unit, origins: OriginMap | undefined): void {
    const u = this.units.length
    this.units.push(unit)
    const segs: Array<Segment & { client: number }> = []
    let off = 0
    const add = (len: number, client: number, clock: number): void => {
      const seg = { client, clock, len, unit: u, off }
      off += len
      segs.push(seg)
      let entry = this.byOrigin.get(client)
      if (!entry) this.byOrigin.set(client, (entry = { segments: [], longest: 0 }))
      entry.segments.push(seg)
      entry.longest = Math.max(entry.longest, len)
    }
    const { client, clock } = unit.item.id
    if (origins) origins.forEachOrigin(client, clock, unit.item.length, add)
    else add(unit.item.length, client, clock)
    this.unitSegments.push(segs)
  }

  private join(pieces: readonly Piece[]): string {
    let out = ''
    let block: Y.XmlText | null = null
    for (const p of pieces) {
      const unit = this.units[p.unit]!
      if (block !== null && unit.block !== block) out += '\n'
      block = unit.block
      out += (unit.item.content as Y.ContentString).str.slice(p.from, p.to)
    }
    return out
  }
}

/** Index of the first segment whose clock is at least `clock`. */
function lowerBound(segments: readonly Segment[], clock: number): number {
  let lo = 0
  let hi = segments.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (segments[mid]!.clock < clock) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Runs sorted by client and clock, overlapping and touching ones merged. */
function normalize(runs: readonly IdRun[]): IdRun[] {
  const sorted = [...runs].sort((a, b) => a.client - b.client || a.clock - b.clock)
  const out: IdRun[] = []
  for (const r of sorted) {
    const last = out.at(-1)
    if (last && last.client === r.client && last.clock + last.len >= r.clock) last.len = Math.max(last.len, r.clock + r.len - last.clock)
    else out.push({ ...r })
  }
  return out
}

/** Part `from..to` of the string of unit number `unit`. */
interface Piece {
  unit: number
  from: number
  to: number
}

const invalid = (why: string): AnchorError => new AnchorError('invalid_anchor', `anchor refused: ${why}`)

/** [A1]: decodes a base64 relative position. @throws AnchorError `invalid_anchor` */
export function decodeAnchor(anchor: string): Y.RelativePosition {
  const bytes = Buffer.from(anchor, 'base64')
  if (bytes.length === 0 || bytes.length > MAX_ANCHOR_BYTES || bytes.toString('base64').replace(/=+$/, '') !== anchor.replace(/=+$/, '')) {
    throw invalid(`not base64 of at most ${MAX_ANCHOR_BYTES} bytes`)
  }
  let rpos: Y.RelativePosition
  try {
    rpos = Y.decodeRelativePosition(bytes)
  } catch {
    throw invalid('not an encoded Y.RelativePosition')
  }
  if (rpos.item === null && rpos.type === null && rpos.tname === null) throw invalid('it names no type')
  return rpos
}

/** Id runs as stored with a thread: base64 of varuint count, then client, clock, len each. */
export function encodeRuns(runs: readonly IdRun[]): string {
  const enc = encoding.createEncoder()
  encoding.writeVarUint(enc, runs.length)
  for (const r of runs) {
    encoding.writeVarUint(enc, r.client)
    encoding.writeVarUint(enc, r.clock)
    encoding.writeVarUint(enc, r.len)
  }
  return Buffer.from(encoding.toUint8Array(enc)).toString('base64')
}

/** Inverse of {@link encodeRuns}. @throws RangeError on anything else */
export function decodeRuns(stored: string): IdRun[] {
  try {
    const dec = decoding.createDecoder(Buffer.from(stored, 'base64'))
    const n = decoding.readVarUint(dec)
    if (n > MAX_ANCHOR_RUNS) throw new RangeError('too many runs')
    const runs: IdRun[] = []
    for (let i = 0; i < n; i++) runs.push({ client: decoding.readVarUint(dec), clock: decoding.readVarUint(dec), len: decoding.readVarUint(dec) })
    if (decoding.hasContent(dec)) throw new RangeError('trailing bytes')
    return runs
  } catch (err) {
    throw new RangeError(`not encoded id runs: ${(err as Error).message}`)
  }
}
