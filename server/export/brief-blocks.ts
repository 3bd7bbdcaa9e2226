/**
 * ProseMirror helpers that read a spec the way attribution counts it (shared/attribution.ts
 * `BlockAttribution`): a block is the title, a paragraph, heading or code block, a list item
 * (its own text, not its nested lists', whose items are blocks of their own) or a blockquote (all
 * its text except nested lists). Its characters are its text nodes in document order, hard breaks
 * and block boundaries taking none.
 */
import type { Node as PMNode } from 'prosemirror-model'
import { NodeName } from '../../shared/schema.js'

const LISTS: ReadonlySet<string> = new Set([NodeName.bulletList, NodeName.orderedList])

/** True for bullet and ordered lists (their items are blocks of their own). */
export const isList = (node: PMNode): boolean => LISTS.has(node.type.name)

/** The node at `path` (child indexes from the doc), or null if there is none. */
export function nodeAtPath(doc: PMNode, path: readonly number[]): PMNode | null {
  let node: PMNode = doc
  for (const i of path) {
    if (i < 0 || i >= node.childCount) return null
    node = node.child(i)
  }
  return node
}

/** The text of `block` in attribution's run coordinates (nested lists skipped). */
export function blockText(block: PMNode): string {
  let out = ''
  block.descendants((node) => {
    if (isList(node)) return false
    if (node.isText) out += node.text
    return true
  })
  return out
}

/** The text of the block at `path` in run coordinates ('' if there is none). */
export function blockTextAt(doc: PMNode, path: readonly number[]): string {
  const node = nodeAtPath(doc, path)
  return node ? blockText(node) : ''
}

/** The block's text, for a heading's name in the appendix (whitespace collapsed). */
export const plainText = (node: PMNode): string => blockText(node).replace(/\s+/g, ' ').trim()
