/**
 * The update a local change produces, for tests that send, store or forge updates by hand.
 */
import * as Y from 'yjs'

/**
 * Runs `change` on `doc` and returns the update it produced: the update of its one transaction,
 * or the updates of several transactions merged into one. Throws if nothing changed, so a test
 * never sends an empty update by mistake.
 *
 * @example
 *   const update = captureUpdate(doc, (d) => d.getText('t').insert(0, 'x'))
 */
export function captureUpdate(doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const updates: Uint8Array[] = []
  const onUpdate = (update: Uint8Array): void => {
    updates.push(update)
  }
  doc.on('update', onUpdate)
  try {
    change(doc)
  } finally {
    doc.off('update', onUpdate)
  }
  if (updates.length === 0) throw new Error('captureUpdate: the change produced no update')
  // mergeUpdates returns a single update unchanged.
  return Y.mergeUpdates(updates)
}
