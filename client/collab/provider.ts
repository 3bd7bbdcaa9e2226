/**
 * Connects a spec's Y.Doc to the server and to the browser's IndexedDB cache, and feeds the
 * {@link SaveTracker} so the status indicator only says "Saved" when the server has durably
 * stored every local change.
 *
 * The socket URL is `/ws/<specId>?v=<PROTOCOL_VERSION>`; the `v` parameter opts into Valence's
 * acknowledgement messages (see `shared/protocol.ts`).
 */
import { IndexeddbPersistence } from 'y-indexeddb'
import { WebsocketProvider } from 'y-websocket'
import type * as Y from 'yjs'
import { isPermanentClose, PROTOCOL_VERSION } from '../../shared/protocol.js'
import { trackSaves } from '../../shared/save-wiring.js'
import type { SaveTracker } from '../../shared/save-status.js'
import { countingWebSocket } from './counting-socket.js'

/** The live connections of one open spec. */
export interface Collab {
  provider: WebsocketProvider
  persistence: IndexeddbPersistence
  /** Disconnects and releases both; the Y.Doc stays usable. */
  destroy(): void
}

/** Base URL of the collaboration socket on the current origin. */
export const socketBase = (): string =>
  (window.location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + window.location.host + '/ws'

/**
 * IndexedDB database name of one participant's local copy of a spec. Per participant, so on a
 * shared browser one person's unsynced edits are never uploaded under someone else's session.
 */
export const cacheName = (participantId: string, specId: string): string =>
  `valence:${encodeURIComponent(participantId)}:${specId}`

/**
 * Attaches the signed-in participant's IndexedDB cache and the WebSocket provider to `ydoc` and
 * wires `tracker`.
 *
 * @example
 *   const tracker = new SaveTracker(render)
 *   const { provider } = connectSpec(specId, me.participantId, ydoc, tracker)
 */
export const connectSpec = (specId: string, participantId: string, ydoc: Y.Doc, tracker: SaveTracker): Collab => {
  // The cache first: the editor renders from the local copy without waiting for the network,
  // and edits made offline survive a reload; Yjs merges them with the server's state on sync.
  const persistence = new IndexeddbPersistence(cacheName(participantId, specId), ydoc)
  const provider = new WebsocketProvider(socketBase(), specId, ydoc, {
    params: { v: String(PROTOCOL_VERSION) },
    WebSocketPolyfill: countingWebSocket(tracker),
    // Without the cross-tab channel every tab talks to the server itself, so each tab's indicator
    // speaks about the server's copy and never shows text that only another tab holds.
    disableBc: true,
    // The provider's default stops only on 4400-4499; a frame over the limit (1009) would be
    // sent again on every reconnect, so it stops there too and the page says why.
    shouldReconnect: (event) => !isPermanentClose(event.code)
  })

  const untrack = trackSaves(provider, ydoc, tracker, { ignoreOrigins: [persistence] })

  return {
    provider,
    persistence,
    destroy: () => {
      untrack()
      provider.destroy()
      void persistence.destroy()
    }
  }
}
