/**
 * Restoring a removal: the server puts removed words back where they were (removals.ts rule 5),
 * credited to their author with their original origins (engine.ts rule 6), in transactions with
 * the origin the room gives (`{ source: 'restore', removalId, by }`), which the room persists
 * with their facts and broadcasts like any accepted update.
 *
 * Rules:
 * 1. Consecutive pieces of one block (same `blockKey`) go back together, as one insertion.
 * 2. Into the block's text at its recorded position if that block is still in the document;
 *    else as a new block of its type (a heading keeps its level; anything else becomes a
 *    paragraph: the schema admits those at the top level) among the top-level blocks, where the
 *    old block was; never in front of the title.
 * 3. Each insertion is its own transaction and is credited by the engine in that transaction's
 *    `afterTransaction`, before Yjs merges its items.
 * 4. The server writes with a clientID nobody else holds; the engine binds it to the system
 *    participant, so no client can write with it later.
 */
import * as Y from 'yjs'
import { fromBase64 } from 'lib0/buffer'
import { FRAGMENT_NAME } from '../../shared/schema.js'
import type { AttributionEngine } from '../attribution/engine.js'
import { SYSTEM_PARTICIPANT } from '../attribution/bindings.js'
import type { OriginRange } from './contributions.js'
import type { Place, RemovalRecord } from './removals.js'

/** One insertion (rule 1). */
interface Group {
  text: string
  place: Place
  origins: OriginRange[]
}

/** Rules 1-4: puts `removal`'s words back into `doc`, restored by `by`. */
export function restoreRemoval(doc: Y.Doc, engine: AttributionEngine, removal: RemovalRecord, by: string, origin: object): void {
  useServerClientId(doc, engine)
  for (const group of groupsOf(removal)) {
    const credit = (tr: Y.Transaction): void => {
      if (tr.origin === origin) engine.credit(tr, removal.authorId, by, group.origins)
    }
    doc.on('afterTransaction', credit)
    try {
      doc.transact(() => insert(doc, group), origin)
    } finally {
      doc.off('afterTransaction', credit)
    }
  }
}

/** Rule 4. */
function useServerClientId(doc: Y.Doc, engine: AttributionEngine): void {
  const free = (id: number): boolean => {
    const owner = engine.bindings.ownerOf(id)
    return owner === SYSTEM_PARTICIPANT || (owner === undefined && !doc.store.clients.has(id))
  }
  while (!free(doc.clientID)) doc.clientID = Math.floor(Math.random() * 0xffffffff) + 1
}

/** Rule 1, with each group's share of the origins (in text order). */
function groupsOf(removal: RemovalRecord): Group[] {
  const groups: Group[] = []
  let o = 0
  let within = 0
  const takeOrigins = (len: number): OriginRange[] => {
    const out: OriginRange[] = []
    while (len > 0 && o < removal.origins.length) {
      const r = removal.origins[o]!
      const n = Math.min(len, r.len - within)
      out.push({ client: r.client, clock: r.clock + within, len: n })
      within += n
      len -= n
      if (within === r.len) {
        o++
        within = 0
      }
    }
    return out
  }
  for (const piece of removal.pieces) {
    const last = groups[groups.length - 1]
    const origins = takeOrigins(piece.text.length)
    if (last !== undefined && last.place.blockKey === piece.place.blockKey) {
      last.text += piece.text
      last.origins.push(...origins)
    } else groups.push({ text: piece.text, place: piece.place, origins })
  }
  return groups
}

const resolve = (doc: Y.Doc, encoded: string): Y.AbsolutePosition | null => {
  try {
    return Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(fromBase64(encoded)), doc)
  } catch {
    return null
  }
}

/** True if `type` is in the document: neither it nor an ancestor was deleted. */
function inDocument(type: Y.AbstractType<any>): boolean {
  for (let t: Y.AbstractType<any> = type; t._item !== null; t = t._item.parent as Y.AbstractType<any>) if (t._item.deleted) return false
  return true
}

/** Rule 2. */
function insert(doc: Y.Doc, group: Group): void {
  const fragment = doc.getXmlFragment(FRAGMENT_NAME)
  const inText = group.place.inText === null ? null : resolve(doc, group.place.inText)
  if (inText !== null && inText.type instanceof Y.XmlText && inDocument(inText.type)) {
    inText.type.insert(inText.index, group.text)
    return
  }
  const at = resolve(doc, group.place.inFragment)
  let index = at !== null && at.type === fragment ? Math.min(at.index, fragment.length) : fragment.length
  const first = fragment.get(0)
  if (index === 0 && first instanceof Y.XmlElement && first.nodeName === 'title') index = 1
  const heading = group.place.blockType === 'heading'
  // y-prosemirror keeps node attributes as they are (a heading's level is a number).
  const block = new Y.XmlElement(heading ? 'heading' : 'paragraph')
  if (heading) (block as Y.XmlElement<{ level: number }>).setAttribute('level', group.place.level ?? 1)
  block.insert(0, [new Y.XmlText(group.text)])
  fragment.insert(index, [block])
}
