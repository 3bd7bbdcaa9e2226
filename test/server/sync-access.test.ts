import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import { startTestService, createSpec } from '../helpers/server.js'
import { connectClient, synced } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { awarenessFrame, openRaw, updateFrame, upgradeStatus, frameType } from '../helpers/raw-socket.js'
import { captureUpdate } from '../helpers/capture-update.js'
import { StubAccess } from '../helpers/stub-access.js'
import { facilitatorOf, signInAs } from '../helpers/auth.js'
import { CloseCode, messageAuth } from '../../shared/protocol.js'

async function setup() {
  const access = new StubAccess()
  const service = await startTestService({ storage: 'sqlite' }, { syncAccess: access })
  const spec = await createSpec(service)
  const alice = access.add('alice', 'Alice', 'customer', 'write')
  const bob = access.add('bob', 'Bob', 'team', 'write')
  const vera = access.add('vera', 'Vera', 'viewer', 'read')
  const mallory = access.add('mallory', 'Mallory', 'customer', 'write')
  return { access, service, spec, alice, bob, vera, mallory }
}

describe('sync-level enforcement', () => {
  it('refuses unauthenticated (401) and unauthorized (403) upgrades, loading nothing', async () => {
    const { service, spec, access } = await setup()
    access.add('nobody', 'Nobody', 'customer', 'none')
    const ws = service.url.replace(/^http/, 'ws')
    expect(await upgradeStatus(`${ws}/ws/${spec}?v=1`)).toBe(401)
    expect(await upgradeStatus(`${ws}/ws/${spec}?v=1&token=forged`)).toBe(401)
    expect(await upgradeStatus(`${ws}/ws/${spec}?v=1&token=nobody`)).toBe(403)
    expect(service.rooms.loaded).toHaveLength(0)
  })

  it('a viewer receives live updates and presence, but its crafted updates are never applied, stored or broadcast', async () => {
    const { service, spec, alice, bob, vera } = await setup()
    const a = connectClient(service, spec, { token: alice })
    const b = connectClient(service, spec, { token: bob })
    const v = connectClient(service, spec, { token: vera })
    await Promise.all([synced(a), synced(b), synced(v)])
    a.doc.getText('t').insert(0, 'customer idea')
    await eventually(() => expect(v.doc.getText('t').toString()).toBe('customer idea'))
    // The viewer's provider was acknowledged for its empty step 2 and is "saved".
    await eventually(() => expect(v.tracker.current.status).toBe('saved'))
    const room = service.rooms.get(spec)!
    const storedBefore = (await service.storage.docs.load(spec)).updates.length
    const stateBefore = Y.encodeStateAsUpdate(room.doc)

    const raw = await openRaw(service, spec, `v=1&token=${vera}`)
    const crafted = new Y.Doc()
    Y.applyUpdate(crafted, Y.encodeStateAsUpdate(room.doc))
    raw.send(updateFrame(captureUpdate(crafted, (d) => d.getText('t').insert(0, 'viewer sneaks in '))))
    await eventually(() => expect(raw.received.some((f) => frameType(f) === messageAuth)).toBe(true))
    const denied = raw.received.find((f) => frameType(f) === messageAuth)!
    const d = decoding.createDecoder(denied)
    decoding.readVarUint(d)
    expect(decoding.readVarUint(d)).toBe(0)
    expect(decoding.readVarString(d)).toBe('read-only')
    // The denial is sent while the update is handled, so the room's decision is made by now.
    expect(Y.encodeStateAsUpdate(room.doc)).toEqual(stateBefore)
    expect((await service.storage.docs.load(spec)).updates).toHaveLength(storedBefore)
    // Storage and broadcast run behind commits, so their absence needs a positive control by the
    // same route (a wait alone passes by being early): Bob's write, made after the refusal, is
    // stored and broadcast in order behind anything the viewer's update could have caused.
    await eventually(() => expect(b.doc.getText('t').toString()).toBe('customer idea'))
    b.doc.getText('t').insert(0, 'control ')
    await eventually(() => expect(a.doc.getText('t').toString()).toBe('control customer idea'))
    await eventually(async () => {
      const stored = new Y.Doc()
      for (const u of (await service.storage.docs.load(spec)).updates) Y.applyUpdate(stored, u)
      expect(stored.getText('t').toString()).toBe('control customer idea')
    })
    expect(Y.getState(room.doc.store, crafted.clientID)).toBe(0)
    // The socket stays open and keeps receiving live updates.
    const receivedBefore = raw.received.length
    a.doc.getText('t').insert(0, 'more ')
    await eventually(() => expect(raw.received.length).toBeGreaterThan(receivedBefore))
    expect(raw.ws.readyState).toBe(raw.ws.OPEN)
  })

  it('stamps presence with the server-known identity and drops entries for other clientIDs', async () => {
    const { service, spec, alice, bob, mallory } = await setup()
    const a = connectClient(service, spec, { token: alice })
    const b = connectClient(service, spec, { token: bob })
    await Promise.all([synced(a), synced(b)])
    a.provider.awareness.setLocalStateField('user', { name: 'Alice', color: '#000' })
    await eventually(() => expect(b.provider.awareness.getStates().get(a.doc.clientID)?.user).toMatchObject({ id: 'alice', name: 'Alice', role: 'customer' }))

    // Mallory claims to be Alice the facilitator, then tries to remove Alice's presence.
    const raw = await openRaw(service, spec, `v=1&token=${mallory}`)
    const malloryClient = 424242
    raw.send(awarenessFrame([{ clientID: malloryClient, clock: 1, state: { user: { id: 'alice', name: 'Alice', role: 'facilitator', color: '#f00' } } }]))
    await eventually(() =>
      expect(b.provider.awareness.getStates().get(malloryClient)?.user).toMatchObject({ id: 'mallory', name: 'Mallory', role: 'customer' })
    )
    const aliceClock = (a.provider.awareness.meta.get(a.doc.clientID)?.clock ?? 0) + 1
    raw.send(awarenessFrame([{ clientID: a.doc.clientID, clock: aliceClock + 5, state: null }]))
    raw.send(awarenessFrame([{ clientID: a.doc.clientID, clock: aliceClock + 6, state: { user: { name: 'Evil Alice' } } }]))
    // Positive control by the same route: Mallory's own next presence change, sent after both,
    // reaches Bob; the server relays one socket's presence in order, so the two forged entries
    // would have reached Bob before it.
    raw.send(awarenessFrame([{ clientID: malloryClient, clock: 2, state: { cursor: 'control' } }]))
    await eventually(() => expect(b.provider.awareness.getStates().get(malloryClient)?.cursor).toBe('control'))
    const seen = b.provider.awareness.getStates().get(a.doc.clientID)
    expect(seen?.user).toMatchObject({ id: 'alice', name: 'Alice' })
  })

  it('closes a removed participant within a second and lowers a writer to read-only', async () => {
    const { service, spec, access, alice, bob } = await setup()
    const a = connectClient(service, spec, { token: alice })
    const b = connectClient(service, spec, { token: bob })
    await Promise.all([synced(a), synced(b)])
    const t0 = Date.now()
    access.change(alice, 'none')
    await eventually(() => expect(a.closes.map((c) => c.code)).toContain(CloseCode.accessRevoked), 1000)
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(a.provider.shouldConnect).toBe(false)
    expect(b.closes).toEqual([])

    access.change(bob, 'read')
    // The recheck is asynchronous: wait until the live connection is read-only.
    await eventually(() => expect([...service.sync.connections].find((c) => c.participantId === bob)?.access).toBe('read'))
    b.doc.getText('t').insert(0, 'after demotion')
    // Positive control on Bob's socket: his presence change, sent after the edit, reaches the
    // room; the server handles one socket's frames in order and would have applied the edit
    // (synchronously) before it.
    b.provider.awareness.setLocalStateField('cursor', 'control')
    await eventually(() => expect(service.rooms.get(spec)!.awareness.getStates().get(b.doc.clientID)?.cursor).toBe('control'))
    expect(service.rooms.get(spec)!.doc.getText('t').toString()).toBe('')
  })
})

describe('sessions and live sockets (real identities)', () => {
  it('signing out closes the person’s open sockets with 4401; removal from the panel closes with 4403', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const alice = await signInAs(service, 'team')
    const carol = await signInAs(service, 'customer', { panelSpecIds: [spec] })
    const a = connectClient(service, spec, { token: alice.wsToken(spec) })
    const c = connectClient(service, spec, { token: carol.wsToken(spec) })
    await Promise.all([synced(a), synced(c)])
    expect((await alice.fetch('/api/auth/logout', { method: 'POST' })).status).toBe(204)
    await eventually(() => expect(a.closes.map((x) => x.code)).toContain(CloseCode.sessionEnded), 2000)
    const facilitator = await facilitatorOf(service)
    const res = await facilitator.fetch(`/api/panels/${carol.panelId}/members/${carol.principal.participantId}`, { method: 'DELETE' })
    expect(res.status).toBe(204)
    await eventually(() => expect(c.closes.map((x) => x.code)).toContain(CloseCode.accessRevoked), 1000)
    expect(c.provider.shouldConnect).toBe(false)
  })
})
