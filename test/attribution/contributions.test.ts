/**
 * Contributions keep their id through everything attribution survives, and their text is
 * exactly the customer's surviving words (server/review/contributions.ts, rules 1-5).
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { findWrapping, liftTarget } from 'prosemirror-transform'
import { schema } from '../../shared/schema.js'
import { ContributionTracker, DEFAULT_SITTING_MS, type ContributionRecord } from '../../server/review/contributions.js'
import { AttributionEngine } from '../../server/attribution/index.js'
import { decodeFacts, encodeFacts } from '../../server/attribution/facts.js'
import * as encoding from 'lib0/encoding'
import { Client, Server, posAfter, posOf } from './harness.js'

const IDEA_1 = 'Customers want offline mode'
const IDEA_2 = 'Export every spec as PDF'

let server: Server
let cust: Client
let team: Client
let tracker: ContributionTracker

const directory = { isCustomer: (id: string) => id.startsWith('cust-'), panelsOf: (id: string) => (id === 'cust-1' ? ['panel-a'] : []) }

/** A debounced pass of the server. */
function pass(): ContributionRecord[] {
  tracker.update(server.doc, server.engine.authors, server.now)
  return tracker.list()
}

function texts(): string[] {
  const t = tracker.texts(server.doc, server.engine.authors)
  return tracker.list().map((r) => t.get(r.id)!)
}

/** Types `text` word by word at the end of the last block, a pass after each word. */
function typeAtEnd(c: Client, text: string): void {
  for (const w of text.split(/(?= )/)) {
    c.edit((tr, doc) => tr.insert(doc.content.size - 1, schema.text(w)))
    server.now += 1000
    pass()
  }
}

beforeEach(() => {
  server = new Server()
  cust = new Client(server, 'cust-1')
  team = new Client(server, 'team-1')
  tracker = new ContributionTracker('spec-1', directory)
  typeAtEnd(cust, IDEA_1)
  cust.edit((tr, doc) => tr.split(doc.content.size - 1))
  typeAtEnd(cust, IDEA_2)
})

describe('contributions: the rule', () => {
  it('one contribution per block typed in one sitting, keyed on its first origin', () => {
    const list = pass()
    expect(list.map((r) => [r.participantId, r.excerpt, r.chars, r.panelIds])).toEqual([
      ['cust-1', IDEA_1, IDEA_1.length, ['panel-a']],
      ['cust-1', IDEA_2, IDEA_2.length, ['panel-a']]
    ])
    for (const r of list) expect(r.id).toMatch(/^c\d+-\d+$/)
    expect(list[0]!.id.startsWith(`c${cust.doc.clientID}-`)).toBe(true)
  })

  it("the customer's later edits extend their contribution; the team's words join none", () => {
    const ids = pass().map((r) => r.id)
    server.now += 2 * DEFAULT_SITTING_MS
    cust.type(' and sync', { after: 'offline mode' })
    team.type(' (Q3)', { after: 'as PDF' })
    cust.edit((tr, doc) => tr.insert(posOf(doc, 'offline'), schema.text('reliable ')))
    expect(pass().map((r) => r.id)).toEqual(ids)
    expect(texts()).toEqual(['Customers want reliable offline mode and sync', IDEA_2])
  })

  it('typing in the same block after the sitting, not next to the contribution, starts a new one', () => {
    pass()
    server.now += 2 * DEFAULT_SITTING_MS
    team.type(' — noted by the team.', { after: 'as PDF' })
    cust.type(' Also Word.', { after: 'noted by the team.' })
    expect(pass()).toHaveLength(3)
    expect(texts()).toEqual([IDEA_1, IDEA_2, ' Also Word.'])
  })

  it('typing in the same block within the sitting, not next to the contribution, extends it', () => {
    const ids = pass().map((r) => r.id)
    server.now += DEFAULT_SITTING_MS / 2
    team.type(' — noted.', { after: 'as PDF' })
    cust.type(' Also Word.', { after: 'noted.' })
    expect(pass().map((r) => r.id)).toEqual(ids)
    expect(texts()).toEqual([IDEA_1, IDEA_2 + ' Also Word.'])
  })

  it('concurrent edits: the customer extends while the team restructures offline', () => {
    const ids = pass().map((r) => r.id)
    team.online = false
    team.edit((tr, doc) => tr.split(posAfter(doc, 'offline')))
    team.edit((tr, doc) => tr.setBlockType(posOf(doc, 'Export'), posAfter(doc, 'PDF'), schema.nodes.heading, { level: 2 }))
    cust.type(' and sync', { after: 'offline mode' })
    cust.type(' weekly', { after: 'as PDF' })
    team.reconnect()
    expect(pass().map((r) => r.id)).toEqual(ids)
    // How Yjs merges them: " and sync" stays after "offline" where the split left it, and
    // " weekly", typed into the paragraph the heading change replaced, is gone with it.
    expect(server.pm().content.content.slice(1).map((n) => n.textContent)).toEqual(['Customers want offline and sync', ' mode', IDEA_2])
    // Every surviving word of the customer's is in the contribution it was written into.
    expect(texts()).toEqual(['Customers want offline and sync\n mode', IDEA_2])
  })

  it('another customer typing next to a contribution starts their own', () => {
    pass()
    const other = new Client(server, 'cust-2')
    other.type(' please', { after: 'offline mode' })
    other.type('Hey: ', 3)
    const list = pass()
    expect(list.map((r) => [r.participantId, r.excerpt])).toEqual([
      ['cust-1', IDEA_1],
      ['cust-1', IDEA_2],
      ['cust-2', 'Hey:  please'] // one sitting in one block (rule 4b)
    ])
    // Between someone else's words and their own, a customer extends their own.
    cust.type('Really, ', { after: 'Hey: ' })
    expect(pass()).toHaveLength(3)
    expect(texts()).toEqual(['Really, ' + IDEA_1, IDEA_2, 'Hey:  please'])
  })
})

describe('contributions: a team member restructures', () => {
  let ids: string[]
  beforeEach(() => {
    ids = pass().map((r) => r.id)
  })
  const same = (expected: string[] = [IDEA_1, IDEA_2]): void => {
    expect(pass().map((r) => r.id)).toEqual(ids)
    expect(texts()).toEqual(expected)
  }

  it('split, join, heading, list wrap and lift', () => {
    team.edit((tr, doc) => tr.split(posAfter(doc, 'offline')))
    same(['Customers want offline\n mode', IDEA_2])
    team.edit((tr, doc) => tr.join(posAfter(doc, 'offline') + 1))
    same()
    team.edit((tr, doc) => tr.setBlockType(posOf(doc, 'Export'), posAfter(doc, 'PDF'), schema.nodes.heading, { level: 2 }))
    same()
    team.edit((tr, doc) => {
      const range = doc.resolve(posOf(doc, 'Customers')).blockRange(doc.resolve(posAfter(doc, 'mode')))!
      tr.wrap(range, findWrapping(range, schema.nodes.bullet_list)!)
    })
    same()
    team.edit((tr, doc) => {
      const range = doc.resolve(posOf(doc, 'Customers')).blockRange(doc.resolve(posAfter(doc, 'mode')))!
      tr.lift(range, liftTarget(range)!)
    })
    same()
  })

  it('drag-and-drop a block, cut and paste, undo and redo', () => {
    team.edit((tr, doc) => {
      const from = posOf(doc, 'Customers') - 1
      const node = doc.nodeAt(from)!
      tr.delete(from, from + node.nodeSize)
      tr.insert(tr.doc.content.size, node)
    })
    expect(server.pm().child(2).textContent).toBe(IDEA_1)
    same()
    team.edit((tr, doc) => tr.delete(posOf(doc, ' offline mode'), posAfter(doc, ' offline mode')))
    same(['Customers want', IDEA_2])
    team.edit((tr, doc) => tr.insert(posAfter(doc, 'as PDF'), schema.text(' offline mode')))
    // Pieces in different blocks are joined by a line break, in document order.
    same([' offline mode\nCustomers want', IDEA_2])
    team.undo()
    same(['Customers want', IDEA_2])
    team.undo()
    same()
    team.undo()
    expect(server.pm().child(1).textContent).toBe(IDEA_1)
    same()
    team.redo()
    team.redo()
    same(['Customers want', IDEA_2])
    team.redo()
    same([' offline mode\nCustomers want', IDEA_2])
  })
})

describe('facts carry origins', () => {
  it('round-trip through version 3 facts and a restart', () => {
    pass()
    team.edit((tr, doc) => tr.split(posAfter(doc, 'offline')))
    const before = texts()
    expect(before).toEqual(['Customers want offline\n mode', IDEA_2])
    server.restart()
    const reloaded = new ContributionTracker('spec-1', directory)
    reloaded.load(tracker.list())
    const t = reloaded.texts(server.doc, server.engine.authors)
    expect(reloaded.list().map((r) => t.get(r.id))).toEqual(before)
    const facts = server.engine.snapshotFacts()
    expect(facts.ranges.some((r) => r.origin !== undefined)).toBe(true)
    expect(decodeFacts(encodeFacts(facts))).toEqual(facts)
    expect(AttributionEngine.fold([encodeFacts(facts)])).toEqual(encodeFacts(facts))
  })
})

describe('facts of version 2', () => {
  it('are read as ranges that are their own origin', () => {
    const e = encoding.createEncoder()
    for (const n of [2, 1]) encoding.writeVarUint(e, n) // version 2, one name
    encoding.writeVarString(e, 'cust-1')
    for (const n of [1, 7, 0]) encoding.writeVarUint(e, n) // one binding: client 7 → name 0
    for (const n of [1, 7, 1, 0, 5, 1, 1]) encoding.writeVarUint(e, n) // client 7: one range 0..5
    for (const n of [0, 0]) encoding.writeVarUint(e, n) // no recent, no consumed
    const facts = decodeFacts(encoding.toUint8Array(e))
    expect(facts.ranges).toEqual([{ client: 7, clock: 0, len: 5, author: 'cust-1', mover: 'cust-1' }])
    const engine = AttributionEngine.load([encoding.toUint8Array(e)])
    expect(engine.authors.originAt(7, 3)).toEqual({ client: 7, clock: 3 })
  })
})
