/**
 * Which participant owns each Yjs clientID.
 *
 * Yjs names the author of every item only by a clientID the client picks, so the server binds a
 * clientID to the authenticated participant of the connection that first writes with it and
 * refuses, as a whole, any later update that carries new structs of that clientID from anyone
 * else. Deleting other people's items stays allowed; it only adds to the delete set, which
 * carries no clientID of the deleter.
 *
 * A writer's connection may also announce a clientID in awareness before its first edit. That
 * makes a *provisional* binding: it keeps other connections from showing presence under that
 * clientID while the announcer is connected, but it never refuses a write (a real write by
 * anyone beats it and makes the binding durable for the writer), it is not persisted, and it is
 * released when the announcing connection closes. So nobody can shut a person out of their own
 * clientID by announcing it first, not even after a restart.
 */
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { SEED_CLIENT_ID } from '../../shared/schema.js'

/** Participant that owns the server-made skeleton (clientID {@link SEED_CLIENT_ID}). */
export const SYSTEM_PARTICIPANT = '@system'

/** Machine-readable reason of an {@link AttributionRefusedError}. */
export type AttributionRefusal =
  /** New structs of a clientID that is bound to another participant. */
  'client-bound-to-other'

/**
 * The whole update must be refused (nothing applied, stored or broadcast) and the connection
 * closed: the client's local document now holds structs nobody else will ever accept.
 */
export class AttributionRefusedError extends Error {
  readonly reason: AttributionRefusal
  readonly clientID: number
  /** The participant the clientID belongs to (for logs; never sent to the offending client). */
  readonly owner: string

  constructor(reason: AttributionRefusal, clientID: number, owner: string, participantId: string) {
    super(`update refused (${reason}): clientID ${clientID} is bound to another participant than ${participantId}`)
    this.name = 'AttributionRefusedError'
    this.reason = reason
    this.clientID = clientID
    this.owner = owner
  }
}

/** New clocks per clientID, as `UpdateSummary.added` of `server/sync/validate-update.ts`. */
export type AddedClocks = ReadonlyMap<number, { readonly from: number; readonly to: number }>

/**
 * clientID → participantId. Bindings made by writing are durable (part of the persisted facts);
 * bindings made by an awareness announcement are provisional (memory only, never blocking a
 * write) until the first write with that clientID makes them durable.
 */
export class ClientBindings {
  private readonly owners = new Map<number, string>()
  private readonly provisional = new Set<number>()

  constructor() {
    this.owners.set(SEED_CLIENT_ID, SYSTEM_PARTICIPANT)
  }

  /** The participant bound to `clientID`, if any. */
  ownerOf(clientID: number): string | undefined {
    return this.owners.get(clientID)
  }

  /** True if the binding of `clientID` is durable (not only announced). */
  isDurable(clientID: number): boolean {
    return this.owners.has(clientID) && !this.provisional.has(clientID)
  }

  /**
   * Binds `clientID` to `participantId` if it is free. Returns `'new'` if this call created the
   * binding (or made a provisional one durable, or replaced another participant's provisional
   * binding with a durable one), `'same'` if it already was so bound, `'other'` if another
   * participant owns it (nothing changes).
   */
  bind(clientID: number, participantId: string, options: { provisional?: boolean } = {}): 'new' | 'same' | 'other' {
    if (!Number.isSafeInteger(clientID) || clientID < 0) throw new RangeError(`bad clientID ${clientID}`)
    const owner = this.owners.get(clientID)
    if (owner !== undefined && owner !== participantId) {
      // A write beats an announcement: whoever writes with the clientID first owns it.
      if (options.provisional === true || !this.provisional.delete(clientID)) return 'other'
      this.owners.set(clientID, participantId)
      return 'new'
    }
    if (owner === undefined) {
      this.owners.set(clientID, participantId)
      if (options.provisional === true) this.provisional.add(clientID)
      return 'new'
    }
    if (options.provisional !== true && this.provisional.delete(clientID)) return 'new'
    return 'same'
  }

  /**
   * Drops the provisional binding of `clientID` if `participantId` holds it (its announcing
   * connection closed). Durable bindings and other participants' bindings are kept. Returns
   * true if a binding was dropped.
   */
  release(clientID: number, participantId: string): boolean {
    if (!this.provisional.has(clientID) || this.owners.get(clientID) !== participantId) return false
    this.provisional.delete(clientID)
    this.owners.delete(clientID)
    return true
  }

  /**
   * Refuses an update whose structs add clocks to a clientID durably bound to someone other
   * than `participantId`. A provisional binding never refuses a write. Pure: binds nothing (the
   * engine binds when the update is applied).
   * @throws {AttributionRefusedError}
   */
  check(participantId: string, added: AddedClocks): void {
    for (const [clientID, range] of added) {
      if (range.to <= range.from) continue
      const owner = this.owners.get(clientID)
      if (owner !== undefined && owner !== participantId && !this.provisional.has(clientID)) {
        throw new AttributionRefusedError('client-bound-to-other', clientID, owner, participantId)
      }
    }
  }

  /** Durable bindings, for the snapshot. */
  *durable(): IterableIterator<[number, string]> {
    for (const entry of this.owners) if (!this.provisional.has(entry[0])) yield entry
  }

  /** Durable bindings as bytes: `varUint n`, then n × (`varUint clientID`, `varString participantId`). */
  serialize(): Uint8Array {
    const encoder = encoding.createEncoder()
    const entries = [...this.durable()]
    encoding.writeVarUint(encoder, entries.length)
    for (const [clientID, owner] of entries) {
      encoding.writeVarUint(encoder, clientID)
      encoding.writeVarString(encoder, owner)
    }
    return encoding.toUint8Array(encoder)
  }

  /** Inverse of {@link serialize}. @throws {Error} on malformed bytes. */
  static deserialize(bytes: Uint8Array): ClientBindings {
    const decoder = decoding.createDecoder(bytes)
    const bindings = new ClientBindings()
    const n = decoding.readVarUint(decoder)
    for (let i = 0; i < n; i++) {
      const clientID = decoding.readVarUint(decoder)
      bindings.bind(clientID, decoding.readVarString(decoder))
    }
    if (decoding.hasContent(decoder)) throw new Error('ClientBindings.deserialize: trailing bytes')
    return bindings
  }

  /** Number of bindings (durable and provisional). */
  get size(): number {
    return this.owners.size
  }

  /** Number of provisional (announcement-only) bindings. */
  get provisionalSize(): number {
    return this.provisional.size
  }
}
