/**
 * Where each contribution's words are, in the coordinates exports read: per attribution block
 * (its `path`), the character ranges `[from, to)` of that block's text, counted the way
 * `BlockAttribution.runs` count (nested lists' items are blocks of their own; hard breaks take
 * no characters).
 *
 * Why the attribution's own walk: the blocks and their character order must be exactly those of
 * `GET /api/specs/:id/attribution`, or a range would land on the wrong words. So the ranges are
 * found by running `computeSpecAttribution` itself (server/attribution/blocks.ts) over a
 * recording stand-in for the author map: the walk calls `forEach(client, clock, len, …)` once per
 * live text item, block after block in the order it returns them, so cutting the recorded items
 * by each returned block's `length` gives every block its items in text order. Each item's
 * characters are then mapped to contributions by their *origin* (contributions.ts rule 1),
 * through the real author map.
 */
import type * as Y from 'yjs'
import { computeSpecAttribution } from '../attribution/blocks.js'
import type { AuthorMap } from '../attribution/author-map.js'
import type { OriginRange } from '../review/contributions.js'
import { FRAGMENT_NAME } from '../../shared/schema.js'

/** One contribution's origins (what the contribution store keeps). */
export interface ContributionOrigins {
  id: string
  origins: readonly OriginRange[]
}

/** A contribution's words within one block: `[from, to)` in the block's run coordinates. */
export interface ContributionRange {
  path: number[]
  from: number
  to: number
}

/** Per client, the origin ranges of every contribution, sorted by clock (binary search). */
class OriginIndex {
  private readonly byClient = new Map<number, { clock: number; end: number; id: string }[]>()

  constructor(contributions: readonly ContributionOrigins[]) {
    for (const c of contributions) {
      for (const o of c.origins) {
        let list = this.byClient.get(o.client)
        if (!list) this.byClient.set(o.client, (list = []))
        list.push({ clock: o.clock, end: o.clock + o.len, id: c.id })
      }
    }
    for (const list of this.byClient.values()) list.sort((a, b) => a.clock - b.clock)
  }

  /** The contribution holding origin `client:clock` (null if none) and how many of the next `max` clocks that holds for. */
  run(client: number, clock: number, max: number): { id: string | null; len: number } {
    const list = this.byClient.get(client)
    if (!list || list.length === 0) return { id: null, len: max }
    let lo = 0
    let hi = list.length - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (list[mid]!.clock <= clock) {
        found = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    const at = found >= 0 ? list[found]! : null
    if (at && clock < at.end) return { id: at.id, len: Math.min(max, at.end - clock) }
    const next = list[found + 1]
    return { id: null, len: next ? Math.min(max, next.clock - clock) : max }
  }
}

/**
 * The ranges of every contribution in `contributions` within the live document of `doc`, by
 * contribution id (a contribution with no live words is absent). Runs synchronously: call it
 * inside `RoomRegistry.withDoc`, where no update lands.
 */
export function contributionRanges(doc: Y.Doc, authors: AuthorMap, contributions: readonly ContributionOrigins[]): Map<string, ContributionRange[]> {
  const items: { client: number; clock: number; len: number }[] = []
  // The recording stand-in: the real map (as prototype, for anything else the walk may read)
  // with `forEach` recording each live text item and one fake author, and `idOf` naming it.
  const recorder = Object.assign(Object.create(authors) as AuthorMap, {
    forEach(client: number, clock: number, len: number, fn: (len: number, author: number, mover: number) => void): void {
      items.push({ client, clock, len })
      fn(len, 1, 1)
    },
    idOf: (): string => 'recorded'
  })
  const blocks = computeSpecAttribution(doc.getXmlFragment(FRAGMENT_NAME), recorder, new Map()).blocks
  const index = new OriginIndex(contributions)
  const out = new Map<string, ContributionRange[]>()
  const add = (id: string, path: number[], from: number, to: number): void => {
    let list = out.get(id)
    if (!list) out.set(id, (list = []))
    const last = list[list.length - 1]
    if (last && last.path === path && last.to === from) last.to = to
    else list.push({ path, from, to })
  }
  let next = 0
  for (const block of blocks) {
    const path = [...block.path]
    let offset = 0
    while (offset < block.length) {
      const item = items[next++]
      if (!item) throw new Error('contribution ranges: the attribution walk recorded fewer characters than its blocks hold')
      authors.forEachOrigin(item.client, item.clock, item.len, (n, client, clock) => {
        for (let k = 0; k < n; ) {
          const { id, len } = index.run(client, clock + k, n - k)
          if (id !== null) add(id, path, offset + k, offset + k + len)
          k += len
        }
        offset += n
      })
    }
  }
  return out
}
