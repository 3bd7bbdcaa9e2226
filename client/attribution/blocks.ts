/**
 * The blocks of the local ProseMirror document, enumerated exactly as the server enumerates them
 * (`server/attribution/blocks.ts`): the title, each top-level paragraph, heading, code block and
 * blockquote, and every list item (nested ones too), in document order. A list item's or a
 * quote's own paragraphs are part of it, not blocks of their own; nested lists are not.
 */
import type { Node } from 'prosemirror-model'
import type { ResolvedPos } from 'prosemirror-model'
import { EXCERPT_LENGTH, type AttributedBlockType } from '../../shared/attribution.js'
import { NodeName } from '../../shared/schema.js'

/** A block of the local document. */
export interface LocalBlock {
  readonly type: AttributedBlockType
  /** Position before the block node. */
  readonly pos: number
  readonly node: Node
  /** Child indexes from the doc to the node (same convention as `BlockAttribution.path`). */
  readonly path: readonly number[]
}

const TOP_LEVEL: ReadonlySet<string> = new Set([
  NodeName.title,
  NodeName.paragraph,
  NodeName.heading,
  NodeName.codeBlock,
  NodeName.blockquote
])

/** True for `bullet_list` and `ordered_list`. */
export const isList = (node: Node): boolean =>
  node.type.name === NodeName.bulletList || node.type.name === NodeName.orderedList

/** True if `node`, a child of `parent`, is an attributed block. */
export const isAttributedBlock = (node: Node, parent: Node): boolean =>
  node.type.name === NodeName.listItem || (parent.type.name === NodeName.doc && TOP_LEVEL.has(node.type.name))

/** All blocks of `doc` in document order. */
export const localBlocks = (doc: Node): LocalBlock[] => {
  const blocks: LocalBlock[] = []
  const walk = (parent: Node, start: number, path: number[]): void => {
    parent.forEach((child, offset, index) => {
      const pos = start + offset
      const childPath = [...path, index]
      if (isAttributedBlock(child, parent)) {
        blocks.push({ type: child.type.name as AttributedBlockType, pos, node: child, path: childPath })
      }
      // Only lists and list items / quotes can hold further blocks; textblocks never do.
      if (!child.isTextblock && !child.isLeaf) walk(child, pos + 1, childPath)
    })
  }
  walk(doc, 0, [])
  return blocks
}

/**
 * Calls `f(text, pos)` for every text node of a block, in order, skipping nested lists (their
 * items are blocks of their own). `pos` is the document position of the text node.
 */
export const forEachBlockText = (block: Node, blockPos: number, f: (text: string, pos: number) => void): void => {
  const walk = (node: Node, start: number): void => {
    node.forEach((child, offset) => {
      const pos = start + offset
      if (child.isText) f(child.text ?? '', pos)
      else if (!child.isLeaf && !isList(child)) walk(child, pos + 1)
    })
  }
  walk(block, blockPos + 1)
}

/** Number of text characters of a block as the server counts them (UTF-16 units). */
export const blockTextLength = (block: Node): number => {
  let length = 0
  forEachBlockText(block, 0, (text) => (length += text.length))
  return length
}

/** The block's excerpt as the server would write it (first 120 characters, "…" if cut). */
export const blockExcerpt = (block: Node): string => {
  let text = ''
  const walk = (node: Node): boolean => {
    let more = true
    node.forEach((child) => {
      if (!more) return
      if (child.isText) {
        text += child.text ?? ''
        if (text.length > EXCERPT_LENGTH) more = false
      } else if (!child.isLeaf && !isList(child)) more = walk(child)
    })
    return more
  }
  walk(block)
  return text.length > EXCERPT_LENGTH ? `${text.slice(0, EXCERPT_LENGTH)}…` : text
}

/** Position before the innermost attributed block around `$pos`, or null (e.g. in a rule). */
export const blockPosAround = ($pos: ResolvedPos): number | null => {
  for (let depth = $pos.depth; depth > 0; depth--) {
    if (isAttributedBlock($pos.node(depth), $pos.node(depth - 1))) return $pos.before(depth)
  }
  return null
}
