/**
 * A browser `WebSocket` that reports every outgoing frame to the save tracker, so the tracker
 * can match the server's acknowledgements to the update-bearing frames this client sent.
 */
import type { SaveTracker } from '../../shared/save-status.js'

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
  tracker: Pick<SaveTracker, 'frameSent'>,
  Base: typeof WebSocket = WebSocket
): typeof WebSocket =>
  class CountingWebSocket extends Base {
    override send(data: FrameData): void {
      // A frame handed to a closing socket is lost; counting it anyway is what makes the tracker
      // report it as unsaved when the close arrives. While connecting, send() throws instead.
      // (`this.CONNECTING`, not the global: Node 20 has no global WebSocket.)
      const bytes = this.readyState === this.CONNECTING ? null : frameBytes(data)
      if (bytes !== null) tracker.frameSent(bytes)
      super.send(data)
    }
  }
