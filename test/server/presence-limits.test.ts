/**
 * Presence cannot be used to shut people out of their clientIDs or to grow server memory:
 * squatted clientIDs never block their owner's write, announcement-only bindings and awareness
 * metadata are freed when their connection closes, a connection holds a bounded number of
 * clientIDs, and oversize states are refused. Through the real server, with fixed principals.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { startTestService, createSpec } from '../helpers/server.js'
import { connectClient, synced, type TestClient } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { openRaw, updateFrame } from '../helpers/raw-socket.js'
import { captureUpdate } from '../helpers/capture-update.js'
import { StubAccess } from '../helpers/stub-access.js'
import { awarenessFrame, paddedState } from '../helpers/limit-frames.js'
import { CloseCode } from '../../shared/protocol.js'
import type { ConfigOverrides } from '../../server/config.js'
import type { Service } from '../../server/service.js'

async function setup(config: ConfigOverrides = {}) {
  const access = new StubAccess()
  const service = await startTestService(config, { syncAccess: access })
  const spec = await createSpec(service)
  access.add('tom', 'Tom', 'team', 'write')
  access.add('carla', 'Carla', 'customer', 'write')
  access.add('vera', 'Vera', 'viewer', 'read')
  return { service, spec }
}

const userOf = (service: Service, spec: string, clientID: number) =>
  (service.rooms.get(spec)?.awareness.getStates().get(clientID)?.user as { id?: string } | undefined)?.id

async function typeAndSave(client: TestClient, text: string): Promise<void> {
  client.doc.getText('t').insert(0, text)
  await eventually(() => expect(client.tracker.current.status).toBe('saved'))
}

describe('clientID squatting', () => {
  it("a viewer's or a customer's announcement of someone's clientIDs never blocks that person's writes", async () => {
    const { service, spec } = await setup({ storage: 'sqlite' })
    const laptop = new Y.Doc()
    const tablet = new Y.Doc()
    // Both squat before Tom connects (as after a restart: they saw his ids in presence before).
    const viewer = await openRaw(service, spec, 'v=1&token=vera')
    const customer = await openRaw(service, spec, 'v=1&token=carla')
    viewer.send(awarenessFrame([{ clientID: laptop.clientID, clock: 1, state: { cursor: null } }]))
    customer.send(awarenessFrame([{ clientID: tablet.clientID, clock: 1, state: { cursor: null } }]))
    // Positive control: both announcements were admitted, by the route a real provider uses.
    await eventually(() => {
      expect(userOf(service, spec, laptop.clientID)).toBe('vera')
      expect(userOf(service, spec, tablet.clientID)).toBe('carla')
    })
    const room = service.rooms.get(spec)!
    expect(room.bindings.ownerOf(laptop.clientID)).toBeUndefined() // viewers never bind
    expect(room.bindings.ownerOf(tablet.clientID)).toBe('carla') // a writer's announcement, provisional
    expect(room.bindings.isDurable(tablet.clientID)).toBe(false)

    const t1 = connectClient(service, spec, { token: 'tom', doc: laptop })
    const t2 = connectClient(service, spec, { token: 'tom', doc: tablet })
    await Promise.all([synced(t1), synced(t2)])
    await typeAndSave(t1, 'from the laptop. ')
    await typeAndSave(t2, 'from the tablet. ')
    expect(t1.closes).toEqual([])
    expect(t2.closes).toEqual([])
    expect(room.bindings.ownerOf(laptop.clientID)).toBe('tom')
    expect(room.bindings.ownerOf(tablet.clientID)).toBe('tom')
    expect(room.bindings.isDurable(tablet.clientID)).toBe(true)
    // The squatters lost those ids; Tom's next presence change shows under his name.
    t1.provider.awareness.setLocalStateField('cursor', { at: 1 })
    t2.provider.awareness.setLocalStateField('cursor', { at: 2 })
    await eventually(() => {
      expect(userOf(service, spec, laptop.clientID)).toBe('tom')
      expect(userOf(service, spec, tablet.clientID)).toBe('tom')
    })
    expect(viewer.ws.readyState).toBe(viewer.ws.OPEN)
    expect(customer.ws.readyState).toBe(customer.ws.OPEN)
    // And a squatter can now neither show presence under them nor write with them.
    customer.send(awarenessFrame([{ clientID: tablet.clientID, clock: 99, state: { cursor: null } }]))
    const forged = new Y.Doc()
    Y.applyUpdate(forged, Y.encodeStateAsUpdate(room.doc))
    forged.clientID = tablet.clientID
    customer.send(updateFrame(captureUpdate(forged, (d) => d.getText('t').insert(0, 'forged '))))
    expect((await customer.closed).code).toBe(CloseCode.clientIdForeign)
    expect(userOf(service, spec, tablet.clientID)).toBe('tom')
  })

  it("offline work with a clientID someone announced while its owner was away is accepted", async () => {
    const { service, spec } = await setup()
    const doc = new Y.Doc()
    const tom = connectClient(service, spec, { token: 'tom', doc })
    await synced(tom)
    tom.provider.awareness.setLocalStateField('cursor', null)
    await eventually(() => expect(userOf(service, spec, doc.clientID)).toBe('tom'))
    // Tom leaves before writing: his announcement-only binding goes with his connection.
    tom.provider.disconnect()
    await eventually(() => expect(service.rooms.get(spec)!.bindings.ownerOf(doc.clientID)).toBeUndefined())
    doc.getText('t').insert(0, 'written offline')
    const squatter = await openRaw(service, spec, 'v=1&token=carla')
    squatter.send(awarenessFrame([{ clientID: doc.clientID, clock: 1, state: { cursor: null } }]))
    await eventually(() => expect(service.rooms.get(spec)!.bindings.ownerOf(doc.clientID)).toBe('carla'))
    tom.provider.connect()
    await eventually(() => expect(service.rooms.get(spec)!.doc.getText('t').toString()).toBe('written offline'))
    await eventually(() => expect(tom.tracker.current.status).toBe('saved'))
    expect(tom.closes.filter((c) => c.code >= 4000)).toEqual([])
    expect(service.rooms.get(spec)!.bindings.ownerOf(doc.clientID)).toBe('tom')
  })
})

describe('presence memory', () => {
  it('frees announcement-only bindings, presence states and awareness metadata when a connection closes', async () => {
    const { service, spec } = await setup()
    const raw = await openRaw(service, spec, 'v=1&token=carla')
    const written = new Y.Doc()
    const announced = 777001
    raw.send(awarenessFrame([{ clientID: announced, clock: 5, state: { cursor: null } }, { clientID: written.clientID, clock: 1, state: { cursor: null } }]))
    raw.send(updateFrame(captureUpdate(written, (d) => d.getText('t').insert(0, 'kept'))))
    const room = service.rooms.get(spec)!
    await eventually(() => {
      expect(room.doc.getText('t').toString()).toBe('kept')
      expect(room.bindings.ownerOf(announced)).toBe('carla')
      expect(room.awareness.meta.has(announced)).toBe(true)
      expect(room.presenceHolders).toBe(2)
    })
    raw.ws.close()
    await eventually(() => {
      expect(room.bindings.ownerOf(announced)).toBeUndefined()
      expect(room.bindings.provisionalSize).toBe(0)
      expect(room.awareness.meta.has(announced)).toBe(false)
      expect(room.awareness.meta.has(written.clientID)).toBe(false)
      expect(room.awareness.getStates().size).toBe(0)
      expect(room.presenceHolders).toBe(0)
    })
    // What was written stays bound.
    expect(room.bindings.ownerOf(written.clientID)).toBe('carla')
    expect(room.bindings.isDurable(written.clientID)).toBe(true)
  })

  it('caps the clientIDs one connection may hold; cycling through new ids grows nothing', async () => {
    const { service, spec } = await setup({ limits: { maxPresenceIdsPerConnection: 2, presencePerSecond: 1000 } })
    const raw = await openRaw(service, spec, 'v=1&token=vera')
    raw.send(awarenessFrame([1, 2, 3].map((clientID) => ({ clientID, clock: 1, state: { cursor: null } }))))
    const room = () => service.rooms.get(spec)!
    await eventually(() => expect([...room().awareness.getStates().keys()].sort()).toEqual([1, 2]))
    // Removing one does not free quota for another.
    raw.send(awarenessFrame([{ clientID: 1, clock: 2, state: null }]))
    for (let id = 100; id < 1100; id++) raw.send(awarenessFrame([{ clientID: id, clock: 1, state: { cursor: null } }]))
    raw.send(awarenessFrame([{ clientID: 2, clock: 2, state: { cursor: 'last' } }]))
    await eventually(() => expect(room().awareness.getStates().get(2)).toMatchObject({ cursor: 'last' }))
    expect([...room().awareness.getStates().keys()]).toEqual([2])
    // The server's own entry plus the two ids this connection held.
    expect(room().awareness.meta.size).toBeLessThanOrEqual(3)
    expect(room().presenceHolders).toBe(2)
  })

  it('refuses presence states above the size limit', async () => {
    const { service, spec } = await setup({ limits: { maxPresenceStateBytes: 1024 } })
    const raw = await openRaw(service, spec, 'v=1&token=carla')
    const seen: unknown[] = []
    await eventually(() => expect(service.rooms.get(spec)).toBeDefined())
    service.rooms.get(spec)!.awareness.on('change', ({ added, updated }: { added: number[]; updated: number[] }) => {
      for (const id of [...added, ...updated]) seen.push(service.rooms.get(spec)!.awareness.getStates().get(id))
    })
    raw.send(awarenessFrame([{ clientID: 31, clock: 1, state: paddedState(2000) }]))
    raw.send(awarenessFrame([{ clientID: 31, clock: 2, state: { ...paddedState(900), small: true } }]))
    await eventually(() => expect(seen).toHaveLength(1))
    expect(seen[0]).toMatchObject({ small: true })
    expect(raw.ws.readyState).toBe(raw.ws.OPEN)
  })

  it('closes a frame announcing more presence entries than a room can hold (4400)', async () => {
    const { service, spec } = await setup({ limits: { maxConnectionsPerRoom: 5, maxPresenceIdsPerConnection: 2 } })
    const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ clientID: 500 + i, clock: 1, state: null }))
    const ok = await openRaw(service, spec, 'v=1&token=vera')
    ok.send(awarenessFrame(entries(10)))
    const tooMany = await openRaw(service, spec, 'v=1&token=vera')
    tooMany.send(awarenessFrame(entries(11)))
    expect((await tooMany.closed).code).toBe(CloseCode.malformedMessage)
    expect(ok.ws.readyState).toBe(ok.ws.OPEN)
  })
})
