/**
 * What a room needs of one member: who it is, what it may do, how to reach it, and the little
 * state the room keeps per member (update count, presence clientIDs) behind methods, so the
 * room never writes a member's fields. A local WebSocket implements it (`Connection`); a
 * member reached through another process (scale-out) can too.
 */
import type { Principal } from '../../shared/identity.js'
import type { PresenceMember } from './presence.js'

/** One member of a room. */
export interface Peer extends PresenceMember {
  /** Process-unique id, for log lines. */
  readonly id: number
  /** Who is behind the peer. */
  readonly principal: Principal
  /** What the peer may do with the spec's document (checked before a message reaches the room). */
  readonly access: 'read' | 'write'
  /** True if the peer opted into Valence extensions (acks, attribution) with `?v=`. */
  readonly wantsExtensions: boolean
  /** Sends a frame (dropped if the peer is gone or backed up; see Connection.send). */
  send(frame: Uint8Array): void
  /** Sends a presence frame, which may be skipped when the peer is backed up. */
  sendPresence(frame: Uint8Array): void
  /** Sends a Valence extension frame, only if the peer opted in. */
  sendExtension(frame: Uint8Array): void
  /**
   * Counts one more update-bearing message (sync step 2 or update) received from the peer and
   * returns the count so far: the number an ack of that message carries.
   */
  countUpdate(): number
  /** Update-bearing messages counted so far. */
  readonly updatesReceived: number
  /** Acknowledges the first `count` update-bearing messages (Valence clients only). */
  ack(count: number): void
  /** Tells the peer (once) that a change it sent was not applied: it may only read. */
  denyWrite(): void
  /** Logs at warn level once per peer and `key`. */
  warnOnce(key: string, fields: Record<string, unknown>, message: string): void
  /** Closes the peer with a close code (it then leaves the room). */
  close(code: number, reason: string): void
}
