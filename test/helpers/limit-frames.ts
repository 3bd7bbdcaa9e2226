/**
 * Frames for limit and flood tests: awareness frames with chosen clientIDs and sizes, a run of
 * keystroke updates, and one update holding many separate one-character items.
 */
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import { messageAwareness } from '../../shared/protocol.js'
import { encodeAwarenessEntries, type AwarenessEntry } from '../../server/sync/awareness-codec.js'
import { updateFrame } from './raw-socket.js'

/** An awareness frame (message type 1) holding `entries`. */
export function awarenessFrame(entries: AwarenessEntry[]): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, messageAwareness)
  encoding.writeVarUint8Array(e, encodeAwarenessEntries(entries))
  return encoding.toUint8Array(e)
}

/** A presence state whose JSON is about `bytes` long. */
export const paddedState = (bytes: number): Record<string, unknown> => ({ cursor: null, pad: 'x'.repeat(Math.max(0, bytes - 30)) })

/**
 * `count` keystroke update frames of one client typing into text `t`, on top of `base` (a
 * state the server has). Each frame depends on the previous one, so applying them out of order
 * would be refused.
 */
export function typingFrames(count: number, base: Uint8Array | null = null, clientID?: number): { doc: Y.Doc; frames: Uint8Array[] } {
  const doc = new Y.Doc()
  if (base) Y.applyUpdate(doc, base)
  if (clientID !== undefined) doc.clientID = clientID
  const frames: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => frames.push(updateFrame(u)))
  const text = doc.getText('t')
  for (let i = 0; i < count; i++) text.insert(text.length, String.fromCharCode(97 + (i % 26)))
  return { doc, frames }
}

/**
 * One update of a fresh client holding `count` one-character items that do not merge (each
 * inserted before the previous one), on top of `base`.
 */
export function manyItemsUpdate(count: number, base: Uint8Array | null = null): Uint8Array {
  const doc = new Y.Doc()
  if (base) Y.applyUpdate(doc, base)
  const before = Y.encodeStateVector(doc)
  const text = doc.getText('t')
  doc.transact(() => {
    for (let i = 0; i < count; i++) text.insert(0, 'x')
  })
  return Y.encodeStateAsUpdate(doc, before)
}
