/**
 * Folding an update log into one snapshot, shared by every DocStore.
 */
import * as Y from 'yjs'

/**
 * Applies `updates` in order to a fresh document with garbage collection on and encodes its
 * state. Unlike `Y.mergeUpdates`, this drops the content of deleted items, so a log of
 * "insert 10 KB, delete it" folds to a few bytes.
 */
export function foldUpdates(updates: readonly Uint8Array[]): Uint8Array {
  const doc = new Y.Doc({ gc: true })
  Y.transact(doc, () => {
    for (const update of updates) Y.applyUpdate(doc, update)
  })
  const state = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return state
}

