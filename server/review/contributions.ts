/**
 * Contributions: one customer's words in one place, the subjects of review decisions.
 *
 * Rules (the tracker below applies them after commits, debounced, never on the keystroke path):
 * 1. Identity is the *origin* of characters: the Yjs id of a character as first written, which
 *    the attribution engine carries onto every copy it matches with a deleted character
 *    (engine.ts rule 4, author-map.ts). Split, join, heading and list changes, wrap and lift,
 *    drag-and-drop, cut and paste within the window, undo and redo re-insert characters with
 *    their origin, so nothing here depends on block paths.
 * 2. A contribution is a set of origin ranges of one customer. Its id is `c<client>-<clock>`,
 *    the origin of its first character, and never changes.
 * 3. Only characters a customer *typed* join contributions: author = the customer and origin =
 *    the character's own id. Each is assigned once, at the first pass after it was written, and
 *    stays in that contribution. Words of others (team text, and a customer's typing that is a
 *    move of someone else's words) belong to none.
 * 4. A run of newly typed characters in block B (the text node it was typed into) joins:
 *    a. the contribution of the live character right before it in B, else of the one right
 *       after it, if that is the same customer's (a later edit to or extension of their own
 *       contribution, at any time);
 *    b. else the customer's contribution last written in B, if that was at most
 *       {@link DEFAULT_SITTING_MS} (30 min) earlier (the same sitting in the same block);
 *    c. else a new contribution, created now.
 * 5. The current text of a contribution is every live character whose origin falls in its
 *    ranges, in document order, pieces in different blocks joined by a line break (a team
 *    member moved part of it elsewhere); a contribution whose characters were all deleted has text ''
 *    and keeps its id, decision and thread (undo brings the words back with their origins).
 */
import * as Y from 'yjs'
import type { AuthorMap } from '../attribution/author-map.js'
import { FRAGMENT_NAME } from '../../shared/schema.js'
import { ContributionTexts, EXCERPT_LENGTH, forEachTextBlock } from './contribution-texts.js'

export { EXCERPT_LENGTH }

/** Gap after which typing in the same block starts a new contribution (rule 4b): 30 minutes. */
export const DEFAULT_SITTING_MS = 30 * 60 * 1000

/** Origin clocks [clock, clock + len) of one client. */
export interface OriginRange {
  client: number
  clock: number
  len: number
}

/** What the server keeps of a contribution (the store persists it). */
export interface ContributionRecord {
  specId: string
  /** `c<client>-<clock>`: the origin of its first character. */
  id: string
  participantId: string
  /** Panels the participant belonged to when the contribution was created. */
  panelIds: string[]
  /** ISO-8601 UTC. */
  createdAt: string
  /** When characters last joined it (ISO-8601 UTC). */
  updatedAt: string
  /** Origin ranges, sorted by client then clock. */
  origins: OriginRange[]
  /** The first {@link EXCERPT_LENGTH} characters of its current text. */
  excerpt: string
  /** Length of its current text. */
  chars: number
}

/** Contribution id of an origin. */
export const contributionId = (client: number, clock: number): string => `c${client}-${clock}`

/** What the tracker needs to know about participants. */
export interface ContributorDirectory {
  /** Whether `participantId` is a customer (only customers' words form contributions). */
  isCustomer(participantId: string): boolean
  /** The participant's panels now (stored on new contributions). */
  panelsOf(participantId: string): string[]
}

/** A run of one block's live characters that belong to one contribution. */
interface BlockPart {
  id: string
  text: string
}

interface Interval {
  clock: number
  len: number
  id: string
}

/**
 * The contributions of one spec: rules 2-5 over a Y.Doc and the engine's {@link AuthorMap}.
 * State is the records plus, in memory only, a watermark of the clocks already assigned and the
 * block each contribution was last written in (after a restart, rule 4b waits for 4a).
 */
export class ContributionTracker {
  private readonly records = new Map<string, ContributionRecord>()
  /** Origin client → intervals sorted by clock. */
  private readonly index = new Map<number, Interval[]>()
  /** Per client, clocks below this were looked at. */
  private readonly seen = new Map<number, number>()
  private readonly lastBlock = new Map<string, { block: unknown; at: number }>()
  /** Per participant, their contribution written most recently. */
  private readonly latestOf = new Map<string, string>()
  private readonly changed = new Set<string>()
  /** Rule 5's lengths and excerpts, kept incrementally (contribution-texts.ts). */
  private readonly textState = new ContributionTexts((client, clock, max) => this.contributionRun(client, clock, max), this.seen)
  private watched: Y.Doc | null = null

  constructor(
    readonly specId: string,
    private readonly directory: ContributorDirectory,
    private readonly sittingMs: number = DEFAULT_SITTING_MS
  ) {}

  /** Restores stored records (after a restart); their origins are indexed again. */
  load(records: Iterable<ContributionRecord>): void {
    for (const r of records) {
      this.records.set(r.id, { ...r, origins: r.origins.map((o) => ({ ...o })), panelIds: [...r.panelIds] })
      for (const o of r.origins) this.indexRange(o.client, o.clock, o.len, r.id)
    }
  }

  /**
   * Renames contribution authors in memory through `resolve` (a merged-away participant's
   * contributions become the survivor's for rules 4a and 4b). Records are not marked changed:
   * the store keeps each author as first saved ([K1]) and readers resolve it alike.
   */
  remap(resolve: (participantId: string) => string): void {
    for (const r of this.records.values()) r.participantId = resolve(r.participantId)
    for (const [participantId, id] of [...this.latestOf]) {
      const to = resolve(participantId)
      if (to === participantId) continue
      this.latestOf.delete(participantId)
      if (!this.latestOf.has(to)) this.latestOf.set(to, id)
    }
  }

    /** Every record, oldest first. */
  list(): ContributionRecord[] {
    return [...this.records.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
  }

  /** The contribution whose ranges hold origin `client:clock`, if any. */
  contributionOf(client: number, clock: number): string | null {
    const list = this.index.get(client)
    if (list === undefined) return null
    let lo = 0
    let hi = list.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const iv = list[mid]!
      if (clock < iv.clock) hi = mid - 1
      else if (clock >= iv.clock + iv.len) lo = mid + 1
      else return iv.id
    }
    return null
  }

  /**
   * The contribution holding origin `client:clock` (null if none) and how many of the next `max`
   * origins, from that one, it holds too (or, for null, how many belong to none): one look-up
   * per run of characters rather than per character.
   */
  contributionRun(client: number, clock: number, max: number): { id: string | null; len: number } {
    const list = this.index.get(client)
    if (list === undefined) return { id: null, len: max }
    let lo = 0
    let hi = list.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const iv = list[mid]!
      if (clock < iv.clock) hi = mid - 1
      else if (clock >= iv.clock + iv.len) lo = mid + 1
      else return { id: iv.id, len: Math.min(max, iv.clock + iv.len - clock) }
    }
    // `lo` is the first interval starting after `clock`.
    const next = list[lo]
    return { id: null, len: next === undefined ? max : Math.min(max, next.clock - clock) }
  }

  /**
   * One pass (rules 3-5): assigns the characters written since the last pass, then brings the
   * text of every contribution they touched up to date. Returns the records that changed (to
   * persist).
   */
  update(doc: Y.Doc, authors: AuthorMap, now: number): ContributionRecord[] {
    const rebuild = this.watch(doc) || !this.textState.counting(authors)
    const from = new Map(this.seen)
    this.assignNew(doc, authors, now)
    if (rebuild) this.textState.rebuild(doc, authors)
    else this.textState.addWritten(doc, from)
    this.refreshTexts(rebuild)
    const out = [...this.changed].map((id) => this.records.get(id)!)
    this.changed.clear()
    // Shallow copies: `origins` and `panelIds` are never changed in place (assign() replaces
    // them), so a save still in flight keeps the arrays it was given.
    return out.map((r) => ({ ...r }))
  }

  /** Marks records as changed again (their save failed): the next {@link update} returns them. */
  retry(ids: Iterable<string>): void {
    for (const id of ids) if (this.records.has(id)) this.changed.add(id)
  }

  /**
   * The current text of every contribution (rule 5), by id, walked from the whole document.
   * Passes keep only lengths and excerpts, incrementally; this full walk is their reference
   * (tests compare the two).
   */
  texts(doc: Y.Doc, authors: AuthorMap): Map<string, string> {
    const parts = new Map<string, string[]>()
    const blockOf = new Map<string, Y.XmlText>()
    for (const id of this.records.keys()) parts.set(id, [])
    forEachTextBlock(doc.getXmlFragment(FRAGMENT_NAME), (block) => {
      for (const part of this.partsOf(block, authors)) {
        const p = parts.get(part.id)
        if (p === undefined) continue
        if (p.length > 0 && blockOf.get(part.id) !== block) p.push('\n')
        blockOf.set(part.id, block)
        p.push(part.text)
      }
    })
    return new Map([...parts].map(([id, p]) => [id, p.join('')]))
  }

  /** The live characters of `block` that belong to contributions, as (contribution, text) runs in order. */
  private partsOf(block: Y.XmlText, authors: AuthorMap): BlockPart[] {
    const out: BlockPart[] = []
    for (let item = block._start; item !== null; item = item.right) {
      if (item.deleted || !(item.content instanceof Y.ContentString)) continue
      const str = item.content.str
      let at = 0
      authors.forEachOrigin(item.id.client, item.id.clock, item.length, (n, client, clock) => {
        for (let k = 0; k < n; ) {
          const { id, len } = this.contributionRun(client, clock + k, n - k)
          if (id !== null) {
            const last = out[out.length - 1]
            if (last !== undefined && last.id === id) last.text += str.slice(at + k, at + k + len)
            else out.push({ id, text: str.slice(at + k, at + k + len) })
          }
          k += len
        }
        at += n
      })
    }
    return out
  }

  /**
   * Subscribes the incremental texts to `doc`'s transactions (deletions are counted as they
   * happen, see contribution-texts.ts). Attached on the first pass, so a tracker never counts a
   * doc it does not watch. True when it (re)attached: the counts must then be rebuilt.
   */
  private watch(doc: Y.Doc): boolean {
    if (this.watched === doc) return false
    this.watched?.off('afterTransaction', this.onTransaction)
    this.watched = doc
    doc.on('afterTransaction', this.onTransaction)
    return true
  }

  private readonly onTransaction = (tr: Y.Transaction): void => {
    this.textState.onTransaction(tr)
  }

  /** Rules 3 and 4, for the clocks not looked at yet, in clock order per client. */
  private assignNew(doc: Y.Doc, authors: AuthorMap, now: number): void {
    const iso = new Date(now).toISOString()
    for (const [client, structs] of doc.store.clients) {
      const from = this.seen.get(client) ?? 0
      const state = Y.getState(doc.store, client)
      if (state <= from) continue
      this.seen.set(client, state)
      for (let i = Y.findIndexSS(structs, from); i < structs.length; i++) {
        const item = structs[i]
        if (!(item instanceof Y.Item) || !(item.content instanceof Y.ContentString)) continue
        const start = Math.max(from, item.id.clock)
        const end = item.id.clock + item.length
        // Pieces of the item that a customer wrote (author = the customer).
        let clock = start
        const pieces: Array<{ clock: number; len: number; author: string }> = []
        authors.forEach(client, start, end - start, (n, author) => {
          const who = authors.idOf(author)
          if (who !== null && this.directory.isCustomer(who)) pieces.push({ clock, len: n, author: who })
          clock += n
        })
        for (const p of pieces) {
          let c = p.clock
          authors.forEachOrigin(client, p.clock, p.len, (n, oc, ok) => {
            // Typed here (own origin), or moved before any pass saw it (a cut within one
            // debounce): the origin joins a contribution, once.
            for (let k = 0; k < n; ) {
              const run = this.contributionRun(oc, ok + k, n - k)
              if (run.id === null) this.assign(authors, item, c + k, oc, ok + k, run.len, p.author, now, iso)
              k += run.len
            }
            c += n
          })
        }
      }
    }
  }

  /**
   * Rule 4 for origins [clock, clock + len) of `client`, written by `participantId` as the
   * characters from clock `at` of `item`.
   */
  private assign(authors: AuthorMap, item: Y.Item, at: number, client: number, clock: number, len: number, participantId: string, now: number, iso: string): void {
    const block: unknown = item.parent
    let id = this.neighbourContribution(authors, item, at, len, participantId)
    if (id === null) {
      const latest = this.latestOf.get(participantId)
      const last = latest === undefined ? undefined : this.lastBlock.get(latest)
      if (latest !== undefined && last !== undefined && last.block === block && now - last.at <= this.sittingMs) id = latest
    }
    if (id === null) {
      id = contributionId(client, clock)
      const panelIds = this.directory.panelsOf(participantId)
      this.records.set(id, { specId: this.specId, id, participantId, panelIds, createdAt: iso, updatedAt: iso, origins: [], excerpt: '', chars: 0 })
    }
    const record = this.records.get(id)!
    const origins = record.origins
    const last = origins[origins.length - 1]
    if (last !== undefined && last.client === client && last.clock + last.len === clock) {
      record.origins = [...origins.slice(0, -1), { client, clock: last.clock, len: last.len + len }]
    } else {
      record.origins = [...origins, { client, clock, len }].sort((a, b) => a.client - b.client || a.clock - b.clock)
    }
    record.updatedAt = iso
    this.indexRange(client, clock, len, id)
    this.lastBlock.set(id, { block, at: now })
    this.latestOf.set(participantId, id)
    this.changed.add(id)
  }

  /**
   * Rule 4a: the contribution of the live character right before clocks [at, at + len) of
   * `item` in its block, else of the one right after, if it is `participantId`'s (else null).
   */
  private neighbourContribution(authors: AuthorMap, item: Y.Item, at: number, len: number, participantId: string): string | null {
    const of = (it: Y.Item, c: number): string | null => {
      const o = authors.originAt(it.id.client, c)
      const id = this.contributionOf(o.client, o.clock)
      return id !== null && this.records.get(id)!.participantId === participantId ? id : null
    }
    const nextChar = (it: Y.Item | null, dir: 'left' | 'right'): Y.Item | null => {
      while (it !== null && (it.deleted || !(it.content instanceof Y.ContentString))) it = it[dir]
      return it
    }
    let left: string | null = null
    if (at > item.id.clock) left = item.deleted ? null : of(item, at - 1)
    else {
      const it = nextChar(item.left, 'left')
      if (it !== null) left = of(it, it.id.clock + it.length - 1)
    }
    if (left !== null) return left
    if (at + len < item.id.clock + item.length) return item.deleted ? null : of(item, at + len)
    const it = nextChar(item.right, 'right')
    return it === null ? null : of(it, it.id.clock)
  }

  private indexRange(client: number, clock: number, len: number, id: string): void {
    let list = this.index.get(client)
    if (list === undefined) this.index.set(client, (list = []))
    const last = list[list.length - 1]
    if (last !== undefined && last.id === id && last.clock + last.len === clock) {
      last.len += len
      return
    }
    let at = list.length
    while (at > 0 && list[at - 1]!.clock > clock) at--
    list.splice(at, 0, { clock, len, id })
  }

  /**
   * Rule 5 for the contributions whose characters changed since the last pass (every record
   * after a rebuild); marks the ones whose length or excerpt changed.
   */
  private refreshTexts(all: boolean): void {
    const fresh = this.textState.takeTouched()
    if (all) for (const id of this.records.keys()) if (!fresh.has(id)) fresh.set(id, { chars: 0, excerpt: '' })
    for (const [id, { chars, excerpt }] of fresh) {
      const r = this.records.get(id)
      if (r === undefined || (r.excerpt === excerpt && r.chars === chars)) continue
      r.excerpt = excerpt
      r.chars = chars
      this.changed.add(id)
    }
  }
}

/** Calls `fn` for every character item (live or deleted) under `type`, in document order. */
export function walkChars(type: { _start: Y.Item | null }, fn: (item: Y.Item) => void): void {
  for (let item = type._start; item !== null; item = item.right) {
    const content = item.content
    if (content instanceof Y.ContentString) fn(item)
    else if (content instanceof Y.ContentType && !item.deleted) walkChars(content.type as { _start: Y.Item | null }, fn)
  }
}
