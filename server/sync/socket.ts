/**
 * The transport seam: room and connection logic see only {@link SocketLike}, so tests can drive
 * them with in-memory sockets and the `ws` adapter stays small.
 */

/** The three members the sync layer needs from a socket. */
export interface SocketLike {
  send(data: Uint8Array): void
  close(code?: number, reason?: string): void
  /** WebSocket readyState: 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number
}

/** `readyState` value of an open socket. */
export const OPEN = 1
