/**
 * Per-block attribution of a spec: walks the Yjs fragment that holds the ProseMirror document
 * once, looks up each live text item's clock range in the store (binary search), and sums
 * characters per author.
 *
 * Blocks: the title, each paragraph, heading and code block, each list item (its own text, not
 * that of nested lists, whose items are blocks of their own, listed after it), and each
 * blockquote (all its text except nested lists). Horizontal rules carry no text and are skipped.
 *
 * Both walks use explicit stacks, never recursion, and stop descending below
 * MAX_NESTING_DEPTH: a document nested 6,000 deep once overflowed the call stack here and took
 * the process down (issue 7). Admission keeps such documents out and loading quarantines old
 * ones, so the bound only matters if something slips past both; then the deeper text is left
 * out of the attribution rather than crashing it.
 */
import * as Y from 'yjs'
import {
  ATTRIBUTION_VERSION,
  EXCERPT_LENGTH,
  customerShareOf,
  labelOf,
  roleGroup,
  type AttributedBlockType,
  type AttributionRun,
  type BlockAttribution,
  type Contribution,
  type GroupChars,
  type Mover,
  type SpecAttribution
} from '../../shared/attribution.js'
import type { Role } from '../../shared/permissions.js'
import { MAX_NESTING_DEPTH, NodeName } from '../../shared/schema.js'
import { UNKNOWN, type AuthorMap } from './author-map.js'

/** Who the participants are: participantId → display name and role. */
export type ParticipantDirectory = ReadonlyMap<string, { readonly displayName: string; readonly role: Role }>

const TEXTBLOCKS: ReadonlySet<string> = new Set([NodeName.title, NodeName.paragraph, NodeName.heading, NodeName.codeBlock])
const LISTS: ReadonlySet<string> = new Set([NodeName.bulletList, NodeName.orderedList])

/** Live child types of a Yjs type, in order. */
function* children(type: { _start: Y.Item | null }): Generator<Y.AbstractType<unknown>> {
  for (let item = type._start; item !== null; item = item.right) {
    if (!item.deleted && item.content instanceof Y.ContentType) yield item.content.type
  }
}

/** Work left in {@link computeSpecAttribution}: a node to classify, a list item, or a list. */
interface Step {
  kind: 'node' | 'item' | 'list'
  el: Y.XmlElement
  /** Child indexes from the fragment; its length is the element's depth. */
  path: number[]
}

/** Accumulates one block's text. */
class BlockBuilder {
  length = 0
  firstAuthor = -1
  excerpt = ''
  readonly counts = new Map<number, number>()
  readonly runs: Array<{ length: number; author: number; mover: number }> = []
  /**
   * Mover ref → characters they moved and did not write, and their latest move (s, 0 unknown);
   * null until a block has one (most have none: nothing is allocated for them).
   */
  moved: Map<number, { chars: number; at: number }> | null = null

  addText(text: Y.XmlText, store: AuthorMap): void {
    for (let item = text._start; item !== null; item = item.right) {
      if (item.deleted || !(item.content instanceof Y.ContentString)) continue
      const str = item.content.str
      if (this.excerpt.length <= EXCERPT_LENGTH) this.excerpt += str.slice(0, EXCERPT_LENGTH + 1 - this.excerpt.length)
      store.forEach(item.id.client, item.id.clock, item.length, this.addPiece)
    }
  }

  private readonly addPiece = (len: number, author: number, mover: number, movedAt: number): void => {
    if (this.firstAuthor === -1) this.firstAuthor = author
    if (mover !== author && mover !== UNKNOWN) {
      this.moved ??= new Map()
      const m = this.moved.get(mover)
      if (m === undefined) this.moved.set(mover, { chars: len, at: movedAt })
      else {
        m.chars += len
        if (movedAt > m.at) m.at = movedAt
      }
    }
    this.length += len
    this.counts.set(author, (this.counts.get(author) ?? 0) + len)
    const last = this.runs[this.runs.length - 1]
    if (last !== undefined && last.author === author && last.mover === mover) last.length += len
    else this.runs.push({ length: len, author, mover })
  }
}

/** Computes {@link SpecAttribution} for the fragment holding a spec. */
export function computeSpecAttribution(
  fragment: Y.XmlFragment,
  store: AuthorMap,
  directory: ParticipantDirectory
): SpecAttribution {
  const blocks: BlockAttribution[] = []
  const totals = { customer: 0, team: 0, unknown: 0 }
  const idOf = (ref: number): string | null => store.idOf(ref)

  // LIFO: steps are pushed in reverse so they run in document order; a block's nested lists
  // are pushed after the block is emitted, so their items follow it, before its next sibling.
  const stack: Step[] = []
  const pushInOrder = (steps: Step[]): void => {
    for (let i = steps.length - 1; i >= 0; i--) stack.push(steps[i] as Step)
  }
  const childSteps = (parent: Y.XmlFragment, path: number[], kind: Step['kind']): Step[] => {
    const steps: Step[] = []
    let i = 0
    for (const child of children(parent)) {
      if (child instanceof Y.XmlElement) steps.push({ kind, el: child, path: [...path, i] })
      i++
    }
    return steps
  }
  pushInOrder(childSteps(fragment, [], 'node'))
  for (let step = stack.pop(); step !== undefined; step = stack.pop()) {
    const { el, path } = step
    if (path.length > MAX_NESTING_DEPTH) continue
    if (step.kind === 'list') {
      pushInOrder(childSteps(el, path, 'item'))
      continue
    }
    const name = el.nodeName
    let type: AttributedBlockType
    if (step.kind === 'item' || name === NodeName.listItem) type = NodeName.listItem
    else if (TEXTBLOCKS.has(name)) type = name as AttributedBlockType
    else if (name === NodeName.blockquote) type = 'blockquote'
    else {
      if (LISTS.has(name)) stack.push({ kind: 'list', el, path })
      continue
    }
    const b = new BlockBuilder()
    const nested: Array<{ list: Y.XmlElement; path: number[] }> = []
    collectText(el, path, b, nested, store)
    blocks.push(finish(type, path, b, directory, idOf, totals))
    pushInOrder(nested.map((n) => ({ kind: 'list', el: n.list, path: n.path })))
  }
  return { version: ATTRIBUTION_VERSION, blocks, totals, customerShare: customerShareOf(totals) }
}

/** Adds the text under `el` to `b`; nested lists are set aside (with their paths) instead. */
function collectText(
  el: Y.XmlElement,
  path: number[],
  b: BlockBuilder,
  nested: Array<{ list: Y.XmlElement; path: number[] }>,
  store: AuthorMap
): void {
  // One frame per open element: the next child item to read and that child's index.
  const stack: Array<{ next: Y.Item | null; index: number; path: number[] }> = [{ next: el._start, index: 0, path }]
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as (typeof stack)[number]
    let item = top.next
    while (item !== null && (item.deleted || !(item.content instanceof Y.ContentType))) item = item.right
    if (item === null) {
      stack.pop()
      continue
    }
    top.next = item.right
    const child = (item.content as Y.ContentType).type
    const childPath = [...top.path, top.index++]
    if (child instanceof Y.XmlText) b.addText(child, store)
    else if (child instanceof Y.XmlElement) {
      if (LISTS.has(child.nodeName)) nested.push({ list: child, path: childPath })
      else if (childPath.length <= MAX_NESTING_DEPTH) stack.push({ next: child._start, index: 0, path: childPath })
    }
  }
}

function finish(
  type: AttributedBlockType,
  path: number[],
  b: BlockBuilder,
  directory: ParticipantDirectory,
  idOf: (ref: number) => string | null,
  totals: { customer: number; team: number; unknown: number }
): BlockAttribution {
  const byGroup = { customer: 0, team: 0, unknown: 0 }
  const contributors: Contribution[] = []
  for (const [ref, chars] of b.counts) {
    const participantId = ref === UNKNOWN ? null : idOf(ref)
    if (participantId === null) {
      byGroup.unknown += chars
      continue
    }
    const info = directory.get(participantId)
    const role = info?.role ?? null
    const group = role === null ? null : roleGroup(role)
    if (group === null) byGroup.unknown += chars
    else byGroup[group] += chars
    contributors.push({
      participantId,
      displayName: info?.displayName ?? participantId,
      role,
      group,
      chars,
      share: chars / b.length
    })
  }
  contributors.sort((x, y) => y.chars - x.chars || (x.participantId < y.participantId ? -1 : 1))
  totals.customer += byGroup.customer
  totals.team += byGroup.team
  totals.unknown += byGroup.unknown
  const runs: AttributionRun[] = b.runs.map((r) => ({ length: r.length, authorId: idOf(r.author), moverId: idOf(r.mover) }))
  const movers = moversOf(b, directory, idOf)
  const excerpt = b.excerpt.length > EXCERPT_LENGTH ? `${b.excerpt.slice(0, EXCERPT_LENGTH)}…` : b.excerpt
  const chars: GroupChars = byGroup
  return {
    type,
    path,
    excerpt,
    length: b.length,
    firstAuthorId: b.firstAuthor === -1 ? null : idOf(b.firstAuthor),
    contributors,
    byGroup: chars,
    customerShare: customerShareOf(chars),
    label: labelOf(chars),
    runs,
    movers
  }
}

/** The block's movers (see {@link Mover}), most recent move first, unknown times last. */
function moversOf(b: BlockBuilder, directory: ParticipantDirectory, idOf: (ref: number) => string | null): Mover[] {
  if (b.moved === null) return []
  const out: Array<Mover & { at: number }> = []
  for (const [ref, { chars, at }] of b.moved) {
    const participantId = idOf(ref)
    if (participantId === null) continue
    const info = directory.get(participantId)
    const role = info?.role ?? null
    out.push({
      participantId,
      displayName: info?.displayName ?? participantId,
      role,
      group: role === null ? null : roleGroup(role),
      chars,
      lastMovedAt: at > 0 ? new Date(at * 1000).toISOString() : null,
      at
    })
  }
  out.sort((x, y) => y.at - x.at || y.chars - x.chars || (x.participantId < y.participantId ? -1 : 1))
  return out.map(({ at: _at, ...mover }) => mover)
}
