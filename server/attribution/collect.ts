/**
 * Reads, from a Yjs transaction that is being cleaned up, the text it inserted and the text it
 * deleted, as runs. Works on the changed ranges only: it starts from the transaction's new
 * structs and delete set and walks outwards to the nearest characters that stayed in place, so
 * its cost is that of the change, not of the paragraph (issue 7 item 9: a keystroke in a
 * 78k-character paragraph used to cost a walk over all of it).
 *
 * Must run in an `afterTransaction` listener: Yjs replaces deleted content (GC) only after those
 * listeners ran (yjs 13.6.33 `Transaction.js` `cleanupTransactions`: `afterTransaction` is
 * emitted inside the `try`, `tryGcDeleteSet` runs in the `finally`), and items are not merged
 * yet, so every item is wholly old or wholly new, wholly deleted by this transaction or not
 * (new structs of a client start at its clock before the transaction: `Item.integrate` cuts off
 * a known prefix).
 *
 * Only characters count (`ContentString` items of `XmlText`): formatting items (marks),
 * embeds and element items are no words. A *gap* is the stretch of a type's item list between
 * two characters that stayed in place; each gap the transaction changed gives at most one
 * inserted run (its new characters, in order) and one deleted run (its deleted characters). So a
 * run breaks at a character that stays in place, and for deleted runs, characters inserted by
 * this transaction do not break them (they did not exist before), nor, for inserted runs, do
 * characters deleted by it (they do not exist after).
 */
import * as Y from 'yjs'
import type { AuthorMap } from './author-map.js'

/** A clock range of one client. */
export interface ClockRange {
  client: number
  clock: number
  len: number
}

/** Consecutive characters this transaction inserted: their text and the clocks that hold it. */
export interface InsertedRun {
  text: string
  /** One per item, in text order. */
  pieces: ClockRange[]
  /**
   * The right origin of each piece's item: what it was inserted in front of. Yjs's undo
   * re-inserts deleted text in front of the deleted item (`redoItem`), so this names it.
   */
  rights: Array<Y.ID | null>
}

/** Consecutive characters this transaction deleted: their text, author refs and ids. */
export interface DeletedRun {
  text: string
  authors: Int32Array
  /** The ids of the characters, in text order. */
  pieces: ClockRange[]
}

/** What a transaction did to the text. */
export interface TextChanges {
  inserted: InsertedRun[]
  deleted: DeletedRun[]
}

/**
 * Items other than characters walked past in one direction before a gap is cut short there. Yjs
 * merges neighbouring tombstones of one client, so honest documents stay far below this; it
 * bounds the walk in a document crafted with many clients' tombstones in one place.
 */
export const MAX_GAP_ITEMS = 1024

const KEPT = 0
const NEW = 1
const DELETED = 2
const OTHER = 3
type Kind = typeof KEPT | typeof NEW | typeof DELETED | typeof OTHER

/**
 * Collects the inserted and deleted text of `tr` (see the module comment for when to call it),
 * gap by gap, in the order of the changed structs (by client, then clock).
 */
export function collectTextChanges(tr: Y.Transaction, store: AuthorMap): TextChanges {
  const before = (client: number): number => tr.beforeState.get(client) ?? 0
  const kindOf = (item: Y.Item): Kind => {
    if (!(item.content instanceof Y.ContentString)) return OTHER
    const old = item.id.clock < before(item.id.client)
    if (!item.deleted) return old ? KEPT : NEW
    return old && Y.isDeleted(tr.deleteSet, item.id) ? DELETED : OTHER
  }
  const inserted: InsertedRun[] = []
  const deleted: DeletedRun[] = []
  const done = new Set<Y.Item>()
  const gapOf = (seed: Y.Item): void => {
    if (done.has(seed)) return
    // The leftmost changed item of the gap (the walk right starts there).
    let start = seed
    for (let item = seed.left, others = 0; item !== null && others < MAX_GAP_ITEMS; item = item.left) {
      const kind = kindOf(item)
      if (kind === KEPT) break
      if (kind === OTHER) others++
      else {
        others = 0
        start = item
      }
    }
    const insParts: string[] = []
    const pieces: ClockRange[] = []
    const rights: Array<Y.ID | null> = []
    const delParts: string[] = []
    const delPieces: ClockRange[] = []
    const authors: number[] = []
    for (let item: Y.Item | null = start, others = 0; item !== null && others < MAX_GAP_ITEMS; item = item.right) {
      const kind = kindOf(item)
      if (kind === KEPT) break
      others = kind === OTHER ? others + 1 : 0
      if (kind === NEW) {
        done.add(item)
        insParts.push((item.content as Y.ContentString).str)
        pieces.push({ client: item.id.client, clock: item.id.clock, len: item.length })
        rights.push(item.rightOrigin)
      } else if (kind === DELETED) {
        done.add(item)
        delParts.push((item.content as Y.ContentString).str)
        delPieces.push({ client: item.id.client, clock: item.id.clock, len: item.length })
        store.forEach(item.id.client, item.id.clock, item.length, (n, author) => {
          for (let k = 0; k < n; k++) authors.push(author)
        })
      }
    }
    if (pieces.length > 0) inserted.push({ text: insParts.join(''), pieces, rights })
    if (authors.length > 0) deleted.push({ text: delParts.join(''), authors: Int32Array.from(authors), pieces: delPieces })
  }
  for (const [client, after] of tr.afterState) {
    const from = before(client)
    const structs = tr.doc.store.clients.get(client)
    if (after <= from || structs === undefined) continue
    for (let i = Y.findIndexSS(structs, from); i < structs.length; i++) {
      const s = structs[i]!
      if (s instanceof Y.Item && kindOf(s) === NEW) gapOf(s)
    }
  }
  for (const [client, ranges] of tr.deleteSet.clients) {
    const from = before(client)
    const structs = tr.doc.store.clients.get(client)
    if (structs === undefined) continue
    for (const range of ranges) {
      const end = Math.min(range.clock + range.len, from)
      if (range.clock >= end) continue
      for (let i = Y.findIndexSS(structs, range.clock); i < structs.length && structs[i]!.id.clock < end; i++) {
        const s = structs[i]!
        if (s instanceof Y.Item && kindOf(s) === DELETED) gapOf(s)
      }
    }
  }
  return { inserted, deleted }
}
