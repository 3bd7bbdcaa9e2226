/**
 * Seeded ProseMirror edits for the network-fault run: words typed, ranges deleted, marks
 * toggled and paragraphs split, inside the spec's paragraphs (never the title). No joins: a
 * known, separate bug (test/fuzz/convergence.test.ts, KNOWN_FAILURES) makes concurrent joins
 * leave a document the schema refuses, which is not what this suite is about.
 */
import * as prng from 'lib0/prng'
import { Transform } from 'prosemirror-transform'
import type { Node as PMNode } from 'prosemirror-model'
import { schema } from '../../shared/schema.js'

const WORDS = ['offline', 'mode', 'export', 'customers', 'want', 'sync', 'dark', ' ', ' ', '.']

/** One seeded edit of `doc`, or null when there is nowhere to make one. */
export function randomPmEdit(gen: prng.PRNG, doc: PMNode): { tr: Transform; op: string } | null {
  const blocks: Array<{ from: number; to: number }> = []
  doc.descendants((node, pos) => {
    if (node.isTextblock && node.type.name !== 'title') blocks.push({ from: pos + 1, to: pos + 1 + node.content.size })
    return !node.isTextblock
  })
  if (blocks.length === 0) return null
  const block = prng.oneOf(gen, blocks)
  const tr = new Transform(doc)
  const kind = prng.uint32(gen, 0, 9)
  if (kind <= 5 || block.to === block.from) {
    const at = prng.uint32(gen, block.from, block.to)
    const word = prng.oneOf(gen, WORDS)
    tr.insert(at, schema.text(word))
    return { tr, op: `insert ${JSON.stringify(word)} @${at}` }
  }
  const from = prng.uint32(gen, block.from, block.to - 1)
  if (kind <= 7) {
    const to = prng.uint32(gen, from + 1, Math.min(block.to, from + 8))
    tr.delete(from, to)
    return { tr, op: `delete ${from}-${to}` }
  }
  if (kind === 8) {
    const to = prng.uint32(gen, from + 1, block.to)
    const mark = prng.bool(gen) ? schema.marks.strong : schema.marks.em
    if (prng.bool(gen)) tr.addMark(from, to, mark.create())
    else tr.removeMark(from, to, mark)
    return { tr, op: `${mark.name} ${from}-${to}` }
  }
  tr.split(from)
  return { tr, op: `split @${from}` }
}
