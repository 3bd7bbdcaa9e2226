/**
 * Each configurable limit of the sync endpoint, hit through the real server: connections per
 * address and per spec, open rooms, the customer frame limit, spec size and structs per update.
 * Every refusal is checked after a positive control took the same route.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { startTestService, createSpec } from '../helpers/server.js'
import { eventually } from '../helpers/eventually.js'
import { facilitatorOf, fetchAs } from '../helpers/auth.js'
import { openRaw, updateFrame, type RawSocket } from '../helpers/raw-socket.js'
import { captureUpdate } from '../helpers/capture-update.js'
import { StubAccess } from '../helpers/stub-access.js'
import { manyItemsUpdate } from '../helpers/limit-frames.js'
import { CloseCode, isPermanentClose } from '../../shared/protocol.js'
import { clientAddress } from '../../server/sync/connection-slots.js'
import type { ConfigOverrides } from '../../server/config.js'
import type { IncomingMessage } from 'node:http'

async function setup(config: ConfigOverrides = {}) {
  const access = new StubAccess()
  const service = await startTestService(config, { syncAccess: access })
  access.add('tom', 'Tom', 'team', 'write')
  access.add('carla', 'Carla', 'customer', 'write')
  return { service, access }
}

/**
 * The close code of a refused socket, or null once the server admitted it. An admitted socket
 * receives the room's sync step 1 first; a refused one is closed before any message, so the
 * first of the two events decides (no timeout standing in for "not closed").
 */
async function refusal(raw: RawSocket): Promise<number | null> {
  const admitted = eventually(() => {
    if (raw.ws.readyState !== raw.ws.OPEN) return
    expect(raw.received.length).toBeGreaterThan(0)
  }).then(() => null)
  const result = await Promise.race([raw.closed.then((c) => c.code), admitted])
  if (result === null && raw.ws.readyState !== raw.ws.OPEN) return (await raw.closed).code
  return result
}

/** The room's document after applying what it holds, as a fresh doc. */
const stateOf = (doc: Y.Doc): Uint8Array => Y.encodeStateAsUpdate(doc)

describe('connection limits', () => {
  it('refuses a connection beyond MAX_CONNECTIONS_PER_IP with 4529 (transient), and takes one again after a close', async () => {
    const { service } = await setup({ limits: { maxConnectionsPerIp: 2 } })
    const a = await createSpec(service)
    const b = await createSpec(service)
    const first = await openRaw(service, a, 'v=1&token=tom')
    const second = await openRaw(service, b, 'v=1&token=carla')
    expect(await refusal(first)).toBeNull()
    expect(await refusal(second)).toBeNull()
    const third = await openRaw(service, b, 'v=1&token=tom')
    expect((await third.closed).code).toBe(CloseCode.tooManyConnections)
    expect(isPermanentClose(CloseCode.tooManyConnections)).toBe(false)
    first.ws.close()
    await first.closed
    await eventually(async () => {
      const again = await openRaw(service, a, 'v=1&token=tom')
      expect(await refusal(again)).toBeNull()
    })
  })

  it('refuses a connection beyond MAX_CONNECTIONS_PER_ROOM with 4529; other specs still take connections', async () => {
    const { service } = await setup({ limits: { maxConnectionsPerRoom: 2 } })
    const full = await createSpec(service)
    const other = await createSpec(service)
    for (let i = 0; i < 2; i++) expect(await refusal(await openRaw(service, full, 'v=1&token=tom'))).toBeNull()
    const refused = await openRaw(service, full, 'v=1&token=carla')
    expect((await refused.closed).code).toBe(CloseCode.tooManyConnections)
    expect(await refusal(await openRaw(service, other, 'v=1&token=carla'))).toBeNull()
  })

  it('takes the address from X-Forwarded-For only behind a trusted proxy', () => {
    const req = (forwarded?: string) =>
      ({ headers: forwarded ? { 'x-forwarded-for': forwarded } : {}, socket: { remoteAddress: '10.0.0.1' } }) as unknown as IncomingMessage
    expect(clientAddress(req('203.0.113.7, 10.0.0.1'), true)).toBe('203.0.113.7')
    expect(clientAddress(req('203.0.113.7'), false)).toBe('10.0.0.1')
    expect(clientAddress(req(), true)).toBe('10.0.0.1')
  })

  it('refuses to open a room beyond MAX_OPEN_ROOMS with 4530 while every room is in use, and unloads an idle one to make room', async () => {
    const { service } = await setup({ limits: { maxOpenRooms: 1 }, roomIdleMs: 60_000 })
    const a = await createSpec(service)
    const b = await createSpec(service)
    const inA = await openRaw(service, a, 'v=1&token=tom')
    expect(await refusal(inA)).toBeNull()
    const refused = await openRaw(service, b, 'v=1&token=tom')
    expect((await refused.closed).code).toBe(CloseCode.tooManyRooms)
    expect(isPermanentClose(CloseCode.tooManyRooms)).toBe(false)
    expect(service.rooms.loaded).toEqual([a])
    // The HTTP attribution of B needs B loaded too: busy (503), not broken (500).
    const facilitator = await facilitatorOf(service)
    const busy = await fetchAs(service, facilitator, 'GET', `/api/specs/${b}/attribution`)
    expect(busy.status).toBe(503)
    expect(busy.body.error.code).toBe('too_many_rooms')
    // A is idle now (it would stay loaded for a minute): B's join unloads it early.
    inA.ws.close()
    await eventually(() => expect(service.rooms.get(a)?.conns.size ?? 0).toBe(0))
    const inB = await openRaw(service, b, 'v=1&token=tom')
    expect(await refusal(inB)).toBeNull()
    expect(service.rooms.loaded).toEqual([b])
  })
})

describe('size limits', () => {
  it("closes a customer's frame above MAX_CUSTOMER_MESSAGE_BYTES with 1009; the team's larger limit takes it", async () => {
    const { service } = await setup({ limits: { maxCustomerMessageBytes: 4096 }, maxMessageBytes: 64 * 1024 })
    const spec = await createSpec(service)
    const update = (doc: Y.Doc) => captureUpdate(doc, (d) => d.getText('t').insert(0, 'x'.repeat(8000)))
    const team = await openRaw(service, spec, 'v=1&token=tom')
    team.send(updateFrame(update(new Y.Doc())))
    await eventually(() => expect(service.rooms.get(spec)!.doc.getText('t').length).toBe(8000))
    const customer = await openRaw(service, spec, 'v=1&token=carla')
    customer.send(updateFrame(update(new Y.Doc())))
    expect((await customer.closed).code).toBe(CloseCode.frameTooLarge)
    // Permanent: reconnecting would send the same oversize change again.
    expect(isPermanentClose(CloseCode.frameTooLarge)).toBe(true)
    expect(service.rooms.get(spec)!.doc.getText('t').length).toBe(8000)
  })

  it('refuses an update that would grow the spec beyond MAX_SPEC_BYTES (4413, nothing applied); deleting still works', async () => {
    const { service } = await setup({ limits: { maxSpecBytes: 6000, maxBufferedBytes: 64 * 1024 } })
    const spec = await createSpec(service)
    const doc = new Y.Doc()
    const raw = await openRaw(service, spec, 'v=1&token=tom')
    raw.send(updateFrame(captureUpdate(doc, (d) => d.getText('t').insert(0, 'a'.repeat(3000)))))
    const room = () => service.rooms.get(spec)!
    await eventually(() => expect(room().doc.getText('t').length).toBe(3000))
    const before = stateOf(room().doc)
    raw.send(updateFrame(captureUpdate(doc, (d) => d.getText('t').insert(0, 'b'.repeat(4000)))))
    expect((await raw.closed).code).toBe(CloseCode.specTooLarge)
    expect(isPermanentClose(CloseCode.specTooLarge)).toBe(true)
    expect(stateOf(room().doc)).toEqual(before)
    // At the limit, a deletion is still accepted.
    const remover = new Y.Doc()
    Y.applyUpdate(remover, before)
    const again = await openRaw(service, spec, 'v=1&token=tom')
    again.send(updateFrame(captureUpdate(remover, (d) => d.getText('t').delete(0, 3000))))
    await eventually(() => expect(room().doc.getText('t').length).toBe(0))
    expect(await refusal(again)).toBeNull()
  })

  it('refuses an update with more than MAX_UPDATE_STRUCTS structs (4409 too-many-structs)', async () => {
    const { service } = await setup({ limits: { maxUpdateStructs: 100 } })
    const spec = await createSpec(service)
    const raw = await openRaw(service, spec, 'v=1&token=tom')
    raw.send(updateFrame(manyItemsUpdate(90)))
    await eventually(() => expect(service.rooms.get(spec)!.doc.getText('t').length).toBe(90))
    const before = stateOf(service.rooms.get(spec)!.doc)
    const over = await openRaw(service, spec, 'v=1&token=tom')
    over.send(updateFrame(manyItemsUpdate(101, before)))
    const closed = await over.closed
    expect(closed.code).toBe(CloseCode.updateRefused)
    expect(closed.reason).toBe('update refused: too-many-structs')
    // Two clients' sections of 60 each: no header is over the limit, the structs read are.
    const split = await openRaw(service, spec, 'v=1&token=tom')
    split.send(updateFrame(Y.mergeUpdates([manyItemsUpdate(60, before), manyItemsUpdate(60, before)])))
    expect((await split.closed).reason).toBe('update refused: too-many-structs')
    expect(stateOf(service.rooms.get(spec)!.doc)).toEqual(before)
  })
})
