/**
 * Who moved others' words, and when (issue 9 item 7): a block's `movers` name each participant
 * who moved characters of it that they did not write, with the server clock's time of their last
 * move. The time is kept in the author map and in facts version 4, survives folding and a
 * restart, reads as unknown from older facts, and costs typing nothing.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { AttributionEngine, decodeFacts, encodeFacts, FACTS_VERSION } from '../../server/attribution/index.js'
import { ParticipantAliases } from '../../server/identity/aliases.js'
import type { BlockAttribution } from '../../shared/attribution.js'
import { FRAGMENT_NAME } from '../../shared/schema.js'
import { Client, DIRECTORY, Server, posAfter, posOf } from './harness.js'

const SENTENCE = 'Customers want offline mode and dark theme'
const T0 = Date.parse('2026-12-02T10:00:00.000Z')

/** A customer types the sentence at T0; the team splits it after "mode" 90.4 s later. */
function splitScenario(options = {}): { server: Server; cust: Client; team: Client } {
  const server = new Server(options)
  server.now = T0
  const cust = new Client(server, 'cust-1')
  const team = new Client(server, 'team-1')
  cust.type(SENTENCE, 3)
  server.now = T0 + 90_400
  team.edit((tr, doc) => tr.split(posAfter(doc, 'mode')))
  return { server, cust, team }
}

const blockWith = (server: Server, text: string): BlockAttribution => {
  const block = server.attribution().blocks.find((b) => b.excerpt.includes(text))
  if (block === undefined) throw new Error(`no block holds ${JSON.stringify(text)}`)
  return block
}

/** [participantId, chars, lastMovedAt] of a block's movers. */
const moversOf = (block: BlockAttribution): Array<[string, number, string | null]> => block.movers.map((m) => [m.participantId, m.chars, m.lastMovedAt])

describe('movers: who moved others\' words in a block, and when', () => {
  it('a team member splits a customer\'s sentence: named with the engine clock\'s time; the author stays', () => {
    const { server } = splitScenario()
    const moved = blockWith(server, 'and dark theme')
    // The split re-inserts " and dark theme" in a new paragraph: moved by the team, to the second.
    expect(moved.movers).toEqual([
      { participantId: 'team-1', displayName: 'Tom Team', role: 'team', group: 'team', chars: ' and dark theme'.length, lastMovedAt: '2026-12-02T10:01:30.000Z' }
    ])
    expect(moved.contributors.map((c) => [c.participantId, c.chars])).toEqual([['cust-1', ' and dark theme'.length]])
    expect(moved.label).toBe('customer')
    // The part that stayed in place was not moved.
    expect(blockWith(server, 'Customers want').movers).toEqual([])
  })

  it('typing, and moving one\'s own words, name no mover and record no time', () => {
    const server = new Server()
    server.now = T0
    const cust = new Client(server, 'cust-1')
    cust.type(SENTENCE, 3)
    cust.edit((tr, doc) => tr.split(posAfter(doc, 'mode')))
    for (const b of server.attribution().blocks) expect(b.movers).toEqual([])
    for (const { facts } of server.log) for (const r of decodeFacts(facts!).ranges) expect(r.movedAt).toBeUndefined()
    // A keystroke's delta is version 3's bytes but for the version number.
    const typing = server.log[0]!.facts!
    expect(typing[0]).toBe(FACTS_VERSION)
    expect(decodeFacts(Uint8Array.of(3, ...typing.subarray(1)))).toEqual(decodeFacts(typing))
  })

  it('a drag of a customer\'s paragraph names the dragger; moves by two people list both, latest first', () => {
    const server = new Server()
    server.now = T0
    const cust = new Client(server, 'cust-1')
    const team = new Client(server, 'team-1')
    const other = new Client(server, 'team-2')
    cust.type(SENTENCE, 3)
    cust.edit((tr, doc) => tr.split(doc.content.size - 1))
    cust.type('Export to PDF is a must', server.pm().content.size - 1)
    team.edit((tr, doc) => tr.split(doc.content.size - 1))
    team.type('We already have CSV exports', server.pm().content.size - 1)
    // Tom drags the customer's second paragraph below his own, a minute later.
    server.now = T0 + 60_000
    team.edit((tr, doc) => {
      const from = posOf(doc, 'Export to PDF') - 1
      const node = doc.nodeAt(from)!
      tr.delete(from, from + node.nodeSize)
      tr.insert(tr.doc.content.size, node)
    })
    expect(moversOf(blockWith(server, 'Export to PDF'))).toEqual([['team-1', 'Export to PDF is a must'.length, '2026-12-02T10:01:00.000Z']])
    expect(blockWith(server, 'Export to PDF').contributors.map((c) => c.participantId)).toEqual(['cust-1'])
    expect(blockWith(server, 'Customers want').movers).toEqual([])
    // Tom splits the first sentence; an hour later Tia drags " is a must" onto its second half.
    team.edit((tr, doc) => tr.split(posAfter(doc, 'mode')))
    server.now = T0 + 3_600_000
    other.edit((tr, doc) => {
      const from = posOf(doc, ' is a must')
      const words = doc.slice(from, from + ' is a must'.length).content
      tr.delete(from, from + ' is a must'.length)
      tr.insert(tr.mapping.map(posAfter(doc, 'dark theme')), words)
    })
    const both = blockWith(server, 'and dark theme')
    expect(both.excerpt).toBe(' and dark theme is a must')
    expect(moversOf(both)).toEqual([
      ['team-2', ' is a must'.length, '2026-12-02T11:00:00.000Z'],
      ['team-1', ' and dark theme'.length, '2026-12-02T10:01:00.000Z']
    ])
    expect(both.contributors.map((c) => [c.participantId, c.chars])).toEqual([['cust-1', both.length]])
  })

  it('facts version 4 round-trip the time; folding and a restart keep it', () => {
    const { server } = splitScenario()
    const live = server.attribution()
    const moved = server.log.flatMap((e) => decodeFacts(e.facts!).ranges.filter((r) => r.movedAt !== undefined))
    expect(moved.map((r) => r.movedAt)).toEqual([Math.floor((T0 + 90_400) / 1000)])
    const snapshot = server.engine.encode()
    expect(encodeFacts(decodeFacts(snapshot))).toEqual(snapshot)
    const deltas = server.log.map((e) => e.facts!)
    const folded = AttributionEngine.fold([AttributionEngine.fold(deltas.slice(0, 1)), ...deltas.slice(1)])
    expect(folded).toEqual(snapshot)
    expect(AttributionEngine.load([folded]).compute(server.doc, DIRECTORY)).toEqual(live)
    server.now += 86_400_000 // a day later: times are history, not "now"
    server.restart()
    expect(server.attribution()).toEqual(live)
    expect(blockWith(server, 'and dark theme').movers[0]?.lastMovedAt).toBe('2026-12-02T10:01:30.000Z')
  })

  it('version 3 facts still load, their moves with unknown times', () => {
    const { server } = splitScenario()
    // Version 3 of the same facts: no moved-at times, otherwise the same layout.
    const v4 = decodeFacts(server.engine.encode())
    const withoutTimes = { ...v4, ranges: v4.ranges.map(({ movedAt: _t, ...r }) => r) }
    const v3 = encodeFacts(withoutTimes)
    v3[0] = 3
    const old = AttributionEngine.load([v3])
    const moved = old.compute(server.doc, DIRECTORY).blocks.find((b) => b.excerpt.includes('and dark theme'))!
    expect(moved.movers).toEqual([expect.objectContaining({ participantId: 'team-1', chars: 15, lastMovedAt: null })])
    // Folding old facts invents no time; a version 3 blob cannot carry one.
    expect(decodeFacts(old.encode()).ranges.every((r) => r.movedAt === undefined)).toBe(true)
    expect(() => decodeFacts(Uint8Array.of(3, ...encodeFacts(v4).subarray(1)))).toThrow(/range flags/)
  })

  it('merged participants: a merged-away mover is named as the survivor; merged into the author, no mover', () => {
    const aliases = new ParticipantAliases()
    const { server } = splitScenario({ resolve: (id: string) => aliases.resolve(id) })
    aliases.add({ id: 'm1', panelId: 'p', fromId: 'team-1', intoId: 'team-2', by: 'team-2', at: '2026-12-02T12:00:00.000Z' })
    server.engine.refold()
    expect(moversOf(blockWith(server, 'and dark theme'))).toEqual([['team-2', 15, '2026-12-02T10:01:30.000Z']])
    server.restart()
    expect(moversOf(blockWith(server, 'and dark theme'))).toEqual([['team-2', 15, '2026-12-02T10:01:30.000Z']])
    // Had the mover been the author all along (merged into them), nobody moved others' words.
    aliases.add({ id: 'm2', panelId: 'p', fromId: 'team-2', intoId: 'cust-1', by: 'team-2', at: '2026-12-02T13:00:00.000Z' })
    server.engine.refold()
    expect(blockWith(server, 'and dark theme').movers).toEqual([])
  })

  it('a restore of removed words (engine rule 6) names the restorer, at the server clock\'s time', () => {
    const { server } = splitScenario()
    server.now = T0 + 7_200_000
    const origin = { source: 'restore' }
    const credit = (tr: Y.Transaction): void => {
      if (tr.origin === origin) server.engine.credit(tr, 'cust-1', 'team-2', [])
    }
    server.doc.on('afterTransaction', credit)
    server.doc.transact(() => {
      const p = new Y.XmlElement('paragraph')
      p.insert(0, [new Y.XmlText('Restored words')])
      server.doc.getXmlFragment(FRAGMENT_NAME).push([p])
    }, origin)
    server.doc.off('afterTransaction', credit)
    const restored = blockWith(server, 'Restored words')
    expect(moversOf(restored)).toEqual([['team-2', 'Restored words'.length, '2026-12-02T12:00:00.000Z']])
    expect(restored.contributors.map((c) => c.participantId)).toEqual(['cust-1'])
    expect(AttributionEngine.load([server.engine.encode()]).compute(server.doc, DIRECTORY)).toEqual(server.attribution())
  })
})
