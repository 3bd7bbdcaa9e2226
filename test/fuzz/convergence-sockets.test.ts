/**
 * Convergence over real sockets: real providers, the real server on port 0 with SQLite, and
 * real WebSockets, so delivery order and timing are the operating system's. It cannot replay a
 * delivery order (the seed fixes only the edits); test/fuzz/convergence.test.ts is the
 * deterministic fuzz. This run keeps the whole stack honest: upgrade, ws adapter, group commit.
 *
 * It runs the seed that once failed here, at the size it failed at.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import { yXmlFragmentToProsemirrorJSON } from 'y-prosemirror'
import { pmDoc, writePm } from '../helpers/pm-edit.js'
import { FRAGMENT_NAME, schema } from '../../shared/schema.js'
import { startTestService, createSpec } from '../helpers/server.js'
import { connectClient, synced } from '../helpers/clients.js'
import { facilitatorOf, signInAs } from '../helpers/auth.js'
import { eventually } from '../helpers/eventually.js'
import { randomEdit } from './edits.js'

async function runSeed(seed: number, count: number, steps: number): Promise<void> {
  const gen = prng.create(seed)
  const log: string[] = []
  const service = await startTestService({ storage: 'sqlite' })
  const spec = await createSpec(service)
  // Every client is its own participant, half customers and half team, so clientID bindings and
  // attribution run under concurrency, reconnects and offline edits too.
  const people = await Promise.all(
    Array.from({ length: count }, (_, i) => signInAs(service, i % 2 ? 'team' : 'customer', { panelSpecIds: [spec] }))
  )
  const clients = people.map((p) => connectClient(service, spec, { token: p.wsToken(spec) }))
  await Promise.all(clients.map((c) => synced(c)))
  for (let step = 0; step < steps; step++) {
    const i = prng.uint32(gen, 0, count - 1)
    const client = clients[i]!
    const roll = prng.uint32(gen, 0, 19)
    if (roll === 0) {
      if (client.provider.shouldConnect) client.provider.disconnect()
      else client.provider.connect()
      log.push(`${step}: client ${i} ${client.provider.shouldConnect ? 'connect' : 'disconnect'}`)
      continue
    }
    const edit = randomEdit(gen, pmDoc(client.doc))
    if (!edit) continue
    log.push(`${step}: client ${i} ${edit.op}`)
    writePm(client.doc, edit.tr.doc)
    // Let messages flow now and then, so edits interleave with delivery.
    if (prng.uint32(gen, 0, 3) === 0) await new Promise((r) => setImmediate(r))
  }
  for (const c of clients) if (!c.provider.shouldConnect) c.provider.connect()
  const context = () =>
    `seed ${seed}; replay with FUZZ_SEED=${seed}\nclients: ${JSON.stringify(clients.map((c) => ({ ...c.tracker.current, closes: c.closes, connected: c.provider.wsconnected, synced: c.provider.synced })))}\nop log:\n${log.slice(-40).join('\n')}`
  await eventually(() => {
    for (const c of clients) expect(c.tracker.current.status, context()).toBe('saved')
    const expected = yXmlFragmentToProsemirrorJSON(clients[0]!.doc.getXmlFragment(FRAGMENT_NAME))
    for (const c of clients) expect(yXmlFragmentToProsemirrorJSON(c.doc.getXmlFragment(FRAGMENT_NAME)), context()).toEqual(expected)
  }, 30_000)
  const expected = yXmlFragmentToProsemirrorJSON(clients[0]!.doc.getXmlFragment(FRAGMENT_NAME))
  const room = service.rooms.get(spec)!
  expect(yXmlFragmentToProsemirrorJSON(room.doc.getXmlFragment(FRAGMENT_NAME)), context()).toEqual(expected)
  const stored = new Y.Doc()
  for (const u of (await service.storage.docs.load(spec)).updates) Y.applyUpdate(stored, u)
  expect(yXmlFragmentToProsemirrorJSON(stored.getXmlFragment(FRAGMENT_NAME)), context()).toEqual(expected)
  // Attribution accounts for every character, and only real participants wrote any.
  const attribution = await room.attribution()
  // Those who typed, and the facilitator who created the spec (its title is their words).
  const ids = new Set([...people.map((p) => p.principal.participantId), (await facilitatorOf(service)).principal.participantId])
  for (const block of attribution.blocks) {
    expect(block.runs.reduce((n, r) => n + r.length, 0), context()).toBe(block.length)
    for (const c of block.contributors) expect(ids.has(c.participantId), context()).toBe(true)
  }
  // The result is a valid spec document.
  expect(() => schema.nodeFromJSON(expected).check(), context()).not.toThrow()
  for (const c of clients) c.destroy()
}

describe('convergence over real sockets', () => {
  // 1580713657: an honest client's offline step 2 carried GC structs for its own new clocks
  // (paragraphs created and joined away offline) and was refused as `gc-new-range`.
  it('regression: offline GC structs of the client\'s own clocks are accepted (seed 1580713657)', () => runSeed(1580713657, 10, 300), 120_000)
})
