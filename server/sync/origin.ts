/**
 * Typed transaction origins: every change applied to a room's Y.Doc says where it came from.
 * The `update` listener uses this to tell client edits (persist, then fan out) from the initial
 * load (already stored) and server-made changes.
 */
import type { Peer } from './peer.js'

/** Where a Y.Doc transaction came from. */
export type TxOrigin =
  | { source: 'load' }
  /** An update a room member sent (and the room admitted): attributed to its participant. */
  | { source: 'connection'; peer: Peer }
  | { source: 'server'; reason: string }

/** Narrows an unknown Yjs transaction origin to a {@link TxOrigin}. */
export function isTxOrigin(origin: unknown): origin is TxOrigin {
  return typeof origin === 'object' && origin !== null && 'source' in origin
}
