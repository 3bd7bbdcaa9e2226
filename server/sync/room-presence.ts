/**
 * A room's presence: who is here and where their caret is (y-protocols awareness), admitted by
 * the roster's rules (presence.ts: held clientIDs, quotas, server-stamped names) and fanned out
 * to the room's members. Kept apart from the document on purpose: presence is never stored and
 * never waits for a commit, while everything in room.ts about the document does.
 */
import type * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as awarenessProtocol from 'y-protocols/awareness'
import { messageAwareness } from '../../shared/protocol.js'
import type { AttributionEngine } from '../attribution/index.js'
import { encodeAwarenessEntries, type AwarenessEntry } from './awareness-codec.js'
import type { Peer } from './peer.js'
import { PresenceRoster } from './presence.js'

/** An awareness frame of `clients`' current states. */
const awarenessFrame = (awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array => {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, messageAwareness)
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients))
  return encoding.toUint8Array(encoder)
}

/** Presence of one room; see the file header. */
export class RoomPresence {
  readonly awareness: awarenessProtocol.Awareness
  private readonly roster: PresenceRoster

  /**
   * @param conns the room's members (read live: every change goes to whoever is there).
   * @param engine the room's attribution engine, read through the getter (the room replaces it
   *   on load): durable clientID bindings decide who may show presence under a clientID.
   */
  constructor(doc: Y.Doc, private readonly conns: ReadonlySet<Peer>, engine: () => AttributionEngine, maxIdsPerConnection: number) {
    this.awareness = new awarenessProtocol.Awareness(doc)
    // The server itself is not a participant.
    this.awareness.setLocalState(null)
    this.roster = new PresenceRoster(
      { maxIdsPerConnection },
      {
        durableOwner: (id) => (engine().bindings.isDurable(id) ? engine().bindings.ownerOf(id) : undefined),
        announce: (id, pid) => engine().announce(id, pid),
        release: (id, pid) => engine().bindings.release(id, pid)
      }
    )
    this.awareness.on('update', this.onUpdate)
  }

  /** Presence clientIDs held by connections. */
  get holders(): number {
    return this.roster.size
  }

  /**
   * Applies the admissible part of an awareness update from `peer`: only clientIDs it holds or
   * may claim, within its quota, with the server-stamped user fields.
   */
  receive(peer: Peer, entries: AwarenessEntry[]): void {
    const { admitted, drops } = this.roster.admit(peer, entries)
    if (drops.quota > 0) {
      peer.warnOnce('presence-quota', { held: [...peer.presenceIds] }, 'presence for more clientIDs than a connection may hold; dropped')
    }
    if (drops.oversize > 0) peer.warnOnce('presence-oversize', {}, 'presence state above the size limit; dropped')
    if (admitted.length === 0) return
    awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(admitted), peer)
  }

  /** Sends every known presence state to `peer` (nothing if nobody shows presence). */
  sendTo(peer: Peer): void {
    const clients = [...this.awareness.getStates().keys()]
    if (clients.length === 0) return
    peer.sendPresence(awarenessFrame(this.awareness, clients))
  }

  /** `peer` left: its states go (broadcast as removed), and the clientIDs it only announced. */
  leave(peer: Peer): void {
    this.drop(this.roster.leave(peer), peer)
  }

  /**
   * `participantId` wrote with `clientIDs`: a write beats an announcement, so whoever else showed
   * presence under them loses it, and the writer's own presence is admitted from now on.
   */
  wrote(clientIDs: number[], participantId: string): void {
    this.drop(this.roster.evict(clientIDs, participantId), null)
  }

  /** Room unload. */
  destroy(): void {
    this.awareness.destroy()
  }

  private readonly onUpdate = (changes: { added: number[]; updated: number[]; removed: number[] }, _origin: unknown): void => {
    const changed = changes.added.concat(changes.updated, changes.removed)
    if (changed.length === 0) return
    const message = awarenessFrame(this.awareness, changed)
    for (const peer of this.conns) peer.sendPresence(message)
  }

  /**
   * Removes the presence states of `clientIDs` (broadcast as removals) and then forgets their
   * awareness metadata, which y-protocols keeps forever otherwise: a million clientIDs that
   * came and went would stay in memory.
   */
  private drop(clientIDs: number[], origin: Peer | null): void {
    if (clientIDs.length === 0) return
    // The removal broadcast reads each clientID's clock from the metadata: delete it after.
    awarenessProtocol.removeAwarenessStates(this.awareness, clientIDs, origin)
    for (const id of clientIDs) this.awareness.meta.delete(id)
  }
}
