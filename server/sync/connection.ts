/**
 * One socket in one room: decodes each frame, dispatches it to the room, and turns any bad
 * frame into a close of this socket alone, with a documented code and a log line.
 *
 * It also keeps the socket within its limits both ways: frames above the principal's frame
 * limit are closed with 1009, frames are processed only as fast as the receive budget allows
 * (the socket is paused meanwhile, see inbox.ts), and a socket that does not read what it is
 * sent is closed with 4508 before its unsent bytes pile up in server memory.
 */
import * as encoding from 'lib0/encoding'
import { writePermissionDenied } from 'y-protocols/auth'
import { CloseCode, encodeAck, messageAuth } from '../../shared/protocol.js'
import type { Principal, PresenceUser } from '../../shared/identity.js'
import { participantColor } from '../../shared/identity.js'
import type { Logger } from '../observability/logger.js'
import { OPEN, type SocketLike } from './socket.js'
import { allows } from '../../shared/permissions.js'
import { ACCESS_NEEDED, decodeClientFrame, FrameError, type ClientMessage } from './frames.js'
import { UpdateRefusedError } from './validate-update.js'
import { AttributionRefusedError } from '../attribution/index.js'
import { SpecTooLargeError } from './spec-size.js'
import { Inbox } from './inbox.js'
import type { ReceiveRates } from './budget.js'
import type { AwarenessDecodeLimits } from './awareness-codec.js'
import type { Room } from './room.js'
import type { Peer } from './peer.js'

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
  /** Flow control and size limits; every field has a permissive default (for unit tests). */
  limits?: Partial<ConnectionLimits>
}

/** The per-connection limits (server/config.ts parses them; README "Configuration"). */
export interface ConnectionLimits {
  /** Largest frame this principal may send (closed with 1009 above it). */
  maxFrameBytes: number
  /** Receive budget (the byte burst is `maxFrameBytes`). */
  rates: Omit<ReceiveRates, 'burstBytes'>
  /** Unsent bytes above which the socket is closed with 4508 (the client resyncs). */
  maxBufferedBytes: number
  /** Decoding bounds of awareness updates. */
  presence: AwarenessDecodeLimits
}

/** Limits nobody reaches (each still a finite number, so bucket arithmetic stays exact). */
const UNLIMITED: ConnectionLimits = {
  maxFrameBytes: 2 ** 40,
  rates: { updatesPerSecond: 1e9, presencePerSecond: 1e9, bytesPerSecond: 2 ** 40 },
  maxBufferedBytes: 2 ** 40,
  presence: {}
}

/** Presence is not queued for a socket with more than this share of `maxBufferedBytes` unsent. */
const PRESENCE_BUFFER_SHARE = 1 / 16

/** Grace for the 4508 close frame before a backed-up socket is dropped. */
const TERMINATE_AFTER_MS = 1000

/**
 * A client connection: the room's {@link Peer} for one socket. Frames received before the room
 * is attached are buffered in order.
 */
export class Connection implements Peer {
  readonly id = nextConnectionId++
  /**
   * Every awareness clientID this connection has held (capped by the room's presence roster;
   * their states, metadata and provisional bindings are freed when it leaves).
   */
  private readonly heldPresence = new Set<number>()
  /** Update-bearing messages received so far (what an ack counts). */
  private received = 0
  private currentAccess: 'read' | 'write'
  readonly principal: Principal
  /** The user fields the server stamps on this connection's awareness states. */
  readonly presence: PresenceUser
  private deniedWrite = false
  readonly log: Logger
  private room: Room | null = null
  private readonly inbox: Inbox
  private readonly limits: ConnectionLimits
  private closed = false
  private readonly closeListeners: Array<() => void> = []
  private readonly warned = new Set<string>()

  constructor(
    readonly socket: SocketLike,
    private readonly opts: ConnectionOptions
  ) {
    this.log = opts.log.child({ conn: this.id, participant: opts.principal.participantId })
    this.currentAccess = opts.access
    this.principal = opts.principal
    const p = opts.principal
    this.presence = { id: p.participantId, name: p.displayName, role: p.role, color: participantColor(p.participantId) }
    this.limits = { ...UNLIMITED, ...opts.limits }
    const maxFrameBytes = this.limits.maxFrameBytes
    this.inbox = new Inbox(socket, {
      rates: { ...this.limits.rates, burstBytes: maxFrameBytes },
      // Pausing leaves at most the rest of one network read plus one frame in flight.
      maxBacklogBytes: maxFrameBytes + 1024 * 1024,
      handle: (frame) => this.dispatch(frame),
      onOverflow: () => {
        this.log.warn('receive backlog over its bound although the socket was paused; closing')
        this.close(CloseCode.backpressure, 'receive backlog full')
      }
    })
  }

  /** The participant behind the connection. */
  get participantId(): string {
    return this.principal.participantId
  }

  /** Current access; lowered to 'read' when a write permission is withdrawn. */
  get access(): 'read' | 'write' {
    return this.currentAccess
  }

  /** A write permission was withdrawn: from now on the connection may only read. */
  limitToRead(): void {
    this.currentAccess = 'read'
  }

  /** Every awareness clientID this connection has held. */
  get presenceIds(): ReadonlySet<number> {
    return this.heldPresence
  }

  /** Records a presence clientID the room let this connection hold. */
  holdPresence(clientID: number): void {
    this.heldPresence.add(clientID)
  }

  /** Update-bearing messages received so far (what an ack counts). */
  get updatesReceived(): number {
    return this.received
  }

  /** Counts one more update-bearing message; returns the count, which its ack will carry. */
  countUpdate(): number {
    return ++this.received
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

  /** True while the socket is paused because the connection is over its receive budget. */
  get receivePaused(): boolean {
    return this.inbox.isPaused
  }

  /** Frames received and not yet processed. */
  get receiveBacklog(): number {
    return this.inbox.backlog
  }

  /** True after {@link close} or a socket close. */
  get isClosed(): boolean {
    return this.closed
  }

  /** Joins `room` and processes frames that arrived while it loaded, in order. */
  attach(room: Room): void {
    if (this.closed) return
    this.room = room
    room.add(this)
    this.inbox.start()
  }

  /**
   * Takes one frame from the socket. It is processed at once when the receive budget allows
   * (and the room is attached), else queued in order while the socket is paused.
   */
  receive(frame: Uint8Array): void {
    if (this.closed) return
    if (frame.length > this.limits.maxFrameBytes) {
      this.log.warn({ bytes: frame.length, limit: this.limits.maxFrameBytes }, 'frame above the frame limit; closing')
      this.close(CloseCode.frameTooLarge, 'message too big')
      return
    }
    this.inbox.push(frame)
  }

  /** Logs `message` at warn level once per connection and `key` (floods must not flood logs). */
  warnOnce(key: string, fields: Record<string, unknown>, message: string): void {
    if (this.warned.has(key)) return
    this.warned.add(key)
    this.log.warn(fields, message)
  }

  private dispatch(frame: Uint8Array): void {
    const room = this.room
    if (this.closed || !room) return
    try {
      const msg = decodeClientFrame(frame, this.limits.presence)
      // The one access check of every message, from the permission matrix (MESSAGE_ACCESS):
      // nothing below runs for a message the connection's access does not allow.
      if (!allows(this.access, ACCESS_NEEDED[msg.kind])) {
        this.refuseForAccess(room, msg)
        return
      }
      switch (msg.kind) {
        case 'sync-step1':
          room.answerStep1(this, msg.stateVector)
          break
        case 'sync-step2':
        case 'sync-update':
          room.receiveUpdate(this, msg.update)
          break
        case 'awareness':
          room.receiveAwareness(this, msg.entries)
          break
        case 'query-awareness':
          room.sendAwarenessTo(this)
          break
        default: {
          const unhandled: never = msg
          throw new RangeError(`no handler for message kind ${(unhandled as ClientMessage).kind}`)
        }
      }
    } catch (err) {
      this.refuse(err, frame.length)
    }
  }

  /**
   * A message this connection's access does not allow: never applied. An update goes to the
   * room, which acknowledges it if it changes nothing (the empty step 2 every provider sends on
   * connecting) and otherwise denies it; anything else is denied at once.
   */
  private refuseForAccess(room: Room, msg: ClientMessage): void {
    if (msg.kind === 'sync-step2' || msg.kind === 'sync-update') room.declineUpdate(this, msg.update)
    else this.denyWrite()
  }

  /**
   * Sends a frame if the socket is open; a failing socket is closed, and so is one holding more
   * than `maxBufferedBytes` unsent (checked before sending, so one large frame, such as the
   * whole spec for a new client, always goes out).
   */
  send(frame: Uint8Array): void {
    if (this.closed || this.socket.readyState !== OPEN) return
    const unsent = this.socket.bufferedAmount ?? 0
    if (unsent > this.limits.maxBufferedBytes) {
      this.log.warn({ unsent, limit: this.limits.maxBufferedBytes }, 'socket does not read what it is sent; closing')
      this.close(CloseCode.backpressure, 'send buffer full')
      // The close frame waits behind the unsent data, which a peer that does not read never
      // takes: drop the socket (and the data) soon, rather than after ws's 30 s close timeout.
      // A client that reads late still gets 4508; one that never does sees 1006. Both retry.
      setTimeout(() => this.socket.terminate?.(), TERMINATE_AFTER_MS).unref()
      return
    }
    try {
      this.socket.send(frame)
    } catch (err) {
      this.log.warn({ err }, 'send failed; closing')
      this.close(CloseCode.internalError, 'send failed')
    }
  }

  /**
   * Sends a presence frame unless the socket is backed up: presence is ephemeral and superseded
   * by the next change, so queueing it behind unread data only costs memory.
   */
  sendPresence(frame: Uint8Array): void {
    if ((this.socket.bufferedAmount ?? 0) > this.limits.maxBufferedBytes * PRESENCE_BUFFER_SHARE) return
    this.send(frame)
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
    this.inbox.stop()
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
    } else if (err instanceof SpecTooLargeError) {
      this.log.warn({ bytes, estimated: err.estimatedBytes, limit: err.maxBytes }, 'update would outgrow the spec size limit; closing')
      this.close(CloseCode.specTooLarge, 'spec too large')
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
