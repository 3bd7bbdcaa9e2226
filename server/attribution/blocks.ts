/**
 * Per-block attribution of a spec: walks the Yjs fragment that holds the ProseMirror document
 * once, looks up each live text item's clock range in the store (binary search), and sums
 * characters per author.
 *
 * Blocks: the title, each paragraph, heading and code block, each list item (its own text, not
 * that of nested lists, whose items are blocks of their own, listed after it), and each
 * blockquote (all its text except nested lists). Horizontal rules carry no text and are skipped.
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
  type SpecAttribution
} from '../../shared/attribution.js'
import type { Role } from '../../shared/permissions.js'
import { NodeName } from '../../shared/schema.js'
import { UNKNOWN, type AttributionStore } from './store.js'

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

/** Accumulates one block's text. */
class BlockBuilder {
  length = 0
  firstAuthor = -1
  excerpt = ''
  readonly counts = new Map<number, number>()
  readonly runs: Array<{ length: number; author: number; mover: number }> = []

  addText(text: Y.XmlText, store: AttributionStore): void {
    for (let item = text._start; item !== null; item = item.right) {
      if (item.deleted || !(item.content instanceof Y.ContentString)) continue
      const str = item.content.str
      if (this.excerpt.length <= EXCERPT_LENGTH) this.excerpt += str.slice(0, EXCERPT_LENGTH + 1 - this.excerpt.length)
      store.forEach(item.id.client, item.id.clock, item.length, this.addPiece)
    }
  }

  private readonly addPiece = (len: number, author: number, mover: number): void => {
    if (this.firstAuthor === -1) this.firstAuthor = author
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
  store: AttributionStore,
  directory: ParticipantDirectory
): SpecAttribution {
  const blocks: BlockAttribution[] = []
  const totals = { customer: 0, team: 0, unknown: 0 }
  const idOf = (ref: number): string | null => store.idOf(ref)

  const emit = (type: AttributedBlockType, el: Y.XmlElement, path: number[]): void => {
    const b = new BlockBuilder()
    const nested: Array<{ list: Y.XmlElement; path: number[] }> = []
    collectText(el, path, b, nested, store)
    blocks.push(finish(type, path, b, directory, idOf, totals))
    for (const n of nested) visitList(n.list, n.path)
  }
  const visitList = (list: Y.XmlElement, path: number[]): void => {
    let i = 0
    for (const child of children(list)) {
      if (child instanceof Y.XmlElement) emit(NodeName.listItem, child, [...path, i])
      i++
    }
  }
  const visit = (el: unknown, path: number[]): void => {
    if (!(el instanceof Y.XmlElement)) return
    const name = el.nodeName
    if (TEXTBLOCKS.has(name)) emit(name as AttributedBlockType, el, path)
    else if (LISTS.has(name)) visitList(el, path)
    else if (name === NodeName.blockquote) emit('blockquote', el, path)
    else if (name === NodeName.listItem) emit(NodeName.listItem, el, path)
  }
  let index = 0
  for (const child of children(fragment)) visit(child, [index++])
  return { version: ATTRIBUTION_VERSION, blocks, totals, customerShare: customerShareOf(totals) }
}

/** Adds the text under `el` to `b`; nested lists are set aside (with their paths) instead. */
function collectText(
  el: Y.XmlElement,
  path: number[],
  b: BlockBuilder,
  nested: Array<{ list: Y.XmlElement; path: number[] }>,
  store: AttributionStore
): void {
  let i = 0
  for (const child of children(el)) {
    if (child instanceof Y.XmlText) b.addText(child, store)
    else if (child instanceof Y.XmlElement) {
      if (LISTS.has(child.nodeName)) nested.push({ list: child, path: [...path, i] })
      else collectText(child, [...path, i], b, nested, store)
    }
    i++
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
    runs
  }
}
