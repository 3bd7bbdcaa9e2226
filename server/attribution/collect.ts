/**
 * Reads, from a Yjs transaction that is being cleaned up, the text it inserted and the text it
 * deleted, each as runs in document order.
 *
 * Must run in an `afterTransaction` listener: Yjs replaces deleted content (GC) only after those
 * listeners ran (yjs 13.6.33 `Transaction.js` `cleanupTransactions`: `afterTransaction` is
 * emitted inside the `try`, `tryGcDeleteSet` runs in the `finally`), and items are not merged
 * yet, so every item is wholly old or wholly new, wholly deleted by this transaction or not.
 *
 * Only characters count (`ContentString` items of `XmlText`): formatting items (marks),
 * embeds and element items are no words. A run breaks at a character that stays in place; for
 * deleted runs, characters inserted by this transaction do not break them (they did not exist
 * before), and for inserted runs, characters deleted by it do not (they do not exist after).
 */
import * as Y from 'yjs'
import type { AttributionStore } from './store.js'

/** A clock range of one client. */
export interface ClockRange {
  client: number
  clock: number
  len: number
}

/** Consecutive characters this transaction inserted: their text and the clocks that hold it. */
export interface InsertedRun {
  text: string
  pieces: ClockRange[]
}

/** Consecutive characters this transaction deleted: their text and their author refs. */
export interface DeletedRun {
  text: string
  authors: Int32Array
}

/** A live piece of a type's text after the transaction; new pieces point into their inserted run. */
export interface AfterPiece extends ClockRange {
  /** Index into {@link TextChanges.inserted} and offset in that run; -1 for a kept (old) piece. */
  run: number
  offset: number
}

/** One text type the transaction changed: its whole text before and after. */
export interface ParentChange {
  beforeText: string
  /** Author ref of each character of `beforeText`. */
  beforeAuthors: Int32Array
  afterText: string
  afterPieces: AfterPiece[]
  /** Indexes into {@link TextChanges.deleted} of the runs deleted from this type. */
  deletedRuns: number[]
}

/** What a transaction did to the text. */
export interface TextChanges {
  inserted: InsertedRun[]
  deleted: DeletedRun[]
  parents: ParentChange[]
}

type Parent = Y.AbstractType<unknown>

/** Collects the inserted and deleted text of `tr` (see the module comment for when to call it). */
export function collectTextChanges(tr: Y.Transaction, store: AttributionStore): TextChanges {
  const parents = touchedParents(tr)
  const inserted: InsertedRun[] = []
  const deleted: DeletedRun[] = []
  const changes: ParentChange[] = []
  const before = (client: number): number => tr.beforeState.get(client) ?? 0
  for (const parent of parents) {
    const beforeParts: string[] = []
    const beforeAuthors: number[] = []
    const afterParts: string[] = []
    const afterPieces: AfterPiece[] = []
    const deletedRuns: number[] = []
    const pushAuthors = (client: number, clock: number, len: number, into: number[]): void => {
      store.forEach(client, clock, len, (n, author) => {
        for (let k = 0; k < n; k++) into.push(author)
      })
    }
    let ins: { parts: string[]; pieces: ClockRange[]; len: number } | null = null
    let del: { parts: string[]; authors: number[] } | null = null
    const flushIns = (): void => {
      if (ins !== null) inserted.push({ text: ins.parts.join(''), pieces: ins.pieces })
      ins = null
    }
    const flushDel = (): void => {
      if (del !== null) {
        deletedRuns.push(deleted.length)
        deleted.push({ text: del.parts.join(''), authors: Int32Array.from(del.authors) })
      }
      del = null
    }
    for (let item = parent._start; item !== null; item = item.right) {
      if (!(item.content instanceof Y.ContentString)) continue
      const { client, clock } = item.id
      const str = item.content.str
      const known = before(client)
      // Old part [clock, known) and new part [known, clock + length); one is empty in practice.
      const oldLen = Math.max(0, Math.min(item.length, known - clock))
      if (oldLen > 0) {
        const oldStr = oldLen === item.length ? str : str.slice(0, oldLen)
        if (!item.deleted) {
          flushIns()
          flushDel()
          beforeParts.push(oldStr)
          pushAuthors(client, clock, oldLen, beforeAuthors)
          afterParts.push(oldStr)
          afterPieces.push({ client, clock, len: oldLen, run: -1, offset: 0 })
        } else if (Y.isDeleted(tr.deleteSet, item.id)) {
          del ??= { parts: [], authors: [] }
          del.parts.push(oldStr)
          beforeParts.push(oldStr)
          const start = beforeAuthors.length
          pushAuthors(client, clock, oldLen, beforeAuthors)
          for (let k = start; k < beforeAuthors.length; k++) del.authors.push(beforeAuthors[k]!)
        }
      }
      if (oldLen < item.length && !item.deleted) {
        ins ??= { parts: [], pieces: [], len: 0 }
        const newStr = oldLen === 0 ? str : str.slice(oldLen)
        const offset = ins.len
        ins.len += newStr.length
        ins.parts.push(newStr)
        ins.pieces.push({ client, clock: clock + oldLen, len: item.length - oldLen })
        afterParts.push(newStr)
        afterPieces.push({ client, clock: clock + oldLen, len: item.length - oldLen, run: inserted.length, offset })
      }
    }
    flushIns()
    flushDel()
    changes.push({
      beforeText: beforeParts.join(''),
      beforeAuthors: Int32Array.from(beforeAuthors),
      afterText: afterParts.join(''),
      afterPieces,
      deletedRuns
    })
  }
  return { inserted, deleted, parents: changes }
}

/** Types holding text that `tr` inserted or deleted. */
function touchedParents(tr: Y.Transaction): Set<Parent> {
  const parents = new Set<Parent>()
  const structsOf = (client: number): Array<Y.Item | Y.GC> | undefined => tr.doc.store.clients.get(client)
  const addParent = (s: Y.Item | Y.GC): void => {
    if (s instanceof Y.Item && s.content instanceof Y.ContentString && s.parent instanceof Y.AbstractType) {
      parents.add(s.parent as Parent)
    }
  }
  for (const [client, after] of tr.afterState) {
    const before = tr.beforeState.get(client) ?? 0
    const structs = structsOf(client)
    if (after <= before || structs === undefined) continue
    for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
      const s = structs[i]!
      if (s instanceof Y.Item && !s.deleted) addParent(s)
    }
  }
  for (const [client, ranges] of tr.deleteSet.clients) {
    const before = tr.beforeState.get(client) ?? 0
    const structs = structsOf(client)
    if (structs === undefined) continue
    for (const range of ranges) {
      const end = Math.min(range.clock + range.len, before)
      if (range.clock >= end) continue
      for (let i = Y.findIndexSS(structs, range.clock); i < structs.length && structs[i]!.id.clock < end; i++) {
        addParent(structs[i]!)
      }
    }
  }
  return parents
}

/**
 * Fast path of {@link collectTextChanges} for a transaction that deleted nothing (typing,
 * pasting): only the new characters are read, never the rest of their paragraphs, so a
 * keystroke costs the same in a long paragraph as in a short one. Nothing was deleted, so no
 * text was moved or rewritten and `deleted`/`parents` are empty. Consecutive new items that sit
 * next to each other in the document form one run.
 */
export function collectInsertedOnly(tr: Y.Transaction): TextChanges {
  const inserted: InsertedRun[] = []
  let run: { parts: string[]; pieces: ClockRange[] } | null = null
  let last: Y.Item | null = null
  for (const [client, after] of tr.afterState) {
    const before = tr.beforeState.get(client) ?? 0
    const structs = tr.doc.store.clients.get(client)
    if (after <= before || structs === undefined) continue
    for (let i = Y.findIndexSS(structs, before); i < structs.length; i++) {
      const s = structs[i]!
      if (!(s instanceof Y.Item) || s.deleted || !(s.content instanceof Y.ContentString)) continue
      if (!(s.parent instanceof Y.AbstractType)) continue
      if (run !== null && s.left === last) {
        run.parts.push(s.content.str)
        run.pieces.push({ client, clock: s.id.clock, len: s.length })
      } else {
        if (run !== null) inserted.push({ text: run.parts.join(''), pieces: run.pieces })
        run = { parts: [s.content.str], pieces: [{ client, clock: s.id.clock, len: s.length }] }
      }
      last = s
    }
  }
  if (run !== null) inserted.push({ text: run.parts.join(''), pieces: run.pieces })
  return { inserted, deleted: [], parents: [] }
}
