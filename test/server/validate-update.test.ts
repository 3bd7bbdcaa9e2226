import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import {
  UpdateRefusedError,
  validateUpdate,
  type UpdateRefusal,
  type UpdateSummary,
  type ValidateOptions
} from '../../server/sync/validate-update.js'
import {
  concat,
  encodeUpdate,
  gc,
  item,
  mutateBytes,
  mutateStructs,
  randomUpdate,
  skip,
  text
} from '../helpers/crafted-updates.js'
import { captureUpdate } from '../helpers/capture-update.js'

/** A doc with a fixed clientID (GC on, as on the server). */
function newDoc(clientID: number): Y.Doc {
  const doc = new Y.Doc()
  doc.clientID = clientID
  return doc
}

/** A fresh server doc holding `doc`'s state. */
function copyOf(doc: Y.Doc): Y.Doc {
  const copy = newDoc(999)
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc))
  return copy
}

/** Validates, then applies to `server` itself; asserts a clean apply and an exact `added`. */
function expectAccepted(server: Y.Doc, update: Uint8Array, options: ValidateOptions = {}): UpdateSummary {
  const before = Y.decodeStateVector(Y.encodeStateVector(server))
  const summary = validateUpdate(server, update, options)
  Y.applyUpdate(server, update)
  expect(server.store.pendingStructs).toBeNull()
  expect(server.store.pendingDs).toBeNull()
  const after = Y.decodeStateVector(Y.encodeStateVector(server))
  for (const [client, clock] of after) {
    if (clock !== (before.get(client) ?? 0)) {
      expect(summary.added.get(client)).toEqual({ from: before.get(client) ?? 0, to: clock })
    }
  }
  for (const [client, { from, to }] of summary.added) {
    expect([from, to]).toEqual([before.get(client) ?? 0, after.get(client) ?? 0])
  }
  return summary
}

/** Asserts a refusal with `reason` and that the doc is byte-identical afterwards. */
function expectRefused(server: Y.Doc, update: Uint8Array, reason: UpdateRefusal): void {
  const state = Y.encodeStateAsUpdate(server)
  const sv = Y.encodeStateVector(server)
  let error: unknown = null
  try {
    validateUpdate(server, update)
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(UpdateRefusedError)
  expect((error as UpdateRefusedError).reason).toBe(reason)
  expect(Y.encodeStateAsUpdate(server)).toEqual(state)
  expect(Y.encodeStateVector(server)).toEqual(sv)
}

/** What stock `Y.applyUpdate` does with `update` on a copy of `server`. */
function stock(server: Y.Doc, update: Uint8Array) {
  const copy = copyOf(server)
  const before = Y.encodeStateVector(copy)
  let threw = false
  try {
    Y.applyUpdate(copy, update)
  } catch {
    threw = true
  }
  const s = copy.store
  return { threw, pending: s.pendingStructs !== null || s.pendingDs !== null, changed: !equal(before, Y.encodeStateVector(copy)), copy }
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])

/** Streams every update of `client` into `server` through `expectAccepted`. */
function live(server: Y.Doc, client: Y.Doc): () => void {
  const h = (u: Uint8Array) => expectAccepted(server, u)
  client.on('update', h)
  return () => client.off('update', h)
}

/** A y-prosemirror-like paragraph: XmlElement > XmlText with marks. */
function paragraph(frag: Y.XmlFragment, index: number, words: string): Y.XmlText {
  const p = new Y.XmlElement('paragraph')
  p.setAttribute('origin', 'customer')
  const t = new Y.XmlText()
  p.insert(0, [t])
  frag.insert(index, [p])
  t.insert(0, words)
  t.format(0, Math.min(4, words.length), { strong: {} })
  return t
}

/** Server + client 1 with text, xml, a map, nested types and some GC'd deletions. */
function baseScenario() {
  const server = newDoc(999)
  const a = newDoc(1)
  const stop = live(server, a)
  a.getText('text').insert(0, 'Hello brave new world')
  a.getText('text').format(0, 5, { em: true })
  a.getText('text').delete(6, 6)
  const frag = a.getXmlFragment('prosemirror')
  paragraph(frag, 0, 'Title of the spec')
  paragraph(frag, 1, 'First paragraph')
  paragraph(frag, 2, 'Doomed paragraph')
  frag.delete(2, 1) // children are GC'd on the server
  const meta = a.getMap('meta')
  meta.set('title', 'Spec')
  const list = new Y.Array<unknown>()
  meta.set('list', list)
  list.push([1, 'two', { three: 3 }, new Y.Text('nested')])
  stop()
  return { server, a, frag }
}

describe('validateUpdate: honest updates are accepted', () => {
  it('accepts live text, formatting, xml, map, array and nested edits', () => {
    const { server, a, frag } = baseScenario()
    const stop = live(server, a)
    const t = (frag.get(1) as Y.XmlElement).get(0) as Y.XmlText
    t.insert(5, ' edited', { em: true })
    t.delete(0, 3)
    ;(frag.get(0) as Y.XmlElement).setAttribute('level', '2')
    a.getMap('meta').delete('title')
    ;((a.getMap('meta').get('list') as Y.Array<unknown>).get(3) as Y.Text).insert(0, 'deep ')
    // split a paragraph the way y-prosemirror does: shrink one, insert another
    a.transact(() => {
      t.delete(4, t.length - 4)
      paragraph(frag, 2, 'split off')
    })
    stop()
    expect(server.getXmlFragment('prosemirror').toString()).toBe(frag.toString())
    expect(server.getMap('meta').toJSON()).toEqual(a.getMap('meta').toJSON())
  })

  it('accepts concurrent clients whose items reference each other', () => {
    const { server, a } = baseScenario()
    const b = newDoc(2)
    Y.applyUpdate(b, Y.encodeStateAsUpdate(server))
    const stopA = live(server, a)
    const stopB = live(server, b)
    b.on('update', (u: Uint8Array) => Y.applyUpdate(a, u))
    a.on('update', (u: Uint8Array) => Y.applyUpdate(b, u))
    b.getText('text').insert(3, 'B')
    a.getText('text').insert(4, 'A')
    b.getXmlFragment('prosemirror').delete(0, 1)
    stopA()
    stopB()
    expect(server.getText('text').toString()).toBe(a.getText('text').toString())
  })

  it('accepts offline edits from a diverged doc, then converges', () => {
    const { server, a, frag } = baseScenario()
    const b = newDoc(2)
    Y.applyUpdate(b, Y.encodeStateAsUpdate(server))
    // b goes offline and edits text it shares with a; a keeps editing online
    const bText = b.getText('text')
    bText.insert(bText.length, ' (offline)')
    bText.delete(0, 2)
    bText.insert(1, 'created then deleted')
    bText.delete(1, 'created then deleted'.length) // ContentDeleted in the sync update
    ;((b.getXmlFragment('prosemirror').get(1) as Y.XmlElement).get(0) as Y.XmlText).insert(3, 'xx')
    paragraph(b.getXmlFragment('prosemirror'), 0, 'offline paragraph')
    b.getMap('meta').set('title', 'Offline title')
    const stop = live(server, a)
    a.getText('text').insert(0, 'Online ')
    paragraph(frag, 0, 'online paragraph')
    stop()
    const summary = expectAccepted(server, Y.encodeStateAsUpdate(b, Y.encodeStateVector(server)))
    expect(summary.empty).toBe(false)
    Y.applyUpdate(b, Y.encodeStateAsUpdate(server, Y.encodeStateVector(b)))
    Y.applyUpdate(a, Y.encodeStateAsUpdate(server, Y.encodeStateVector(a)))
    expect(b.getText('text').toString()).toBe(server.getText('text').toString())
    expect(a.getXmlFragment('prosemirror').toString()).toBe(server.getXmlFragment('prosemirror').toString())
  })

  it('accepts a merged item re-sent after part of it arrived', () => {
    const { server, a } = baseScenario()
    const sv = Y.encodeStateVector(server)
    expectAccepted(server, captureUpdate(a, () => a.getText('text').insert(0, 'abc')))
    a.getText('text').insert(3, 'de') // merges with 'abc' into one struct on a
    const overlapping = Y.encodeStateAsUpdate(a, sv)
    expect(Y.decodeUpdate(overlapping).structs).toHaveLength(1)
    expectAccepted(server, overlapping)
    expect(server.getText('text').toString()).toBe(a.getText('text').toString())
  })

  it('reports a re-sent full state or a repeated update as empty', () => {
    const { server, a } = baseScenario()
    expect(expectAccepted(server, Y.encodeStateAsUpdate(a)).empty).toBe(true)
    const u = captureUpdate(a, () => a.getText('text').insert(0, 'x'))
    expect(expectAccepted(server, u).empty).toBe(false)
    expect(expectAccepted(server, u).empty).toBe(true)
    const del = captureUpdate(a, () => a.getText('text').delete(0, 3))
    expect(expectAccepted(server, del).empty).toBe(false)
    expect(expectAccepted(server, del).empty).toBe(true)
    expect(validateUpdate(server, Y.encodeStateAsUpdate(newDoc(5))).empty).toBe(true)
  })

  it('accepts merged updates and a client relaying another client', () => {
    const { server, a } = baseScenario()
    const b = newDoc(2)
    Y.applyUpdate(b, Y.encodeStateAsUpdate(server))
    const updates = [1, 2, 3].map((n) => captureUpdate(a, () => a.getText('text').insert(n, String(n))))
    Y.applyUpdate(b, Y.mergeUpdates(updates))
    b.getText('text').insert(2, 'b')
    // b sends a's edits (which the server missed) together with its own
    expect(expectAccepted(server, Y.encodeStateAsUpdate(b, Y.encodeStateVector(server))).added.size).toBe(2)
    expect(server.getText('text').toString()).toBe(b.getText('text').toString())
  })

  it('accepts offline typing into content the server has since deleted and GC-ed', () => {
    const { server, a, frag } = baseScenario()
    const b = newDoc(2)
    Y.applyUpdate(b, Y.encodeStateAsUpdate(server))
    const bPara = (b.getXmlFragment('prosemirror').get(1) as Y.XmlElement).get(0) as Y.XmlText
    bPara.insert(2, 'typed offline')
    b.getText('text').insert(3, 'into deleted run')
    const stop = live(server, a)
    frag.delete(1, 1)
    a.getText('text').delete(0, 8)
    stop()
    expectAccepted(server, Y.encodeStateAsUpdate(b, Y.encodeStateVector(server)))
    Y.applyUpdate(a, Y.encodeStateAsUpdate(server, Y.encodeStateVector(a)))
    expect(a.getXmlFragment('prosemirror').toString()).toBe(server.getXmlFragment('prosemirror').toString())
  })

  it('accepts offline nested types created and deleted only for clients allowed by mayAddGc', () => {
    // The deleted paragraph's children are GC structs at clocks the server never saw. That is
    // honest from their owner; from anyone else it would swallow the owner's future edits.
    const { server } = baseScenario()
    const b = newDoc(2)
    Y.applyUpdate(b, Y.encodeStateAsUpdate(server))
    paragraph(b.getXmlFragment('prosemirror'), 0, 'typed and removed offline')
    b.getXmlFragment('prosemirror').delete(0, 1)
    b.getText('text').insert(0, 'kept ')
    const update = Y.encodeStateAsUpdate(b, Y.encodeStateVector(server))
    expect(Y.decodeUpdate(update).structs.some((s) => s instanceof Y.GC)).toBe(true)
    expectRefused(server, update, 'gc-new-range')
    expect(() => validateUpdate(server, update, { mayAddGc: (c) => c === 3 })).toThrow(UpdateRefusedError)
    expect(validateUpdate(server, update, { mayAddGc: (c) => c === 2 }).added.get(2)?.from).toBe(0)
    expectAccepted(server, update, { mayAddGc: (c) => c === 2 })
    expect(server.getText('text').toString()).toBe(b.getText('text').toString())
  })
})

describe('validateUpdate: refusals', () => {
  /** Server knowing client 1 up to clock 5 ("hello" in root text 'text'). */
  function small() {
    const server = newDoc(999)
    Y.applyUpdate(server, encodeUpdate([{ client: 1, clock: 0, structs: [text(1, 0, 'hello')] }]))
    return server
  }

  it('malformed: a corrupt delete-set tail that stock Yjs half-applies', () => {
    const { server, a } = baseScenario()
    const update = captureUpdate(a, () => {
      a.getText('text').insert(0, 'new words')
      a.getText('text').delete(12, 2)
    })
    const cut = update.subarray(0, update.length - 1)
    const s = stock(server, cut)
    expect(s.threw && s.changed).toBe(true) // the bug this module exists for
    expectRefused(server, cut, 'malformed')
  })

  it('malformed: trailing bytes, garbage, duplicate client sections, zero-length structs', () => {
    const server = small()
    const ok = encodeUpdate([{ client: 2, clock: 0, structs: [text(2, 0, 'x')] }])
    expect(validateUpdate(server, ok).empty).toBe(false)
    expectRefused(server, concat(ok, new Uint8Array([0])), 'malformed')
    expectRefused(server, new Uint8Array([1, 1, 2, 0, 0xff, 3]), 'malformed')
    expectRefused(server, new Uint8Array(0), 'malformed')
    // Yjs keeps only the last section of a client, so clock 0 would be dropped: a gap in disguise
    const twice = encodeUpdate([
      { client: 2, clock: 0, structs: [text(2, 0, 'a')] },
      { client: 2, clock: 1, structs: [item(2, 1, { origin: Y.createID(2, 0), content: new Y.ContentString('b') })] }
    ])
    expect(stock(server, twice).pending).toBe(true)
    expectRefused(server, twice, 'malformed')
    expectRefused(server, encodeUpdate([{ client: 2, clock: 0, structs: [text(2, 0, '')] }]), 'malformed')
    expectRefused(server, encodeUpdate([{ client: 1, clock: 5, structs: [gc(1, 5, 0)] }]), 'malformed')
  })

  it('gap: the second of two successive updates of one client', () => {
    const { server, a } = baseScenario()
    captureUpdate(a, () => a.getText('text').insert(0, 'first'))
    const second = captureUpdate(a, () => a.getText('text').insert(0, 'second'))
    expect(stock(server, second).pending).toBe(true)
    expectRefused(server, second, 'gap')
    expectRefused(server, encodeUpdate([{ client: 7, clock: 3, structs: [text(7, 3, 'x')] }]), 'gap')
  })

  it('missing-reference: origin, rightOrigin or parent unknown to the doc and the update', () => {
    const server = small()
    const withOrigin = (origin: Y.ID) =>
      encodeUpdate([{ client: 2, clock: 0, structs: [item(2, 0, { origin, content: new Y.ContentString('x') })] }])
    expect(stock(server, withOrigin(Y.createID(3, 0))).pending).toBe(true)
    expectRefused(server, withOrigin(Y.createID(3, 0)), 'missing-reference')
    expectRefused(server, withOrigin(Y.createID(1, 5)), 'missing-reference')
    expect(validateUpdate(server, withOrigin(Y.createID(1, 4))).empty).toBe(false)
    const right = encodeUpdate([{ client: 2, clock: 0, structs: [item(2, 0, { rightOrigin: Y.createID(1, 9), content: new Y.ContentString('x') })] }])
    expectRefused(server, right, 'missing-reference')
    const parent = encodeUpdate([{ client: 2, clock: 0, structs: [item(2, 0, { parent: Y.createID(4, 0), content: new Y.ContentString('x') })] }])
    expectRefused(server, parent, 'missing-reference')
  })

  it('missing-reference: a same-client forward reference that makes stock Yjs throw mid-way', () => {
    const server = small()
    const update = encodeUpdate([
      {
        client: 2,
        clock: 0,
        structs: [text(2, 0, 'ok'), item(2, 2, { origin: Y.createID(2, 3), content: new Y.ContentString('yz') })]
      }
    ])
    const s = stock(server, update)
    expect(s.threw && s.changed).toBe(true)
    expectRefused(server, update, 'missing-reference')
  })

  it('missing-reference: a parent ID naming an item that is not a type', () => {
    const server = small()
    const update = encodeUpdate([{ client: 2, clock: 0, structs: [item(2, 0, { parent: Y.createID(1, 2), content: new Y.ContentString('x') })] }])
    expectRefused(server, update, 'missing-reference')
    const typed = encodeUpdate([
      {
        client: 2,
        clock: 0,
        structs: [
          item(2, 0, { parent: 'map', parentSub: 'k', content: new Y.ContentType(new Y.Map()) }),
          item(2, 1, { parent: Y.createID(2, 0), parentSub: 'inner', content: new Y.ContentAny([1]) })
        ]
      }
    ])
    expectAccepted(server, typed)
    expect(server.getMap('map').toJSON()).toEqual({ k: { inner: 1 } })
  })

  it('missing-reference: circular references between two clients of one update', () => {
    const server = small()
    // 2:0 needs 3:1, 3:1 needs 2:1, which comes after 2:0: stock Yjs parks it in pendingStructs
    const update = encodeUpdate([
      {
        client: 3,
        clock: 0,
        structs: [text(3, 0, 'a'), item(3, 1, { origin: Y.createID(2, 1), content: new Y.ContentString('b') })]
      },
      {
        client: 2,
        clock: 0,
        structs: [item(2, 0, { origin: Y.createID(3, 1), content: new Y.ContentString('c') }), text(2, 1, 'd')]
      }
    ])
    expect(stock(server, update).pending).toBe(true)
    expectRefused(server, update, 'missing-reference')
  })

  it('missing-reference: checks already-known items too, since Yjs resolves their references', () => {
    const server = small()
    const resent = encodeUpdate([{ client: 1, clock: 0, structs: [item(1, 0, { origin: Y.createID(6, 0), content: new Y.ContentString('hello') })] }])
    expect(stock(server, resent).pending).toBe(true)
    expectRefused(server, resent, 'missing-reference')
  })

  it('does not judge ownership: an item with another client\'s id is the caller\'s check, via `added`', () => {
    // A ContentDeleted item claims clocks as cheaply as a GC; only the connection knows whether
    // client 1 is its own, so validateUpdate accepts it and reports the claim.
    const server = small()
    const claim = encodeUpdate([{ client: 1, clock: 5, structs: [item(1, 5, { parent: 'text', content: new Y.ContentDeleted(1000) })] }])
    expect(validateUpdate(server, claim).added.get(1)).toEqual({ from: 5, to: 1005 })
    expect(() => validateUpdate(server, [1, 2] as unknown as Uint8Array)).toThrow(TypeError)
  })

  it('missing-reference: an item overlapping the known clocks but placed in another parent', () => {
    const server = small()
    Y.applyUpdate(server, encodeUpdate([{ client: 1, clock: 5, structs: [text(1, 5, 'abc', 'other')] }]))
    // 1:6..8 claims root 'text'; Yjs would link its new clock 8 after 1:7, inside 'other'
    const update = encodeUpdate([{ client: 1, clock: 6, structs: [text(1, 6, 'xyz', 'text')] }])
    expectRefused(server, update, 'missing-reference')
    const honest = encodeUpdate([{ client: 1, clock: 6, structs: [item(1, 6, { origin: Y.createID(1, 5), content: new Y.ContentString('bcd') })] }])
    expectAccepted(server, honest)
    expect(server.getText('other').toString()).toBe('abcd')
  })

  it("gc-new-range: a tiny GC with another client's id swallows its later edits", () => {
    const server = small()
    const update = encodeUpdate([{ client: 1, clock: 5, structs: [gc(1, 5, 2 ** 40)] }])
    expect(update.length).toBeLessThan(16)
    const s = stock(server, update)
    Y.applyUpdate(s.copy, encodeUpdate([{ client: 1, clock: 5, structs: [item(1, 5, { origin: Y.createID(1, 4), content: new Y.ContentString('!') })] }]))
    expect(s.copy.getText('text').toString()).toBe('hello') // the honest '!' vanished
    expectRefused(server, update, 'gc-new-range')
    expect(validateUpdate(server, encodeUpdate([{ client: 1, clock: 0, structs: [gc(1, 0, 5)] }])).empty).toBe(true)
  })

  it('skip-new-range: a Skip over unknown clocks', () => {
    const server = small()
    const hole = encodeUpdate([
      { client: 1, clock: 3, structs: [item(1, 3, { origin: Y.createID(1, 2), content: new Y.ContentString('ab') }), skip(1, 5, 3), text(1, 8, 'c')] }
    ])
    expect(stock(server, hole).pending).toBe(true)
    expectRefused(server, hole, 'skip-new-range')
    expectRefused(server, encodeUpdate([{ client: 1, clock: 5, structs: [skip(1, 5, 1)] }]), 'skip-new-range')
    expect(validateUpdate(server, encodeUpdate([{ client: 1, clock: 0, structs: [skip(1, 0, 5)] }])).empty).toBe(true)
  })

  it('delete-unknown: ranges of unknown clients or beyond the known and added clocks', () => {
    const server = small()
    expect(stock(server, encodeUpdate([], [[8, [[0, 3]]]])).pending).toBe(true)
    expectRefused(server, encodeUpdate([], [[8, [[0, 3]]]]), 'delete-unknown')
    expectRefused(server, encodeUpdate([], [[1, [[3, 3]]]]), 'delete-unknown')
    expectRefused(server, encodeUpdate([], [[1, [[5, 0]]]]), 'delete-unknown')
    const addAndDelete = encodeUpdate([{ client: 2, clock: 0, structs: [text(2, 0, 'xyz')] }], [[2, [[1, 2]]], [1, [[0, 5]]]])
    expectRefused(server, encodeUpdate([{ client: 2, clock: 0, structs: [text(2, 0, 'xyz')] }], [[2, [[1, 3]]]]), 'delete-unknown')
    expectAccepted(server, addAndDelete)
    expect(server.getText('text').toString()).toBe('x')
  })

  it('clock-overflow: clocks, lengths and references beyond MAX_SAFE_INTEGER', () => {
    const server = small()
    const max = Number.MAX_SAFE_INTEGER
    expectRefused(server, encodeUpdate([{ client: 1, clock: 5, structs: [item(1, 5, { origin: Y.createID(1, max + 10), content: new Y.ContentString('x') })] }]), 'clock-overflow')
    expectRefused(server, encodeUpdate([], [[1, [[2, max]]]]), 'clock-overflow')
    expectRefused(server, encodeUpdate([{ client: 1, clock: 0, structs: [gc(1, 0, max), gc(1, max, 2)] }]), 'clock-overflow')
    expectRefused(server, encodeUpdate([{ client: 2 ** 60, clock: 0, structs: [text(2 ** 60, 0, 'x')] }]), 'clock-overflow')
  })
})

describe('validateUpdate: seeded mutation fuzz', () => {
  const iterations = Number(process.env.FUZZ_ITERATIONS ?? 2000)
  const baseSeed = Number(process.env.FUZZ_SEED ?? 20240601)

  /** Real updates, each with the server state it applies cleanly to. */
  const corpus = (() => {
    const { server, a, frag } = baseScenario()
    const entries: Array<{ base: Uint8Array; update: Uint8Array }> = []
    const b = newDoc(2)
    Y.applyUpdate(b, Y.encodeStateAsUpdate(server))
    const bText = b.getText('text')
    bText.insert(2, 'offline edit')
    bText.delete(0, 1)
    bText.insert(0, 'gone')
    bText.delete(0, 4)
    b.getMap('meta').set('title', { nested: [1, 2] })
    ;((b.getXmlFragment('prosemirror').get(0) as Y.XmlElement).get(0) as Y.XmlText).format(0, 3, { em: {} })
    const edits = [
      () => a.getText('text').insert(3, 'abc', { em: true }),
      () => a.getText('text').delete(1, 4),
      () => paragraph(frag, 1, 'fuzzed words'),
      () => (a.getMap('meta').get('list') as Y.Array<unknown>).insert(1, [new Y.Map(), 'x'])
    ]
    const firstBase = Y.encodeStateAsUpdate(server)
    const live: Uint8Array[] = []
    for (const edit of edits) {
      const base = Y.encodeStateAsUpdate(server)
      const update = captureUpdate(a, edit)
      entries.push({ base, update })
      live.push(update)
      Y.applyUpdate(server, update)
    }
    entries.push({ base: firstBase, update: Y.mergeUpdates(live) })
    entries.push({ base: Y.encodeStateAsUpdate(server), update: Y.encodeStateAsUpdate(b, Y.encodeStateVector(server)) })
    entries.push({ base: Y.encodeStateAsUpdate(server), update: Y.encodeStateAsUpdate(a) })
    return entries
  })()

  /** One seeded case: mutate a real update; refusal must leave the doc intact, acceptance must apply cleanly. */
  function runCase(seed: number): UpdateRefusal | 'accepted' {
    const gen = prng.create(seed)
    const { base, update: source } = prng.oneOf(gen, corpus)
    const server = newDoc(999)
    Y.applyUpdate(server, base)
    const known = Y.decodeStateVector(Y.encodeStateVector(server))
    const mode = prng.int32(gen, 0, 3)
    const update =
      mode === 0 ? mutateBytes(gen, source) : mode === 1 ? randomUpdate(gen, known) : mutateStructs(gen, source, known)
    const state = Y.encodeStateAsUpdate(server)
    const sv = Y.encodeStateVector(server)
    const allowGc = prng.bool(gen)
    const options: ValidateOptions = { mayAddGc: () => allowGc }
    let summary: UpdateSummary
    try {
      summary = validateUpdate(server, update, options)
    } catch (error) {
      if (!(error instanceof UpdateRefusedError)) throw error
      expect(Y.encodeStateAsUpdate(server)).toEqual(state)
      expect(Y.encodeStateVector(server)).toEqual(sv)
      return error.reason
    }
    expectAccepted(copyOf(server), update, options) // no throw, nothing pending, exact `added`
    if (summary.empty) {
      Y.applyUpdate(server, update)
      expect(Y.encodeStateAsUpdate(server)).toEqual(state)
    }
    return 'accepted'
  }

  it('regression: fuzz seed 9012573 (overlapping item linked under another parent)', () => {
    expect(runCase(9012573)).toBe('missing-reference')
  })

  it('every corpus update is accepted unmutated', () => {
    for (const { base, update } of corpus) {
      const server = newDoc(999)
      Y.applyUpdate(server, base)
      expectAccepted(server, update)
    }
  })

  it(`survives ${iterations} mutated updates (FUZZ_SEED=${baseSeed})`, { timeout: 60_000 + iterations * 20 }, () => {
    const outcomes = new Map<string, number>()
    for (let i = 0; i < iterations; i++) {
      const seed = baseSeed + i
      let outcome: string
      try {
        outcome = runCase(seed)
      } catch (error) {
        throw new Error(`fuzz case failed, reproduce with runCase(${seed}): ${String(error)}`, { cause: error })
      }
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1)
    }
    if (process.env.FUZZ_VERBOSE) console.log(Object.fromEntries(outcomes))
    // the fuzz is only meaningful if mutated updates get through as well as get refused
    expect(outcomes.get('accepted') ?? 0).toBeGreaterThan(iterations / 50)
    expect(outcomes.get('malformed') ?? 0).toBeGreaterThan(iterations / 10)
  })
})
