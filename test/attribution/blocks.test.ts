/**
 * Per-block attribution: block kinds and paths, runs that map onto ProseMirror text, labels,
 * and a 2,000-block spec.
 */
import { describe, expect, it } from 'vitest'
import type { Node as PMNode } from 'prosemirror-model'
import { schema } from '../../shared/schema.js'
import { labelOf, customerShareOf } from '../../shared/attribution.js'
import { matchText, UNKNOWN, type PoolSegment } from '../../server/attribution/index.js'
import { Client, Server, piecesOf } from './harness.js'

const s = schema.nodes
const p = (text: string): PMNode => s.paragraph.create(null, text ? schema.text(text) : null)

describe('block kinds', () => {
  it('lists per item (nested too), quotes, code, headings, marks and hard breaks', () => {
    const server = new Server()
    const cust = new Client(server, 'cust-1')
    const team = new Client(server, 'team-1')
    cust.edit((tr, doc) => {
      tr.replaceWith(0, doc.content.size, [
        s.title.create(null, schema.text('Offline')),
        s.heading.create({ level: 1 }, schema.text('Goals')),
        s.paragraph.create(null, [
          schema.text('Work '),
          schema.text('without', [schema.marks.strong.create()]),
          s.hard_break.create(),
          schema.text('network')
        ]),
        s.bullet_list.create(null, [
          s.list_item.create(null, [p('first'), s.bullet_list.create(null, [s.list_item.create(null, p('nested'))])]),
          s.list_item.create(null, p('second'))
        ]),
        s.blockquote.create(null, [p('quoted one'), p('quoted two')]),
        s.code_block.create(null, schema.text('sync()')),
        s.horizontal_rule.create(),
        p('')
      ])
    })
    team.type(' now', server.pm().resolve(0).posAtIndex(0) + 'Offline'.length + 1)
    const a = server.attribution()
    expect(a.blocks.map((b) => [b.type, b.path.join('.'), b.excerpt])).toEqual([
      ['title', '0', 'Offline now'],
      ['heading', '1', 'Goals'],
      ['paragraph', '2', 'Work withoutnetwork'],
      ['list_item', '3.0', 'first'],
      ['list_item', '3.0.1.0', 'nested'],
      ['list_item', '3.1', 'second'],
      ['blockquote', '4', 'quoted onequoted two'],
      ['code_block', '5', 'sync()'],
      ['paragraph', '7', '']
    ])
    const doc = server.pm()
    for (const b of a.blocks) piecesOf(doc, b) // throws if runs do not cover the block's text
    expect(a.blocks[0]!.label).toBe('mixed')
    expect(a.blocks[8]).toMatchObject({ label: 'none', length: 0, firstAuthorId: null, customerShare: 0, runs: [] })
    expect(a.totals).toEqual({ customer: 'OfflineGoalsWork withoutnetworkfirstnestedsecondquoted onequoted twosync()'.length, team: 4, unknown: 0 })
  })

  it('labels and shares', () => {
    expect(labelOf({ customer: 10, team: 0, unknown: 3 })).toBe('customer')
    expect(labelOf({ customer: 0, team: 1, unknown: 0 })).toBe('team')
    expect(labelOf({ customer: 99, team: 1, unknown: 0 })).toBe('mixed')
    expect(labelOf({ customer: 0, team: 0, unknown: 5 })).toBe('none')
    expect(customerShareOf({ customer: 3, team: 1, unknown: 100 })).toBe(0.75)
    expect(customerShareOf({ customer: 0, team: 0, unknown: 0 })).toBe(0)
  })

  it('unknown participants and text from before attribution count as unknown', () => {
    const server = new Server()
    const stranger = new Client(server, 'someone-not-in-directory')
    stranger.type('hello', 3)
    const b = server.attribution().blocks[1]!
    expect(b.byGroup).toEqual({ customer: 0, team: 0, unknown: 5 })
    expect(b.contributors[0]).toMatchObject({ participantId: 'someone-not-in-directory', displayName: 'someone-not-in-directory', role: null, group: null })
    expect(server.engine.compute(server.doc, new Map()).blocks[1]!.label).toBe('none')
  })
})

describe('matchText', () => {
  const pool = (...texts: Array<[string, number]>): PoolSegment[] =>
    texts.map(([text, author]) => ({ text, authors: new Int32Array(text.length).fill(author), consumed: new Uint8Array(text.length) }))
  const run = (targets: string[], segs: PoolSegment[], minMatch?: number): number[][] => {
    const assigned = targets.map((t) => new Int32Array(t.length).fill(-1))
    matchText(targets, assigned, segs, { minMatch })
    return assigned.map((a) => [...a])
  }

  it('matches whole runs of any length, each deleted character once', () => {
    expect(run(['e.', 'e.'], pool(['e.', 7]))).toEqual([[7, 7], [-1, -1]])
  })

  it('matches moved pieces inside new text, not short coincidences', () => {
    const [a] = run(['NEW offline mode NEW'], pool(['we want offline mode and more', 3]))
    expect(a!.map((x) => (x === 3 ? 'c' : '.')).join('')).toBe('...' + 'c'.repeat(' offline mode '.length) + '...')
    const [b] = run(['the cat'], pool(['the dog', 3]))
    expect(b).toEqual(new Array(7).fill(-1))
  })

  it('keeps unknown authors as unknown', () => {
    expect(run(['abc'], pool(['abc', UNKNOWN]))).toEqual([[0, 0, 0]])
  })
})

describe('a 2,000-block spec', () => {
  it('computes every block correctly (timing is reported, not asserted)', () => {
    const server = new Server()
    const cust = new Client(server, 'cust-1')
    const team = new Client(server, 'team-1')
    const blocks = (who: string, n: number): PMNode[] =>
      Array.from({ length: n }, (_, i) => p(`${who} idea ${i}: customers want offline mode, dark theme and an export to PDF for every spec.`))
    cust.edit((tr, doc) => tr.replaceWith(doc.content.size - p('').nodeSize, doc.content.size, blocks('Customer', 1000)))
    team.edit((tr, doc) => tr.insert(doc.content.size, blocks('Team', 1000)))
    // The team edits every tenth customer block: appends a remark.
    team.edit((tr, doc) => {
      let k = 0
      doc.forEach((node, offset) => {
        if (node.textContent.startsWith('Customer') && k++ % 10 === 0) tr.insert(tr.mapping.map(offset + node.nodeSize - 1), schema.text(' (team: yes)'))
      })
    })
    const first = performance.now()
    let a = server.attribution()
    const cold = performance.now() - first
    const times: number[] = []
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now()
      a = server.attribution()
      times.push(performance.now() - t0)
    }
    times.sort((x, y) => x - y)
    console.log(`attribution of ${a.blocks.length - 1} blocks: cold ${cold.toFixed(1)} ms, warm median ${times[15]!.toFixed(2)} ms, min ${times[0]!.toFixed(2)} ms`)
    expect(a.blocks).toHaveLength(2001)
    const labels = a.blocks.slice(1).map((b) => b.label)
    expect(labels.filter((l) => l === 'mixed')).toHaveLength(100)
    expect(labels.filter((l) => l === 'customer')).toHaveLength(900)
    expect(labels.filter((l) => l === 'team')).toHaveLength(1000)
    const doc = server.pm()
    expect(piecesOf(doc, a.blocks[1]!)).toEqual([[doc.child(1).textContent.replace(' (team: yes)', ''), 'cust-1'], [' (team: yes)', 'team-1']])
    expect(piecesOf(doc, a.blocks[2000]!)).toEqual([[doc.child(2000).textContent, 'team-1']])
  })
})
