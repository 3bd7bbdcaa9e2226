/**
 * The length and excerpt of every contribution's current text (contributions.ts rule 5), kept
 * up to date at a cost that follows what changed, not the length of the edited block.
 *
 * Why incremental: a pass used to rebuild the text of every contribution in every block edited
 * since the last pass. A customer typing into a 14k-character paragraph made every pass walk
 * the whole paragraph, and review tracking cost up to 1.6x the sync path (issue 10 asks for at
 * most 1.05x). Now:
 *
 * - Each contribution keeps its live characters counted per block (the Y.XmlText holding them).
 *   Its `chars` is that sum plus one line break per extra block, exactly the length of the
 *   rule-5 text (pieces in different blocks joined by a line break).
 * - A character that existed at the last pass and is deleted is subtracted in the deleting
 *   transaction's `afterTransaction`, while Yjs still holds the deleted item and its parent
 *   (yjs 13.6.33 `cleanupTransactions` runs those listeners before it GCs deleted content).
 *   Its origin was assigned (or not) at the last pass at the latest and never changes
 *   (rule 3), so the subtraction is final.
 * - Characters written since the last pass are added at the pass, after rule 4 assigned them:
 *   the live ones among the new clocks only. A character written and deleted between two
 *   passes is never counted, and its deletion is not subtracted (it did not exist at the last
 *   pass).
 * - Only contributions whose characters were added or removed (touched) get a new excerpt,
 *   read from the start of their first block and stopped after {@link EXCERPT_LENGTH} characters.
 *
 * The first pass (and any pass after the AuthorMap was replaced) counts everything from the
 * document ({@link ContributionTexts.rebuild}); `test/attribution/contributions-random.test.ts`
 * compares the incremental figures with a full walk after every random step.
 */
import * as Y from 'yjs'
import type { AuthorMap } from '../attribution/author-map.js'
import { FRAGMENT_NAME } from '../../shared/schema.js'

/** Longest excerpt stored with a contribution, in characters. */
export const EXCERPT_LENGTH = 160

/** `contributionRun` of the tracker: which contribution holds origins from `client:clock`. */
export type ContributionRunOf = (client: number, clock: number, max: number) => { id: string | null; len: number }

/** Length and excerpt of one contribution's text. */
export interface ContributionText {
  chars: number
  excerpt: string
}

/** Counts per contribution and block; see the module comment. */
export class ContributionTexts {
  /** Contribution id → block → live characters of it in that block (entries > 0 only). */
  private readonly counts = new Map<string, Map<Y.XmlText, number>>()
  private readonly touched = new Set<string>()
  private authors: AuthorMap | null = null
  private fragment: Y.XmlFragment | null = null

  constructor(
    private readonly runOf: ContributionRunOf,
    /** Per client, the clocks that existed at the last pass (the tracker's watermark). */
    private readonly seen: ReadonlyMap<number, number>
  ) {}

  /** True once counts exist for `authors` (else the pass must {@link rebuild}). */
  counting(authors: AuthorMap): boolean {
    return this.authors === authors
  }

  /**
   * Counts every live character of `doc` from scratch; every contribution with live characters
   * is then touched (the others have none).
   */
  rebuild(doc: Y.Doc, authors: AuthorMap): void {
    this.authors = authors
    this.fragment = doc.getXmlFragment(FRAGMENT_NAME)
    this.counts.clear()
    this.touched.clear()
    forEachTextBlock(this.fragment, (block) => {
      for (let item = block._start; item !== null; item = item.right) {
        if (!item.deleted && item.content instanceof Y.ContentString) this.add(item, item.id.clock, item.length, 1)
      }
    })
  }

  /**
   * Subtracts the characters a transaction deleted that existed at the last pass. Call from an
   * `afterTransaction` listener added after the attribution engine's.
   */
  onTransaction(tr: Y.Transaction): void {
    if (this.authors === null || tr.deleteSet.clients.size === 0) return
    for (const [client, ranges] of tr.deleteSet.clients) {
      const seen = this.seen.get(client) ?? 0
      const structs = tr.doc.store.clients.get(client)
      if (structs === undefined || seen === 0) continue
      for (const { clock, len } of ranges) {
        const end = Math.min(clock + len, seen)
        if (clock >= end) continue
        for (let i = Y.findIndexSS(structs, clock); i < structs.length; i++) {
          const item = structs[i]!
          if (item.id.clock >= end) break
          if (!(item instanceof Y.Item) || !(item.content instanceof Y.ContentString)) continue
          const from = Math.max(clock, item.id.clock)
          this.add(item, from, Math.min(end, item.id.clock + item.length) - from, -1)
        }
      }
    }
  }

  /**
   * Adds the live characters of clocks [from, state) of every client: what was written since
   * the last pass, after rule 4 assigned it. `from` is the watermark before this pass.
   */
  addWritten(doc: Y.Doc, from: ReadonlyMap<number, number>): void {
    for (const [client, structs] of doc.store.clients) {
      const start = from.get(client) ?? 0
      if (Y.getState(doc.store, client) <= start) continue
      for (let i = Y.findIndexSS(structs, start); i < structs.length; i++) {
        const item = structs[i]!
        if (!(item instanceof Y.Item) || item.deleted || !(item.content instanceof Y.ContentString)) continue
        const at = Math.max(start, item.id.clock)
        this.add(item, at, item.id.clock + item.length - at, 1)
      }
    }
  }

  /** Marks a contribution touched (new characters joined it): its excerpt is read again. */
  touch(id: string): void {
    this.touched.add(id)
  }

  /** Length and fresh excerpt of every touched contribution; clears the touched set. */
  takeTouched(): Map<string, ContributionText> {
    const out = new Map<string, ContributionText>()
    for (const id of this.touched) out.set(id, { chars: this.charsOf(id), excerpt: this.excerptOf(id) })
    this.touched.clear()
    return out
  }

  /** Length and excerpt of every contribution with live characters (after {@link rebuild}). */
  all(): Map<string, ContributionText> {
    const out = new Map<string, ContributionText>()
    for (const id of this.counts.keys()) out.set(id, { chars: this.charsOf(id), excerpt: this.excerptOf(id) })
    return out
  }

  /** Rule-5 text length: live characters plus one joining line break per extra block. */
  private charsOf(id: string): number {
    const blocks = this.counts.get(id)
    if (blocks === undefined) return 0
    let sum = blocks.size - 1
    for (const n of blocks.values()) sum += n
    return sum
  }

  /** The first {@link EXCERPT_LENGTH} characters of the rule-5 text, blocks in document order. */
  private excerptOf(id: string): string {
    const blocks = this.counts.get(id)
    if (blocks === undefined || this.fragment === null) return ''
    let text = ''
    const collect = (block: Y.XmlText): void => {
      if (text.length >= EXCERPT_LENGTH || !blocks.has(block)) return
      if (text.length > 0) text += '\n'
      text += this.textIn(block, id, EXCERPT_LENGTH - text.length)
    }
    if (blocks.size === 1) collect(blocks.keys().next().value!)
    else forEachTextBlock(this.fragment, collect)
    return text.slice(0, EXCERPT_LENGTH)
  }

  /** Up to `max` characters of contribution `id` in `block`, in order. */
  private textIn(block: Y.XmlText, id: string, max: number): string {
    const authors = this.authors!
    let text = ''
    for (let item = block._start; item !== null && text.length < max; item = item.right) {
      if (item.deleted || !(item.content instanceof Y.ContentString)) continue
      const str = item.content.str
      let at = 0
      authors.forEachOrigin(item.id.client, item.id.clock, item.length, (n, client, clock) => {
        for (let k = 0; k < n && text.length < max; ) {
          const run = this.runOf(client, clock + k, n - k)
          if (run.id === id) text += str.slice(at + k, at + k + run.len)
          k += run.len
        }
        at += n
      })
    }
    return text
  }

  /** Adds `sign` per character of clocks [clock, clock + len) of `item` to their contributions. */
  private add(item: Y.Item, clock: number, len: number, sign: 1 | -1): void {
    const block = item.parent
    if (!(block instanceof Y.XmlText) || !this.inFragment(block)) return
    this.authors!.forEachOrigin(item.id.client, clock, len, (n, client, originClock) => {
      for (let k = 0; k < n; ) {
        const { id, len: run } = this.runOf(client, originClock + k, n - k)
        if (id !== null) this.count(id, block, sign * run)
        k += run
      }
    })
  }

  private count(id: string, block: Y.XmlText, delta: number): void {
    let blocks = this.counts.get(id)
    if (blocks === undefined) this.counts.set(id, (blocks = new Map()))
    const n = (blocks.get(block) ?? 0) + delta
    if (n > 0) blocks.set(block, n)
    else blocks.delete(block)
    if (blocks.size === 0) this.counts.delete(id)
    this.touched.add(id)
  }

  /** Whether `type` hangs under the spec's fragment (rule 5 reads only the document). */
  private inFragment(type: Y.XmlText): boolean {
    let t: { _item: Y.Item | null } | null = type
    while (t !== null && t !== (this.fragment as unknown)) t = t._item === null ? null : (t._item.parent as { _item: Y.Item | null } | null)
    return t !== null
  }
}

/** Calls `fn` for every live text block (Y.XmlText) under `type`, in document order. */
export function forEachTextBlock(type: { _start: Y.Item | null }, fn: (block: Y.XmlText) => void): void {
  for (let item = type._start; item !== null; item = item.right) {
    if (item.deleted || !(item.content instanceof Y.ContentType)) continue
    const child = item.content.type
    if (child instanceof Y.XmlText) fn(child)
    else forEachTextBlock(child as unknown as { _start: Y.Item | null }, fn)
  }
}
