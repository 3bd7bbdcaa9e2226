/**
 * The cost of server-verified authorship on the sync path, in process: the same real keystroke
 * updates (the automerge-paper trace, typed into a spec paragraph) applied to a server document
 * three ways, in interleaved rounds:
 *
 * - `apply`: `Y.applyUpdate` only (what a stock server does);
 * - `verify`: plus `validateUpdate` and the clientID binding check (`checkWrite`);
 * - `verify+attribute`: plus the attribution engine recording who wrote every character and the
 *   facts delta that is stored with each update (the full Valence path).
 *
 * Also: the time to compute the attribution of a 2,000-block spec.
 */
import { performance } from 'node:perf_hooks'
import * as Y from 'yjs'
import { FRAGMENT_NAME, emptySpecUpdate } from '../shared/schema.js'
import { validateUpdate } from '../server/sync/validate-update.js'
import { AttributionEngine } from '../server/attribution/index.js'
import { median } from './stats.js'
import type { Trace } from './trace.js'

/** Result of {@link benchSyncPath}. */
export interface SyncPathResult {
  updates: number
  rounds: number
  /** Median CPU microseconds per update, per mode. */
  cpuUsPerUpdate: { apply: number; verify: number; full: number }
  /** Median milliseconds to compute a 2,000-block spec's attribution. */
  attribution2000Ms: number
  attribution2000Blocks: number
}

type Mode = 'apply' | 'verify' | 'full'

/** The first `limit` trace transactions as updates of one client typing into a paragraph. */
export function keystrokeUpdates(trace: Trace, limit: number): Uint8Array[] {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, emptySpecUpdate())
  const paragraph = doc.getXmlFragment(FRAGMENT_NAME).get(1) as Y.XmlElement
  const text = new Y.XmlText()
  const updates: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => updates.push(u))
  // The first update adds the paragraph's text node; the rest are keystrokes.
  doc.transact(() => paragraph.insert(0, [text]))
  for (const txn of trace.txns.slice(0, limit)) {
    doc.transact(() => {
      for (const [pos, del, ins] of txn.patches) {
        if (del > 0) text.delete(pos, del)
        if (ins) text.insert(pos, ins)
      }
    })
  }
  doc.destroy()
  return updates
}

function runMode(mode: Mode, updates: readonly Uint8Array[]): number {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, emptySpecUpdate())
  const engine = new AttributionEngine()
  const origin = { participant: 'customer-1' }
  if (mode === 'full') {
    engine.attach(doc, (o) => (o === origin ? 'customer-1' : null))
    doc.on('update', (_u: Uint8Array, _o: unknown, _d: Y.Doc, tr: Y.Transaction) => {
      engine.takeDelta(tr)
    })
  }
  const start = process.cpuUsage()
  for (const update of updates) {
    if (mode !== 'apply') {
      const summary = validateUpdate(doc, update, { mayAddGc: () => true })
      engine.checkWrite('customer-1', summary.added)
    }
    Y.applyUpdate(doc, update, origin)
  }
  const used = process.cpuUsage(start)
  doc.destroy()
  return (used.user + used.system) / updates.length
}

/** A spec of `blocks` paragraphs written by alternating participants, through the engine. */
function bigSpec(blocks: number): { doc: Y.Doc; engine: AttributionEngine } {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, emptySpecUpdate())
  const engine = new AttributionEngine()
  let who = 'customer-1'
  engine.attach(doc, () => who)
  const fragment = doc.getXmlFragment(FRAGMENT_NAME)
  for (let i = 0; i < blocks; i++) {
    who = i % 3 === 0 ? 'team-1' : 'customer-1'
    doc.transact(() => {
      const p = new Y.XmlElement('paragraph')
      p.insert(0, [new Y.XmlText(`Block ${i}: customers asked for offline mode, dark theme and export to PDF.`)])
      fragment.insert(fragment.length, [p])
    }, 'edit')
  }
  return { doc, engine }
}

/** Runs the sync-path comparison and the 2,000-block attribution timing. */
export function benchSyncPath(trace: Trace, opts: { updates: number; rounds: number }, log: (line: string) => void): SyncPathResult {
  const updates = keystrokeUpdates(trace, opts.updates)
  const samples: Record<Mode, number[]> = { apply: [], verify: [], full: [] }
  runMode('full', updates.slice(0, 2000)) // warm-up
  for (let round = 0; round < opts.rounds; round++) {
    for (const mode of ['apply', 'verify', 'full'] as const) samples[mode].push(runMode(mode, updates))
  }
  const cpu = { apply: median(samples.apply), verify: median(samples.verify), full: median(samples.full) }
  log(`sync path: ${updates.length} keystroke updates x ${opts.rounds} interleaved rounds`)

  const directory = new Map([
    ['customer-1', { displayName: 'Carla', role: 'customer' as const }],
    ['team-1', { displayName: 'Tom', role: 'team' as const }]
  ])
  const { doc, engine } = bigSpec(2000)
  const times: number[] = []
  let blocks = 0
  for (let i = 0; i < 25; i++) {
    const t0 = performance.now()
    blocks = engine.compute(doc, directory).blocks.length
    times.push(performance.now() - t0)
  }
  doc.destroy()
  // The first runs warm the JIT; report the median of the rest.
  return {
    updates: updates.length,
    rounds: opts.rounds,
    cpuUsPerUpdate: cpu,
    attribution2000Ms: median(times.slice(5)),
    attribution2000Blocks: blocks
  }
}
