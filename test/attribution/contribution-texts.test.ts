/**
 * Passes keep every contribution's length and excerpt incrementally (server/review/
 * contribution-texts.ts): deletions are counted in their transaction, new characters at the
 * pass, and only touched contributions get a new excerpt. Their reference is the full walk
 * (`ContributionTracker.texts`): after every pass, each record must equal it exactly.
 *
 * Seeded random runs: two customers and a team member type, delete, split, join, change block
 * types, move blocks, drag words across blocks, undo and redo, go offline and come back, with
 * a pass after a random number of steps (several edits, or none, between passes), and now and
 * then a server restart (new doc and engine from the stored log: the tracker rebuilds).
 * CONTRIBUTION_TEXTS_SEED=n replays one seed.
 */
import { describe, expect, it } from 'vitest'
import * as prng from 'lib0/prng'
import type { Node as PMNode } from 'prosemirror-model'
import type { Transform } from 'prosemirror-transform'
import { ContributionTracker, EXCERPT_LENGTH } from '../../server/review/contributions.js'
import { Client, Server } from './harness.js'
import { textblocks, truthSchema as schema, typed } from './truth.js'

const WORDS = ['idea', 'offline ', 'mode', ' dark', 'theme ', 'x', 'a longer sentence about exports. ']
const directory = { isCustomer: (id: string) => id.startsWith('cust-'), panelsOf: () => [] }

/** One random edit by `who`; returns its kind (for the failure message). */
function randomEdit(gen: prng.PRNG, who: string, tr: Transform, doc: PMNode): string {
  const blocks = textblocks(doc)
  const b = prng.oneOf(gen, blocks)
  const pos = prng.uint32(gen, b.from, b.to)
  const kind = prng.uint32(gen, 0, 12)
  if (kind <= 4) tr.insert(pos, typed(who, prng.oneOf(gen, WORDS)))
  else if (kind <= 6 && b.to > b.from) {
    const from = prng.uint32(gen, b.from, b.to - 1)
    tr.delete(from, prng.uint32(gen, from + 1, b.to))
  } else if (kind === 7) tr.split(pos)
  else if (kind === 8) tr.setBlockType(b.from, b.to, prng.bool(gen) ? schema.nodes.heading! : schema.nodes.paragraph!, { level: 2 })
  else if (kind === 9 && doc.resolve(b.from).depth === 1 && doc.childCount > 3) {
    const start = doc.resolve(b.from).before()
    const node = doc.nodeAt(start)!
    tr.delete(start, start + node.nodeSize)
    tr.insert(tr.doc.content.size, node)
  } else if (kind === 10 && b.to > b.from) {
    const from = prng.uint32(gen, b.from, b.to - 1)
    const to = Math.min(b.to, from + prng.uint32(gen, 1, 12))
    const target = prng.oneOf(gen, blocks)
    const slice = doc.slice(from, to)
    tr.delete(from, to)
    tr.insert(tr.mapping.map(prng.uint32(gen, target.from, target.to)), slice.content)
  } else if (kind === 11) {
    const $pos = doc.resolve(b.from)
    const before = $pos.before()
    const prev = doc.resolve(before).nodeBefore
    if (before > 0 && prev?.isTextblock && prev.type.name !== 'title' && $pos.depth === 1) tr.join(before)
  }
  return `edit ${kind}`
}

/** Every record's length and excerpt against a full walk of the document. */
function expectExact(server: Server, tracker: ContributionTracker, where: string): number {
  const walked = tracker.texts(server.doc, server.engine.authors)
  for (const r of tracker.list()) {
    const text = walked.get(r.id) ?? ''
    expect([r.id, r.chars, r.excerpt], where).toEqual([r.id, text.length, text.slice(0, EXCERPT_LENGTH)])
  }
  return walked.size
}

function runSeed(seed: number): void {
  const gen = prng.create(seed)
  const context = `seed ${seed}; replay with CONTRIBUTION_TEXTS_SEED=${seed}`
  const server = new Server({}, schema)
  const people = ['cust-1', 'cust-2', 'team-1'].map((id) => new Client(server, id, prng.uint32(gen, 1, 2 ** 30)))
  let tracker = new ContributionTracker('spec', directory)
  let passes = 0
  let restarts = 0
  for (let step = 0; step < 160; step++) {
    const client = prng.oneOf(gen, people)
    const roll = prng.uint32(gen, 0, 24)
    let kind: string
    if (roll === 0) (kind = 'undo'), client.undo()
    else if (roll === 1) (kind = 'redo'), client.redo()
    else if (roll === 2) (kind = 'offline'), (client.online = false)
    else if (roll === 3 && !client.online) (kind = 'reconnect'), client.reconnect()
    else {
      kind = ''
      client.edit((tr, doc) => void (kind = randomEdit(gen, client.participantId, tr, doc)))
    }
    server.now += prng.uint32(gen, 0, 120_000)
    const where = `${context}, step ${step} (${client.participantId} ${kind})`
    if (prng.uint32(gen, 0, 29) === 0) {
      // A restart: the room reloads doc, engine and the stored records (the feed's load()).
      for (const c of people) if (!c.online) c.reconnect()
      tracker.update(server.doc, server.engine.authors, server.now)
      const stored = tracker.list()
      server.restart()
      tracker = new ContributionTracker('spec', directory)
      tracker.load(stored)
      restarts++
    }
    if (prng.uint32(gen, 0, 2) === 0) {
      tracker.update(server.doc, server.engine.authors, server.now)
      passes++
      expectExact(server, tracker, where)
    }
  }
  for (const c of people) if (!c.online) c.reconnect()
  tracker.update(server.doc, server.engine.authors, server.now)
  const live = expectExact(server, tracker, `${context}, end`)
  console.log(`${context}: ${passes} passes, ${restarts} restarts, ${tracker.list().length} contributions (${live} walked) exact`)
  expect(tracker.list().length, context).toBeGreaterThan(2)
}

describe('contribution lengths and excerpts kept incrementally', () => {
  const only = process.env.CONTRIBUTION_TEXTS_SEED
  const seeds = only !== undefined ? [Number(only)] : [1, 2, 3, 4, 5, 6, 7, 8]
  for (const seed of seeds) it(`seed ${seed} equals a full walk after every pass`, () => runSeed(seed))
})
