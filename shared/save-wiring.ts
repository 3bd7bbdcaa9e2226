/**
 * Feeds a y-websocket provider's events into a {@link SaveTracker}. The browser editor and the
 * Node test clients use this same wiring, so the tests exercise what people see.
 */
import type { WebsocketProvider } from 'y-websocket'
import type * as Y from 'yjs'
import { isPermanentClose, messageAck, readAck } from './protocol.js'
import type { SaveTracker } from './save-status.js'

/** WebSocket readyState of an open socket (no DOM import here). */
const OPEN = 1

/**
 * Wires `tracker` to `provider` and `ydoc`: acks, socket status, sync, closes, and local edits.
 * Updates whose origin is in `ignoreOrigins` (e.g. the IndexedDB cache) are not local edits.
 * `onAck` sees every ack count. Returns a function that detaches the document listener.
 */
export function trackSaves(
  provider: WebsocketProvider,
  ydoc: Y.Doc,
  tracker: SaveTracker,
  opts: { ignoreOrigins?: readonly unknown[]; onAck?: (count: number) => void } = {}
): () => void {
  provider.messageHandlers[messageAck] = (_encoder, decoder) => {
    const count = readAck(decoder)
    opts.onAck?.(count)
    tracker.ackReceived(count)
  }
  provider.on('status', ({ status }) => {
    if (status === 'connected') tracker.socketOpened()
  })
  provider.on('sync', (synced: boolean) => {
    if (synced) tracker.socketSynced()
  })
  // Emitted for every socket that goes away (also failed attempts and local disconnects, with a
  // null event), before the provider's own 'disconnected' status.
  provider.on('connection-close', (event) => {
    if (event === null) tracker.socketClosed()
    else tracker.socketClosed(event.code, event.reason, isPermanentClose(event.code))
  })
  const ignored = new Set<unknown>([provider, ...(opts.ignoreOrigins ?? [])])
  const onUpdate = (_update: Uint8Array, origin: unknown, _doc: Y.Doc, tr: Y.Transaction): void => {
    if (ignored.has(origin) || !tr.local) return
    // The provider broadcasts a local update right away exactly when its socket is open (its
    // handler ran before this one); otherwise the change exists only here until the next sync.
    const ws = provider.ws
    tracker.localChange(provider.wsconnected && ws !== null && ws.readyState === OPEN)
  }
  ydoc.on('update', onUpdate)
  return () => ydoc.off('update', onUpdate)
}
