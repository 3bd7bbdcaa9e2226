/**
 * An in-memory {@link SocketLike} whose flow control the test drives: it records what the
 * server sent and how it closed, reports whatever `bufferedAmount` the test sets, and counts
 * pauses and resumes. Plus a room loaded on a memory store, to attach connections to.
 */
import { afterEach } from 'vitest'
import { OPEN, type SocketLike } from '../../server/sync/socket.js'
import { Room } from '../../server/sync/room.js'
import { MemoryDocStore } from '../../server/storage/memory.js'
import { AttributionEngine } from '../../server/attribution/index.js'
import { createLogger } from '../../server/observability/logger.js'
import { Connection, type ConnectionLimits } from '../../server/sync/connection.js'
import type { Role } from '../../shared/permissions.js'

/** A socket in memory; `pausable: false` leaves out `pause`/`resume` (a transport that cannot). */
export class MemorySocket implements SocketLike {
  readonly sent: Uint8Array[] = []
  readyState = OPEN
  /** What the server sees as unsent bytes; the test sets it. */
  bufferedAmount = 0
  paused = false
  pauses = 0
  resumes = 0
  closed: { code: number | undefined; reason: string | undefined } | null = null
  terminated = false
  pause?: () => void
  resume?: () => void

  constructor(pausable = true) {
    if (pausable) {
      this.pause = () => {
        this.paused = true
        this.pauses++
      }
      this.resume = () => {
        this.paused = false
        this.resumes++
      }
    }
  }

  send(data: Uint8Array): void {
    this.sent.push(data)
  }

  close(code?: number, reason?: string): void {
    this.closed ??= { code, reason }
    this.readyState = 3
  }

  terminate(): void {
    this.terminated = true
    this.readyState = 3
  }
}

const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent')
const rooms: Room[] = []
afterEach(async () => {
  for (const room of rooms.splice(0)) {
    room.closeAll(1001, 'test over')
    await room.unload()
  }
})

/** Loads a room on a fresh memory store (unloaded after the test). */
export async function memoryRoom(name = 'memory-room-0001', deps: Partial<Parameters<typeof Room.load>[1]> = {}): Promise<Room> {
  const room = await Room.load(name, {
    docs: new MemoryDocStore({ foldFacts: AttributionEngine.fold }),
    log,
    compactEvery: 1000,
    lookupParticipant: async () => null,
    ...deps
  })
  rooms.push(room)
  return room
}

/** A connection of a principal of `role` on a {@link MemorySocket}. */
export function memoryConnection(
  id: string,
  role: Role,
  limits: Partial<ConnectionLimits> = {},
  socket = new MemorySocket()
): { conn: Connection; socket: MemorySocket } {
  const conn = new Connection(socket, {
    extensions: true,
    log,
    principal: { participantId: id, displayName: id, role, kind: 'token', email: null },
    access: role === 'viewer' ? 'read' : 'write',
    limits
  })
  return { conn, socket }
}
