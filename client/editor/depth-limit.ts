/**
 * Keeps local edits within the nesting depth the server admits.
 *
 * Why: the server refuses a whole update that nests elements deeper than MAX_NESTING_DEPTH
 * (close 4409, permanent: issue 7). Lists and quotes may nest without bound in the schema, so
 * without this plugin pressing Tab sixteen times in a list, or pasting a deeply quoted e-mail,
 * would disconnect the editor for good. Such a transaction is dropped instead, so the edit
 * simply does not happen.
 *
 * Cost: only the nodes around what the transaction changed are measured; a typing transaction
 * looks at one paragraph. Remote changes (y-prosemirror's own transactions) pass unchecked: the
 * server admitted them.
 */
import { Plugin, PluginKey, type Transaction } from 'prosemirror-state'
import type { Node as PMNode } from 'prosemirror-model'
import { ySyncPluginKey } from 'y-prosemirror'
import { MAX_NESTING_DEPTH } from '../../shared/schema.js'

/** Key of {@link depthLimitPlugin}. */
export const depthLimitKey = new PluginKey('depthLimit')

/**
 * True if `node`, at element depth `depth` (the doc is 0, its children 1), holds a non-text
 * node deeper than `limit`. Iterative, and it stops at the first offender.
 */
export function exceedsDepth(node: PMNode, depth: number, limit = MAX_NESTING_DEPTH): boolean {
  const stack: Array<[PMNode, number]> = [[node, depth]]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [current, d] = top
    if (d > limit) return true
    current.forEach((child) => {
      if (!child.isText) stack.push([child, d + 1])
    })
  }
  return false
}

/** True if `tr` makes the document nest deeper than `limit` around what it changed. */
export function nestsTooDeep(tr: Transaction, limit = MAX_NESTING_DEPTH): boolean {
  const positions: number[] = []
  tr.mapping.maps.forEach((map, i) => {
    const rest = tr.mapping.slice(i + 1)
    map.forEach((_oldStart, _oldEnd, newStart, newEnd) => {
      positions.push(rest.map(newStart, -1), rest.map(newEnd, 1))
    })
  })
  const seen = new Set<PMNode>()
  for (const pos of positions) {
    // The node around a changed position holds everything the step created or moved there
    // (a list item sunk into a new list is inside its previous sibling).
    const $pos = tr.doc.resolve(Math.min(Math.max(pos, 0), tr.doc.content.size))
    const parent = $pos.parent
    if (seen.has(parent)) continue
    seen.add(parent)
    if (exceedsDepth(parent, $pos.depth, limit)) return true
  }
  return false
}

/** Drops local transactions that would nest deeper than MAX_NESTING_DEPTH. */
export const depthLimitPlugin = (): Plugin =>
  new Plugin({
    key: depthLimitKey,
    filterTransaction: (tr) => {
      if (!tr.docChanged) return true
      const meta = tr.getMeta(ySyncPluginKey) as { isChangeOrigin?: boolean } | undefined
      return meta?.isChangeOrigin === true || !nestsTooDeep(tr)
    }
  })
