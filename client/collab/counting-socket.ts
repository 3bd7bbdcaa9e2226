/**
 * A browser `WebSocket` that reports every outgoing frame to the save tracker, so the tracker
 * can match the server's acknowledgements to the update-bearing frames this client sent.
 *
 * It also holds back live updates until the socket has answered the server's sync step 1.
 * Why: right after a reconnect, y-websocket sends each local edit at once, but changes made
 * while offline reach the server only in the step 2 that answers the server's step 1, one
 * round trip later. An edit in that window can build on the offline changes (delete them,
 * insert next to them, continue their clocks), and the server refuses such an update as a
 * whole (`delete-unknown`, `gap`, a missing reference; close 4409, permanent). Dropping it loses
 * nothing: the step 2 is written from the whole document when it is sent, so it carries the
 * edit too. The deterministic fuzz (test/fuzz) found this.
 */
import type { SaveTracker } from '../../shared/save-status.js'
import { messageSync, syncStep2, syncUpdate } from '../../shared/protocol.js'

type FrameData = Parameters<WebSocket['send']>[0]

/** The bytes of a frame, or null for text and Blob frames (the provider sends neither). */
const frameBytes = (data: FrameData): Uint8Array | null => {
  if (data instanceof Uint8Array) return data
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  return null
}

/**
 * Creates a `WebSocket` subclass bound to `tracker`, for `WebsocketProvider`'s
 * `WebSocketPolyfill` option. `Base` is the browser's `WebSocket`; Node tests pass the `ws`
 * class (or an in-memory socket) so they count frames with this same code.
 *
 * @example
 *   new WebsocketProvider(url, room, ydoc, { WebSocketPolyfill: countingWebSocket(tracker) })
 */
export const countingWebSocket = (
  tracker: Pick<SaveTracker, 'frameSent' | 'localChange'>,
  Base: typeof WebSocket = WebSocket
): typeof WebSocket =>
  class CountingWebSocket extends Base {
    /** This socket sent its step 2 (the answer to the server's step 1). */
    private answered = false

    override send(data: FrameData): void {
      // A frame handed to a closing socket is lost; counting it anyway is what makes the tracker
      // report it as unsaved when the close arrives. While connecting, send() throws instead.
      // (`this.CONNECTING`, not the global: Node 20 has no global WebSocket.)
      const bytes = this.readyState === this.CONNECTING ? null : frameBytes(data)
      if (bytes !== null && bytes[0] === messageSync) {
        if (bytes[1] === syncStep2) {
          this.answered = true
        } else if (bytes[1] === syncUpdate && !this.answered) {
          // Held back (see the module comment): the coming step 2 carries it. Until then the
          // change exists only here, which the tracker must say if the socket closes first.
          tracker.localChange(false)
          return
        }
      }
      if (bytes !== null) tracker.frameSent(bytes)
      super.send(data)
    }
  }
