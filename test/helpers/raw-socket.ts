/**
 * A raw WebSocket to the sync endpoint, for sending hand-made frames.
 */
import { afterEach } from 'vitest'
import WebSocket from 'ws'
import * as encoding from 'lib0/encoding'
import * as decoding from 'lib0/decoding'
import { expect } from 'vitest'
import { messageAwareness, messageSync, syncStep2, syncUpdate } from '../../shared/protocol.js'
import type { Service } from '../../server/service.js'
import { decodeAwarenessUpdate, encodeAwarenessEntries, type AwarenessEntry } from '../../server/sync/awareness-codec.js'
import { facilitatorOf } from './auth.js'
import { eventually } from './eventually.js'

/** An open raw socket with everything it received and how it closed. */
export interface RawSocket {
  ws: WebSocket
  received: Uint8Array[]
  closed: Promise<{ code: number; reason: string }>
  send(frame: Uint8Array): void
}

const sockets = new Set<WebSocket>()
afterEach(() => {
  for (const ws of sockets) ws.terminate()
  sockets.clear()
})

/** Opens `/ws/:specId?query` and resolves when open. */
export async function openRaw(service: Service, specId: string, query = 'v=1'): Promise<RawSocket> {
  // Without an explicit token, connect as the service's test facilitator.
  if (!/(^|&)token=/.test(query)) {
    const token = (await facilitatorOf(service)).wsToken(specId)
    query = `${query}${query ? '&' : ''}token=${encodeURIComponent(token)}`
  }
  const ws = new WebSocket(`${service.url.replace(/^http/, 'ws')}/ws/${specId}?${query}`)
  sockets.add(ws)
  const received: Uint8Array[] = []
  ws.binaryType = 'nodebuffer'
  ws.on('message', (data: Buffer) => received.push(new Uint8Array(data)))
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  )
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
  })
  return { ws, received, closed, send: (frame) => ws.send(frame) }
}

/** Tries an upgrade and returns the HTTP status of a refusal (or 101). */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    ws.once('open', () => {
      ws.terminate()
      resolve(101)
    })
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      ws.terminate()
    })
    ws.once('error', (err) => reject(err))
  })
}

/** A sync frame carrying `update` as step 2 or update. */
export function updateFrame(update: Uint8Array, step2 = false): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, messageSync)
  encoding.writeVarUint(e, step2 ? syncStep2 : syncUpdate)
  encoding.writeVarUint8Array(e, update)
  return encoding.toUint8Array(e)
}

/** Reads the message type of a received frame. */
export const frameType = (frame: Uint8Array): number => decoding.readVarUint(decoding.createDecoder(frame))

/** An awareness frame holding `entries`. */
export function awarenessFrame(entries: readonly AwarenessEntry[]): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, messageAwareness)
  encoding.writeVarUint8Array(e, encodeAwarenessEntries(entries))
  return encoding.toUint8Array(e)
}

/** True if `frame` is an awareness frame with a (non-null) state for `clientID`. */
export function carriesPresenceOf(frame: Uint8Array, clientID: number): boolean {
  if (frameType(frame) !== messageAwareness) return false
  const d = decoding.createDecoder(frame)
  decoding.readVarUint(d)
  return decodeAwarenessUpdate(decoding.readVarUint8Array(d)).some((e) => e.clientID === clientID && e.state !== null)
}

/**
 * A positive control for absence checks: sends a presence state for the unused `clientID` and
 * waits until the server relays it back to this socket. The server handles one socket's frames
 * in order and relays presence at once, so by then it has handled everything sent before, and
 * every frame it sent in reply is in `received`. Returns early if the socket closed; the caller
 * asserts on that.
 */
export async function roundTrip(raw: RawSocket, clientID: number): Promise<void> {
  raw.send(awarenessFrame([{ clientID, clock: 1, state: { control: true } }]))
  await eventually(() => {
    if (raw.ws.readyState !== raw.ws.OPEN) return
    expect(raw.received.some((f) => carriesPresenceOf(f, clientID))).toBe(true)
  })
}
