/**
 * Attribution facts persist with each update (delta) and fold into snapshots; a restarted
 * server computes the same attribution and still honours recent cuts.
 */
import { describe, expect, it } from 'vitest'
import { schema } from '../../shared/schema.js'
import { AttributionEngine, FactsDecodeError, decodeFacts, encodeFacts } from '../../server/attribution/index.js'
import { Client, Server, posAfter, posOf } from './harness.js'

const SENTENCE = 'Customers want offline mode and dark theme'

function scenario(): { server: Server; cust: Client; team: Client } {
  const server = new Server()
  const cust = new Client(server, 'cust-1')
  const team = new Client(server, 'team-1')
  cust.type(SENTENCE, 3)
  team.edit((tr, doc) => tr.split(posAfter(doc, 'mode')))
  team.type(' for engineers', { after: 'theme' })
  team.edit((tr, doc) => tr.setBlockType(posOf(doc, 'Customers'), posAfter(doc, 'mode'), schema.nodes.heading, { level: 2 }))
  return { server, cust, team }
}

describe('persistence of attribution facts', () => {
  it('every text-changing update carries a small delta in the same write', () => {
    const { server } = scenario()
    expect(server.log.length).toBeGreaterThan(0)
    for (const { facts } of server.log) expect(facts).not.toBeNull()
    const typing = server.log[server.log.length - 2]!.facts!
    expect(typing.length).toBeLessThan(64)
    const decoded = decodeFacts(typing)
    expect(encodeFacts(decoded)).toEqual(typing)
  })

  it('snapshot round trip, and deltas folded into a snapshot, give the same attribution', () => {
    const { server } = scenario()
    const live = server.attribution()
    const snapshot = server.engine.encode()
    const reloaded = AttributionEngine.load([snapshot])
    expect(reloaded.compute(server.doc, new Map())).toEqual(server.engine.compute(server.doc, new Map()))
    expect(reloaded.encode()).toEqual(snapshot)
    const deltas = server.log.flatMap((e) => (e.facts ? [e.facts] : []))
    const fromDeltas = AttributionEngine.load(deltas)
    expect(fromDeltas.encode()).toEqual(snapshot)
    // Compaction: a snapshot of the first half + the remaining deltas.
    const half = Math.floor(deltas.length / 2)
    const folded = AttributionEngine.fold([AttributionEngine.fold(deltas.slice(0, half)), ...deltas.slice(half)])
    expect(folded).toEqual(snapshot)
    expect(live.blocks.map((b) => b.label)).toEqual(['none', 'customer', 'mixed'])
  })

  it('survives a restart: same attribution, and a cut before it is pasted after it', () => {
    const { server, team } = scenario()
    const before = server.authored()
    team.edit((tr, doc) => tr.delete(posOf(doc, ' and dark theme'), posAfter(doc, ' and dark theme')))
    server.restart()
    expect(server.authored().slice(0, 2)).toEqual(before.slice(0, 2))
    server.now += 60_000
    team.type(' and dark theme', { after: 'mode' })
    // The cut took "and dark theme" plus the team's space before "for" (y-prosemirror's diff
    // keeps the first space in place); the paste re-uses exactly those characters.
    expect(server.authorsOf('Customers want offline mode and dark theme')).toEqual([
      ['Customers want offline mode', 'cust-1'],
      [' ', 'team-1'],
      ['and dark theme', 'cust-1']
    ])
    expect(server.authorsOf(' for engineers')).toEqual([[' ', 'cust-1'], ['for engineers', 'team-1']])
  })

  it('expired recent deletions are dropped from snapshots', () => {
    const { server, team } = scenario()
    team.edit((tr, doc) => tr.delete(posOf(doc, ' and dark theme'), posAfter(doc, ' and dark theme')))
    expect(decodeFacts(server.engine.encode()).recent).toHaveLength(1)
    server.now += 10 * 60 * 1000 + 1
    expect(decodeFacts(server.engine.encode()).recent).toHaveLength(0)
  })

  it('refuses malformed facts with a typed error', () => {
    expect(() => decodeFacts(new Uint8Array([9]))).toThrow(FactsDecodeError)
    expect(() => decodeFacts(new Uint8Array([1, 5]))).toThrow(FactsDecodeError)
    const good = encodeFacts({ bindings: [{ clientID: 5, participantId: 'a' }], ranges: [], recent: [], consumed: [] })
    expect(() => decodeFacts(new Uint8Array([...good, 0]))).toThrow(FactsDecodeError)
    expect(decodeFacts(good).bindings).toEqual([{ clientID: 5, participantId: 'a' }])
  })
})
