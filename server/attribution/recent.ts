/**
 * What each participant deleted recently, with the authors of the deleted characters, so that
 * text they re-insert in a later update (paste after cut, undo of a deletion, redo) keeps its
 * author. y-prosemirror's undo re-inserts deleted text as new items of the undoing client in a
 * separate update, and the server GCs deleted content, so this index is the only memory of it.
 *
 * Bounded in time (entries expire after `windowMs`) and in size (at most `maxChars` characters
 * per participant; the oldest entries go first). Each participant's entries form one indexed
 * {@link TextPool}, so matching a keystroke against them costs the same whatever they hold.
 */
import type { IdRange } from './facts.js'
import { DEFAULT_MIN_MATCH } from './match.js'
import { TextPool, type PoolSegment } from './pool.js'

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
  /** The Yjs ids of the deleted characters, in text order (empty if unknown). */
  readonly ids: readonly IdRange[]
}

/** Where a deleted character is in a pool: segment index and offset. */
export interface PoolPosition {
  seg: number
  offset: number
}

/**
 * Deleted character ids → pool positions, by the first id of each deleted item (what Yjs's undo
 * names as the right origin of the text it restores). A map, so that adding and dropping cost
 * the same however many deletions are remembered.
 */
class IdIndex {
  private readonly byClient = new Map<number, Map<number, PoolPosition>>()

  add(ids: readonly IdRange[], seg: number): void {
    let offset = 0
    for (const r of ids) {
      let c = this.byClient.get(r.client)
      if (c === undefined) {
        c = new Map()
        this.byClient.set(r.client, c)
      }
      c.set(r.clock, { seg, offset })
      offset += r.len
    }
  }

  remove(ids: readonly IdRange[], seg: number): void {
    for (const r of ids) {
      const c = this.byClient.get(r.client)
      if (c?.get(r.clock)?.seg !== seg) continue
      c.delete(r.clock)
      if (c.size === 0) this.byClient.delete(r.client)
    }
  }

  find(client: number, clock: number): PoolPosition | null {
    return this.byClient.get(client)?.get(clock) ?? null
  }
}

interface DeleterIndex {
  pool: TextPool<RecentEntry>
  /** Characters in live entries. */
  chars: number
  /** Entry id → segment index in `pool`. */
  byId: Map<number, number>
  ids: IdIndex
}

/** The per-participant recently-deleted index. */
export class RecentDeletions {
  private readonly byDeleter = new Map<number, DeleterIndex>()
  private nextId = 1

  constructor(
    readonly windowMs: number = DEFAULT_RECENT_WINDOW_MS,
    readonly maxChars: number = DEFAULT_RECENT_MAX_CHARS,
    readonly minMatch: number = DEFAULT_MIN_MATCH
  ) {}

  /**
   * Remembers a deletion. `id` is given when replaying persisted facts; new entries get the next
   * free id. Returns the entry, or null if it was too large to keep.
   */
  add(deleter: number, time: number, text: string, authors: Int32Array, ids: readonly IdRange[], id?: number): RecentEntry | null {
    if (authors.length !== text.length) throw new RangeError('RecentDeletions.add: one author per character')
    if (text.length === 0 || text.length > this.maxChars) return null
    const entryId = id ?? this.nextId
    this.nextId = Math.max(this.nextId, entryId + 1)
    const entry: RecentEntry = { id: entryId, deleter, time, text, authors, ids, consumed: new Uint8Array(text.length) }
    let index = this.byDeleter.get(deleter)
    if (index === undefined) {
      index = { pool: new TextPool<RecentEntry>(this.minMatch), chars: 0, byId: new Map(), ids: new IdIndex() }
      this.byDeleter.set(deleter, index)
    }
    const seg = index.pool.add(entry)
    index.byId.set(entryId, seg)
    index.ids.add(ids, seg)
    index.chars += text.length
    while (index.chars > this.maxChars) this.dropOldest(index)
    return entry
  }

  /** The indexed unexpired entries of `deleter` at time `now` (drops the expired ones), or null. */
  poolOf(deleter: number, now: number): TextPool<RecentEntry> | null {
    const index = this.byDeleter.get(deleter)
    if (index === undefined) return null
    const cutoff = now - this.windowMs
    const { pool } = index
    while (pool.firstLive < pool.segmentCount && pool.segment(pool.firstLive).time <= cutoff) this.dropOldest(index)
    if (pool.firstLive === pool.segmentCount) {
      this.byDeleter.delete(deleter)
      return null
    }
    return pool
  }

  /** Where the deleted character `client:clock` is in `deleter`'s pool, if it is remembered. */
  locate(deleter: number, client: number, clock: number): PoolPosition | null {
    const index = this.byDeleter.get(deleter)
    const at = index?.ids.find(client, clock) ?? null
    return at !== null && index!.pool.isLive(at.seg) ? at : null
  }

  /** Unexpired entries of `deleter` at time `now`, oldest first (drops the expired ones). */
  entriesOf(deleter: number, now: number): RecentEntry[] {
    return this.poolOf(deleter, now)?.live ?? []
  }

  /** Marks characters of an entry as re-used (replaying persisted facts); unknown ids are ignored. */
  consume(deleter: number, id: number, offset: number, len: number): void {
    const index = this.byDeleter.get(deleter)
    const s = index?.byId.get(id)
    if (index === undefined || s === undefined) return
    index.pool.replayConsumed(s, offset, len)
  }

  /** Every unexpired entry at `now` (for the snapshot). */
  all(now: number): RecentEntry[] {
    const out: RecentEntry[] = []
    for (const deleter of [...this.byDeleter.keys()]) out.push(...this.entriesOf(deleter, now))
    return out
  }

  private dropOldest(index: DeleterIndex): void {
    const { pool } = index
    const oldest = pool.segment(pool.firstLive)
    index.chars -= oldest.text.length
    index.byId.delete(oldest.id)
    index.ids.remove(oldest.ids, pool.firstLive)
    pool.dropOldest(1)
  }
}
