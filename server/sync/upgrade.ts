/**
 * HTTP upgrade -> WebSocket -> Connection. The `ws` library stays behind this file; everything
 * after it sees a {@link SocketLike}.
 */
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket, type RawData } from 'ws'
import { CloseCode, PROTOCOL_VERSION } from '../../shared/protocol.js'
import type { SpecStore } from '../storage/doc-store.js'
import { SPEC_ID_PATTERN } from '../storage/ids.js'
import type { Logger } from '../observability/logger.js'
import { Connection, type ConnectionLimits } from './connection.js'
import { ParticipantByteBudgets } from './participant-budgets.js'
import { RoomLimitError, type RoomRegistry } from './rooms.js'
import type { SyncAccess } from './access.js'
import type { Principal } from '../../shared/identity.js'
import type { SyncLimits } from '../config.js'
import { clientAddress, ConnectionSlots } from './connection-slots.js'

/** What the upgrade handler needs. */
export interface SyncDeps {
  rooms: RoomRegistry
  specs: SpecStore
  log: Logger
  /** Largest frame from the team and facilitators. */
  maxMessageBytes: number
  /** Per-connection and per-address limits (the per-room ones go to the registry). */
  limits: SyncLimits
  /** Take the client address from `X-Forwarded-For` (behind a trusted proxy). */
  trustProxy: boolean
  /** Authentication and authorization of upgrades, and revocation events. */
  access: SyncAccess
  /** Interval of WebSocket pings; a peer that misses one is dropped. */
  pingIntervalMs?: number
}

/** Handle on the attached sync endpoint. */
export interface SyncEndpoint {
  /** Open connections (for tests and metrics). */
  readonly connections: ReadonlySet<Connection>
  /** Stops accepting upgrades and stops the ping timer. */
  close(): void
}

const WS_PATH = /^\/ws\/([^/?#]+)$/

function rejectUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } })
  socket.end(
    `HTTP/1.1 ${status} ${code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  )
}

const BACKED_UP = new Error('socket dropped: it did not read what it was sent')

/**
 * Drops a socket at once, unsent data included. Destroyed with an error, Node hands that one
 * error to every queued write; `ws.terminate()` destroys without one, and Node then builds an
 * error with a stack trace per queued write: thousands, and a stall of every room, for a socket
 * that stopped reading long ago. `_socket` is private to ws 8; without it, terminate.
 */
function dropSocket(ws: WebSocket): void {
  const socket = (ws as unknown as { _socket?: { destroy(err?: Error): void } })._socket
  if (socket) socket.destroy(BACKED_UP)
  else ws.terminate()
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data))
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
}

/**
 * Serves `/ws/:specId` on `server`. A path that is not a spec URL gets HTTP 404; an unknown or
 * deleted spec is closed with 4404 before anything is loaded; `?v=` opts into Valence
 * extensions and must equal {@link PROTOCOL_VERSION} (else 4426).
 */
export function attachSync(server: Server, deps: SyncDeps): SyncEndpoint {
  const { limits } = deps
  // ws has one maxPayload for every socket: the larger limit. Connection closes customers'
  // frames above theirs.
  const wss = new WebSocketServer({ noServer: true, maxPayload: Math.max(deps.maxMessageBytes, limits.maxCustomerMessageBytes) })
  const slots = new ConnectionSlots({ perIp: limits.maxConnectionsPerIp, perRoom: limits.maxConnectionsPerRoom })
  const connections = new Set<Connection>()
  const specOf = new WeakMap<Connection, string>()
  const alive = new WeakSet<WebSocket>()

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy())
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost')
      const match = WS_PATH.exec(url.pathname)
      const specId = match ? decodeURIComponent(match[1]!) : null
      if (!specId || !SPEC_ID_PATTERN.test(specId)) {
        return rejectUpgrade(socket, 404, 'not_found', 'no WebSocket endpoint here')
      }
      // Authenticate before revealing whether the spec exists; a refused upgrade loads nothing.
      const auth = await deps.access.authenticate(req, specId)
      if (!auth.ok) return rejectUpgrade(socket, auth.status, auth.code, auth.message)
      const { principal, access } = auth
      const spec = await deps.specs.get(specId)
      const version = url.searchParams.get('v')
      wss.handleUpgrade(req, socket, head, (ws) => {
        // Refusals after the handshake use close codes: a browser cannot read the HTTP status
        // of a failed upgrade, and a permanent close code stops the provider's reconnect loop.
        // Nothing is loaded for a refused connection.
        if (version !== null && version !== String(PROTOCOL_VERSION)) {
          ws.close(CloseCode.incompatibleProtocol, `server speaks protocol v${PROTOCOL_VERSION}`)
        } else if (!spec) {
          ws.close(CloseCode.specNotFound, 'spec not found')
        } else {
          const ip = clientAddress(req, deps.trustProxy)
          const refused = slots.acquire(ip, specId)
          if (refused !== null) {
            deps.log.warn({ ip, room: specId, limit: refused }, 'connection limit reached; refusing')
            ws.close(CloseCode.tooManyConnections, refused === 'ip' ? 'too many connections from this address' : 'too many connections to this spec')
            return
          }
          ws.once('close', () => slots.release(ip, specId))
          accept(ws, socket, specId, { extensions: version !== null, principal, access })
        }
      })
    })().catch((err: unknown) => {
      deps.log.error({ err }, 'upgrade failed')
      rejectUpgrade(socket, 500, 'internal', 'internal error')
    })
  }

  const byteBudgets = new ParticipantByteBudgets()

  const connectionLimits = (principal: Principal): ConnectionLimits => ({
    maxFrameBytes: principal.role === 'customer' || principal.role === 'viewer' ? limits.maxCustomerMessageBytes : deps.maxMessageBytes,
    rates: { updatesPerSecond: limits.updatesPerSecond, presencePerSecond: limits.presencePerSecond, bytesPerSecond: limits.bytesPerSecond },
    maxBufferedBytes: limits.maxBufferedBytes,
    presence: {
      maxStateBytes: limits.maxPresenceStateBytes,
      // An honest provider echoes at most every state the server sent it.
      maxEntries: limits.maxConnectionsPerRoom * limits.maxPresenceIdsPerConnection
    }
  })

  const accept = (
    ws: WebSocket,
    socket: Duplex,
    specId: string,
    opts: { extensions: boolean; principal: Principal; access: 'read' | 'write' }
  ): void => {
    alive.add(ws)
    const limits = connectionLimits(opts.principal)
    // ws.pause()/resume() stop and restart reading the socket, and ws itself keeps them paused
    // across its own receive back-pressure.
    const lease = byteBudgets.acquire(opts.principal.participantId, limits.rates.bytesPerSecond, limits.maxFrameBytes, ws)
    // Charged per read, before ws assembles frames (participant-budgets.ts says why).
    const onData = (chunk: Buffer): void => lease.charge(chunk.length)
    socket.on('data', onData)
    // ws has one maxPayload for every socket, but its receiver checks the field per socket: set
    // to this principal's limit, a customer's oversize frame is closed (1009) from its header,
    // before ws buffers and unmasks megabytes of it. A private field of ws 8; if it is ever
    // gone, Connection's own check still closes such frames with 1009, only later.
    const receiver = (ws as unknown as { _receiver?: { _maxPayload?: unknown } })._receiver
    if (receiver && typeof receiver._maxPayload === 'number') receiver._maxPayload = limits.maxFrameBytes
    const conn = new Connection(
      {
        send: (data) => ws.send(data),
        close: (code, reason) => ws.close(code, reason),
        get readyState() {
          return ws.readyState
        },
        get bufferedAmount() {
          return ws.bufferedAmount
        },
        pause: () => lease.gate.setInbox(true),
        resume: () => lease.gate.setInbox(false),
        terminate: () => dropSocket(ws)
      },
      { ...opts, log: deps.log.child({ room: specId }), limits }
    )
    conn.onClose(() => {
      socket.off('data', onData)
      lease.release()
    })
    connections.add(conn)
    specOf.set(conn, specId)
    conn.onClose(() => connections.delete(conn))
    ws.on('message', (data, isBinary) => {
      if (!isBinary) return conn.close(CloseCode.malformedMessage, 'text frames are not accepted')
      conn.receive(toBytes(data))
    })
    ws.on('pong', () => alive.add(ws))
    ws.on('close', () => conn.socketClosed())
    ws.on('error', (err) => conn.log.debug({ err }, 'socket error'))
    deps.rooms.join(specId, conn).catch((err: unknown) => {
      if (err instanceof RoomLimitError) {
        conn.log.warn({ limit: err.limit }, 'open rooms limit reached; refusing')
        conn.close(CloseCode.tooManyRooms, 'too many open specs')
        return
      }
      conn.log.error({ err }, 'room load failed')
      conn.close(CloseCode.storageUnavailable, 'storage unavailable')
    })
  }

  const pinger = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate()
        continue
      }
      alive.delete(ws)
      ws.ping()
    }
  }, deps.pingIntervalMs ?? 30_000)
  pinger.unref()

  // Access that shrinks takes effect at once on live sockets: closed when none is left (4403)
  // or the person signed out everywhere (4401), lowered to read-only when only the write
  // permission went.
  const unsubscribe = deps.access.onAccessChanged((participantIds) => {
    const affected = new Set(participantIds)
    for (const conn of connections) {
      const pid = conn.participantId
      const specId = specOf.get(conn)
      if (specId === undefined || !affected.has(pid)) continue
      void deps.access.recheck(pid, specId).then(
        (access) => {
          if (access === 'signed-out') conn.close(CloseCode.sessionEnded, 'signed out')
          else if (access === 'none') conn.close(CloseCode.accessRevoked, 'access revoked')
          else if (access === 'read') conn.limitToRead()
        },
        (err: unknown) => conn.log.error({ err }, 'access recheck failed')
      )
    }
  })

  server.on('upgrade', onUpgrade)
  return {
    connections,
    close() {
      clearInterval(pinger)
      unsubscribe()
      server.off('upgrade', onUpgrade)
    }
  }
}
