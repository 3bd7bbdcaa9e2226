/**
 * Removal capture and restore on a Y.Doc with the attribution engine, no server: what a removal
 * records of deleted blocks and words (removals.ts rules 1-3 and 5), and where restore.ts puts
 * them back (its rules 1-2: into a surviving block, else as a block of its type where the old
 * one was), credited to the author by the engine's rule 6.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { Transform } from 'prosemirror-transform'
import { updateYFragment } from 'y-prosemirror'
import { emptySpecUpdate, FRAGMENT_NAME, schema } from '../../shared/schema.js'
import { AttributionEngine } from '../../server/attribution/index.js'
import { captureRemovals, removalText, type CapturedRemoval, type RemovalRecord } from '../../server/review/removals.js'
import { restoreRemoval } from '../../server/review/restore.js'
import { pmDoc, posOf } from '../helpers/pm-edit.js'

const CARLA = 'carla'
const TOM = 'tom'

/** A doc whose transactions name their participant as origin, with the engine and a capture. */
function setup() {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, emptySpecUpdate())
  const engine = new AttributionEngine()
  engine.attach(doc, (o) => (o === CARLA || o === TOM ? o : null))
  const captured: CapturedRemoval[] = []
  doc.on('afterTransaction', (tr: Y.Transaction) => {
    const report = engine.takeDeletions(tr)
    if (report !== null) captured.push(...captureRemovals(doc, engine, report, () => 'c1-0'))
  })
  const edit = (who: string, fn: (tr: Transform) => void): void => {
    const tr = new Transform(pmDoc(doc))
    fn(tr)
    doc.transact(() => updateYFragment(doc, doc.getXmlFragment(FRAGMENT_NAME), tr.doc, { mapping: new Map(), isOMark: new Map() }), who)
  }
  const restore = (c: CapturedRemoval): void => {
    const record: RemovalRecord = {
      specId: 's', id: 'r1', contributionId: c.contributionId, text: removalText(c.pieces), authorId: c.authorId, authorRole: 'customer',
      removedBy: c.removedBy, removedByRole: 'team', removedAt: new Date().toISOString(), origins: c.origins, pieces: c.pieces,
      status: 'open', restoredBy: null, restoredByRole: null, restoredAt: null
    }
    restoreRemoval(doc, engine, record, TOM, { source: 'restore' })
  }
  const customerChars = (): number => {
    const directory = new Map([[CARLA, { displayName: 'Carla', role: 'customer' as const }], [TOM, { displayName: 'Tom', role: 'team' as const }]])
    return engine.compute(doc, directory).blocks.reduce((n, b) => n + b.byGroup.customer, 0)
  }
  return { doc, engine, captured, edit, restore, customerChars }
}

/** Top-level blocks as `type: text`. */
const outline = (doc: Y.Doc): string[] => {
  const out: string[] = []
  pmDoc(doc).forEach((n) => out.push(`${n.type.name}${n.attrs.level ? n.attrs.level : ''}: ${n.textContent}`))
  return out
}

const block = (doc: Y.Doc, text: string): [number, number] => {
  const $pos = pmDoc(doc).resolve(posOf(pmDoc(doc), text))
  return [$pos.before(1), $pos.after(1)]
}

describe('removal capture and restore', () => {
  it('a deleted heading comes back as that heading at its place, credited to its author', () => {
    const { doc, captured, edit, restore, customerChars } = setup()
    edit(CARLA, (tr) => {
      tr.insert(3, schema.text('Intro'))
      tr.insert(tr.doc.content.size, schema.nodes.heading.create({ level: 2 }, schema.text('Offline mode')))
      tr.insert(tr.doc.content.size, schema.nodes.paragraph.create(null, schema.text('Export PDF')))
    })
    const written = customerChars()
    edit(TOM, (tr) => tr.delete(...block(doc, 'Offline')))
    expect(captured.map((c) => [c.authorId, c.removedBy, removalText(c.pieces)])).toEqual([[CARLA, TOM, 'Offline mode']])
    expect(captured[0]!.pieces[0]!.place).toMatchObject({ inText: null, blockType: 'heading', level: 2 })
    restore(captured[0]!)
    expect(outline(doc).slice(1)).toEqual(['paragraph: Intro', 'heading2: Offline mode', 'paragraph: Export PDF'])
    expect(customerChars()).toBe(written)
  })

  it('words deleted from a surviving block go back into it; own words and moves are no removal', () => {
    const { doc, captured, edit, restore } = setup()
    edit(CARLA, (tr) => tr.insert(3, schema.text('Customers want offline mode today')))
    edit(CARLA, (tr) => tr.delete(posOf(tr.doc, ' today'), posOf(tr.doc, ' today') + 6))
    edit(TOM, (tr) => tr.split(posOf(tr.doc, ' offline')))
    expect(captured).toEqual([])
    edit(TOM, (tr) => tr.delete(posOf(tr.doc, 'want'), posOf(tr.doc, 'want') + 5))
    expect(captured.map((c) => removalText(c.pieces).trim())).toEqual(['want'])
    expect(captured[0]!.pieces[0]!.place.inText).not.toBeNull()
    restore(captured[0]!)
    expect(outline(doc).slice(1)).toEqual(['paragraph: Customers want', 'paragraph:  offline mode'])
  })

  it('a deleted list item comes back as a paragraph where its list was', () => {
    const { doc, captured, edit, restore } = setup()
    edit(CARLA, (tr) => {
      tr.insert(3, schema.text('Intro'))
      const item = schema.nodes.list_item.create(null, schema.nodes.paragraph.create(null, schema.text('Dark theme')))
      tr.insert(tr.doc.content.size, schema.nodes.bullet_list.create(null, item))
      tr.insert(tr.doc.content.size, schema.nodes.paragraph.create(null, schema.text('Outro')))
    })
    edit(TOM, (tr) => tr.delete(...block(doc, 'Dark')))
    expect(captured.map((c) => removalText(c.pieces))).toEqual(['Dark theme'])
    restore(captured[0]!)
    expect(outline(doc).slice(1)).toEqual(['paragraph: Intro', 'paragraph: Dark theme', 'paragraph: Outro'])
  })
})
