import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import { startTestService, createSpec } from '../helpers/server.js'
import { connectClient, synced, type TestClient } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { openRaw, updateFrame } from '../helpers/raw-socket.js'
import { captureUpdate } from '../helpers/capture-update.js'
import { signInAs, type SignedIn } from '../helpers/auth.js'
import { editPm, pmDoc, posOf, bodyStart } from '../helpers/pm-edit.js'
import { CloseCode, encodeAttribution, messageAttribution, readAttribution } from '../../shared/protocol.js'
import type { SpecAttribution } from '../../shared/attribution.js'
import { schema } from '../../shared/schema.js'
import type { Service } from '../../server/service.js'
import { decodeFacts } from '../../server/attribution/index.js'

const IDEA = 'Customers want offline mode and dark theme'

async function setup(config = {}) {
  const service = await startTestService({ storage: 'sqlite', ...config })
  const spec = await createSpec(service)
  const customer = await signInAs(service, 'customer', { panelSpecIds: [spec], displayName: 'Carla Customer' })
  const team = await signInAs(service, 'team', { displayName: 'Tom Team' })
  return { service, spec, customer, team }
}

function join(service: Service, spec: string, who: SignedIn): TestClient {
  return connectClient(service, spec, { token: who.wsToken(spec) })
}

async function attributionOf(service: Service, spec: string, who: SignedIn): Promise<SpecAttribution> {
  const res = await who.fetch(`/api/specs/${spec}/attribution`)
  expect(res.status).toBe(200)
  return ((await res.json()) as { attribution: SpecAttribution }).attribution
}

/** Characters per side of each non-empty body block (the title, written by the spec's creator, aside). */
function summary(a: SpecAttribution) {
  return a.blocks.filter((b) => b.type !== 'title' && b.length > 0).map((b) => ({ type: b.type, text: b.excerpt, label: b.label, customer: b.byGroup.customer, team: b.byGroup.team }))
}

async function settle(...clients: TestClient[]) {
  await eventually(() => {
    for (const c of clients) expect(c.tracker.current.status).toBe('saved')
  })
}

describe('server-verified attribution', () => {
  it('credits words to their author through split, heading change and a team addition', async () => {
    const { service, spec, customer, team } = await setup()
    const c = join(service, spec, customer)
    const t = join(service, spec, team)
    await Promise.all([synced(c), synced(t)])
    editPm(c.doc, (tr) => tr.insert(bodyStart(tr.doc), schema.text(IDEA)))
    await settle(c)
    await eventually(() => expect(pmDoc(t.doc).textContent).toContain(IDEA))
    // Team: press Enter after "mode", then turn the first part into a heading, then add a line.
    editPm(t.doc, (tr) => tr.split(posOf(tr.doc, ' and dark')))
    editPm(t.doc, (tr) => tr.setBlockType(posOf(tr.doc, 'Customers'), posOf(tr.doc, 'Customers') + 1, schema.nodes.heading, { level: 2 }))
    editPm(t.doc, (tr) => tr.insert(tr.doc.content.size, schema.nodes.paragraph.create(null, schema.text('Team adds: ship it in Q3'))))
    await settle(c, t)
    const a = await eventually(async () => {
      const a = await attributionOf(service, spec, team)
      expect(summary(a).length).toBe(3)
      return a
    })
    const blocks = summary(a)
    expect(blocks[0]).toMatchObject({ type: 'heading', label: 'customer', team: 0 })
    expect(blocks[1]).toMatchObject({ type: 'paragraph', label: 'customer', team: 0 })
    expect(blocks[2]).toMatchObject({ label: 'team', customer: 0 })
    expect(blocks[0]!.customer + blocks[1]!.customer).toBe(IDEA.length)
    const heading = a.blocks.find((b) => b.type === 'heading')!
    expect(heading.contributors[0]).toMatchObject({ displayName: 'Carla Customer', role: 'customer', share: 1 })
    expect(heading.firstAuthorId).toBe(customer.principal.participantId)
  })

  it('sends the same attribution to clients as a read-only message', async () => {
    const { service, spec, customer } = await setup()
    const c = join(service, spec, customer)
    let received: SpecAttribution | null = null
    c.provider.messageHandlers[messageAttribution] = (_e: unknown, d: decoding.Decoder) => {
      received = JSON.parse(readAttribution(d)) as SpecAttribution
    }
    await synced(c)
    editPm(c.doc, (tr) => tr.insert(bodyStart(tr.doc), schema.text('An idea')))
    await eventually(() => expect(received?.totals.customer).toBe('An idea'.length))
    expect(await attributionOf(service, spec, customer)).toEqual(received)
  })

  it('refuses updates carrying a clientID bound to another participant', async () => {
    const { service, spec, customer, team } = await setup()
    const c = join(service, spec, customer)
    const t = join(service, spec, team)
    await Promise.all([synced(c), synced(t)])
    // The customer's clientID is bound durably by the customer's first write.
    editPm(c.doc, (tr) => tr.insert(bodyStart(tr.doc), schema.text('Real customer words ')))
    await settle(c)
    const room = service.rooms.get(spec)!
    expect(room.bindings.isDurable(c.doc.clientID)).toBe(true)
    const forged = new Y.Doc()
    Y.applyUpdate(forged, Y.encodeStateAsUpdate(room.doc))
    // After applying: Yjs picks a new clientID when a remote update carries its own.
    forged.clientID = c.doc.clientID
    const update = captureUpdate(forged, (d) => editPm(d, (tr) => tr.insert(bodyStart(tr.doc), schema.text('Forged customer words '))))
    const before = { state: Y.encodeStateAsUpdate(room.doc), stored: (await service.storage.docs.load(spec)).updates.length }

    const raw = await openRaw(service, spec, `v=1&token=${team.wsToken(spec)}`)
    raw.send(updateFrame(update))
    expect((await raw.closed).code).toBe(CloseCode.clientIdForeign)
    expect(Y.encodeStateAsUpdate(room.doc)).toEqual(before.state)
    expect((await service.storage.docs.load(spec)).updates).toHaveLength(before.stored)
    expect(pmDoc(t.doc).textContent).not.toContain('Forged')

    // A crafted update mixing the sender's own items with the customer's clientID: refused whole.
    const mixed = new Y.Doc()
    Y.applyUpdate(mixed, Y.encodeStateAsUpdate(room.doc))
    editPm(mixed, (tr) => tr.insert(bodyStart(tr.doc), schema.text('Mine ')))
    const own = Y.encodeStateAsUpdate(mixed, Y.encodeStateVector(room.doc))
    const both = Y.mergeUpdates([own, update])
    const raw2 = await openRaw(service, spec, `v=1&token=${team.wsToken(spec)}`)
    raw2.send(updateFrame(both))
    expect((await raw2.closed).code).toBe(CloseCode.clientIdForeign)
    expect(Y.encodeStateAsUpdate(room.doc)).toEqual(before.state)
    expect(c.closes).toEqual([])
    expect(t.closes).toEqual([])
  })

  it('keeps attribution across a restart and credits offline edits merged later', async () => {
    const dataDir = (await import('../helpers/server.js')).tempDir()
    const first = await setup({ dataDir })
    const { spec, customer } = first
    const c = join(first.service, spec, customer)
    await synced(c)
    editPm(c.doc, (tr) => tr.insert(bodyStart(tr.doc), schema.text('Online idea')))
    await settle(c)
    // Offline: the edit stays local until reconnecting.
    c.provider.disconnect()
    editPm(c.doc, (tr) => tr.insert(bodyStart(tr.doc), schema.text('Offline idea. ')))
    await eventually(() => expect(c.tracker.current.status).toBe('offline-unsaved'))
    c.provider.connect()
    await settle(c)
    const before = await attributionOf(first.service, spec, customer)
    // The team's characters are the title's (the facilitator's words when they created the spec).
    const titleChars = before.blocks.find((b) => b.type === 'title')?.length ?? 0
    expect(before.totals).toMatchObject({ customer: 'Online idea'.length + 'Offline idea. '.length, team: titleChars })
    c.destroy()
    await first.service.stop()

    const second = await startTestService({ storage: 'sqlite', dataDir })
    const again = await signInAs(second, 'team')
    const after = await attributionOf(second, spec, again)
    expect(after.blocks.map((b) => b.runs)).toEqual(before.blocks.map((b) => b.runs))
    expect(after.totals).toEqual(before.totals)
  })

  it('names who moved a customer\'s words and when, by the server clock, across a restart; a client cannot claim it', async () => {
    const dataDir = (await import('../helpers/server.js')).tempDir()
    const first = await setup({ dataDir })
    const { spec, customer, team } = first
    const c = join(first.service, spec, customer)
    const t = join(first.service, spec, team)
    let received: SpecAttribution | null = null
    c.provider.messageHandlers[messageAttribution] = (_e: unknown, d: decoding.Decoder) => {
      received = JSON.parse(readAttribution(d)) as SpecAttribution
    }
    await Promise.all([synced(c), synced(t)])
    editPm(c.doc, (tr) => tr.insert(bodyStart(tr.doc), schema.text(IDEA)))
    await settle(c)
    await eventually(() => expect(pmDoc(t.doc).textContent).toContain(IDEA))
    const before = Math.floor(Date.now() / 1000) * 1000
    editPm(t.doc, (tr) => tr.split(posOf(tr.doc, ' and dark')))
    await settle(t)
    const after = Date.now()
    const movedBlock = (a: SpecAttribution) => a.blocks.find((b) => b.excerpt === ' and dark theme')
    const a = await eventually(async () => {
      const a = await attributionOf(first.service, spec, customer)
      expect(movedBlock(a)?.movers).toHaveLength(1)
      return a
    })
    const [mover] = movedBlock(a)!.movers
    expect(mover).toMatchObject({ participantId: team.principal.participantId, displayName: 'Tom Team', role: 'team', group: 'team', chars: ' and dark theme'.length })
    const at = Date.parse(mover!.lastMovedAt!)
    expect(at).toBeGreaterThanOrEqual(before)
    expect(at).toBeLessThanOrEqual(after)
    expect(movedBlock(a)!.contributors.map((x) => x.displayName)).toEqual(['Carla Customer'])
    expect(a.blocks.find((b) => b.excerpt.startsWith('Customers'))!.movers).toEqual([])
    // The live message says the same.
    await eventually(() => expect(received && movedBlock(received)?.movers).toEqual(movedBlock(a)!.movers))

    // A crafted client claiming moves of its own (message 101) is refused; nothing changes.
    const forged = structuredClone(a) as unknown as { blocks: Array<{ movers: unknown[] }> }
    forged.blocks.forEach((b) => b.movers.push({ participantId: customer.principal.participantId, displayName: 'Carla', role: 'team', group: 'team', chars: 1, lastMovedAt: '2030-01-01T00:00:00.000Z' }))
    const raw = await openRaw(first.service, spec, `v=1&token=${customer.wsToken(spec)}`)
    raw.send(encodeAttribution(JSON.stringify(forged)))
    expect((await raw.closed).code).toBe(CloseCode.unknownMessageType)
    expect(await attributionOf(first.service, spec, customer)).toEqual(a)

    // A restart (the room compacts its facts on the way out) keeps who and when.
    c.destroy()
    t.destroy()
    await first.service.stop()
    const second = await startTestService({ storage: 'sqlite', dataDir })
    // The room folded its facts into one snapshot when it closed: the time went through the fold.
    const stored = await second.storage.docs.load(spec)
    expect(stored.facts).toHaveLength(1)
    expect(decodeFacts(stored.facts[0]!).ranges.some((r) => r.movedAt === Math.floor(at / 1000))).toBe(true)
    const again = await signInAs(second, 'team')
    const reloaded = await attributionOf(second, spec, again)
    expect(movedBlock(reloaded)!.movers.map((m) => [m.participantId, m.chars, m.lastMovedAt])).toEqual([[mover!.participantId, mover!.chars, mover!.lastMovedAt]])
  })
})
