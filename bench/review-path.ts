/**
 * What review tracking adds to the sync path, in process (issue 10: "adding review tracking to
 * the sync path costs at most 5% more CPU per keystroke"). The same real keystroke updates as
 * sync-path.ts (the automerge-paper trace typed into a spec paragraph by a customer) go through
 * the full Valence path, three ways, in interleaved rounds:
 *
 * - `attribute`: validation, the clientID check and the attribution engine with its facts delta
 *   (what every accepted update cost before review);
 * - `+removals`: plus removal capture as the room wires it (the feed's `afterTransaction`
 *   listener and its after-commit step; server/review/removals-feed.ts);
 * - `+review`: plus the contributions feed as the room drives it: scheduled after every commit,
 *   one pass per {@link KEYSTROKES_PER_PASS} updates (its debounce is 1 s: a fast typist's
 *   keystrokes per second), each pass saved to a memory store.
 *
 * CPU is `process.cpuUsage()` over the whole run, passes included, divided by the updates.
 */
import * as Y from 'yjs'
import { emptySpecUpdate } from '../shared/schema.js'
import { validateUpdate } from '../server/sync/validate-update.js'
import { AttributionEngine } from '../server/attribution/index.js'
import { ContributionsFeed } from '../server/review/contributions-feed.js'
import { MemoryContributionStore } from '../server/review/contributions-memory.js'
import { RemovalsFeed } from '../server/review/removals-feed.js'
import { MemoryRemovalStore } from '../server/review/removals-memory.js'
import { keystrokeUpdates } from './sync-path.js'
import { median } from './stats.js'
import type { Trace } from './trace.js'

/** Updates per contributions pass (one pass per debounce second at ten keystrokes a second). */
export const KEYSTROKES_PER_PASS = 10

/** The bound of the issue: review tracking costs at most this ratio of the path without it. */
export const REVIEW_TARGET_RATIO = 1.05

type Mode = 'attribute' | 'removals' | 'review'

/** Result of {@link benchReviewPath}. */
export interface ReviewPathResult {
  updates: number
  rounds: number
  keystrokesPerPass: number
  /** Median CPU microseconds per update, per mode. */
  cpuUsPerUpdate: Record<Mode, number>
  /** `review / attribute` and `removals / attribute`. */
  ratio: number
  removalsRatio: number
  target: number
  met: boolean
}

async function runMode(mode: Mode, updates: readonly Uint8Array[]): Promise<number> {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, emptySpecUpdate())
  const engine = new AttributionEngine()
  const origin = { participant: 'customer-1' }
  engine.attach(doc, (o) => (o === origin ? 'customer-1' : null))
  const lookup = async (): Promise<{ role: 'customer'; panelIds: string[] }> => ({ role: 'customer', panelIds: [] })
  const onError = (err: unknown): void => {
    throw err
  }
  const contributions =
    mode === 'review'
      ? await ContributionsFeed.load('bench', doc, () => engine.authors, { store: new MemoryContributionStore(), lookup, delayMs: 3_600_000 }, onError)
      : null
  const removals =
    mode === 'attribute'
      ? null
      : await RemovalsFeed.load('bench', doc, () => engine, { store: new MemoryRemovalStore(), lookup }, (c, k) => contributions?.contributionOf(c, k) ?? null, onError)
  doc.on('update', (_u: Uint8Array, _o: unknown, _d: Y.Doc, tr: Y.Transaction) => {
    engine.takeDelta(tr)
    // The room runs this step once the append committed.
    removals?.afterCommit(tr)?.()
    contributions?.schedule()
  })
  const start = process.cpuUsage()
  for (let i = 0; i < updates.length; i++) {
    const summary = validateUpdate(doc, updates[i]!, { mayAddGc: () => true })
    engine.checkWrite('customer-1', summary.added)
    Y.applyUpdate(doc, updates[i]!, origin)
    if (contributions !== null && (i + 1) % KEYSTROKES_PER_PASS === 0) await contributions.flush()
  }
  await contributions?.flush()
  await removals?.flush()
  const used = process.cpuUsage(start)
  contributions?.stop()
  removals?.stop()
  doc.destroy()
  return (used.user + used.system) / updates.length
}

/** Runs the three modes in interleaved rounds and reports the medians and the ratio. */
export async function benchReviewPath(trace: Trace, opts: { updates: number; rounds: number }, log: (line: string) => void): Promise<ReviewPathResult> {
  const updates = keystrokeUpdates(trace, opts.updates)
  const samples: Record<Mode, number[]> = { attribute: [], removals: [], review: [] }
  await runMode('review', updates.slice(0, 1000)) // warm-up
  for (let round = 0; round < opts.rounds; round++) {
    for (const mode of ['attribute', 'removals', 'review'] as const) samples[mode].push(await runMode(mode, updates))
  }
  log(`review path: ${updates.length} keystroke updates x ${opts.rounds} interleaved rounds, a contributions pass per ${KEYSTROKES_PER_PASS} updates`)
  const cpu = { attribute: median(samples.attribute), removals: median(samples.removals), review: median(samples.review) }
  const ratio = cpu.review / cpu.attribute
  return {
    updates: updates.length,
    rounds: opts.rounds,
    keystrokesPerPass: KEYSTROKES_PER_PASS,
    cpuUsPerUpdate: cpu,
    ratio,
    removalsRatio: cpu.removals / cpu.attribute,
    target: REVIEW_TARGET_RATIO,
    met: ratio <= REVIEW_TARGET_RATIO
  }
}
