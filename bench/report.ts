/**
 * Renders the benchmark results as plain-text tables.
 */
import type { ColdLoadResult } from './cold-load.js'
import type { FanoutResult, Mode, Summary } from './fanout.js'
import { fmt, mb, table } from './stats.js'

/** Valence / reference CPU per update for one N and mode, and whether it meets the target. */
export interface Verdict {
  n: number
  mode: Mode
  ratio: number
  met: boolean
  /** A server could not keep up with the fixed rate, so the ratio is uncertain. */
  saturated: boolean
}

/** Compares the two servers' median CPU per update for every N and mode. */
export function verdicts(results: readonly FanoutResult[], target: number): Verdict[] {
  const out: Verdict[] = []
  for (const r of results) {
    for (const mode of ['closed-loop', 'fixed-rate'] as const) {
      const v = r.summaries.find((s) => s.mode === mode && s.server === 'valence')
      const ref = r.summaries.find((s) => s.mode === mode && s.server === 'reference')
      if (!v || !ref) continue
      const ratio = v.cpuUsPerUpdate / ref.cpuUsPerUpdate
      // A saturated Valence round is a lower bound on its cost; a saturated reference is not.
      out.push({ n: r.n, mode, ratio, met: ratio <= target && !v.saturated, saturated: v.saturated || ref.saturated })
    }
  }
  return out
}

/** Latency in ms; a write that never reached everyone shows as `lost`. */
const ms = (v: number): string => (v === Infinity ? 'lost' : fmt(v, 2))

/** The fan-out table: one row per N, mode and server, with the CPU ratio on Valence rows. */
export function fanoutTable(results: readonly FanoutResult[], target: number): string {
  const vs = verdicts(results, target)
  const rows: string[][] = []
  const row = (s: Summary): string[] => {
    const v = vs.find((x) => x.n === s.n && x.mode === s.mode)
    const isValence = s.server === 'valence'
    return [
      String(s.n),
      s.mode,
      s.saturated ? `${s.server} (saturated)` : s.server,
      ms(s.p50Ms),
      ms(s.p99Ms),
      fmt(s.cpuUsPerUpdate, 0),
      fmt(s.sysUsPerUpdate, 0),
      fmt(s.schedUsPerUpdate, 0),
      isValence && v ? `${fmt(v.ratio, 2)}x` : '',
      isValence && v ? (v.met ? 'yes' : 'NO') : '',
      fmt(s.benchCpuPct, 0)
    ]
  }
  for (const r of results) for (const s of r.summaries) rows.push(row(s))
  return table(
    ['N', 'mode', 'server', 'p50 ms', 'p99 ms', 'CPU us/upd', 'of it sys', '(schedstat)', 'V/ref CPU', `<=${target}x`, 'bench CPU %'],
    rows
  )
}

/** The cold-load table and database sizes. */
export function coldLoadTable(c: ColdLoadResult): string {
  const rows = [
    ['raw log', String(c.raw.logRows + c.raw.snapshotRows), mb(c.raw.bytes), mb(c.raw.payloadBytes), fmt(c.rawMedian.listenMs, 0), fmt(c.rawMedian.authMs, 0), fmt(c.rawMedian.syncMs, 0), fmt(c.rawMedian.totalMs, 0), fmt(c.rawMedian.serverCpuMs, 0)],
    ['compacted', String(c.compacted.logRows + c.compacted.snapshotRows), mb(c.compacted.bytes), mb(c.compacted.payloadBytes), fmt(c.compactedMedian.listenMs, 0), fmt(c.compactedMedian.authMs, 0), fmt(c.compactedMedian.syncMs, 0), fmt(c.compactedMedian.totalMs, 0), fmt(c.compactedMedian.serverCpuMs, 0)]
  ]
  return [
    `trace ${c.patches} patches -> ${c.updates} updates (one per trace txn), final text ${c.finalChars} chars = endContent; ` +
      `replay ${fmt(c.replayMs, 0)} ms, store ${fmt(c.storeMs, 0)} ms, compact ${fmt(c.compactMs, 0)} ms`,
    table(['database', 'rows', 'on disk', 'payload', 'listen ms', 'sign-in ms', 'load+sync ms', 'total ms', 'server CPU ms'], rows),
    `compacted database after VACUUM (not run by the server): ${mb(c.compactedVacuumedBytes)}; medians of ${c.rawSamples.length} cold starts each`
  ].join('\n')
}
