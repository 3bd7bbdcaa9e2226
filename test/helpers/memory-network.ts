/**
 * An in-memory network between real y-websocket providers and the server's sync stack, through
 * the transport seam of server/sync/socket.ts. Nothing moves on its own: the test picks which
 * connection opens, which queued frame is delivered next, and which link drops, so a seeded
 * scheduler replays a run exactly (test/fuzz/deterministic.ts).
 *
 * Each link is one WebSocket: two ordered queues (client to server, server to client), as TCP
 * keeps order per direction but not across directions or sockets. A close travels in its
 * queue behind the frames sent before it, like a WebSocket close frame.
 */
import type { SocketLike } from '../../server/sync/socket.js'
import { messageAck, messageAttribution, messageAuth, messageAwareness, messageQueryAwareness, messageSync } from '../../shared/protocol.js'

const CONNECTING = 0
const OPEN = 1
const CLOSING = 2
const CLOSED = 3

/** What travels in one direction of a link. */
export type Envelope = { kind: 'frame'; data: Uint8Array } | { kind: 'close'; code: number; reason: string }

/** The server's end of a link, as a `Connection` provides it. */
export interface ServerEnd {
  receive(frame: Uint8Array): void
  socketClosed(): void
}

/** One move the scheduler can make. */
export type Move = { link: MemoryLink; kind: 'open' | 'to-server' | 'to-client' }

/** Browser `WebSocket` members y-websocket and the counting socket use. */
interface ClientSocket {
  readyState: number
  binaryType: string
  readonly url: string
  onopen: ((event: object) => void) | null
  onmessage: ((event: { data: ArrayBuffer }) => void) | null
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null
  onerror: ((event: object) => void) | null
}

/** One WebSocket between a client and the server. */
export class MemoryLink {
  readonly toServer: Envelope[] = []
  readonly toClient: Envelope[] = []
  /** The server's view of the socket; set when the link opens. */
  server: ServerEnd | null = null
  serverState = CONNECTING

  constructor(
    readonly id: number,
    readonly client: ClientSocket
  ) {}

  /** `token` parameter of the URL the client opened (the participant in these tests). */
  get token(): string {
    return new URL(this.client.url).searchParams.get('token') ?? ''
  }

  /** True once both ends are closed and nothing is left to deliver. */
  get finished(): boolean {
    return this.client.readyState === CLOSED && this.serverState === CLOSED
  }
}

/** Short description of a frame for op logs: `update 41B`, `ack`, `close 4412`. */
export function describeEnvelope(e: Envelope): string {
  if (e.kind === 'close') return `close ${e.code}`
  const type = e.data[0]
  const name =
    type === messageSync ? ['step1', 'step2', 'update'][e.data[1] ?? 9] ?? 'sync?'
    : type === messageAwareness ? 'awareness'
    : type === messageAuth ? 'auth'
    : type === messageQueryAwareness ? 'query-awareness'
    : type === messageAck ? 'ack'
    : type === messageAttribution ? 'attribution'
    : `type ${type}`
  return `${name} ${e.data.length}B`
}

/**
 * The network. `WebSocket` is the class to give `WebsocketProvider` (wrapped in the browser's
 * counting socket); `onOpen` builds the server's end of a link when the scheduler opens it.
 */
export class MemoryNetwork {
  readonly links: MemoryLink[] = []
  readonly WebSocket: typeof globalThis.WebSocket
  private nextId = 1

  constructor(private readonly onOpen: (link: MemoryLink, socket: SocketLike) => ServerEnd) {
    this.WebSocket = socketClass(this) as unknown as typeof globalThis.WebSocket
  }

  /** Every move possible now, in a stable order (link creation, then open / to server / to client). */
  moves(): Move[] {
    const moves: Move[] = []
    for (const link of this.links) {
      if (link.client.readyState === CONNECTING && link.serverState === CONNECTING) moves.push({ link, kind: 'open' })
      if (link.toServer.length > 0) moves.push({ link, kind: 'to-server' })
      if (link.toClient.length > 0) moves.push({ link, kind: 'to-client' })
    }
    return moves
  }

  /** Makes `move`; returns what happened, for the op log. */
  perform(move: Move): string {
    const { link } = move
    if (move.kind === 'open') {
      link.serverState = OPEN
      link.server = this.onOpen(link, serverSocket(link))
      link.client.readyState = OPEN
      link.client.onopen?.({})
      return `open #${link.id}`
    }
    if (move.kind === 'to-server') {
      const e = link.toServer.shift()!
      if (link.serverState === CLOSED) return `#${link.id} to server (gone): ${describeEnvelope(e)}`
      if (e.kind === 'frame') link.server!.receive(e.data)
      else this.finish(link, e.code, e.reason)
      return `#${link.id} to server: ${describeEnvelope(e)}`
    }
    const e = link.toClient.shift()!
    if (link.client.readyState === CLOSED) return `#${link.id} to client (gone): ${describeEnvelope(e)}`
    if (e.kind === 'frame') {
      // Every recipient gets its own buffer, as from a real socket.
      link.client.onmessage?.({ data: e.data.slice().buffer })
    } else {
      this.finish(link, e.code, e.reason)
    }
    return `#${link.id} to client: ${describeEnvelope(e)}`
  }

  /** The network fails under an open link: both ends learn at once (1006), in-flight frames are lost. */
  drop(link: MemoryLink): void {
    link.toServer.length = 0
    link.toClient.length = 0
    this.finish(link, 1006, '')
  }

  /** Links that are open on both ends. */
  get open(): MemoryLink[] {
    return this.links.filter((l) => l.client.readyState === OPEN && l.serverState === OPEN)
  }

  /** Forgets finished links. */
  prune(): void {
    for (let i = this.links.length - 1; i >= 0; i--) {
      const l = this.links[i]!
      if (l.finished && l.toServer.length === 0 && l.toClient.length === 0) this.links.splice(i, 1)
    }
  }

  /** @internal Registers a socket the provider just created. */
  register(client: ClientSocket): MemoryLink {
    const link = new MemoryLink(this.nextId++, client)
    this.links.push(link)
    return link
  }

  /** Both ends closed: the server drops the connection, the client sees the close event. */
  private finish(link: MemoryLink, code: number, reason: string): void {
    const serverWasOpen = link.serverState !== CLOSED
    link.serverState = CLOSED
    if (serverWasOpen) link.server?.socketClosed()
    link.toClient.length = 0
    link.toServer.length = 0
    if (link.client.readyState !== CLOSED) {
      link.client.readyState = CLOSED
      link.client.onclose?.({ code, reason, wasClean: code !== 1006 })
    }
  }
}

/** The server's {@link SocketLike} of `link`: sends queue toward the client. */
function serverSocket(link: MemoryLink): SocketLike {
  return {
    send(data) {
      if (link.serverState !== OPEN) return
      link.toClient.push({ kind: 'frame', data: data.slice() })
    },
    close(code = 1000, reason = '') {
      if (link.serverState !== OPEN) return
      link.serverState = CLOSING
      link.toClient.push({ kind: 'close', code, reason })
    },
    get readyState() {
      return link.serverState
    }
  }
}

/** The client-side WebSocket class bound to `network`. */
function socketClass(network: MemoryNetwork) {
  return class MemoryWebSocket implements ClientSocket {
    static readonly CONNECTING = CONNECTING
    static readonly OPEN = OPEN
    static readonly CLOSING = CLOSING
    static readonly CLOSED = CLOSED
    readonly CONNECTING = CONNECTING
    readonly OPEN = OPEN
    readonly CLOSING = CLOSING
    readonly CLOSED = CLOSED
    readyState = CONNECTING
    binaryType = 'blob'
    onopen: ClientSocket['onopen'] = null
    onmessage: ClientSocket['onmessage'] = null
    onclose: ClientSocket['onclose'] = null
    onerror: ClientSocket['onerror'] = null
    private readonly link: MemoryLink

    constructor(readonly url: string) {
      this.link = network.register(this)
    }

    send(data: Uint8Array | ArrayBuffer): void {
      // As a browser: throws while connecting, drops silently once closing.
      if (this.readyState === CONNECTING) throw new Error('InvalidStateError: still connecting')
      if (this.readyState !== OPEN) return
      const bytes = data instanceof Uint8Array ? data : new Uint8Array(data)
      this.link.toServer.push({ kind: 'frame', data: bytes.slice() })
    }

    close(code = 1000, reason = ''): void {
      if (this.readyState === CLOSING || this.readyState === CLOSED) return
      if (this.readyState === CONNECTING) {
        // Closing before the handshake finished: the server never sees this socket.
        this.readyState = CLOSED
        this.link.serverState = CLOSED
        this.onclose?.({ code: 1006, reason: '', wasClean: false })
        return
      }
      this.readyState = CLOSING
      this.link.toServer.push({ kind: 'close', code, reason })
    }
  }
}
