/**
 * Issue 7 item 9: the cost of one keystroke must not grow with the length of its paragraph.
 *
 * The automerge-paper trace is replayed, one Yjs update per trace transaction, into a spec in
 * two layouts, and the attribution engine records every update in process:
 *
 * - `single`: the whole paper typed into one paragraph (newlines are characters of it), so the
 *   paragraph grows to ~105k characters, as when it was typed live into the editor;
 * - `split`: the same keystrokes with each newline as a paragraph break (a typed newline splits
 *   its paragraph, a deleted one joins two), so paragraphs stay as long as the paper's.
 *
 * The figure is the engine's own time per update (`record` plus encoding its facts delta),
 * overall and in windows where the text is about 10k, 50k and 100k characters long. The bound:
 * the `single` layout costs at most {@link PARAGRAPH_BOUND}x the `split` layout per update.
 */
import { performance } from 'node:perf_hooks'
import * as Y from 'yjs'
import { FRAGMENT_NAME, emptySpecUpdate } from '../shared/schema.js'
import { AttributionEngine } from '../server/attribution/index.js'
import { encodeFacts, isEmptyFacts } from '../server/attribution/facts.js'
import { median } from './stats.js'
import type { Trace } from './trace.js'

/** Layout of the replayed text; see the module comment. */
export type Layout = 'single' | 'split'

/** Largest accepted ratio of the single-paragraph to the split per-update cost. */
export const PARAGRAPH_BOUND = 2

/** Text lengths at which the per-update cost is reported. */
export const WINDOW_LENGTHS = [10_000, 50_000, 100_000] as const

/** Updates measured per window. */
const WINDOW_UPDATES = 2_000

/** The trace as updates of one client, and the text length after each update. */
export interface ParagraphUpdates {
  updates: Uint8Array[]
  /** `lengths[i]`: characters (newlines included) after update i. */
  lengths: number[]
}

/** Writes the trace into paragraphs of one Y.Doc; tracks paragraph lengths for positioning. */
class ParagraphWriter {
  private readonly fragment: Y.XmlFragment
  private readonly texts: Y.XmlText[] = []
  private readonly lens: number[] = []
  // Cached position of paragraph `cursor`: edits are local, so locating walks a few paragraphs.
  private cursor = 0
  private cursorStart = 0

  constructor(
    private readonly doc: Y.Doc,
    private readonly layout: Layout
  ) {
    this.fragment = doc.getXmlFragment(FRAGMENT_NAME)
    const text = new Y.XmlText()
    ;(this.fragment.get(1) as Y.XmlElement).insert(0, [text])
    this.texts.push(text)
    this.lens.push(0)
  }

  /** Paragraph index and offset of text position `pos` (newlines count one). */
  private locate(pos: number): [number, number] {
    while (this.cursor > 0 && this.cursorStart > pos) {
      this.cursor--
      this.cursorStart -= this.lens[this.cursor]! + 1
    }
    while (this.cursor < this.lens.length - 1 && this.cursorStart + this.lens[this.cursor]! < pos) {
      this.cursorStart += this.lens[this.cursor]! + 1
      this.cursor++
    }
    return [this.cursor, pos - this.cursorStart]
  }

  delete(pos: number, len: number): void {
    while (len > 0) {
      const [i, o] = this.locate(pos)
      const n = Math.min(len, this.lens[i]! - o)
      if (n > 0) {
        this.texts[i]!.delete(o, n)
        this.lens[i]! -= n
        len -= n
      } else {
        // The newline after paragraph i: join i + 1 into i (its text moves, as in a join).
        const tail = this.texts[i + 1]!.toString()
        this.fragment.delete(i + 2, 1)
        this.texts.splice(i + 1, 1)
        const tailLen = this.lens.splice(i + 1, 1)[0]!
        this.texts[i]!.insert(this.lens[i]!, tail)
        this.lens[i]! += tailLen
        len--
      }
    }
  }

  insert(pos: number, str: string): void {
    if (this.layout === 'single') {
      this.texts[0]!.insert(pos, str)
      this.lens[0]! += str.length
      return
    }
    const parts = str.split('\n')
    parts.forEach((part, k) => {
      const [i, o] = this.locate(pos)
      if (k > 0) {
        // A newline: split paragraph i at o; its tail moves into a new paragraph.
        const tail = this.texts[i]!.toString().slice(o)
        if (tail.length > 0) this.texts[i]!.delete(o, tail.length)
        const p = new Y.XmlElement('paragraph')
        const t = new Y.XmlText(tail)
        p.insert(0, [t])
        this.fragment.insert(i + 2, [p])
        this.texts.splice(i + 1, 0, t)
        this.lens[i] = o
        this.lens.splice(i + 1, 0, tail.length)
        pos++
      }
      if (part.length > 0) {
        const [j, q] = this.locate(pos)
        this.texts[j]!.insert(q, part)
        this.lens[j]! += part.length
        pos += part.length
      }
    })
  }
}

/** The trace's transactions as one client's updates in `layout` (the first adds the text node). */
export function paragraphUpdates(trace: Trace, layout: Layout): ParagraphUpdates {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, emptySpecUpdate())
  const updates: Uint8Array[] = []
  const lengths: number[] = []
  let length = 0
  doc.on('update', (u: Uint8Array) => {
    updates.push(u)
    lengths.push(length)
  })
  const writer = doc.transact(() => new ParagraphWriter(doc, layout))
  for (const txn of trace.txns) {
    for (const [, del, ins] of txn.patches) length += ins.length - del
    doc.transact(() => {
      for (const [pos, del, ins] of txn.patches) {
        if (del > 0) writer.delete(pos, del)
        if (ins) writer.insert(pos, ins)
      }
    })
  }
  doc.destroy()
  return { updates, lengths }
}

/** A server doc fed by `updates[0, from)` without the engine, then engine-timed. */
function timeUpdates(updates: readonly Uint8Array[], from: number, to: number): number {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, emptySpecUpdate())
  for (let i = 0; i < from; i++) Y.applyUpdate(doc, updates[i]!, 'prefix')
  const engine = new AttributionEngine()
  const origin = { participant: 'customer-1' }
  let ms = 0
  doc.on('afterTransaction', (tr: Y.Transaction) => {
    if (tr.origin !== origin) return
    const t0 = performance.now()
    const facts = engine.record(tr, 'customer-1')
    if (!isEmptyFacts(facts)) encodeFacts(facts)
    ms += performance.now() - t0
  })
  for (let i = from; i < to; i++) Y.applyUpdate(doc, updates[i]!, origin)
  doc.destroy()
  return (ms * 1000) / (to - from)
}

/** Engine microseconds per update for one layout. */
export interface LayoutCost {
  updates: number
  /** Median over rounds of the whole replay (null when only windows were measured). */
  overallUs: number | null
  /** Per window: the text length it starts at and the mean over {@link WINDOW_UPDATES} updates. */
  windows: Array<{ chars: number; us: number }>
}

/** Result of {@link benchParagraphReplay}. */
export interface ParagraphReplayResult {
  rounds: number
  single: LayoutCost
  split: LayoutCost
  /** single / split, overall (or mean of windows when only windows were measured). */
  ratio: number
  bound: number
  met: boolean
}

function windows(p: ParagraphUpdates): LayoutCost['windows'] {
  return WINDOW_LENGTHS.map((chars) => {
    const from = p.lengths.findIndex((l) => l >= chars)
    return { chars, us: timeUpdates(p.updates, from, Math.min(p.updates.length, from + WINDOW_UPDATES)) }
  })
}

/**
 * Replays the trace in both layouts through the engine: whole replays in interleaved rounds
 * (`rounds: 0` skips them: each window then starts from a document built without the engine,
 * which is how a slow engine can be measured at all), then the windows.
 */
export function benchParagraphReplay(trace: Trace, opts: { rounds: number }, log: (line: string) => void): ParagraphReplayResult {
  const single = paragraphUpdates(trace, 'single')
  const split = paragraphUpdates(trace, 'split')
  const overall: Record<Layout, number[]> = { single: [], split: [] }
  for (let round = 0; round < opts.rounds; round++) {
    overall.single.push(timeUpdates(single.updates, 0, single.updates.length))
    overall.split.push(timeUpdates(split.updates, 0, split.updates.length))
  }
  const cost = (p: ParagraphUpdates, layout: Layout): LayoutCost => ({
    updates: p.updates.length,
    overallUs: opts.rounds > 0 ? median(overall[layout]) : null,
    windows: windows(p)
  })
  const result = { single: cost(single, 'single'), split: cost(split, 'split') }
  const mean = (c: LayoutCost): number => c.windows.reduce((s, w) => s + w.us, 0) / c.windows.length
  const ratio = opts.rounds > 0 ? result.single.overallUs! / result.split.overallUs! : mean(result.single) / mean(result.split)
  for (const [name, c] of [['one paragraph', result.single], ['paragraphs', result.split]] as const) {
    log(`${name}: ${c.overallUs === null ? '' : `${c.overallUs.toFixed(1)} us/update overall; `}` +
      c.windows.map((w) => `${w.us.toFixed(1)} us at ${w.chars / 1000}k chars`).join(', '))
  }
  return { rounds: opts.rounds, ...result, ratio, bound: PARAGRAPH_BOUND, met: ratio <= PARAGRAPH_BOUND }
}
