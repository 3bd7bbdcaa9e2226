/**
 * Thread anchor rules [A1]-[A3] (server/review/thread-anchors.ts), scripted on bare Y.Docs:
 * what an anchor may point at, what a range holds, how the text of a thread is joined, and
 * that origins (the attribution engine's, here a stub) carry a thread onto re-inserted copies.
 */
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { absolutePositionToRelativePosition, initProseMirrorDoc } from 'y-prosemirror'
import { FRAGMENT_NAME, schema } from '../../shared/schema.js'
import { AnchorError, decodeRuns, DocIndex, encodeRuns, MAX_ANCHORED_CHARS, type OriginMap } from '../../server/review/thread-anchors.js'
import { editPm, writePm } from '../helpers/pm-edit.js'

const b64 = (rpos: Y.RelativePosition): string => Buffer.from(Y.encodeRelativePosition(rpos)).toString('base64')

/** A doc holding `paragraphs`, and the editor's anchor at a ProseMirror position. */
function specWith(...paragraphs: string[]): { doc: Y.Doc; at: (pos: number) => string } {
  const doc = new Y.Doc()
  writePm(doc, schema.node('doc', null, [schema.node('title'), ...paragraphs.map((p) => schema.node('paragraph', null, p ? [schema.text(p)] : []))]))
  const at = (pos: number): string => {
    const fragment = doc.getXmlFragment(FRAGMENT_NAME)
    return b64(absolutePositionToRelativePosition(pos, fragment, initProseMirrorDoc(fragment, schema).mapping))
  }
  return { doc, at }
}

const code = (fn: () => unknown): string | null => {
  try {
    fn()
    return null
  } catch (err) {
    return err instanceof AnchorError ? err.code : `not an AnchorError: ${String(err)}`
  }
}

describe('thread anchors: rules', () => {
  // Positions: title 0-1, first paragraph opens at 2, its text starts at 3.
  it('[A1] refuses anchors that do not decode or point outside the fragment', () => {
    const { doc, at } = specWith('offline mode')
    const index = new DocIndex(doc)
    const other = new Y.Doc()
    other.getText('notes').insert(0, 'elsewhere')
    const inOther = b64(Y.createRelativePositionFromTypeIndex(other.getText('notes'), 2))
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(other))
    const cases: Array<[string, string]> = [
      ['////', 'garbage'],
      [Buffer.alloc(65, 1).toString('base64'), 'too long'],
      [b64(new Y.RelativePosition(null, 'notes', null, 0)), 'another root type'],
      [inOther, 'text of another root type, same doc'],
      [b64(new Y.RelativePosition(null, null, Y.createID(987654, 3), 0)), 'an item the doc does not have']
    ]
    for (const [anchor, what] of cases) expect(code(() => index.range(anchor, at(8))), what).toBe('invalid_anchor')
    expect(index.range(at(3), at(10)).text).toBe('offline')
  })

  it('[A1] refuses an anchor inside a deleted block', () => {
    const { doc, at } = specWith('offline mode', 'dark theme')
    const inFirst = at(5)
    editPm(doc, (tr) => tr.delete(2, 16))
    expect(code(() => new DocIndex(doc).range(inFirst, at(8)))).toBe('invalid_anchor')
  })

  it('[A2] an empty or reversed range is empty_range; too many characters range_too_long', () => {
    const { doc, at } = specWith('offline mode', '')
    const index = new DocIndex(doc)
    expect(code(() => index.range(at(5), at(5)))).toBe('empty_range')
    expect(code(() => index.range(at(10), at(5)))).toBe('empty_range')
    // From the end of one block to the start of an empty one: no characters between.
    expect(code(() => index.range(at(15), at(17)))).toBe('empty_range')
    const long = specWith('x'.repeat(MAX_ANCHORED_CHARS + 1))
    expect(code(() => new DocIndex(long.doc).range(long.at(3), long.at(MAX_ANCHORED_CHARS + 4)))).toBe('range_too_long')
    expect(new DocIndex(long.doc).range(long.at(3), long.at(MAX_ANCHORED_CHARS + 3)).text).toHaveLength(MAX_ANCHORED_CHARS)
  })

  it('[A3] text across blocks is joined by a line break; typing inside the range is not part of it', () => {
    const { doc, at } = specWith('customers want offline mode', 'dark theme')
    const range = new DocIndex(doc).range(at(13), at(36))
    expect(range.text).toBe('want offline mode\ndark')
    const runs = decodeRuns(encodeRuns(range.runs))
    editPm(doc, (tr) => tr.insert(17, schema.text(' really')))
    expect(new DocIndex(doc).textOf(runs)).toEqual({ text: 'want offline mode\ndark', textRemoved: false })
    // Each block's words deleted in place (a join would let y-prosemirror's text diff keep a
    // matching character, which then is still the anchored one).
    editPm(doc, (tr) => tr.delete(39, 43).delete(3, 37))
    expect(new DocIndex(doc).textOf(runs)).toEqual({ text: '', textRemoved: true })
  })

  it('[A3] with an origin map, copies of the anchored characters carry the thread', () => {
    const { doc, at } = specWith('offline mode')
    const runs = new DocIndex(doc).range(at(3), at(10)).runs
    const first = doc.getXmlFragment(FRAGMENT_NAME).get(1) as Y.XmlElement
    const anchoredClient = runs[0]!.client
    const anchoredClock = runs[0]!.clock
    // Re-type the paragraph (what ProseMirror does on a join): new items, same words.
    editPm(doc, (tr) => tr.replaceWith(2, 16, schema.node('heading', { level: 2 }, [schema.text('offline mode')])))
    expect(first._item!.deleted).toBe(true)
    expect(new DocIndex(doc).textOf(runs).textRemoved).toBe(true)
    // An origin map saying the new characters are copies of the old ones, as the engine would.
    const heading = doc.getXmlFragment(FRAGMENT_NAME).get(1) as Y.XmlElement
    const text = heading.get(0) as Y.XmlText
    const copy = text._start!.id
    const origins: OriginMap = {
      forEachOrigin: (client, clock, len, fn) =>
        client === copy.client && clock >= copy.clock && clock < copy.clock + 12 ? fn(len, anchoredClient, anchoredClock + clock - copy.clock) : fn(len, client, clock)
    }
    expect(new DocIndex(doc, origins).textOf(runs)).toEqual({ text: 'offline', textRemoved: false })
  })
})
