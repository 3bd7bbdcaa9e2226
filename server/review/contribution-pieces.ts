/**
 * Where each contribution is now: one piece per block its live characters are in, as a pair of
 * Yjs relative positions (start: before its first live character there; end: after its last),
 * for clients to scroll to and highlight it. Derived on read from the live doc, never stored: a
 * contribution's place changes with every edit, while its identity (origins) does not.
 *
 * Why positions on character ids rather than block paths or offsets: a client maps them with
 * y-prosemirror's `relativePositionToAbsolutePosition` against its own replica, so they stay
 * right while the client's document moves on between the read and the scroll.
 */
import * as Y from 'yjs'
import { toBase64 } from 'lib0/buffer'
import type { AuthorMap } from '../attribution/author-map.js'
import { FRAGMENT_NAME } from '../../shared/schema.js'
import type { ContributionPiece } from '../../shared/api-review.js'
import { walkChars } from './contributions.js'

/** Base64 `Y.encodeRelativePosition` of the position before (assoc 0) or after (assoc -1) a character. */
const positionAt = (client: number, clock: number, assoc: 0 | -1): string =>
  toBase64(Y.encodeRelativePosition(Y.createRelativePositionFromJSON({ item: { client, clock }, assoc })))

/**
 * The contribution holding origin `client:clock` (null if none) and for how many of the next
 * `max` origins that holds (ContributionTracker.contributionRun): one look-up per run.
 */
export type ContributionRun = (client: number, clock: number, max: number) => { id: string | null; len: number }

/**
 * The pieces of every contribution `runOf` knows, in document order, by contribution id
 * (contributions with no live character are absent).
 */
export function contributionPieces(doc: Y.Doc, authors: AuthorMap, runOf: ContributionRun): Map<string, ContributionPiece[]> {
  const out = new Map<string, ContributionPiece[]>()
  /** Per contribution, the block and last character of its open piece. */
  const open = new Map<string, { block: unknown; piece: { start: [number, number]; end: [number, number] } }>()
  const raw = new Map<string, Array<{ start: [number, number]; end: [number, number] }>>()
  walkChars(doc.getXmlFragment(FRAGMENT_NAME), (item) => {
    if (item.deleted) return
    let at = 0
    authors.forEachOrigin(item.id.client, item.id.clock, item.length, (n, client, clock) => {
      for (let k = 0; k < n; ) {
        const { id, len } = runOf(client, clock + k, n - k)
        if (id !== null) {
          const first: [number, number] = [item.id.client, item.id.clock + at + k]
          const last: [number, number] = [item.id.client, item.id.clock + at + k + len - 1]
          const current = open.get(id)
          if (current !== undefined && current.block === item.parent) current.piece.end = last
          else {
            const piece = { start: first, end: last }
            let list = raw.get(id)
            if (list === undefined) raw.set(id, (list = []))
            list.push(piece)
            open.set(id, { block: item.parent, piece })
          }
        }
        k += len
      }
      at += n
    })
  })
  for (const [id, list] of raw) {
    out.set(
      id,
      list.map((p) => ({ start: positionAt(p.start[0], p.start[1], 0), end: positionAt(p.end[0], p.end[1], -1) }))
    )
  }
  return out
}
