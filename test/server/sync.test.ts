import { describe, expect, it, onTestFinished } from 'vitest'
import * as Y from 'yjs'
import { startTestService, createSpec } from '../helpers/server.js'
import { connectAs, synced } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { HeldDocStore } from '../helpers/held-store.js'
import { createMemoryStorage } from '../../server/storage/memory.js'
import { AttributionEngine } from '../../server/attribution/index.js'
import { facilitatorOf } from '../helpers/auth.js'
import { openRaw, upgradeStatus } from '../helpers/raw-socket.js'
import { CloseCode } from '../../shared/protocol.js'

const text = (doc: Y.Doc) => doc.getText('t').toString()

describe('live sync', () => {
  it('two providers converge and a late third receives the full document', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const a = await connectAs(service, spec)
    const b = await connectAs(service, spec)
    await Promise.all([synced(a), synced(b)])
    a.doc.getText('t').insert(0, 'hello ')
    b.doc.getText('t').insert(0, 'world ')
    await eventually(() => {
      expect(text(a.doc)).toBe(text(b.doc))
      expect(text(a.doc)).toHaveLength(12)
    })
    const c = await connectAs(service, spec)
    await synced(c)
    await eventually(() => expect(text(c.doc)).toBe(text(a.doc)))
  })

  it('acknowledges committed updates: the tracker reaches saved', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const a = await connectAs(service, spec)
    await synced(a)
    a.doc.getText('t').insert(0, 'x')
    await eventually(() => expect(a.tracker.current.status).toBe('saved'))
    expect(a.tracker.current.acked).toBeGreaterThanOrEqual(1)
  })

  it('a stock provider without ?v= still syncs (and receives no acks)', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const stock = await connectAs(service, spec, { extensions: false })
    const valence = await connectAs(service, spec)
    await Promise.all([synced(stock), synced(valence)])
    stock.doc.getText('t').insert(0, 'from stock')
    await eventually(() => expect(text(valence.doc)).toBe('from stock'))
    expect(stock.tracker.current.acked).toBe(0)
  })

  it('durable before fan-out: a held commit blocks both the ack and the broadcast', async () => {
    const docs = new HeldDocStore()
    const storage = { ...createMemoryStorage({ foldFacts: AttributionEngine.fold }), docs }
    const service = await startTestService({}, { storage })
    const spec = await createSpec(service)
    const author = await connectAs(service, spec)
    const other = await connectAs(service, spec)
    await Promise.all([synced(author), synced(other)])
    docs.hold()
    // A failed assertion must not leave the commit held: the service could not stop.
    onTestFinished(() => docs.release())
    author.doc.getText('t').insert(0, 'held')
    await eventually(() => expect(docs.appended).toBe(1))
    // A client joining now must not see the uncommitted edit either. Its presence reaching the
    // others proves the server handled its step 1, sent before the presence on its socket.
    const late = await connectAs(service, spec)
    late.provider.awareness.setLocalStateField('cursor', 'joined')
    await eventually(() => expect(other.provider.awareness.getStates().get(late.doc.clientID)?.cursor).toBe('joined'))
    // A wait alone would pass by being early. Positive control by the same sockets instead:
    // presence is relayed at once, not behind commits, so a presence change made now reaches
    // each client after anything the server released for the held edit (the author's ack, the
    // broadcast, the late client's step 2) when it handled the edit or the step 1.
    author.provider.awareness.setLocalStateField('cursor', 'control')
    other.provider.awareness.setLocalStateField('cursor', 'control')
    await eventually(() => {
      expect(author.provider.awareness.getStates().get(other.doc.clientID)?.cursor).toBe('control')
      expect(other.provider.awareness.getStates().get(author.doc.clientID)?.cursor).toBe('control')
      expect(late.provider.awareness.getStates().get(author.doc.clientID)?.cursor).toBe('control')
    })
    expect(author.tracker.current.status).toBe('saving')
    expect(text(other.doc)).toBe('')
    expect(text(late.doc)).toBe('')
    docs.release()
    await eventually(() => {
      expect(text(other.doc)).toBe('held')
      expect(text(late.doc)).toBe('held')
      expect(author.tracker.current.status).toBe('saved')
    })
  })

  it('unloads an idle room and reloads it from storage', async () => {
    const service = await startTestService({ roomIdleMs: 50 })
    const spec = await createSpec(service)
    const a = await connectAs(service, spec)
    await synced(a)
    a.doc.getText('t').insert(0, 'persisted')
    await eventually(() => expect(a.tracker.current.status).toBe('saved'))
    a.destroy()
    await eventually(() => expect(service.rooms.loaded).toHaveLength(0))
    const b = await connectAs(service, spec)
    await synced(b)
    await eventually(() => expect(text(b.doc)).toBe('persisted'))
  })

  it('refuses bad paths with 404 and unknown specs with close 4404, loading no room', async () => {
    const service = await startTestService()
    const ws = service.url.replace(/^http/, 'ws')
    expect(await upgradeStatus(`${ws}/ws/bad%20id`)).toBe(404)
    expect(await upgradeStatus(`${ws}/elsewhere`)).toBe(404)
    const raw = await openRaw(service, 'doesnotexist1')
    expect((await raw.closed).code).toBe(CloseCode.specNotFound)
    expect(service.rooms.loaded).toHaveLength(0)
  })

  it('closes live connections with 4404 when the spec is deleted', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const a = await connectAs(service, spec)
    await synced(a)
    const res = await (await facilitatorOf(service)).fetch(`/api/specs/${spec}`, { method: 'DELETE' })
    expect(res.status).toBe(204)
    await eventually(() => expect(a.closes.map((c) => c.code)).toContain(CloseCode.specNotFound))
    expect(a.tracker.current.status).toBe('closed')
    expect(a.provider.shouldConnect).toBe(false)
  })

  it('closes a client speaking another protocol version with 4426', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const raw = await openRaw(service, spec, 'v=999')
    expect((await raw.closed).code).toBe(CloseCode.incompatibleProtocol)
  })
})
