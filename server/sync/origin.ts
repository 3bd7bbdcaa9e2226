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
  /**
   * The server restoring removed words on a team member's request (server/review/restore.ts):
   * persisted with its attribution facts and broadcast to every member, like an accepted update.
   */
  | { source: 'restore'; removalId: string; by: string }
  /**
   * The server writing a spec's title into its title block on `by`'s behalf (a rename through the
   * API, server/sync/spec-title.ts); `by` null for nobody's (adopting an older metadata title).
   * Persisted and broadcast like an accepted update, attributed to `by`.
   */
  | { source: 'title'; by: string | null }

/** Narrows an unknown Yjs transaction origin to a {@link TxOrigin}. */
export function isTxOrigin(origin: unknown): origin is TxOrigin {
  return typeof origin === 'object' && origin !== null && 'source' in origin
}

/**
 * Who a transaction writes for, as the attribution engine credits it: a member's update is
 * their participant's, a title the server wrote is its renamer's; anything else is nobody's
 * (loads, and restores, which engine rule 6 credits to the words' authors).
 */
export function participantOfOrigin(origin: unknown): string | null {
  if (!isTxOrigin(origin)) return null
  if (origin.source === 'connection') return origin.peer.participantId
  return origin.source === 'title' ? origin.by : null
}
