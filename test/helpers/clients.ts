/**
 * Real y-websocket providers in Node (with `ws`), wired like the browser client: the browser's
 * own counting socket (client/collab/counting-socket.ts) over `ws`, ack handler, save tracker.
 */
import { afterEach } from 'vitest'
import * as Y from 'yjs'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import { messageAttribution, messageReview, PROTOCOL_VERSION } from '../../shared/protocol.js'
import { trackSaves } from '../../shared/save-wiring.js'
import { SaveTracker } from '../../shared/save-status.js'
import type { Service } from '../../server/service.js'
import { countingWebSocket } from '../../client/collab/counting-socket.js'
import { facilitatorOf } from './auth.js'

/** A Node client: doc, provider and its save tracker. */
export interface TestClient {
  doc: Y.Doc
  provider: WebsocketProvider
  tracker: SaveTracker
  /** Close events the provider saw (code, reason). */
  closes: Array<{ code: number; reason: string }>
  /** The last ack count received on any connection. */
  lastAck: number
  destroy(): void
}

// Each Node provider adds a process 'exit' listener; tests open many at once.
process.setMaxListeners(100)

const clients = new Set<TestClient>()
afterEach(() => {
  for (const c of clients) c.destroy()
  clients.clear()
})

/** Options for {@link connectClient}. */
export interface ClientOptions {
  doc?: Y.Doc
  /** Opt into Valence extensions (acks); default true. False behaves as a stock provider. */
  extensions?: boolean
  connect?: boolean
  /** Credential sent as the `token` URL parameter. */
  token?: string
}

/** Connects a provider to `specId` on `service`. */
export function connectClient(service: Service | string, specId: string, opts: ClientOptions = {}): TestClient {
  const doc = opts.doc ?? new Y.Doc()
  const tracker = new SaveTracker()
  const base = typeof service === 'string' ? service : service.url
  const provider = new WebsocketProvider(base.replace(/^http/, 'ws') + '/ws', specId, doc, {
    // The browser's counting socket, over `ws` instead of the DOM WebSocket.
    WebSocketPolyfill: countingWebSocket(tracker, WebSocket as unknown as typeof globalThis.WebSocket),
    params: {
      ...(opts.extensions === false ? {} : { v: String(PROTOCOL_VERSION) }),
      ...(opts.token ? { token: opts.token } : {})
    },
    disableBc: true,
    connect: opts.connect ?? true
  })
  // Valence clients are sent attribution and review-event frames; without a handler y-websocket
  // logs "Unable to compute message" for each. A test that reads them sets its own handler.
  for (const type of [messageAttribution, messageReview]) provider.messageHandlers[type] ??= () => {}
  const closes: TestClient['closes'] = []
  provider.on('connection-close', (event) => closes.push({ code: event?.code ?? 1006, reason: event?.reason ?? '' }))
  trackSaves(provider, doc, tracker, { onAck: (count) => (client.lastAck = count) })
  const client: TestClient = {
    doc,
    provider,
    tracker,
    closes,
    lastAck: 0,
    destroy() {
      provider.destroy()
      doc.destroy()
      clients.delete(client)
    }
  }
  clients.add(client)
  return client
}

/** Resolves once the provider finished its first sync. */
export function synced(client: TestClient, timeoutMs = 10_000): Promise<void> {
  if (client.provider.synced) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('provider did not sync')), timeoutMs)
    client.provider.once('sync', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/**
 * Connects as the service's test facilitator (see test/helpers/auth.ts), with a WebSocket token
 * for `specId`, unless `opts.token` is given.
 */
export async function connectAs(service: Service, specId: string, opts: ClientOptions = {}): Promise<TestClient> {
  const token = opts.token ?? (await facilitatorOf(service)).wsToken(specId)
  return connectClient(service, specId, { ...opts, token })
}
