/**
 * Seeded random honest editing by a customer and a team member (typing keystroke by keystroke,
 * deleting, splits anywhere and near the end, joins, block changes, block moves, drags of 1-10
 * characters, undo/redo, offline stretches). After every update the server receives, every
 * character must have the author the ground truth gives (truth.ts: content followed through
 * y-prosemirror's diffs by a mark) and no character that stayed in place may change author.
 * Undo/redo and offline work merged into one update are held to the second rule only; their
 * differences from the truth are counted and printed (see the honest limits in the README).
 * Runs cover exactly the block text, and facts replayed from the log equal the live state.
 * ATTRIBUTION_SEED=n replays one seed, ATTRIBUTION_SEEDS=n runs n seeds, TRUTH_DEBUG=1 prints
 * the update behind each difference.
 */
import { describe, expect, it } from 'vitest'
import * as prng from 'lib0/prng'
import type { Node as PMNode } from 'prosemirror-model'
import { AttributionEngine, AuthorMap } from '../../server/attribution/index.js'
import { Client, Server, piecesOf } from './harness.js'
import { TruthModel, truthSchema as schema, typed } from './truth.js'
import type { Transform } from 'prosemirror-transform'

const WORDS = ['offline', 'mode', 'dark', 'theme', 'export', 'PDF', ' ', ' ', '.']

function textblocks(doc: PMNode): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = []
  doc.descendants((node, pos) => {
    if (node.isTextblock && node.type.name !== 'title') out.push({ from: pos + 1, to: pos + 1 + node.content.size })
    return !node.isTextblock
  })
  return out
}

/** A word to type after the current edit, one keystroke per update. */
let typing: { pos: number; text: string } | null = null

function randomEdit(gen: prng.PRNG, tr: Transform, doc: PMNode): void {
  const blocks = textblocks(doc)
  const b = prng.oneOf(gen, blocks)
  const pos = prng.uint32(gen, b.from, b.to)
  const kind = prng.uint32(gen, 0, 11)
  if (kind <= 3) typing = { pos, text: prng.oneOf(gen, WORDS) }
  else if (kind <= 5 && b.to > b.from) {
    const from = prng.uint32(gen, b.from, b.to - 1)
    tr.delete(from, prng.uint32(gen, from + 1, b.to))
  } else if (kind === 6) tr.split(prng.bool(gen) ? pos : Math.max(b.from, b.to - prng.uint32(gen, 0, 5)))
  else if (kind === 7) tr.setBlockType(b.from, b.to, prng.bool(gen) ? schema.nodes.heading! : schema.nodes.paragraph!, { level: 1 })
  else if (kind === 8 && doc.resolve(b.from).depth === 1) {
    // Move the block to the end.
    const start = doc.resolve(b.from).before()
    const node = doc.nodeAt(start)!
    if (doc.childCount > 3) {
      tr.delete(start, start + node.nodeSize)
      tr.insert(tr.doc.content.size, node)
    }
  } else if (kind === 9 && b.to > b.from) {
    // Drag 1-10 characters to another place in this or another textblock.
    const from = prng.uint32(gen, b.from, b.to - 1)
    const to = Math.min(b.to, from + prng.uint32(gen, 1, 10))
    const target = prng.oneOf(gen, blocks)
    const at = prng.uint32(gen, target.from, target.to)
    const slice = doc.slice(from, to)
    tr.delete(from, to)
    tr.insert(tr.mapping.map(at), slice.content)
  } else {
    const $pos = doc.resolve(b.from)
    const before = $pos.before()
    const prev = doc.resolve(before).nodeBefore
    if (before > 0 && prev?.isTextblock && prev.type.name !== 'title' && $pos.depth === 1) {
      try {
        tr.join(before)
      } catch {
        // not joinable
      }
    }
  }
}

function runSeed(seed: number): void {
  const gen = prng.create(seed)
  const server = new Server({}, schema)
  const truth = new TruthModel(server)
  const clients = [new Client(server, 'cust-1', prng.uint32(gen, 1, 2 ** 30)), new Client(server, 'team-1', prng.uint32(gen, 1, 2 ** 30))]
  for (let step = 0; step < 150; step++) {
    const c = prng.oneOf(gen, clients)
    const roll = prng.uint32(gen, 0, 19)
    if (roll === 0 && c.online) c.online = false
    else if (roll === 1 && !c.online) {
      truth.lenient = true
      c.reconnect()
      truth.lenient = false
    }
    else if (roll === 2 || roll === 3) {
      truth.lenient = true
      if (roll === 2) c.undo()
      else c.redo()
      truth.lenient = false
    }
    else {
      c.edit((tr, doc) => randomEdit(gen, tr, doc))
      const word = typing
      typing = null
      if (word !== null) [...word.text].forEach((ch, i) => c.edit((tr) => tr.insert(word.pos + i, typed(c.participantId, ch))))
    }
    server.now += prng.uint32(gen, 0, 30_000)
  }
  truth.lenient = true
  for (const c of clients) if (!c.online) c.reconnect()
  truth.lenient = false
  const context = `seed ${seed}; replay with ATTRIBUTION_SEED=${seed}`
  console.log(
    `${context}: ${truth.checked} character checks, ${truth.rewritten} kept characters rewritten in place, ` +
      `${truth.ambiguous} ambiguous; undo/redo and offline merges: ${truth.tolerated.length} characters differ`
  )
  expect(truth.keptChanged, context).toEqual([])
  expect(truth.mismatches, context).toEqual([])
  const doc = server.pm()
  const a = server.attribution()
  let total = 0
  for (const b of a.blocks) {
    piecesOf(doc, b)
    expect(b.byGroup.unknown, context).toBe(0)
    expect(b.runs.reduce((n, r) => n + r.length, 0), context).toBe(b.length)
    total += b.length
  }
  expect(total, context).toBe(doc.textContent.length)
  const replayed = AttributionEngine.load(server.log.flatMap((e) => (e.facts ? [e.facts] : [])))
  expect(replayed.compute(server.doc, new Map()), context).toEqual(server.engine.compute(server.doc, new Map()))
  expect(AttributionEngine.load([server.engine.encode()]).compute(server.doc, new Map()), context).toEqual(server.engine.compute(server.doc, new Map()))
}

describe('random editing', () => {
  const only = process.env.ATTRIBUTION_SEED
  const count = Number(process.env.ATTRIBUTION_SEEDS ?? 8)
  const seeds = only !== undefined ? [Number(only)] : Array.from({ length: count }, (_, i) => i + 1)
  for (const seed of seeds) it(`seed ${seed}`, () => runSeed(seed))
})

describe('AuthorMap', () => {
  it('later facts override earlier ones, splitting ranges', () => {
    const s = new AuthorMap()
    s.set(1, 0, 10, 1, 1)
    s.set(1, 10, 5, 2, 2)
    s.set(1, 8, 4, 3, 3)
    const pieces: number[][] = []
    s.forEach(1, 0, 20, (len, a) => pieces.push([len, a]))
    expect(pieces).toEqual([[8, 1], [4, 3], [3, 2], [5, 0]])
    expect(s.authorAt(1, 9)).toBe(3)
    expect(s.authorAt(2, 0)).toBe(0)
  })
})
