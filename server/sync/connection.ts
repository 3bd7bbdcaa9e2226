/**
 * One socket in one room: decodes each frame, dispatches it to the room, and turns any bad
 * frame into a close of this socket alone, with a documented code and a log line.
 */
import * as encoding from 'lib0/encoding'
import { writePermissionDenied } from 'y-protocols/auth'
import { CloseCode, encodeAck, messageAuth } from '../../shared/protocol.js'
import type { Principal, PresenceUser } from '../../shared/identity.js'
import { participantColor } from '../../shared/identity.js'
import type { Logger } from '../observability/logger.js'
import { OPEN, type SocketLike } from './socket.js'
import { decodeClientFrame, FrameError } from './frames.js'
import { UpdateRefusedError } from './validate-update.js'
import { AttributionRefusedError } from '../attribution/index.js'
import type { Room } from './room.js'

let nextConnectionId = 1

/** Options for a {@link Connection}. */
export interface ConnectionOptions {
  /** The client asked for Valence extensions (acks) with `?v=`. */
  extensions: boolean
  log: Logger
  /** Who is behind the connection. */
  principal: Principal
  /** What the connection may do with the spec's document. */
  access: 'read' | 'write'
}

/** A client connection. Frames received before the room is attached are buffered in order. */
export class Connection {
  readonly id = nextConnectionId++
  /** Awareness clientIDs this connection has set (removed when it leaves). */
  readonly awarenessClients = new Set<number>()
  /** Update-bearing messages received so far (what an ack counts). */
  updatesReceived = 0
  /** Current access; lowered to 'read' when a write permission is withdrawn. */
  access: 'read' | 'write'
  readonly principal: Principal
  /** The user fields the server stamps on this connection's awareness states. */
  readonly presence: PresenceUser
  private deniedWrite = false
  readonly log: Logger
  private room: Room | null = null
  private buffered: Uint8Array[] = []
  private closed = false
  private readonly closeListeners: Array<() => void> = []

  constructor(
    readonly socket: SocketLike,
    private readonly opts: ConnectionOptions
  ) {
    this.log = opts.log.child({ conn: this.id, participant: opts.principal.participantId })
    this.access = opts.access
    this.principal = opts.principal
    const p = opts.principal
    this.presence = { id: p.participantId, name: p.displayName, role: p.role, color: participantColor(p.participantId) }
  }

  /** The participant behind the connection. */
  get participantId(): string {
    return this.principal.participantId
  }

  /**
   * Tells a read-only connection (once) that its change was not applied: y-protocols auth
   * "permission denied" with reason `read-only`.
   */
  denyWrite(): void {
    if (this.deniedWrite) return
    this.deniedWrite = true
    this.log.info('write from a read-only connection refused')
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, messageAuth)
    writePermissionDenied(encoder, 'read-only')
    this.send(encoding.toUint8Array(encoder))
  }

  /** True after {@link close} or a socket close. */
  get isClosed(): boolean {
    return this.closed
  }

  /** Joins `room` and processes frames that arrived while it loaded. */
  attach(room: Room): void {
    if (this.closed) return
    this.room = room
    room.add(this)
    const pending = this.buffered
    this.buffered = []
    for (const frame of pending) {
      if (this.closed) break
      this.receive(frame)
    }
  }

  /** Handles one frame from the socket. */
  receive(frame: Uint8Array): void {
    if (this.closed) return
    const room = this.room
    if (!room) {
      this.buffered.push(frame)
      return
    }
    try {
      const msg = decodeClientFrame(frame)
      switch (msg.type) {
        case 'sync-step1':
          room.answerStep1(this, msg.stateVector)
          break
        case 'update':
          room.receiveUpdate(this, msg.update)
          break
        case 'awareness':
          room.receiveAwareness(this, msg.entries)
          break
        case 'query-awareness':
          room.sendAwarenessTo(this)
          break
      }
    } catch (err) {
      this.refuse(err, frame.length)
    }
  }

  /** Sends a frame if the socket is open; a failing socket is closed. */
  send(frame: Uint8Array): void {
    if (this.closed || this.socket.readyState !== OPEN) return
    try {
      this.socket.send(frame)
    } catch (err) {
      this.log.warn({ err }, 'send failed; closing')
      this.close(CloseCode.internalError, 'send failed')
    }
  }

  /** Acknowledges the first `count` update-bearing messages (Valence clients only). */
  ack(count: number): void {
    this.sendExtension(encodeAck(count))
  }

  /** True if the client opted into Valence extensions (acks, attribution) with `?v=`. */
  get wantsExtensions(): boolean {
    return this.opts.extensions
  }

  /** Sends a Valence extension frame (ack, attribution) if the client opted in with `?v=`. */
  sendExtension(frame: Uint8Array): void {
    if (this.opts.extensions) this.send(frame)
  }

  /** Closes the socket (once) and leaves the room. */
  close(code: number, reason: string): void {
    if (this.closed) return
    this.socketClosed()
    try {
      this.socket.close(code, reason)
    } catch (err) {
      this.log.debug({ err }, 'socket close threw')
    }
  }

  /** The socket is gone (closed by the peer or by us). */
  socketClosed(): void {
    if (this.closed) return
    this.closed = true
    this.buffered = []
    this.room?.remove(this)
    for (const listener of this.closeListeners) listener()
  }

  /** Runs `listener` once when the connection closes. */
  onClose(listener: () => void): void {
    this.closeListeners.push(listener)
  }

  private refuse(err: unknown, bytes: number): void {
    if (err instanceof FrameError) {
      const code = err.reason === 'unknown-type' ? CloseCode.unknownMessageType : CloseCode.malformedMessage
      this.log.warn({ reason: err.reason, bytes, detail: err.message }, 'malformed frame; closing')
      this.close(code, err.reason)
    } else if (err instanceof AttributionRefusedError) {
      this.log.warn({ client: err.clientID, owner: err.owner, bytes }, 'update uses a clientID bound to another participant; closing')
      this.close(CloseCode.clientIdForeign, 'client id bound to another participant')
    } else if (err instanceof UpdateRefusedError) {
      this.log.warn({ reason: err.reason, bytes, detail: err.message }, 'update refused; closing')
      this.close(CloseCode.updateRefused, `update refused: ${err.reason}`)
    } else {
      this.log.error({ err, bytes }, 'error handling frame; closing')
      this.close(CloseCode.internalError, 'internal error')
    }
  }
}
