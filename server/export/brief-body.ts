/**
 * The body of a brief: the spec's document with the content filter applied, unsafe links made
 * plain text, and one {@link BlockNote} (the attribution label and contributors) per block.
 *
 * Rules:
 * [B1] Blocks are attribution's blocks (brief-blocks.ts), matched by `path` to the source's
 *      `attribution.blocks`; their figures come from that object.
 * [B2] Content `all`: every word stays; a block's label, customer share and contributors' shares
 *      are the attribution's, verbatim.
 * [B3] Content `accepted`: a character stays if its author (the attribution run's) is on the
 *      team, is unknown (`null`: written before attribution existed), or it lies in a range of a
 *      contribution whose latest decision is `accepted` or `planned`. Other customer text is
 *      left out. A textblock left without text is dropped, then lists and quotes left without
 *      blocks; a list item that keeps nested items but loses its own text keeps an empty
 *      paragraph. The title is never filtered (it names the brief). Labels and shares then
 *      describe the text kept, computed from the same runs with the same functions (`labelOf`,
 *      `customerShareOf`); the appendix keeps describing the whole spec, as the API does.
 * [B4] A link whose href is not http(s) or mailto is dropped (its text stays, as plain text).
 * [B5] Notes are numbered in document order (a block before its nested items), and the marker
 *      of a block goes at the end of its first textblock (its `host`).
 * [B6] Names are resolved in reading order (brief-names.ts): in an anonymised export the text
 *      is scrubbed and a block's contributors are named right after its host textblock.
 */
import type { Mark, Node as PMNode } from 'prosemirror-model'
import { customerShareOf, labelOf, type AttributedBlockType, type AttributionLabel, type BlockAttribution, type GroupChars, type RoleGroup } from '../../shared/attribution.js'
import type { ExportOptions } from '../../shared/api-export.js'
import { MarkName, NodeName, isSafeHref, schema } from '../../shared/schema.js'
import { isList } from './brief-blocks.js'
import type { Namer } from './brief-names.js'
import type { ExportSource } from './export-types.js'

/** The attribution of one block as the brief shows it. */
export interface BlockNote {
  /** 1-based, in document order. */
  number: number
  type: AttributedBlockType
  label: AttributionLabel
  /** customer / (customer + team), 0..1. */
  customerShare: number
  /** "Customer", "Team", "Mixed · 40% customer" ('' for `none`). */
  text: string
  /** By author, most characters first; `name` as this export names them. */
  contributors: { id: string; name: string; group: RoleGroup | null; share: number }[]
}

/** The body and its notes. Maps are keyed by node identity in `doc`. */
export interface BriefBody {
  /** `title block+`: the (scrubbed) title node, then the kept blocks. */
  doc: PMNode
  /** Attributed block node → its note (empty when attribution is off). */
  notes: Map<PMNode, BlockNote>
  /** Textblock carrying a block's marker → that block's note. */
  hosts: Map<PMNode, BlockNote>
  /** Notes in document order. */
  list: BlockNote[]
  /** Characters left out by the content filter. */
  droppedChars: number
}

/** "Mixed · 40% customer": the margin label of a block. */
export function labelText(label: AttributionLabel, customerShare: number): string {
  if (label === 'customer') return 'Customer'
  if (label === 'team') return 'Team'
  if (label === 'mixed') return `Mixed · ${Math.round(customerShare * 100)}% customer`
  return ''
}

/** A percentage as every format prints it: one decimal. */
export const percent = (share: number): string => `${(share * 100).toFixed(1)}%`

const KEEP_STATES: ReadonlySet<string> = new Set(['accepted', 'planned'])

/** Reads one block's runs in text order and keeps or drops characters ([B3]). */
class BlockReader {
  private offset = 0
  private run = 0
  private runEnd: number
  readonly kept = new Map<string | null, number>()
  /** The block's node and its first textblock, as built. */
  node: PMNode | null = null
  host: PMNode | null = null
  dropped = 0

  constructor(
    readonly attr: BlockAttribution,
    /** Kept contribution ranges of this block, sorted; null keeps everything ([B2]). */
    private readonly keep: readonly [number, number][] | null,
    private readonly onTeam: (authorId: string | null) => boolean
  ) {
    this.runEnd = attr.runs[0]?.length ?? Infinity
  }

  /** The kept slices of `text`, the block's next characters. */
  take(text: PMNode): PMNode[] {
    const start = this.offset
    const end = start + text.text!.length
    this.offset = end
    if (this.keep === null) return [text]
    const kept: [number, number][] = []
    const keepPiece = (a: number, b: number, author: string | null): void => {
      const last = kept[kept.length - 1]
      if (last !== undefined && last[1] === a) last[1] = b
      else kept.push([a, b])
      this.kept.set(author, (this.kept.get(author) ?? 0) + b - a)
    }
    for (let pos = start; pos < end; ) {
      while (pos >= this.runEnd && this.run < this.attr.runs.length) this.runEnd += this.attr.runs[++this.run]?.length ?? Infinity
      const author = this.attr.runs[this.run]?.authorId ?? null
      const stop = Math.min(end, this.runEnd)
      if (this.onTeam(author)) keepPiece(pos, stop, author)
      else for (const [a, b] of this.keep) if (b > pos && a < stop) keepPiece(Math.max(a, pos), Math.min(b, stop), author)
      pos = stop
    }
    this.dropped += end - start - kept.reduce((n, [a, b]) => n + b - a, 0)
    return kept.map(([a, b]) => text.cut(a - start, b - start))
  }
}

/** Builds the body of a brief (see the module rules). */
export function buildBody(source: ExportSource, options: ExportOptions, namer: Namer, doc: PMNode): BriefBody {
  const byPath = new Map<string, BlockAttribution>(source.attribution.blocks.map((b) => [b.path.join('.'), b]))
  const groupOf = new Map<string, RoleGroup | null>()
  for (const b of source.attribution.blocks) for (const c of b.contributors) groupOf.set(c.participantId, c.group)
  const onTeam = (id: string | null): boolean => id === null || groupOf.get(id) === 'team'
  const keepRanges = new Map<string, [number, number][]>()
  if (options.content === 'accepted') {
    for (const c of source.contributions) {
      if (!KEEP_STATES.has(c.state)) continue
      for (const r of c.ranges) {
        const key = r.path.join('.')
        keepRanges.set(key, [...(keepRanges.get(key) ?? []), [r.from, r.to]])
      }
    }
    for (const list of keepRanges.values()) list.sort((a, b) => a[0] - b[0])
  }
  const readers: BlockReader[] = []

  const visit = (node: PMNode, path: number[], owner: BlockReader | null): PMNode | null => {
    const attr = path.length > 0 ? byPath.get(path.join('.')) : undefined
    let reader = owner
    if (attr !== undefined) {
      // The title is the cover's, never filtered: whoever typed it, the brief keeps its name.
      const filtered = options.content === 'accepted' && attr.type !== 'title'
      reader = new BlockReader(attr, filtered ? (keepRanges.get(path.join('.')) ?? []) : null, onTeam)
      readers.push(reader)
    }
    let out: PMNode | null
    if (node.isTextblock) {
      const content: PMNode[] = []
      let hadText = false
      node.forEach((child) => {
        if (!child.isText) content.push(child)
        else {
          hadText = true
          for (const k of reader ? reader.take(child) : [child]) content.push(k.mark(safeMarks(k.marks)))
        }
      })
      out = hadText && !content.some((c) => c.isText) ? null : node.type.create(node.attrs, content, node.marks)
      if (out !== null && reader !== null && reader.host === null) reader.host = out
    } else if (node.isLeaf) out = node.type.create(node.attrs)
    else {
      const children: PMNode[] = []
      node.forEach((child, _offset, i) => {
        const built = visit(child, [...path, i], isList(child) ? null : reader)
        if (built !== null) children.push(built)
      })
      if (node.type.name === NodeName.listItem && children.length > 0 && children[0]!.type.name !== NodeName.paragraph) children.unshift(schema.nodes.paragraph.create())
      out = children.length === 0 && node.type.name !== NodeName.doc ? null : node.type.create(node.attrs, children, node.marks)
    }
    if (reader !== owner && reader !== null) reader.node = out
    return out
  }

  const built = visit(doc, [], null)!
  const list: BlockNote[] = []
  const noted: { reader: BlockReader; note: BlockNote }[] = []
  let droppedChars = 0
  for (const r of readers) {
    droppedChars += r.dropped
    if (!options.attribution || r.host === null || r.node === null || r.attr.type === 'title') continue
    const note = noteOf(r, list.length + 1, options.content === 'accepted', groupOf)
    if (note.label === 'none') continue
    list.push(note)
    noted.push({ reader: r, note })
  }
  const { doc: named, rebuilt } = nameInReadingOrder(built, new Map(noted.map(({ reader, note }) => [reader.host!, note])), namer)
  const notes = new Map<PMNode, BlockNote>()
  const hosts = new Map<PMNode, BlockNote>()
  for (const { reader, note } of noted) {
    notes.set(rebuilt.get(reader.node!) ?? reader.node!, note)
    hosts.set(rebuilt.get(reader.host!) ?? reader.host!, note)
  }
  return { doc: named, notes, hosts, list, droppedChars }
}

/** Drops link marks with unsafe hrefs ([B4]). */
function safeMarks(marks: readonly Mark[]): readonly Mark[] {
  return marks.filter((m) => m.type.name !== MarkName.link || isSafeHref(String(m.attrs.href ?? '')))
}

function noteOf(r: BlockReader, number: number, filtered: boolean, groupOf: ReadonlyMap<string, RoleGroup | null>): BlockNote {
  if (!filtered) {
    return {
      number,
      type: r.attr.type,
      label: r.attr.label,
      customerShare: r.attr.customerShare,
      text: labelText(r.attr.label, r.attr.customerShare),
      contributors: r.attr.contributors.map((c) => ({ id: c.participantId, name: '', group: c.group, share: c.share }))
    }
  }
  const chars = { customer: 0, team: 0, unknown: 0 }
  let total = 0
  for (const [id, n] of r.kept) {
    const group = id === null ? null : (groupOf.get(id) ?? null)
    chars[group ?? 'unknown'] += n
    total += n
  }
  const groups: GroupChars = chars
  const label = labelOf(groups)
  const share = customerShareOf(groups)
  const contributors = [...r.kept]
    .filter((e): e is [string, number] => e[0] !== null)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([id, n]) => ({ id, name: '', group: groupOf.get(id) ?? null, share: total === 0 ? 0 : n / total }))
  return { number, type: r.attr.type, label, customerShare: share, text: labelText(label, share), contributors }
}

/**
 * Names every note's contributors and, in an anonymised export, scrubs the text, in reading
 * order ([B6]): a host textblock's text, then its block's contributors. Returns the final doc
 * and, when it was rebuilt, each old node's replacement.
 */
function nameInReadingOrder(doc: PMNode, hosts: ReadonlyMap<PMNode, BlockNote>, namer: Namer): { doc: PMNode; rebuilt: Map<PMNode, PMNode> } {
  const rebuilt = new Map<PMNode, PMNode>()
  const nameNote = (note: BlockNote | undefined): void => {
    for (const c of note?.contributors ?? []) c.name = namer.name(c.id)
  }
  if (!namer.anonymise) {
    for (const note of hosts.values()) nameNote(note)
    return { doc, rebuilt }
  }
  const scrubMarks = (n: PMNode): readonly Mark[] =>
    n.marks.flatMap((m) => {
      if (m.type.name !== MarkName.link) return [m]
      const href = String(m.attrs.href)
      // A link to a customer's address (mailto:) goes; its text stays, scrubbed.
      if (namer.scrub(href) !== href) return []
      return [m.type.create({ ...m.attrs, title: m.attrs.title === null ? null : namer.scrub(String(m.attrs.title)) })]
    })
  // Recursion is bounded: the document nests at most MAX_NESTING_DEPTH deep (shared/schema.ts).
  const map = (node: PMNode): PMNode => {
    const children: PMNode[] = []
    if (node.isTextblock) children.push(...scrubInline(node, namer, scrubMarks))
    else node.forEach((child) => children.push(map(child)))
    const out = node.isLeaf ? node : node.type.create(node.attrs, children, node.marks)
    rebuilt.set(node, out)
    nameNote(hosts.get(node))
    return out
  }
  return { doc: map(doc), rebuilt }
}

/**
 * A textblock's inline content with customers' names replaced. The block's text is searched as
 * one string, so a name typed across a formatting change ("Car**la**") is found: its alias takes
 * the marks of the node where the name starts, and the name's characters in later nodes go. An
 * inline leaf (a hard break) counts as a line break, which no name or email contains.
 */
function scrubInline(block: PMNode, namer: Namer, scrubMarks: (n: PMNode) => readonly Mark[]): PMNode[] {
  const parts: { node: PMNode; from: number; to: number }[] = []
  let joined = ''
  block.forEach((child) => {
    const text = child.isText ? child.text! : '\n'
    parts.push({ node: child, from: joined.length, to: joined.length + text.length })
    joined += text
  })
  const matches = namer.matches(joined)
  const out: PMNode[] = []
  let m = 0
  for (const part of parts) {
    if (!part.node.isText) {
      out.push(part.node)
      continue
    }
    const marks = scrubMarks(part.node)
    let text = ''
    let pos = part.from
    while (pos < part.to) {
      while (m < matches.length && matches[m]!.to <= pos) m++
      const match = matches[m]
      if (match === undefined || match.from >= part.to) {
        text += joined.slice(pos, part.to)
        break
      }
      text += joined.slice(pos, match.from)
      // The alias goes where the name starts; a name continuing from an earlier node adds nothing.
      if (pos <= match.from) text += match.alias
      pos = Math.min(match.to, part.to)
    }
    if (text !== '') out.push(schema.text(text, marks))
  }
  return out
}
