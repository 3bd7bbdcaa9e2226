/**
 * Real ProseMirror edits on a Node client's Y.Doc, written into Yjs by y-prosemirror's own
 * `updateYFragment` (what the sync plugin does for every editor transaction).
 */
import type * as Y from 'yjs'
import { Transform } from 'prosemirror-transform'
import type { Node as PMNode } from 'prosemirror-model'
import { updateYFragment, yXmlFragmentToProseMirrorRootNode } from 'y-prosemirror'
import { ySyncPluginKey } from 'y-prosemirror'
import { FRAGMENT_NAME, schema } from '../../shared/schema.js'

/** The client's document as a ProseMirror node. */
export function pmDoc(doc: Y.Doc): PMNode {
  return yXmlFragmentToProseMirrorRootNode(doc.getXmlFragment(FRAGMENT_NAME), schema)
}

/**
 * Where the body starts: the position inside the first block after the title (a new spec's
 * title block holds its title, so fixed positions would land in it).
 */
export const bodyStart = (doc: PMNode): number => doc.child(0).nodeSize + 1

/** Applies `edit` to the document as one ProseMirror transform and one Yjs transaction. */
export function editPm(doc: Y.Doc, edit: (tr: Transform) => void): void {
  const tr = new Transform(pmDoc(doc))
  edit(tr)
  writePm(doc, tr.doc)
}

/** Writes a whole ProseMirror document into the Y.Doc (one transaction, sync-plugin origin). */
export function writePm(doc: Y.Doc, next: PMNode): void {
  doc.transact(() => {
    updateYFragment(doc, doc.getXmlFragment(FRAGMENT_NAME), next, { mapping: new Map(), isOMark: new Map() })
  }, ySyncPluginKey)
}

/** Position just inside the start of the first textblock containing `text`, plus its offset. */
export function posOf(doc: PMNode, text: string): number {
  let found = -1
  doc.descendants((node, pos) => {
    if (found >= 0) return false
    if (node.isText && node.text!.includes(text)) found = pos + node.text!.indexOf(text)
    return true
  })
  if (found < 0) throw new Error(`text not found: ${text}`)
  return found
}
