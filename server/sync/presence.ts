/**
 * Awareness admission: which entries of a connection's awareness update are applied, and with
 * which user fields, and which clientIDs each connection holds in presence. No awareness or
 * socket imports; the room applies the results to its `Awareness`.
 *
 * Rules, per room:
 * - A clientID's presence is *held* by one connection at a time; only the holder may set or
 *   remove its state. Another connection of the same participant takes it over (a reconnect
 *   whose old socket the server has not noticed dying yet).
 * - A connection holds at most `maxIdsPerConnection` distinct clientIDs over its life, so
 *   presence memory per connection is bounded and cycling through ids gains nothing.
 * - A clientID durably bound to another participant (they wrote with it) is never admitted.
 * - Only writers' announcements bind (provisionally; see `server/attribution/bindings.ts`).
 * - States larger than `maxStateBytes` of JSON are dropped (the codec did not parse them).
 */
import type { PresenceUser } from '../../shared/identity.js'
import type { AwarenessEntry } from './awareness-codec.js'

/** What the roster needs to know about a connection. */
export interface PresenceMember {
  readonly participantId: string
  readonly access: 'read' | 'write'
  /** The user fields the server stamps on this member's states (null: keep states as sent). */
  readonly presence: PresenceUser | null
  /** Every clientID this member has held (for the per-connection cap). */
  readonly presenceIds: ReadonlySet<number>
  /** Records that the member now holds `clientID` (it stays in `presenceIds` for good). */
  holdPresence(clientID: number): void
}

/** What the roster asks of the room's clientID bindings. */
export interface PresenceBindings {
  /** The participant that durably owns `clientID` (wrote with it), if any. */
  durableOwner(clientID: number): string | undefined
  /** Binds `clientID` provisionally to a writer; false if someone else holds it. */
  announce(clientID: number, participantId: string): boolean
  /** Drops a provisional binding of `participantId` (its announcing connection left). */
  release(clientID: number, participantId: string): void
}

/** Why entries were dropped, for a log line. */
export interface PresenceDrops {
  oversize: number
  /** Held by another participant's connection, or durably bound to another participant. */
  foreign: number
  /** The member already used its quota of clientIDs. */
  quota: number
}

/** Limits of a {@link PresenceRoster}. */
export interface PresenceLimits {
  maxIdsPerConnection: number
}

/** Who holds which presence clientID in one room. */
export class PresenceRoster {
  private readonly holders = new Map<number, PresenceMember>()

  constructor(
    private readonly limits: PresenceLimits,
    private readonly bindings: PresenceBindings
  ) {}

  /** The member holding `clientID`, if any. */
  holderOf(clientID: number): PresenceMember | undefined {
    return this.holders.get(clientID)
  }

  /** Number of held clientIDs (for tests and metrics). */
  get size(): number {
    return this.holders.size
  }

  /**
   * Keeps the entries `member` may apply, with the server-stamped user on every state, and
   * records what it now holds. Entries for other clientIDs, including `null` states that would
   * remove another person, are dropped.
   */
  admit(member: PresenceMember, entries: readonly AwarenessEntry[]): { admitted: AwarenessEntry[]; drops: PresenceDrops } {
    const admitted: AwarenessEntry[] = []
    const drops: PresenceDrops = { oversize: 0, foreign: 0, quota: 0 }
    for (const entry of entries) {
      const id = entry.clientID
      if (entry.oversize === true) {
        drops.oversize++
        continue
      }
      const holder = this.holders.get(id)
      if (entry.state === null) {
        // A removal never claims: providers echo the removal of *other* clients whose presence
        // timed out, and such an echo must neither remove them nor take their clientID.
        if (holder === member) admitted.push(entry)
        else drops.foreign++
        continue
      }
      if (holder !== member) {
        const owner = this.bindings.durableOwner(id)
        if ((owner !== undefined && owner !== member.participantId) || (holder !== undefined && holder.participantId !== member.participantId)) {
          drops.foreign++
          continue
        }
        if (!member.presenceIds.has(id) && member.presenceIds.size >= this.limits.maxIdsPerConnection) {
          drops.quota++
          continue
        }
        if (member.access === 'write' && !this.bindings.announce(id, member.participantId)) {
          drops.foreign++
          continue
        }
        this.holders.set(id, member)
        member.holdPresence(id)
      }
      admitted.push(member.presence === null ? entry : { ...entry, state: { ...entry.state, user: { ...member.presence } } })
    }
    return { admitted, drops }
  }

  /**
   * `member` left: returns the clientIDs it still held (their states and awareness metadata are
   * to be removed) and releases their provisional bindings.
   */
  leave(member: PresenceMember): number[] {
    const freed: number[] = []
    for (const id of member.presenceIds) {
      if (this.holders.get(id) !== member) continue
      this.holders.delete(id)
      this.bindings.release(id, member.participantId)
      freed.push(id)
    }
    return freed
  }

  /**
   * `participantId` wrote with `clientIDs`: whoever else held them in presence loses them (a
   * write beats an announcement). Returns the evicted clientIDs, whose states are to be removed.
   * They still count against the evicted member's quota.
   */
  evict(clientIDs: Iterable<number>, participantId: string): number[] {
    const evicted: number[] = []
    for (const id of clientIDs) {
      const holder = this.holders.get(id)
      if (holder === undefined || holder.participantId === participantId) continue
      this.holders.delete(id)
      evicted.push(id)
    }
    return evicted
  }
}
