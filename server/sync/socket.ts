/**
 * The transport seam: room and connection logic see only {@link SocketLike}, so tests can drive
 * them with in-memory sockets and the `ws` adapter stays small.
 */

/**
 * The three members the sync layer needs from a socket, plus optional flow control. A socket
 * without `bufferedAmount` is never closed for back-pressure; one without `pause`/`resume`
 * cannot be paused, so a connection over its receive budget queues a bounded backlog and
 * closes the socket beyond it.
 */
export interface SocketLike {
  send(data: Uint8Array): void
  close(code?: number, reason?: string): void
  /** WebSocket readyState: 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number
  /** Bytes accepted by `send` and not yet handed to the network. */
  readonly bufferedAmount?: number
  /** Stops reading from the network (frames already read may still arrive). */
  pause?(): void
  /** Reads from the network again. */
  resume?(): void
  /** Drops the connection at once, unsent data included (no closing handshake). */
  terminate?(): void
}

/** `readyState` value of an open socket. */
export const OPEN = 1
