/**
 * Ground truth for honest editing: who should be credited with each character, followed by
 * content rather than by Yjs item.
 *
 * The editors type with {@link truthSchema}, which adds an `author` mark holding a unique number
 * per typed character. ProseMirror and y-prosemirror carry marks along with their text through
 * splits, joins, drags, undo and redo, while the engine ignores formatting items entirely, so the
 * mark names a character's content wherever the Yjs diff put it. {@link TruthModel} watches every
 * update the server receives and keeps, per content, the author the engine should give it:
 *
 * - a character that stayed in place (same Yjs item) keeps its author (rule 2), and if
 *   y-prosemirror's diff put other content into it, that content now expects this author (the
 *   documented limit of rule 2; counted in `rewritten`);
 * - new content is its typist's;
 * - content that moved in one update (deleted here, inserted there) keeps its expected author;
 * - content deleted by P and re-inserted by P within the window keeps it; anything else is P's.
 *
 * Content held by two items at once (concurrent moves of the same words while offline) has no
 * single truth; it is left out (`ambiguous`). TRUTH_DEBUG=1 prints before/after of each update
 * that differs.
 */
import { Schema, type Node as PMNode } from 'prosemirror-model'
import * as Y from 'yjs'
import { DEFAULT_RECENT_WINDOW_MS } from '../../server/attribution/index.js'
import { FRAGMENT_NAME, schema } from '../../shared/schema.js'
import type { Server } from './harness.js'

/** The spec schema plus an `author` mark: `{ who, n }`, n unique per typed character. */
export const truthSchema = new Schema({
  nodes: schema.spec.nodes,
  marks: schema.spec.marks.addToEnd('author', { attrs: { who: {}, n: {} } })
})

let counter = 0

/** Text nodes for `text` typed by `who`, one per character, each with fresh content. */
export function typed(who: string, text: string): ReturnType<Schema['text']>[] {
  return [...text].map((ch) => truthSchema.text(ch, [truthSchema.marks.author!.create({ who, n: ++counter })]))
}

/** One live character of the server document. */
interface Char {
  item: string
  content: number | null
  author: string | null
  ch: string
}

/** The live characters of `doc`'s spec, in document order. */
export function liveChars(server: Server): Char[] {
  const out: Char[] = []
  const walk = (type: Y.XmlElement | Y.XmlFragment): void => {
    for (const child of type.toArray()) {
      if (child instanceof Y.XmlText) readText(server, child, out)
      else if (child instanceof Y.XmlElement) walk(child)
    }
  }
  walk(server.doc.getXmlFragment(FRAGMENT_NAME))
  return out
}

function readText(server: Server, text: Y.XmlText, out: Char[]): void {
  const attrs = new Map<string, unknown>()
  const store = server.engine.authors
  for (let item = text._start; item !== null; item = item.right) {
    if (item.deleted) continue
    if (item.content instanceof Y.ContentFormat) {
      if (item.content.value === null) attrs.delete(item.content.key)
      else attrs.set(item.content.key, item.content.value)
    } else if (item.content instanceof Y.ContentString) {
      const mark = attrs.get('author') as { n: number } | undefined
      const str = item.content.str
      for (let k = 0; k < str.length; k++) {
        const { client, clock } = item.id
        out.push({ item: `${client}:${clock + k}`, content: mark?.n ?? null, author: store.idOf(store.authorAt(client, clock + k)), ch: str[k]! })
      }
    }
  }
}

/** A character whose engine author differs from the truth. */
export interface Mismatch {
  ch: string
  expected: string
  actual: string | null
  context: string
}

/** Follows the truth through every update the server receives (see the module comment). */
export class TruthModel {
  private readonly expected = new Map<number, string>()
  private readonly graveyard = new Map<number, { deleter: string; time: number; author: string }>()
  private readonly ambiguousContent = new Set<number>()
  /** Kept characters whose content y-prosemirror's diff replaced (the documented limit). */
  rewritten = 0
  /** Characters of content held by two items (left out). */
  ambiguous = 0
  /** Characters checked. */
  checked = 0
  readonly mismatches: Mismatch[] = []
  /** Mismatches while {@link TruthModel.lenient} (reported, not failures). */
  readonly tolerated: Mismatch[] = []
  /** Set while delivering offline work (see random.test.ts). */
  lenient = false
  /** Kept characters whose author changed (rule 2 broken). */
  readonly keptChanged: string[] = []

  constructor(
    private readonly server: Server,
    private readonly windowMs: number = DEFAULT_RECENT_WINDOW_MS,
    private readonly describe: () => string = () => ''
  ) {
    const receive = server.receive.bind(server)
    server.receive = (participantId: string, update: Uint8Array): void => {
      const before = liveChars(server)
      receive(participantId, update)
      this.follow(participantId, before, liveChars(server))
    }
  }

  /** Label of a raw content number (see {@link TruthModel.relabel}). */
  private readonly labelOf = new Map<number, number>()
  
  private label(chars: Char[]): Char[] {
    return chars.map((c) => (c.content === null ? c : { ...c, content: this.labelOf.get(c.content) ?? c.content }))
  }

  /**
   * Kept items keep their content label: when the diff put content b into an item that held a,
   * b is renamed a, and the content a was displaced by (wherever it went) takes the name of the
   * content at the start of that chain. Equal characters shifted by a text diff (typing "e"
   * before an "e") thus count as staying, which is all the engine can know.
   */
  private relabel(pairs: Array<[from: number, to: number]>, after: Char[]): Char[] {
    const pi = new Map(pairs)
    const olds = new Set(pairs.map(([, a]) => a))
    const rename = new Map<number, number>(pairs)
    for (const [b] of pairs) {
      if (olds.has(b)) continue
      let x = pi.get(b)!
      while (pi.has(x)) x = pi.get(x)!
      rename.set(x, b)
    }
    // All at once: a swap renames a to b and b to a.
    const updates: Array<[number, number]> = []
    for (const [from, to] of rename) {
      const raws = [...this.labelOf.entries()].filter(([, l]) => l === from).map(([r]) => r)
      if (!this.labelOf.has(from)) raws.push(from)
      for (const r of raws) updates.push([r, to])
    }
    for (const [r, to] of updates) this.labelOf.set(r, to)
    return after.map((c) => (c.content === null || !rename.has(c.content) ? c : { ...c, content: rename.get(c.content)! }))
  }

  private follow(p: string, rawBefore: Char[], rawAfter: Char[]): void {
    const now = this.server.now
    const expectedBefore = process.env.TRUTH_DEBUG ? this.label(rawBefore).map((c) => `${c.ch}${this.expected.get(c.content!)?.[0]}`).join(' ') : ''
    const before = this.label(rawBefore)
    let after = this.label(rawAfter)
    const byItem = new Map(before.map((c) => [c.item, c]))
    const pairs: Array<[number, number]> = []
    for (const c of after) {
      const old = byItem.get(c.item)
      if (old !== undefined && old.content !== null && c.content !== null && old.content !== c.content) pairs.push([c.content, old.content])
    }
    this.rewritten += pairs.length
    if (pairs.length > 0) after = this.relabel(pairs, after)
    const liveBefore = new Map<number, number>()
    for (const c of before) if (c.content !== null) liveBefore.set(c.content, (liveBefore.get(c.content) ?? 0) + 1)
    const liveAfter = new Map<number, number>()
    for (const c of after) if (c.content !== null) liveAfter.set(c.content, (liveAfter.get(c.content) ?? 0) + 1)
    for (const [n, count] of liveAfter) if (count > 1) this.ambiguousContent.add(n)
    const next = new Map<number, string>()
    for (const c of after) {
      if (c.content === null) continue
      const old = byItem.get(c.item)
      if (old !== undefined) {
        if (old.author !== c.author) this.keptChanged.push(`${c.ch} ${old.author} -> ${c.author}`)
        next.set(c.content, old.author ?? '?')
      } else if (liveBefore.has(c.content)) next.set(c.content, this.expected.get(c.content) ?? '?')
      else {
        const grave = this.graveyard.get(c.content)
        const reused = grave !== undefined && grave.deleter === p && grave.time > now - this.windowMs
        next.set(c.content, reused ? grave.author : p)
      }
    }
    for (const c of before) {
      if (c.content !== null && !liveAfter.has(c.content)) {
        this.graveyard.set(c.content, { deleter: p, time: now, author: this.expected.get(c.content) ?? '?' })
      }
    }
    const found = this.mismatches.length
    const into = this.lenient ? this.tolerated : this.mismatches
    after.forEach((c, i) => {
      if (c.content === null) return
      if (this.ambiguousContent.has(c.content)) {
        this.ambiguous++
        return
      }
      this.checked++
      const want = next.get(c.content)!
      if (want !== c.author) {
        const context = after.slice(Math.max(0, i - 8), i + 8).map((x) => x.ch).join('')
        into.push({ ch: c.ch, expected: want, actual: c.author, context: `${p}: …${context}…` })
      }
    })
    // From here on the engine's answer is the reference, so one mistake is reported once.
    this.expected.clear()
    for (const c of after) if (c.content !== null) this.expected.set(c.content, c.author ?? '?')
    if (process.env.TRUTH_DEBUG && into.length > found) {
      const show = (cs: Char[]): string => cs.map((c) => `${c.ch}${c.author?.[0] ?? '?'}${c.content ?? ''}`).join(' ')
      console.log(`MISMATCH after ${this.describe()}\nexpect: ${expectedBefore}\nbefore: ${show(before)}\nafter:  ${show(after)}\n${JSON.stringify(into.slice(found))}`)
    }
  }
}

/** Every textblock of `doc` but the title, as [from, to) of its content (random edits pick one). */
export function textblocks(doc: PMNode): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = []
  doc.descendants((node, pos) => {
    if (node.isTextblock && node.type.name !== 'title') out.push({ from: pos + 1, to: pos + 1 + node.content.size })
    return !node.isTextblock
  })
  return out
}
