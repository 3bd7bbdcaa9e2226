/**
 * Issue 7 through the real server: an update the schema cannot hold is refused with 4409 and
 * the server keeps serving every room; a spec poisoned before admission existed loads, with the
 * offending part quarantined; a failing attribution computation is logged, never fatal.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { startTestService, createSpec, tempDir } from '../helpers/server.js'
import { connectAs, connectClient, synced } from '../helpers/clients.js'
import { eventually } from '../helpers/eventually.js'
import { openRaw, updateFrame } from '../helpers/raw-socket.js'
import { captureUpdate } from '../helpers/capture-update.js'
import { signInAs } from '../helpers/auth.js'
import { editPm, pmDoc, posOf, bodyStart } from '../helpers/pm-edit.js'
import { documentTitle } from '../../shared/spec-title.js'
import { CloseCode, messageAttribution } from '../../shared/protocol.js'
import { emptySpecUpdate, FRAGMENT_NAME, schema } from '../../shared/schema.js'
import { createLogger } from '../../server/observability/logger.js'
import { createMemoryStorage } from '../../server/storage/memory.js'
import { AttributionEngine } from '../../server/attribution/index.js'
import type { Service } from '../../server/service.js'

/** A logger that keeps every JSON line it writes. */
function capturingLogger(): { log: ReturnType<typeof createLogger>; entries: () => Array<Record<string, unknown>> } {
  const lines: string[] = []
  const log = createLogger('info', { write: (line: string) => void lines.push(line) })
  return { log, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) }
}

/** A doc with `state`, written to by clientID `clientID`. */
function scratch(state: Uint8Array, clientID: number): Y.Doc {
  const doc = new Y.Doc()
  doc.clientID = clientID
  Y.applyUpdate(doc, state)
  return doc
}

const frag = (doc: Y.Doc): Y.XmlFragment => doc.getXmlFragment(FRAGMENT_NAME)

/** Adds `depth` nested paragraphs under the spec's first paragraph, in one update (issue 7). */
function deepParagraph(doc: Y.Doc, depth: number): Uint8Array {
  return captureUpdate(doc, () =>
    doc.transact(() => {
      let cur = frag(doc).get(1) as Y.XmlElement
      for (let i = 0; i < depth; i++) {
        const el = new Y.XmlElement('paragraph')
        cur.insert(0, [el])
        cur = el
      }
      const text = new Y.XmlText()
      cur.insert(0, [text])
      text.insert(0, 'at the bottom')
    })
  )
}

/** Nesting depth of a fragment's elements, walked iteratively (the poison would overflow recursion). */
function depthOf(fragment: Y.XmlFragment): number {
  let deepest = 0
  const stack: Array<[Y.XmlFragment, number]> = [[fragment, 0]]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    deepest = Math.max(deepest, top[1])
    for (const child of top[0].toArray()) if (child instanceof Y.XmlElement) stack.push([child, top[1] + 1])
  }
  return deepest
}

async function storedState(service: Service, name: string): Promise<Uint8Array> {
  const doc = new Y.Doc()
  for (const u of (await service.storage.docs.load(name)).updates) Y.applyUpdate(doc, u)
  return Y.encodeStateAsUpdate(doc)
}

describe('schema admission through the server', () => {
  it('refuses the 6,000-deep paragraph with 4409 and keeps serving every room', async () => {
    const service = await startTestService({ storage: 'sqlite' })
    const spec = await createSpec(service)
    const other = await createSpec(service, 'Another spec')
    const a = await connectAs(service, spec)
    const b = await connectAs(service, other)
    const c = await connectAs(service, other)
    await Promise.all([synced(a), synced(b), synced(c)])
    editPm(a.doc, (tr) => tr.insert(bodyStart(tr.doc), schema.text('Honest words')))
    await eventually(() => expect(a.tracker.current.status).toBe('saved'))
    const room = service.rooms.get(spec)!
    const before = { doc: Y.encodeStateAsUpdate(room.doc), stored: await service.storage.docs.load(spec) }

    const poison = deepParagraph(scratch(Y.encodeStateAsUpdate(room.doc), 4242), 6000)
    expect(poison.length).toBeGreaterThan(40_000)
    const raw = await openRaw(service, spec)
    raw.send(updateFrame(poison))
    expect(await raw.closed).toEqual({ code: CloseCode.updateRefused, reason: 'update refused: schema' })
    const unknown = captureUpdate(scratch(Y.encodeStateAsUpdate(room.doc), 4343), (d) => frag(d).insert(2, [new Y.XmlElement('iframe')]))
    const raw2 = await openRaw(service, spec)
    raw2.send(updateFrame(unknown))
    expect(await raw2.closed).toEqual({ code: CloseCode.updateRefused, reason: 'update refused: schema' })

    // Nothing of it was applied or stored; the server, this room and the other room live on.
    expect(Y.encodeStateAsUpdate(room.doc)).toEqual(before.doc)
    expect(await service.storage.docs.load(spec)).toEqual(before.stored)
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200)
    editPm(a.doc, (tr) => tr.insert(tr.doc.content.size - 1, schema.text(' still typing')))
    editPm(b.doc, (tr) => tr.insert(bodyStart(tr.doc), schema.text('Elsewhere')))
    await eventually(() => {
      expect(a.tracker.current.status).toBe('saved')
      expect(pmDoc(c.doc).child(1).textContent).toBe('Elsewhere')
    })
    expect(pmDoc(room.doc).child(1).textContent).toBe('Honest words still typing')
    expect(a.closes).toEqual([])
  })

  it('admits an honest editor writing every kind of node through the server', async () => {
    const service = await startTestService()
    const spec = await createSpec(service)
    const a = await connectAs(service, spec)
    await synced(a)
    const { nodes: n, marks: m } = schema
    editPm(a.doc, (tr) =>
      tr.insert(tr.doc.content.size, [
        n.heading.create({ level: 2 }, schema.text('Goals')),
        n.bullet_list.create(null, n.list_item.create(null, [n.paragraph.create(null, schema.text('one', [m.strong.create()])), n.ordered_list.create({ order: 4 }, n.list_item.create(null, n.paragraph.create(null, [schema.text('two'), n.hard_break.create()])))])),
        n.blockquote.create(null, n.paragraph.create(null, schema.text('quote', [m.link.create({ href: 'https://example.com' })]))),
        n.code_block.create(null, schema.text('x = 1')),
        n.horizontal_rule.create()
      ])
    )
    await eventually(() => expect(a.tracker.current.status).toBe('saved'))
    expect(a.closes).toEqual([])
    expect(pmDoc(service.rooms.get(spec)!.doc).toJSON()).toEqual(pmDoc(a.doc).toJSON())
  })
})

describe('a spec poisoned before admission existed', () => {
  it('loads with the offending parts quarantined, the old state kept, and reloads clean', { timeout: 30_000 }, async () => {
    const dataDir = tempDir()
    const first = capturingLogger()
    const service = await startTestService({ storage: 'sqlite', dataDir }, { log: first.log })
    const spec = await createSpec(service)
    // What the old server stored: honest text, then the 6,000-deep paragraph, a heading with an
    // impossible level and an unknown element, appended straight to the log.
    const attacker = scratch(emptySpecUpdate(), 4242)
    await service.storage.docs.append(spec, captureUpdate(attacker, (d) => (frag(d).get(1) as Y.XmlElement).insert(0, [new Y.XmlText('Kept words')])))
    await service.storage.docs.append(spec, deepParagraph(attacker, 6000))
    await service.storage.docs.append(
      spec,
      captureUpdate(attacker, (d) => {
        const h = new Y.XmlElement('heading')
        h.setAttribute('level', 9 as unknown as string)
        frag(d).insert(2, [h, new Y.XmlElement('marquee')])
      })
    )
    const poisoned = await storedState(service, spec)

    const reader = await connectAs(service, spec)
    await synced(reader)
    expect(depthOf(frag(reader.doc))).toBe(1)
    const title = documentTitle(reader.doc)
    expect(frag(reader.doc).toString()).toBe(`<title>${title}</title><paragraph>Kept words</paragraph><heading></heading>`)

    const logged = first.entries().find((e) => e.msg?.toString().startsWith('stored spec held content the schema cannot hold'))
    expect(logged).toMatchObject({ level: 50, room: spec, removed: 3 })
    const parts = logged!.parts as Array<{ path: number[]; reason: string; items: number; depth: number; excerpt: string }>
    expect(parts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: [1, 0], reason: 'paragraph inside paragraph', depth: 6001, excerpt: 'at the bottom' }),
        expect.objectContaining({ path: [2], reason: expect.stringContaining('level of heading out of range') }),
        expect.objectContaining({ path: [3], reason: 'unknown node "marquee"' })
      ])
    )
    // The old state is kept, byte for byte, under the quarantine name.
    const copy = logged!.quarantine as string
    expect(copy).toMatch(new RegExp(`^${spec}\\.quarantine\\.\\d+$`))
    expect(await storedState(service, copy)).toEqual(poisoned)
    expect(depthOf(frag(scratch(await storedState(service, copy), 1)))).toBe(6001)
    // The stored log is one clean snapshot; attribution works on it.
    expect((await service.storage.docs.load(spec)).updates).toHaveLength(1)
    const res = await (await signInAs(service, 'facilitator')).fetch(`/api/specs/${spec}/attribution`)
    expect(res.status).toBe(200)

    // After a restart the spec loads clean, with nothing left to quarantine.
    reader.destroy()
    await service.stop()
    const second = capturingLogger()
    const again = await startTestService({ storage: 'sqlite', dataDir }, { log: second.log })
    const later = await connectAs(again, spec)
    await synced(later)
    editPm(later.doc, (tr) => tr.insert(posOf(tr.doc, 'Kept words') + 'Kept words'.length, schema.text(' and more')))
    await eventually(() => expect(later.tracker.current.status).toBe('saved'))
    // (The editor writes the heading's default level back: it is a level-1 heading to ProseMirror.)
    expect(frag(later.doc).toString()).toBe(`<title>${title}</title><paragraph>Kept words and more</paragraph><heading level="1"></heading>`)
    expect(second.entries().filter((e) => e.quarantine !== undefined)).toEqual([])
  })
})

describe('attribution failures on the sync path', () => {
  it('logs a failing participant lookup with the room name and keeps serving', async () => {
    const storage = createMemoryStorage({ foldFacts: AttributionEngine.fold })
    const failing = new Set<string>()
    const getParticipant = storage.identity.getParticipant.bind(storage.identity)
    storage.identity.getParticipant = async (id) => {
      if (failing.has(id)) throw new Error('identity store unavailable')
      return getParticipant(id)
    }
    const { log, entries } = capturingLogger()
    const service = await startTestService({ roomIdleMs: 30 }, { storage, log })
    const spec = await createSpec(service)
    const customer = await signInAs(service, 'customer', { panelSpecIds: [spec] })
    const team = await signInAs(service, 'team')
    // The customer writes and leaves; the room unloads, so nobody online knows their name.
    const c = connectClient(service, spec, { token: customer.wsToken(spec) })
    await synced(c)
    editPm(c.doc, (tr) => tr.insert(bodyStart(tr.doc), schema.text('Customer idea')))
    await eventually(() => expect(c.tracker.current.status).toBe('saved'))
    c.destroy()
    await eventually(() => expect(service.rooms.loaded).toEqual([]))

    failing.add(customer.principal.participantId)
    const t = connectClient(service, spec, { token: team.wsToken(spec) })
    await synced(t)
    await eventually(() =>
      expect(entries().find((e) => e.msg === 'attribution computation failed')).toMatchObject({
        level: 50,
        room: spec,
        err: expect.objectContaining({ message: 'identity store unavailable' })
      })
    )
    // Still serving: edits commit, and attribution recovers once the lookup works again.
    failing.clear()
    const frames: number[] = []
    t.provider.ws!.addEventListener('message', (event: MessageEvent) => frames.push(new Uint8Array(event.data as ArrayBuffer)[0]!))
    editPm(t.doc, (tr) => tr.insert(tr.doc.content.size - 1, schema.text(' noted')))
    await eventually(() => {
      expect(t.tracker.current.status).toBe('saved')
      expect(frames).toContain(messageAttribution)
    })
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200)
  })
})
