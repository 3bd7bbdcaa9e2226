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
 * The expectation is computed independently of the server's walk: each anchored character is
 * identified by the relative position y-prosemirror gives its own position (whose `item` is that
 * character's Yjs id), its liveness read from the doc's delete set, its block from Yjs.
 *
 * THREAD_SEED=n replays seed n alone; every test prints its seed.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as prng from 'lib0/prng'
import { Transform } from 'prosemirror-transform'
import type { Node as PMNode } from 'prosemirror-model'
import { absolutePositionToRelativePosition, initProseMirrorDoc, updateYFragment, ySyncPluginKey } from 'y-prosemirror'
import { emptySpecUpdate, FRAGMENT_NAME, schema } from '../../shared/schema.js'
import { AnchorError, decodeRuns, DocIndex, encodeRuns, type IdRun } from '../../server/review/thread-anchors.js'
import { writePm } from '../helpers/pm-edit.js'
import { randomEdit, textblockRanges } from '../fuzz/edits.js'

const CLIENTS = 4
const STEPS = 300
const DEFAULT_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8]
const fixedSeed = process.env.THREAD_SEED ? Number(process.env.THREAD_SEED) : null
const seeds = fixedSeed !== null ? [fixedSeed] : DEFAULT_SEEDS

/** One anchored character as the test sees it: its id (via its own relative position) and value. */
interface Anchored {
  rpos: Y.RelativePosition
  id: Y.ID
  ch: string
}

interface Thread {
  runs: IdRun[]
  chars: Anchored[]
}

const NET = Symbol('network')
const b64 = (rpos: Y.RelativePosition): string => Buffer.from(Y.encodeRelativePosition(rpos)).toString('base64')

/** What the text of `chars` should be on `doc`: live ones in order, blocks joined by "\n". */
function expected(doc: Y.Doc, chars: readonly Anchored[]): { text: string; textRemoved: boolean } {
  const ds = Y.createDeleteSetFromStructStore(doc.store)
  let text = ''
  let block: unknown = null
  let live = 0
  for (const c of chars) {
    if (Y.isDeleted(ds, c.id)) continue
    const abs = Y.createAbsolutePositionFromRelativePosition(c.rpos, doc)!
    if (live > 0 && abs.type !== block) text += '\n'
    block = abs.type
    text += c.ch
    live++
  }
  return { text, textRemoved: live === 0 }
}

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

function run(seed: number): { threads: number; removed: number; partial: number } {
  const gen = prng.create(seed)
  const server = new Y.Doc({ gc: true })
  const clients = Array.from({ length: CLIENTS }, (_, i) => {
    const doc = new Y.Doc({ gc: true })
    doc.clientID = 1000 + i
    return doc
  })
  const peers = [...clients, server]
  /** queues[from][to]: updates not delivered yet. */
  const queues = peers.map(() => peers.map((): Uint8Array[] => []))
  peers.forEach((doc, from) =>
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
    Y.applyUpdate(peers[t]!, update!, NET)
    return true
  }
  const syncPair = (a: Y.Doc, b: Y.Doc): void => {
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b, Y.encodeStateVector(a)), NET)
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a, Y.encodeStateVector(b)), NET)
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
        syncPair(doc, server)
        const fragment = doc.getXmlFragment(FRAGMENT_NAME)
        const { doc: pm, mapping } = initProseMirrorDoc(fragment, schema)
        const blocks = textblockRanges(pm)
        if (blocks.length === 0) continue
        const a = prng.uint32(gen, 0, blocks.length - 1)
        const b = prng.uint32(gen, a, Math.min(blocks.length - 1, a + 2))
        const from = prng.uint32(gen, blocks[a]!.from, blocks[a]!.to)
        const to = prng.uint32(gen, a === b ? from : blocks[b]!.from, blocks[b]!.to)
        const chars: Anchored[] = []
        for (const block of blocks) {
          for (let pos = Math.max(from, block.from); pos < Math.min(to, block.to); pos++) {
            const rpos = absolutePositionToRelativePosition(pos, fragment, mapping)
            expect(rpos.item, `a character's position names it (pos ${pos})`).not.toBeNull()
            chars.push({ rpos, id: rpos.item!, ch: pm.textBetween(pos, pos + 1) })
          }
        }
        const start = b64(absolutePositionToRelativePosition(from, fragment, mapping))
        const end = b64(absolutePositionToRelativePosition(to, fragment, mapping))
        const index = new DocIndex(server)
        if (chars.length === 0) {
          let got: unknown = null
          try { got = index.range(start, end) } catch (e) { got = e }
          expect(got, `empty ${from}-${to} ${JSON.stringify(blocks)} ${pm.toString()} ${JSON.stringify(Y.decodeRelativePosition(Buffer.from(start, "base64")))} ${JSON.stringify(Y.decodeRelativePosition(Buffer.from(end, "base64")))}`).toBeInstanceOf(AnchorError)
          continue
        }
        const range = index.range(start, end)
        expect(range.text, `thread ${threads.length} at creation`).toBe(expected(server, chars).text)
        threads.push({ runs: decodeRuns(encodeRuns(range.runs)), chars })
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
    const want = expected(server, t.chars)
    for (const doc of peers) {
      expect(new DocIndex(doc).textOf(t.runs), `thread ${i}, seed ${seed}\nop log:\n${log.join('\n')}`).toEqual(want)
    }
    if (want.textRemoved) removed++
    else if (want.text.replace(/\n/g, '').length < t.chars.length) partial++
  }
  return { threads: threads.length, removed, partial }
}

describe('thread anchors through concurrent edits (seeded)', () => {
  for (const seed of seeds) {
    it(`seed ${seed}`, () => {
      console.log(`thread anchors: THREAD_SEED=${seed}`)
      const stats = run(seed)
      console.log(`thread anchors: seed ${seed}: ${stats.threads} threads, ${stats.removed} text removed, ${stats.partial} partly removed`)
      expect(stats.threads).toBeGreaterThan(0)
    })
  }

  if (fixedSeed === null) {
    it('the runs exercise removed and partly removed text', () => {
      const all = DEFAULT_SEEDS.map(run)
      expect(all.some((s) => s.removed > 0)).toBe(true)
      expect(all.some((s) => s.partial > 0)).toBe(true)
    })
  }
})
