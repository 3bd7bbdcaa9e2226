/**
 * The brief model's rules (server/export/brief-body.ts [B1]-[B6], brief-names.ts) on a small
 * hand-made source: the content filter by contribution ranges, a list item that loses its own
 * text but keeps its nested items, unsafe links made plain text in every format, and anonymous
 * numbering by first appearance.
 */
import { describe, expect, it } from 'vitest'
import { customerShareOf, labelOf, type BlockAttribution, type SpecAttribution } from '../../shared/attribution.js'
import { exportOptions } from '../../shared/api-export.js'
import { buildBriefModel, filenameFrom } from '../../server/export/brief-model.js'
import type { ExportSource } from '../../server/export/export-types.js'
import { docxParts, htmlDom, render, text } from './read-export.js'

const ROLES: Record<string, 'team' | 'customer'> = { t1: 'team', a: 'customer', b: 'customer' }
const NAMES: Record<string, string> = { t1: 'Tom Team', a: 'Ada Customer', b: 'Bea Customer' }

function block(type: BlockAttribution['type'], path: number[], runs: [number, string][]): BlockAttribution {
  const length = runs.reduce((n, [l]) => n + l, 0)
  const byGroup = { customer: 0, team: 0, unknown: 0 }
  const per = new Map<string, number>()
  for (const [l, who] of runs) {
    byGroup[ROLES[who]!] += l
    per.set(who, (per.get(who) ?? 0) + l)
  }
  return {
    type,
    path,
    excerpt: '',
    length,
    firstAuthorId: runs[0]?.[1] ?? null,
    contributors: [...per].map(([id, chars]) => ({ participantId: id, displayName: NAMES[id]!, role: ROLES[id]!, group: ROLES[id]!, chars, share: chars / length })),
    byGroup,
    customerShare: customerShareOf(byGroup),
    label: labelOf(byGroup),
    runs: runs.map(([l, who]) => ({ length: l, authorId: who, moverId: who })),
    movers: []
  }
}

const p = (...content: object[]) => ({ type: 'paragraph', content })
const t = (text: string, marks?: object[]) => ({ type: 'text', text, ...(marks ? { marks } : {}) })

function source(): ExportSource {
  const blocks = [
    block('title', [0], [[5, 't1']]),
    block('paragraph', [1], [[6, 't1'], [5, 'b']]),
    block('list_item', [2, 0], [[14, 'a']]),
    block('list_item', [2, 0, 1, 0], [[9, 't1']]),
    block('paragraph', [3], [[5, 't1']])
  ]
  const totals = { customer: 19, team: 25, unknown: 0 }
  const attribution: SpecAttribution = { version: 1, blocks, totals, customerShare: customerShareOf(totals) }
  return {
    spec: { id: 's1', title: 'Brief', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' },
    versionLabel: 'Live document',
    exportedAt: '2026-12-02T10:00:00Z',
    facilitator: { id: 't1', displayName: 'Tom Team' },
    panels: [{ id: 'p1', name: 'Pilot' }],
    doc: {
      type: 'doc',
      content: [
        { type: 'title', content: [t('Brief')] },
        p(t('Hello '), t('world')),
        { type: 'bullet_list', content: [{ type: 'list_item', content: [p(t('undecided idea')), { type: 'bullet_list', content: [{ type: 'list_item', content: [p(t('team item'))] }] }] }] },
        p(t('click', [{ type: 'link', attrs: { href: 'javascript:alert(1)', title: null } }]))
      ]
    },
    attribution,
    participants: Object.keys(ROLES).map((id) => ({ id, displayName: NAMES[id]!, role: ROLES[id]!, panelIds: id === 't1' ? [] : ['p1'], email: id === 't1' ? null : `${id}@example.com` })),
    contributions: [
      { id: 'ka', authorId: 'a', text: 'undecided idea', state: 'new', note: null, decidedAt: null, ranges: [{ path: [2, 0], from: 0, to: 14 }] },
      { id: 'kb', authorId: 'b', text: 'world', state: 'planned', note: null, decidedAt: null, ranges: [{ path: [1], from: 6, to: 11 }] }
    ]
  }
}

describe('brief model', () => {
  it('content "accepted" keeps planned ideas and team text; an item losing its text keeps its nested items', () => {
    const model = buildBriefModel(source(), exportOptions.parse({ format: 'markdown', content: 'accepted' }))
    const json = JSON.stringify(model.body.doc.toJSON())
    expect(json).toContain('world') // planned
    expect(json).not.toContain('undecided idea')
    expect(model.body.doc.child(2).firstChild!.toJSON()).toEqual({
      type: 'list_item',
      content: [{ type: 'paragraph' }, { type: 'bullet_list', content: [{ type: 'list_item', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'team item' }] }] }] }]
    })
    expect(model.body.droppedChars).toBe(14)
    expect(model.body.list.map((n) => n.text)).toEqual(['Mixed · 45% customer', 'Team', 'Team'])
    // A title a customer typed (undecided) still names the brief and keeps its place.
    const s = source()
    ;(s.attribution.blocks as BlockAttribution[])[0] = block('title', [0], [[5, 'a']])
    const titled = buildBriefModel(s, exportOptions.parse({ format: 'markdown', content: 'accepted' }))
    expect(titled.body.doc.child(0).toJSON()).toEqual({ type: 'title', content: [{ type: 'text', text: 'Brief' }] })
    expect(titled.body.doc.child(1).textContent).toBe('Hello world')
  })

  it('an unsafe link becomes plain text in every format', async () => {
    const s = source()
    const md = text(await render(s, { format: 'markdown' }))
    expect(md).toContain('\nclick [^')
    expect(md).not.toContain('javascript')
    const html = htmlDom(text(await render(s, { format: 'html' })))
    expect(html.querySelectorAll('main a')).toHaveLength(0)
    expect(html.querySelector('main')!.textContent).toContain('click')
    const docx = docxParts((await render(s, { format: 'docx' })).bytes)
    expect(docx.get('word/document.xml')).not.toContain('w:hyperlink')
    expect([...docx.values()].join('')).not.toContain('javascript')
  })

  it('anonymous customers are numbered by first appearance, the same everywhere', () => {
    const model = buildBriefModel(source(), exportOptions.parse({ format: 'markdown', anonymise: true }))
    // Bea writes in the first paragraph, Ada in the list after it.
    expect(model.body.list[0]!.contributors.map((c) => c.name)).toEqual(['Tom Team', 'Customer 1'])
    expect(model.body.list[1]!.contributors.map((c) => c.name)).toEqual(['Customer 2'])
    const people = model.appendix!.attribution!.groups.flatMap((g) => g.people.map((x) => x.name))
    expect(people).toEqual(['Tom Team', 'Customer 2', 'Customer 1'])
    expect(model.creator).toBe('Valence')
  })

  it('anonymising finds a name typed across formatting changes, and keeps the marks around it', async () => {
    const s = source()
    const doc = s.doc as { content: object[] }
    const strong = [{ type: 'strong' }]
    // "Thanks, Ad**a Cust**omer and **a@example.com**!" (Ada's name split over three nodes).
    doc.content[4] = p(t('Thanks, Ad'), t('a Cust', strong), t('omer and '), t('a@example', strong), t('.com!'), { type: 'hard_break' }, t('Bea Customer'))
    const model = buildBriefModel(s, exportOptions.parse({ format: 'markdown', anonymise: true }))
    const last = model.body.doc.child(4)
    expect(last.textContent).toMatch(/^Thanks, Customer \d and Customer \d!Customer \d$/)
    expect(last.toJSON().content.slice(0, 3)).toEqual([
      { type: 'text', text: `Thanks, ${/Customer \d/.exec(last.textContent)![0]} and ` },
      { type: 'text', text: /and (Customer \d)/.exec(last.textContent)![1], marks: [{ type: 'strong' }] },
      { type: 'text', text: '!' }
    ])
    for (const format of ['markdown', 'html'] as const) {
      const out = text(await render(s, { format, anonymise: true })).replace(/<[^>]*>|\*\*/g, '')
      expect(out).not.toMatch(/ada|a@example/i)
    }
    // Positive control: the same readers find the split name when the export names people.
    const named = text(await render(s, { format: 'html' })).replace(/<[^>]*>/g, '')
    expect(named).toContain('Thanks, Ada Customer and a@example.com!')
  })

  it('file names keep no path or control characters', () => {
    expect(filenameFrom('../../etc/passwd')).toBe('.. etc passwd')
    expect(filenameFrom('a\u0000b:c*?"<>|')).toBe('a b c')
    expect(filenameFrom('   ')).toBe('brief')
  })
})
