/**
 * Knobs of the fault suite, read once: the seed (printed by every test so a failure can be
 * replayed) and the long variant.
 *
 * - `FAULTS_LONG=1` runs every fault test at full size (minutes, not seconds); `npm test` runs
 *   the short variant.
 * - `FAULT_SEED=n` replays seed n in every fault test.
 */
import * as prng from 'lib0/prng'

/** True when the long variant was asked for (`FAULTS_LONG=1`). */
export const LONG = ['1', 'true', 'yes'].includes(process.env.FAULTS_LONG ?? '')

/** Picks the short or the long size. */
export const size = <T>(short: T, long: T): T => (LONG ? long : short)

/**
 * A seeded generator for the test `name`: the seed is `FAULT_SEED` if set, else random. The
 * seed and the command that replays it are printed at once, so they are known even if the run
 * dies.
 */
export function seeded(name: string): { seed: number; gen: prng.PRNG; replay: string } {
  const seed = process.env.FAULT_SEED ? Number(process.env.FAULT_SEED) : Math.floor(Math.random() * 2 ** 31)
  const replay = `FAULT_SEED=${seed}${LONG ? ' FAULTS_LONG=1' : ''} npx vitest run test/faults`
  console.log(`[faults] ${name}: seed ${seed} (replay: ${replay})`)
  return { seed, gen: prng.create(seed), replay }
}

/** Prints one line of figures for docs/RELIABILITY.md. */
export function report(name: string, figures: Record<string, unknown>): void {
  console.log(`[faults] ${name} ${LONG ? '(long)' : '(short)'}: ${JSON.stringify(figures)}`)
}

/** The p-th percentile (0..100) of `values` (nearest rank); NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}
