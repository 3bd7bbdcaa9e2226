/**
 * Thread anchors keep their characters through concurrent edits ([A1]-[A3] in
 * server/review/thread-anchors.ts), seeded: several Y.Doc clients with the spec's ProseMirror
 * fragment make random edits (text, marks, splits, joins, deletes across blocks) written by
 * y-prosemirror, and their updates reach each other and a "server" doc in random order.
 * Meanwhile threads are anchored on random ranges the way the editor does it
 * (`absolutePositionToRelativePosition`), and the server's own code records their characters.
 * After convergence, the server's resolved text of each thread must be exactly the originally
 * anchored characters that are still live, in order, blocks joined by "\n", and `textRemoved`
 * true exactly when none is.
 *
 * The expectation is computed independently of the server's walk: each character is identified
 * by the relative position y-prosemirror gives its own position (whose `item` is that
 * character's Yjs id), its block by Yjs. Two modes: `ids`, where every character is its own
 * origin and every replica must resolve alike; and `origins`, where the server runs the
 * attribution engine over what each client sends, as the real room does, and a thread follows
 * the words the engine carries onto re-inserted copies (splits, joins, block changes).
 *
 * THREAD_SEED=n replays seed n alone; THREAD_ITERATIONS=n adds n random seeds; every test
 * prints its seed.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import { Transform } from 'prosemirror-transform'
import type { Node as PMNode } from 'prosemirror-model'
import { absolutePositionToRelativePosition, initProseMirrorDoc, updateYFragment, ySyncPluginKey } from 'y-prosemirror'
import { emptySpecUpdate, FRAGMENT_NAME, schema } from '../../shared/schema.js'
import { AnchorError, decodeRuns, DocIndex, encodeRuns, type IdRun, type OriginMap } from '../../server/review/thread-anchors.js'
import { AttributionEngine } from '../../server/attribution/index.js'
import { writePm } from '../helpers/pm-edit.js'
import { randomEdit, textblockRanges } from '../fuzz/edits.js'

const CLIENTS = 4
const STEPS = 300
const DEFAULT_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8]
const fixedSeed = process.env.THREAD_SEED ? Number(process.env.THREAD_SEED) : null
const extra = Number(process.env.THREAD_ITERATIONS ?? 0)
const seeds = fixedSeed !== null ? [fixedSeed] : [...DEFAULT_SEEDS, ...Array.from({ length: extra }, () => Math.floor(Math.random() * 2 ** 31))]

/** One anchored character as the test sees it: its Yjs id, read from its own relative position. */
interface Anchored {
  id: Y.ID
  ch: string
}

interface Thread {
  runs: IdRun[]
  /** Origins of the anchored characters, as `client:clock`. */
  origins: Set<string>
  chars: number
}

/** Where a character came from: the engine's origin map, or (without one) its own id. */
const originKey = (origins: OriginMap | undefined, id: Y.ID): string => {
  let key = `${id.client}:${id.clock}`
  origins?.forEachOrigin(id.client, id.clock, 1, (_len, client, clock) => (key = `${client}:${clock}`))
  return key
}

/** Every live character of `doc`'s fragment in document order, with its Yjs id and its Y.XmlText. */
function charsOf(doc: Y.Doc): Array<Anchored & { block: unknown }> {
  const out: Array<Anchored & { block: unknown }> = []
  const walk = (type: Y.XmlFragment | Y.XmlElement): void => {
    for (const child of type.toArray()) {
      if (child instanceof Y.XmlElement) walk(child)
      if (!(child instanceof Y.XmlText)) continue
      for (let item = child._start; item !== null; item = item.right) {
        if (item.deleted || !(item.content instanceof Y.ContentString)) continue
        const str = item.content.str
        for (let i = 0; i < str.length; i++) out.push({ id: Y.createID(item.id.client, item.id.clock + i), ch: str[i]!, block: child })
      }
    }
  }
  walk(doc.getXmlFragment(FRAGMENT_NAME))
  return out
}

/** What a thread's text should be on `doc`: live characters whose origin was anchored, in order, blocks joined by "\n". */
function expected(doc: Y.Doc, anchored: ReadonlySet<string>, origins: OriginMap | undefined): { text: string; textRemoved: boolean } {
  let text = ''
  let block: unknown = null
  let live = 0
  for (const c of charsOf(doc)) {
    if (!anchored.has(originKey(origins, c.id))) continue
    if (live > 0 && c.block !== block) text += '\n'
    block = c.block
    text += c.ch
    live++
  }
  return { text, textRemoved: live === 0 }
}

/** `client:clock` of every character `runs` names. */
const keysOf = (runs: readonly IdRun[]): Set<string> => new Set(runs.flatMap((r) => Array.from({ length: r.len }, (_, i) => `${r.client}:${r.clock + i}`)))

const NET = Symbol('network')
const b64 = (rpos: Y.RelativePosition): string => Buffer.from(Y.encodeRelativePosition(rpos)).toString('base64')

/**
 * One editor transaction on `doc`, written the way y-prosemirror's sync plugin writes it: the
 * binding's mapping from Y types to the nodes they made, so untouched blocks stay as they are.
 */
function edit(doc: Y.Doc, make: (pm: PMNode) => Transform | null): boolean {
  const fragment = doc.getXmlFragment(FRAGMENT_NAME)
  const { doc: pm, meta } = initProseMirrorDoc(fragment, schema)
  const tr = make(pm)
  if (!tr) return false
  doc.transact(() => updateYFragment(doc, fragment, tr.doc, meta), ySyncPluginKey)
  return true
}

/** A delete from one text position to another, possibly across blocks (PM joins them). */
function bigDelete(gen: prng.PRNG, pm: PMNode): Transform | null {
  const blocks = textblockRanges(pm)
  if (blocks.length === 0) return null
  const a = prng.oneOf(gen, blocks)
  const b = prng.oneOf(gen, blocks)
  const from = prng.uint32(gen, Math.min(a.from, b.from), Math.min(a.to, b.to))
  const to = prng.uint32(gen, from, Math.max(a.to, b.to))
  return to > from ? new Transform(pm).delete(from, to) : null
}

/**
 * One seeded run. `origins`: the server runs the attribution engine over what it receives (each
 * client a participant), and threads follow origins as on the real server; else every
 * character is its own origin and every replica must resolve each thread alike.
 */
function run(seed: number, mode: 'ids' | 'origins'): { threads: number; removed: number; partial: number } {
  const gen = prng.create(seed)
  const server = new Y.Doc({ gc: true })
  const engine = mode === 'origins' ? new AttributionEngine() : null
  engine?.attach(server, (o) => (typeof o === 'object' && o !== null && 'sender' in o ? `p${String(o.sender)}` : null))
  const origins = engine?.authors
  const clients = Array.from({ length: CLIENTS }, (_, i) => {
    const doc = new Y.Doc({ gc: true })
    doc.clientID = 1000 + i
    return doc
  })
  const peers = [...clients, server]
  /** queues[from][to]: updates not delivered yet. */
  const queues = peers.map(() => peers.map((): Uint8Array[] => []))
  // The server is a sink here: clients send to each other directly, in random order.
  clients.forEach((doc, from) =>
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === NET) return
      peers.forEach((_, to) => to !== from && queues[from]![to]!.push(update))
    })
  )
  const deliverOne = (): boolean => {
    const pending: Array<[number, number]> = []
    queues.forEach((row, f) => row.forEach((q, t) => q.length > 0 && pending.push([f, t])))
    if (pending.length === 0) return false
    const [f, t] = prng.oneOf(gen, pending)
    const q = queues[f]![t]!
    const [update] = q.splice(prng.uint32(gen, 0, q.length - 1), 1)
    Y.applyUpdate(peers[t]!, update!, peers[t] === server ? { sender: peers[f]!.clientID } : NET)
    return true
  }
  /**
   * The creator posts a thread once it and the server have each other's updates. True if they
   * then hold the same content (pending updates of a third client, released by the exchange,
   * can make them differ: then the creator's anchors may rightly be refused, and no thread is
   * started).
   */
  const syncWithServer = (client: Y.Doc): boolean => {
    Y.applyUpdate(client, Y.encodeStateAsUpdate(server, Y.encodeStateVector(client)), NET)
    Y.applyUpdate(server, Y.encodeStateAsUpdate(client, Y.encodeStateVector(server)), { sender: client.clientID })
    Y.applyUpdate(client, Y.encodeStateAsUpdate(server, Y.encodeStateVector(client)), NET)
    const same = (d: Y.Doc) => d.getXmlFragment(FRAGMENT_NAME).toString()
    return same(client) === same(server) && Buffer.from(Y.encodeStateVector(client)).equals(Buffer.from(Y.encodeStateVector(server)))
  }

  // A common start: the skeleton and three paragraphs, everywhere.
  Y.applyUpdate(clients[0]!, emptySpecUpdate())
  const p = (text: string) => schema.node('paragraph', null, [schema.text(text)])
  writePm(clients[0]!, schema.node('doc', null, [schema.node('title', null, [schema.text('Spec')]), p('customers want offline mode'), p('dark theme'), p('export to pdf')]))
  while (deliverOne());

  const threads: Thread[] = []
  const log: string[] = []
  for (let step = 0; step < STEPS; step++) {
    const kind = prng.uint32(gen, 0, 19)
    const doc = prng.oneOf(gen, clients)
    try {
      if (kind <= 8) {
        let op = ''
        if (edit(doc, (pm) => { const e = randomEdit(gen, pm); op = e?.op ?? ''; return e?.tr ?? null })) log.push(`${doc.clientID}: ${op}`)
      } else if (kind === 9 && prng.uint32(gen, 0, 2) === 0) {
        if (edit(doc, (pm) => bigDelete(gen, pm))) log.push(`${doc.clientID}: delete across blocks`)
      } else if (kind <= 16) {
        for (let n = prng.uint32(gen, 1, 4); n > 0; n--) deliverOne()
      } else {
        // The creator is in sync with the server when it posts the thread.
        if (!syncWithServer(doc)) continue
        const fragment = doc.getXmlFragment(FRAGMENT_NAME)
        const { doc: pm, mapping } = initProseMirrorDoc(fragment, schema)
        // Converting may have repaired the creator's doc (y-prosemirror deletes nodes the schema
        // refuses): the server must have that too before the anchors are posted.
        if (!syncWithServer(doc)) continue
        const blocks = textblockRanges(pm)
        if (blocks.length === 0) continue
        const a = prng.uint32(gen, 0, blocks.length - 1)
        const b = prng.uint32(gen, a, Math.min(blocks.length - 1, a + 2))
        const from = prng.uint32(gen, blocks[a]!.from, blocks[a]!.to)
        const to = prng.uint32(gen, a === b ? from : blocks[b]!.from, blocks[b]!.to)
        const chars: Anchored[] = []
        let named = true
        for (const block of blocks) {
          for (let pos = Math.max(from, block.from); pos < Math.min(to, block.to); pos++) {
            const rpos = absolutePositionToRelativePosition(pos, fragment, mapping)
            // Two Y.XmlTexts in one block (concurrent first words) name the seam by the end of the
            // first: the test cannot tell that character's id from its position, so it skips.
            if (rpos.item === null) named = false
            else chars.push({ id: rpos.item, ch: pm.textBetween(pos, pos + 1) })
          }
        }
        if (!named) continue
        const start = b64(absolutePositionToRelativePosition(from, fragment, mapping))
        const end = b64(absolutePositionToRelativePosition(to, fragment, mapping))
        const index = new DocIndex(server, origins)
        if (chars.length === 0) {
          let got: unknown = null
          try { got = index.range(start, end) } catch (e) { got = e }
          expect(got, `empty ${from}-${to} ${JSON.stringify(blocks)} ${pm.toString()} ${JSON.stringify(Y.decodeRelativePosition(Buffer.from(start, "base64")))} ${JSON.stringify(Y.decodeRelativePosition(Buffer.from(end, "base64")))}`).toBeInstanceOf(AnchorError)
          continue
        }
        const range = index.range(start, end)
        const anchored = new Set(chars.map((c) => originKey(origins, c.id)))
        expect(keysOf(range.runs), `thread ${threads.length}: the origins of exactly the range's characters`).toEqual(anchored)
        expect(range.text, `thread ${threads.length} at creation`).toBe(expected(server, anchored, origins).text)
        threads.push({ runs: decodeRuns(encodeRuns(range.runs)), origins: anchored, chars: chars.length })
        log.push(`${doc.clientID}: thread ${threads.length - 1} on ${from}-${to} ${JSON.stringify(range.text)}`)
      }
    } catch (err) {
      // Concurrent joins can merge into a document the schema refuses (a known y-prosemirror
      // limit, see test/fuzz/convergence.test.ts); such an edit is skipped, not a thread failure.
      if (err instanceof RangeError && !(err instanceof AnchorError)) continue
      throw Object.assign(err as Error, { message: `${(err as Error).message}\nop log:\n${log.join('\n')}` })
    }
  }
  while (deliverOne());
  for (const c of clients) expect(Y.encodeStateVector(c)).toEqual(Y.encodeStateVector(server))

  let removed = 0
  let partial = 0
  for (const [i, t] of threads.entries()) {
    const want = expected(server, t.origins, origins)
    // Without origins every replica resolves alike; with them, the server (which has the engine).
    for (const doc of origins ? [server] : peers) {
      expect(new DocIndex(doc, origins).textOf(t.runs), `thread ${i}, ${mode}, seed ${seed}\nop log:\n${log.join('\n')}`).toEqual(want)
    }
    if (want.textRemoved) removed++
    else if (want.text.replace(/\n/g, '').length < t.chars) partial++
  }
  return { threads: threads.length, removed, partial }
}

describe.each(['ids', 'origins'] as const)('thread anchors through concurrent edits (seeded, %s)', (mode) => {
  const stats: Array<ReturnType<typeof run>> = []
  for (const seed of seeds) {
    it(`seed ${seed}`, () => {
      console.log(`thread anchors (${mode}): THREAD_SEED=${seed}`)
      const s = run(seed, mode)
      stats.push(s)
      console.log(`thread anchors (${mode}): seed ${seed}: ${s.threads} threads, ${s.removed} text removed, ${s.partial} partly removed`)
      expect(s.threads).toBeGreaterThan(0)
    })
  }

  if (fixedSeed === null) {
    it('the runs exercise removed and partly removed text', () => {
      expect(stats.some((s) => s.removed > 0)).toBe(true)
      expect(stats.some((s) => s.partial > 0)).toBe(true)
    })
  }
})
