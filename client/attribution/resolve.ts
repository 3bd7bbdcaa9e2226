/**
 * Finds, for each block of a server attribution, the block of the local document it describes.
 *
 * The attribution was computed from the server's document, and the local document may be a few
 * keystrokes ahead (or behind). Typing inside blocks leaves the block structure alone, so the
 * common case is an exact structural match and blocks pair up by order. Otherwise (a local split,
 * join or move the server has not seen yet) a block pairs with the local block at the same path
 * when that block has the same type and starts with the same words, else with an unclaimed local
 * block of the same type and the same excerpt; failing both it is skipped until the next update.
 * A block never pairs with a local block of another type.
 */
import type { Node } from 'prosemirror-model'
import type { BlockAttribution, SpecAttribution } from '../../shared/attribution.js'
import { blockExcerpt, localBlocks, type LocalBlock } from './blocks.js'

/** A server block and the local block it describes. */
export interface ResolvedBlock {
  readonly block: BlockAttribution
  readonly local: LocalBlock
}

/** Characters at the start of two excerpts that must agree for a path match. */
const AGREEING_PREFIX = 8

const sameStructure = (server: readonly BlockAttribution[], local: readonly LocalBlock[]): boolean =>
  server.length === local.length && server.every((b, i) => b.type === local[i]!.type)

const startsAlike = (a: string, b: string): boolean => {
  if (a === b) return true
  const n = Math.min(AGREEING_PREFIX, a.length, b.length)
  return n > 0 && a.slice(0, n) === b.slice(0, n)
}

/** Pairs the blocks of `attribution` with the blocks of `doc` (see the module comment). */
export const resolveBlocks = (doc: Node, attribution: SpecAttribution): ResolvedBlock[] => {
  const local = localBlocks(doc)
  const server = attribution.blocks
  if (sameStructure(server, local)) return server.map((block, i) => ({ block, local: local[i]! }))

  const byPath = new Map<string, LocalBlock>()
  for (const l of local) byPath.set(l.path.join('.'), l)
  const excerpts = new Map<LocalBlock, string>()
  const excerptOf = (l: LocalBlock): string => {
    let e = excerpts.get(l)
    if (e === undefined) excerpts.set(l, (e = blockExcerpt(l.node)))
    return e
  }
  let byExcerpt: Map<string, LocalBlock[]> | null = null
  const claimed = new Set<LocalBlock>()
  const resolved: ResolvedBlock[] = []
  for (const block of server) {
    const atPath = byPath.get(block.path.join('.'))
    if (atPath && atPath.type === block.type && !claimed.has(atPath) && startsAlike(excerptOf(atPath), block.excerpt)) {
      claimed.add(atPath)
      resolved.push({ block, local: atPath })
      continue
    }
    if (byExcerpt === null) {
      byExcerpt = new Map()
      for (const l of local) {
        const key = `${l.type}\u0000${excerptOf(l)}`
        const list = byExcerpt.get(key)
        if (list) list.push(l)
        else byExcerpt.set(key, [l])
      }
    }
    const match = byExcerpt.get(`${block.type}\u0000${block.excerpt}`)?.find((l) => !claimed.has(l))
    if (match) {
      claimed.add(match)
      resolved.push({ block, local: match })
    }
  }
  return resolved
}
