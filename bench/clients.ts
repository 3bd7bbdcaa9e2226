/**
 * Headless y-websocket clients in the bench process: one Y.Doc and one stock `WebsocketProvider`
 * each, connected either to Valence (`/ws/<specId>?v=1`) or to the reference server
 * (`/<room>`).
 *
 * Awareness is switched off (local state `null`), so the only traffic is document sync: the
 * provider would otherwise re-broadcast presence every 15 s and add fan-out work unrelated to
 * updates to both servers.
 */
import * as Y from 'yjs'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import { Awareness } from 'y-protocols/awareness'
import { messageAck, PROTOCOL_VERSION } from '../shared/protocol.js'
import { emptySpecUpdate } from '../shared/schema.js'
import type { ServerKind } from './servers.js'

/** One connected client. */
export interface BenchClient {
  doc: Y.Doc
  provider: WebsocketProvider
  destroy(): void
}

/** First Valence extension message type (the ack); see shared/protocol.ts. */
const VALENCE_EXTENSIONS_FROM = messageAck

// Each Node provider adds a process 'exit' listener; the bench opens up to ~100 at once.
process.setMaxListeners(500)

/**
 * Connects a client to `room` on a server of `kind` at `url`; Valence clients pass their
 * WebSocket `token`. With `seed`, the doc starts from the spec skeleton ({@link emptySpecUpdate},
 * identical everywhere, so applying it on every client integrates once), which gives both
 * servers the same document shape.
 */
export function connectClient(kind: ServerKind, url: string, room: string, token: string | null, seed = true): BenchClient {
  const doc = new Y.Doc()
  if (seed) Y.applyUpdate(doc, emptySpecUpdate())
  const awareness = new Awareness(doc)
  awareness.setLocalState(null)
  const wsUrl = url.replace(/^http/, 'ws')
  const provider = new WebsocketProvider(kind === 'valence' ? `${wsUrl}/ws` : wsUrl, room, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    params: kind === 'valence' ? { v: String(PROTOCOL_VERSION), ...(token ? { token } : {}) } : {},
    awareness,
    disableBc: true
  })
  // Valence sends its extension messages (acks, attribution, ...: types >= 100) to clients that
  // opted in with `?v=`; a stock provider logs "Unable to compute message" for unknown types.
  // The bench ignores them (the browser client's handling of them is not measured).
  for (let type = VALENCE_EXTENSIONS_FROM; type < VALENCE_EXTENSIONS_FROM + 100; type++) {
    provider.messageHandlers[type] = () => {}
  }
  return {
    doc,
    provider,
    destroy() {
      provider.destroy()
      awareness.destroy()
      doc.destroy()
    }
  }
}

/** Resolves once `client` finished its first sync; rejects after `timeoutMs`. */
export function whenSynced(client: BenchClient, timeoutMs = 30_000): Promise<void> {
  if (client.provider.synced) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('provider did not sync in time')), timeoutMs)
    const onSync = (synced: boolean): void => {
      if (!synced) return
      clearTimeout(timer)
      client.provider.off('sync', onSync)
      resolve()
    }
    client.provider.on('sync', onSync)
  })
}

/**
 * Connects `n` clients to one room and waits until every one is synced. `token` yields each
 * Valence client's WebSocket token.
 */
export async function connectRoom(
  kind: ServerKind,
  url: string,
  room: string,
  n: number,
  token: () => Promise<string | null>
): Promise<BenchClient[]> {
  const clients: BenchClient[] = []
  const closes: string[] = []
  for (let i = 0; i < n; i++) {
    const client = connectClient(kind, url, room, await token())
    client.provider.on('connection-close', (event) => closes.push(`${event?.code ?? '?'} ${event?.reason ?? ''}`))
    clients.push(client)
  }
  const results = await Promise.allSettled(clients.map((c) => whenSynced(c)))
  const failed = results.filter((r) => r.status === 'rejected').length
  if (failed > 0) {
    for (const c of clients) c.destroy()
    throw new Error(`${kind}: ${failed} of ${n} clients did not sync (closes seen: ${closes.join(', ') || 'none'})`)
  }
  return clients
}
