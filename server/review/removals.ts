/**
 * Removals: so that no idea disappears quietly. When someone deletes a customer's words and
 * does not put them anywhere else, the server records what was removed, whose it was, who
 * removed it and where it was, so the team sees it in review and can restore it.
 *
 * Detection rules (applied at transaction time by the removals feed, removals-feed.ts):
 * 1. Only accepted updates of a participant P count (connection origins). The attribution
 *    engine reports the characters the update deleted that its rule 3 did not match with a
 *    character the same update inserted (a move: split, join, block-type change, drag) — rule
 *    5's unmatched runs (engine.ts {@link AttributionEngine.takeDeletions}).
 * 2. Of those, the characters authored by someone C other than P are candidates. A customer
 *    deleting their own words is editing, not a removal: never recorded. Characters of unknown
 *    authorship (written before attribution) are not recorded either.
 * 3. Candidates are grouped into ONE removal per (update, author, contribution) when their
 *    origins belong to a contribution, else per contiguous run of one author. Its text is the
 *    removed characters in order, pieces in different blocks joined by a line break.
 * 4. After the update committed, the author's role on the spec is looked up: only removals of a
 *    customer's words are stored (a team member deleting a colleague's text is not review).
 * 5. Where they were ({@link Place}), captured before Yjs GCs the deleted items: a relative
 *    position inside the block's text if the block survived the update, and always a relative
 *    position among the top-level blocks (where the block was, or just after the top-level block
 *    holding it) with the block's type, so a deleted paragraph comes back as a paragraph there.
 * 6. A removal whose characters all come back later with their origins (cut and paste or undo
 *    by P within the engine's recent window) becomes `returned` by itself. Partly returned
 *    stays `open`: something is still missing.
 * 7. Status `restored` is set only by a team member's restore (server/review/restore.ts);
 *    `closed` is never stored: a decision on the removal's contribution recorded after the
 *    removal closes it, derived on read from the decisions ledger (server/http/removals.ts).
 */
import * as Y from 'yjs'
import { toBase64 } from 'lib0/buffer'
import type { Role } from '../../shared/permissions.js'
import type { RemovalStatus } from '../../shared/api-removals.js'
import { FRAGMENT_NAME } from '../../shared/schema.js'
import type { AuthorMap } from '../attribution/author-map.js'
import { UNKNOWN } from '../attribution/author-map.js'
import type { AttributionEngine } from '../attribution/engine.js'
import { sliceIds, type DeletionReport } from '../attribution/runs.js'
import type { OriginRange } from './contributions.js'

/** Where a removed piece was (rule 5). Relative positions are base64 `Y.encodeRelativePosition`. */
export interface Place {
  /** In the block's text, if the block survived the removal; else null. */
  inText: string | null
  /** Among the top-level blocks: where the block was, or right after the top-level block holding it. */
  inFragment: string
  /** Node name of the block the text was in (`paragraph`, `heading`, ...). */
  blockType: string
  /** Heading level, when `blockType` is `heading`. */
  level: number | null
  /** Identity of the block's text (`<client>:<clock>`): pieces of one block go back as one block. */
  blockKey: string
}

/** One contiguous removed piece: its text and where it was. */
export interface RemovalPiece {
  text: string
  place: Place
}

/** What the server keeps of a removal (stored by a RemovalStore, removal-store.ts). */
export interface RemovalRecord {
  specId: string
  /** `r` + 16 random base64url characters. */
  id: string
  contributionId: string | null
  /** The pieces' texts joined by line breaks. */
  text: string
  /** The words' author (a customer). */
  authorId: string
  authorRole: Role
  removedBy: string
  removedByRole: Role
  /** ISO-8601 UTC. */
  removedAt: string
  /** The removed characters' origins, in text order (piece after piece). */
  origins: OriginRange[]
  pieces: RemovalPiece[]
  /** Stored statuses only: `closed` is derived on read (rule 7). */
  status: Exclude<RemovalStatus, 'closed'>
  restoredBy: string | null
  restoredByRole: Role | null
  restoredAt: string | null
}

/** A removal captured at transaction time, before roles are known (rule 4). */
export interface CapturedRemoval {
  authorId: string
  removedBy: string
  contributionId: string | null
  pieces: RemovalPiece[]
  origins: OriginRange[]
}

/** Looks up the contribution holding origin `client:clock` (null if none or unknown yet). */
export type ContributionOf = (client: number, clock: number) => string | null

/** The removal's text (rule 3). */
export const removalText = (pieces: readonly RemovalPiece[]): string => pieces.map((p) => p.text).join('\n')

/**
 * Rules 1-3 and 5 for one transaction's deletion report. Must run in an `afterTransaction`
 * listener (the deleted items are read for their places). Costs nothing when `report` holds no
 * run of someone else's words.
 */
export function captureRemovals(doc: Y.Doc, engine: AttributionEngine, report: DeletionReport, contributionOf: ContributionOf): CapturedRemoval[] {
  const authors = engine.authors
  const me = authors.refOf(report.participantId)
  const groups = new Map<string, CapturedRemoval>()
  let runs = 0
  for (const run of report.runs) {
    for (let i = 0; i < run.text.length; ) {
      const a = run.authors[i]!
      let j = i + 1
      while (j < run.text.length && run.authors[j] === a) j++
      const authorId = authors.idOf(a)
      if (a !== me && a !== UNKNOWN && authorId !== null) {
        const ids = sliceIds(run.ids, i, j)
        // Characters outside the spec's fragment (another root type a crafted client wrote to)
        // are no one's words in the spec: never a removal.
        const place = placeOf(doc, ids[0]!)
        if (place === null) {
          i = j
          continue
        }
        const origins = originsOf(authors, ids)
        const first = origins[0]!
        const contributionId = contributionOf(first.client, first.clock)
        const key = contributionId === null ? `run ${runs++}` : `${authorId} ${contributionId}`
        let group = groups.get(key)
        if (group === undefined) groups.set(key, (group = { authorId, removedBy: report.participantId, contributionId, pieces: [], origins: [] }))
        group.pieces.push({ text: run.text.slice(i, j), place })
        for (const o of origins) appendRange(group.origins, o)
      }
      i = j
    }
  }
  return [...groups.values()]
}

/** The origins of the characters with ids `ids`, in order, consecutive ranges merged. */
function originsOf(authors: AuthorMap, ids: readonly OriginRange[]): OriginRange[] {
  const out: OriginRange[] = []
  for (const r of ids) authors.forEachOrigin(r.client, r.clock, r.len, (len, client, clock) => appendRange(out, { client, clock, len }))
  return out
}

function appendRange(list: OriginRange[], r: OriginRange): void {
  const last = list[list.length - 1]
  if (last !== undefined && last.client === r.client && last.clock + last.len === r.clock) last.len += r.len
  else list.push({ ...r })
}

const encode = (rp: Y.RelativePosition): string => toBase64(Y.encodeRelativePosition(rp))

/** Live index of `item` among the countable items of its parent list. */
function liveIndex(start: Y.Item | null, item: Y.Item): number {
  let n = 0
  for (let it = start; it !== null && it !== item; it = it.right) if (!it.deleted && it.countable) n += it.length
  return n
}

/** Rule 5: where the deleted character `id` was; null if it was not in a block of the spec's fragment. */
function placeOf(doc: Y.Doc, id: { client: number; clock: number }): Place | null {
  const fragment = doc.getXmlFragment(FRAGMENT_NAME)
  const structs = doc.store.clients.get(id.client)
  const item = structs?.[Y.findIndexSS(structs, id.clock)]
  if (!(item instanceof Y.Item) || !(item.parent instanceof Y.XmlText) || item.parent._item === null) return null
  const text = item.parent
  const textItem = text._item!
  const block = textItem.parent as Y.XmlElement
  // Climb to the top-level block, noting whether anything on the way was deleted.
  let survived = true
  let top: Y.Item = textItem
  let inFragmentTree = false
  for (let type: Y.AbstractType<any> = text; type._item !== null; type = type._item.parent as Y.AbstractType<any>) {
    if (type._item.deleted) survived = false
    top = type._item
    if (type._item.parent === fragment) {
      inFragmentTree = true
      break
    }
  }
  if (!inFragmentTree) return null
  const topIndex = liveIndex(fragment._start, top)
  const inText = survived ? encode(Y.createRelativePositionFromTypeIndex(text, liveIndex(text._start, item))) : null
  const inFragment = encode(Y.createRelativePositionFromTypeIndex(fragment, top.deleted ? topIndex : topIndex + 1))
  const blockType = block instanceof Y.XmlElement ? block.nodeName : 'paragraph'
  const level = blockType === 'heading' ? levelOf(block) : null
  return { inText, inFragment, blockType, level, blockKey: `${textItem.id.client}:${textItem.id.clock}` }
}

/**
 * A heading's level, read from its attribute item even when the heading was deleted in this
 * transaction (`getAttribute` skips deleted items; their content is there until Yjs GCs it).
 */
function levelOf(heading: Y.XmlElement): number {
  const item = heading._map.get('level')
  const value: unknown = item === undefined ? undefined : item.content.getContent()[item.length - 1]
  return Math.min(3, Math.max(1, Number(value) || 1))
}
