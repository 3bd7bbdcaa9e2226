/**
 * Floods through real sockets: one client flooding its room is paused while another room keeps
 * working, and a socket that never reads is closed with a transient code before its unsent data
 * piles up. Correctness only; how fast other rooms stay is measured by `npm run bench` (attack).
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { startTestService, createSpec } from '../helpers/server.js'
import { connectClient, synced } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { openRaw, updateFrame } from '../helpers/raw-socket.js'
import { captureUpdate } from '../helpers/capture-update.js'
import { StubAccess } from '../helpers/stub-access.js'
import { awarenessFrame, typingFrames } from '../helpers/limit-frames.js'
import { isPermanentClose } from '../../shared/protocol.js'
import type { ConfigOverrides } from '../../server/config.js'
import type { Connection } from '../../server/sync/connection.js'

async function setup(config: ConfigOverrides) {
  const access = new StubAccess()
  const service = await startTestService(config, { syncAccess: access })
  access.add('tom', 'Tom', 'team', 'write')
  access.add('carla', 'Carla', 'customer', 'write')
  access.add('vera', 'Vera', 'viewer', 'read')
  return { service }
}

describe('floods', () => {
  it("pauses a client flooding updates and presence while another room's round trips complete", async () => {
    // 200 updates at 20 a second (bursts of 40) keep the flood waiting about 8 s: long enough
    // that the quiet room's round trips finish first even on a loaded machine (at 50 a second
    // the flood drained in 2 s, and on a busy CI machine the round trips took longer).
    const { service } = await setup({ limits: { updatesPerSecond: 20, presencePerSecond: 20 } })
    const flooded = await createSpec(service)
    const quiet = await createSpec(service)
    const b1 = connectClient(service, quiet, { token: 'carla' })
    const b2 = connectClient(service, quiet, { token: 'tom' })
    await Promise.all([synced(b1), synced(b2)])

    const flooder = await openRaw(service, flooded, 'v=1&token=tom')
    const { doc, frames } = typingFrames(200)
    for (const frame of frames) flooder.send(frame)
    for (let clock = 1; clock <= 60; clock++) flooder.send(awarenessFrame([{ clientID: doc.clientID, clock, state: { n: clock } }]))
    const room = () => service.rooms.get(flooded)
    // The room sees its members as Peers; this one is a local Connection.
    const flooderConn = () => [...(room()?.conns ?? [])][0] as Connection | undefined
    await eventually(() => expect(flooderConn()?.receivePaused).toBe(true))

    for (let i = 0; i < 5; i++) {
      b1.doc.getText('t').insert(0, `${i}`)
      await eventually(() => expect(b2.doc.getText('t').toString()).toBe(b1.doc.getText('t').toString()))
    }
    // The other room was served while the flood was still waiting its turn.
    expect(flooderConn()!.receivePaused).toBe(true)
    expect(flooderConn()!.updatesReceived).toBeLessThan(200)

    // Nothing of the flood was lost or reordered (a reordered keystroke would be refused).
    await eventually(() => expect(room()!.doc.getText('t').toString()).toBe(doc.getText('t').toString()), 30_000)
    await eventually(() => expect(room()!.awareness.getStates().get(doc.clientID)).toMatchObject({ n: 60 }), 30_000)
    expect(flooderConn()!.receivePaused).toBe(false)
    expect(flooder.ws.readyState).toBe(flooder.ws.OPEN)
  })

  it('closes a real socket that never reads, with a transient code, while the writer goes on', async () => {
    const { service } = await setup({
      maxMessageBytes: 1024 * 1024,
      limits: { maxBufferedBytes: 512 * 1024, maxSpecBytes: 2 ** 30, bytesPerSecond: 2 ** 30, updatesPerSecond: 10_000 }
    })
    const spec = await createSpec(service)
    const reader = await openRaw(service, spec, 'v=1&token=vera')
    await eventually(() => expect(service.rooms.get(spec)?.conns.size).toBe(1))
    const room = service.rooms.get(spec)!
    const readerConn = [...room.conns][0]!
    // The client stops reading: the kernel buffers fill, then the server's send buffer.
    reader.ws.pause()
    const writer = await openRaw(service, spec, 'v=1&token=tom')
    const doc = new Y.Doc()
    let sent = 0
    while (room.conns.has(readerConn) && sent < 400) {
      // Replace the text each time, so the spec stays small while the traffic grows.
      writer.send(updateFrame(captureUpdate(doc, (d) => {
        const t = d.getText('t')
        t.delete(0, t.length)
        t.insert(0, String(sent % 10).repeat(256 * 1024))
      })))
      sent++
      await eventually(() => expect(room.doc.getText('t').toString()).toBe(doc.getText('t').toString()))
    }
    expect(room.conns.has(readerConn)).toBe(false)
    expect(writer.ws.readyState).toBe(writer.ws.OPEN)
    // Whatever reached the client, it was told (or left) to retry: never a permanent code.
    reader.ws.resume()
    const { code } = await reader.closed
    expect(isPermanentClose(code)).toBe(false)
  })
})
