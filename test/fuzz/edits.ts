/**
 * Random ProseMirror edits for the convergence fuzz: text inserts and deletes, marks, splits
 * and joins inside the spec's textblocks, drawn from a lib0/prng generator. Both fuzz files use
 * this one generator, so a pinned seed keeps drawing the same operations.
 */
import * as prng from 'lib0/prng'
import { Transform } from 'prosemirror-transform'
import type { Node as PMNode } from 'prosemirror-model'
import { schema } from '../../shared/schema.js'

const WORDS = ['offline', 'mode', 'dark', 'theme', 'export', 'customers', 'want', 'sync', ' ', ' ', '.']

/** Text positions inside textblocks (not the title) of `doc`. */
export function textblockRanges(doc: PMNode): Array<{ from: number; to: number }> {
  const ranges: Array<{ from: number; to: number }> = []
  doc.descendants((node, pos) => {
    if (node.isTextblock && node.type.name !== 'title') ranges.push({ from: pos + 1, to: pos + 1 + node.content.size })
    return !node.isTextblock
  })
  return ranges
}

/** One random ProseMirror edit; returns its name for the op log, or null if none applied. */
export function randomEdit(gen: prng.PRNG, doc: PMNode): { tr: Transform; op: string } | null {
  const tr = new Transform(doc)
  const blocks = textblockRanges(doc)
  if (blocks.length === 0) return null
  const block = prng.oneOf(gen, blocks)
  const pos = prng.uint32(gen, block.from, block.to)
  const kind = prng.uint32(gen, 0, 9)
  if (kind <= 4) {
    const word = prng.oneOf(gen, WORDS)
    tr.insert(pos, schema.text(word))
    return { tr, op: `insert ${JSON.stringify(word)} @${pos}` }
  }
  if (kind <= 6 && block.to > block.from) {
    const from = prng.uint32(gen, block.from, block.to - 1)
    const to = prng.uint32(gen, from + 1, Math.min(block.to, from + 6))
    tr.delete(from, to)
    return { tr, op: `delete ${from}-${to}` }
  }
  if (kind === 7 && block.to > block.from) {
    const from = prng.uint32(gen, block.from, block.to - 1)
    const to = prng.uint32(gen, from + 1, block.to)
    const mark = prng.bool(gen) ? schema.marks.strong : schema.marks.em
    if (prng.bool(gen)) tr.addMark(from, to, mark.create())
    else tr.removeMark(from, to, mark)
    return { tr, op: `mark ${mark.name} ${from}-${to}` }
  }
  if (kind === 8) {
    tr.split(pos)
    return { tr, op: `split @${pos}` }
  }
  // Join with the previous block where possible.
  const $pos = doc.resolve(block.from)
  const before = $pos.before()
  if (before > 0 && doc.resolve(before).nodeBefore?.isTextblock && doc.resolve(before).nodeBefore?.type.name !== 'title') {
    try {
      tr.join(before)
      return { tr, op: `join @${before}` }
    } catch {
      return null
    }
  }
  return null
}
