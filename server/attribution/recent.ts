/**
 * What each participant deleted recently, with the authors of the deleted characters, so that
 * text they re-insert in a later update (paste after cut, undo of a deletion, redo) keeps its
 * author. y-prosemirror's undo re-inserts deleted text as new items of the undoing client in a
 * separate update, and the server GCs deleted content, so this index is the only memory of it.
 *
 * Bounded in time (entries expire after `windowMs`) and in size (at most `maxChars` characters
 * per participant; the oldest entries go first).
 */
import type { PoolSegment } from './match.js'

/** Default lifetime of an entry: 10 minutes. */
export const DEFAULT_RECENT_WINDOW_MS = 10 * 60 * 1000
/** Default bound on remembered characters per participant. */
export const DEFAULT_RECENT_MAX_CHARS = 500_000

/** One deletion: its text, the author ref of each character, and what was already re-used. */
export interface RecentEntry extends PoolSegment {
  readonly id: number
  /** Ref of the participant who deleted it. */
  readonly deleter: number
  /** When it was deleted (ms, the engine's clock). */
  readonly time: number
  readonly authors: Int32Array
}

/** The per-participant recently-deleted index. */
export class RecentDeletions {
  private readonly byDeleter = new Map<number, RecentEntry[]>()
  private nextId = 1

  constructor(
    readonly windowMs: number = DEFAULT_RECENT_WINDOW_MS,
    readonly maxChars: number = DEFAULT_RECENT_MAX_CHARS
  ) {}

  /**
   * Remembers a deletion. `id` is given when replaying persisted facts; new entries get the next
   * free id. Returns the entry, or null if it was too large to keep.
   */
  add(deleter: number, time: number, text: string, authors: Int32Array, id?: number, consumed?: Uint8Array): RecentEntry | null {
    if (authors.length !== text.length) throw new RangeError('RecentDeletions.add: one author per character')
    if (text.length === 0 || text.length > this.maxChars) return null
    const entryId = id ?? this.nextId
    this.nextId = Math.max(this.nextId, entryId + 1)
    const entry: RecentEntry = { id: entryId, deleter, time, text, authors, consumed: consumed ?? new Uint8Array(text.length) }
    let list = this.byDeleter.get(deleter)
    if (list === undefined) {
      list = []
      this.byDeleter.set(deleter, list)
    }
    list.push(entry)
    let total = 0
    for (const e of list) total += e.text.length
    while (total > this.maxChars && list.length > 0) total -= list.shift()!.text.length
    return entry
  }

  /** Unexpired entries of `deleter` at time `now`, oldest first (drops the expired ones). */
  entriesOf(deleter: number, now: number): RecentEntry[] {
    const list = this.byDeleter.get(deleter)
    if (list === undefined) return []
    const cutoff = now - this.windowMs
    let drop = 0
    while (drop < list.length && list[drop]!.time <= cutoff) drop++
    if (drop > 0) list.splice(0, drop)
    if (list.length === 0) this.byDeleter.delete(deleter)
    return list
  }

  /** Marks characters of an entry as re-used (replaying persisted facts); unknown ids are ignored. */
  consume(deleter: number, id: number, offset: number, len: number): void {
    const entry = this.byDeleter.get(deleter)?.find((e) => e.id === id)
    if (entry === undefined) return
    entry.consumed.fill(1, Math.max(0, offset), Math.min(entry.text.length, offset + len))
  }

  /** Every unexpired entry at `now` (for the snapshot). */
  all(now: number): RecentEntry[] {
    const out: RecentEntry[] = []
    for (const deleter of [...this.byDeleter.keys()]) out.push(...this.entriesOf(deleter, now))
    return out
  }
}
