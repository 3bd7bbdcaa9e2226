/**
 * Connection limits of the sync endpoint: how many WebSockets one client address and one spec
 * may have open at once. Pure bookkeeping; upgrade.ts takes a slot when it accepts a socket and
 * gives it back when the socket closes.
 */
import type { IncomingMessage } from 'node:http'

/** The limits, from `MAX_CONNECTIONS_PER_IP` and `MAX_CONNECTIONS_PER_ROOM`. */
export interface SlotLimits {
  perIp: number
  perRoom: number
}

/** Which limit refused a connection. */
export type SlotRefusal = 'ip' | 'room'

/** Open connections per client address and per room. */
export class ConnectionSlots {
  private readonly byIp = new Map<string, number>()
  private readonly byRoom = new Map<string, number>()

  constructor(private readonly limits: SlotLimits) {}

  /**
   * Takes a slot for a connection from `ip` to `room`, or returns which limit is reached (and
   * takes nothing). Synchronous, so two upgrades can never both take the last slot.
   */
  acquire(ip: string, room: string): SlotRefusal | null {
    const fromIp = this.byIp.get(ip) ?? 0
    const inRoom = this.byRoom.get(room) ?? 0
    if (fromIp >= this.limits.perIp) return 'ip'
    if (inRoom >= this.limits.perRoom) return 'room'
    this.byIp.set(ip, fromIp + 1)
    this.byRoom.set(room, inRoom + 1)
    return null
  }

  /** Gives back a slot taken by {@link acquire}. */
  release(ip: string, room: string): void {
    decrement(this.byIp, ip)
    decrement(this.byRoom, room)
  }

  /** Open connections from `ip` (tests and metrics). */
  fromIp(ip: string): number {
    return this.byIp.get(ip) ?? 0
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 0) - 1
  if (n > 0) map.set(key, n)
  else map.delete(key)
}

/**
 * The client address of an upgrade request: the left-most `X-Forwarded-For` entry when the
 * proxy is trusted (what express's `trust proxy: true` takes as `req.ip`), else the peer.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = req.headers['x-forwarded-for']
    const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim()
    if (first) return first
  }
  return req.socket.remoteAddress ?? 'unknown'
}
