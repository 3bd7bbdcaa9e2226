/**
 * The fan-out part: N clients in one room on Valence and on the reference y-websocket server,
 * both started fresh for each N and measured in interleaved rounds (Valence, reference,
 * Valence, ...), so drift in machine load hits both alike.
 *
 * Per round: server CPU (from `/proc/<pid>/stat` before and after the phase, divided by the
 * updates the server received) and the fan-out latency of every write (see latency.ts).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { connectRoom, type BenchClient } from './clients.js'
import { BENCH_ADMIN_ENV, signIn } from './session.js'
import { RoomDriver, type PhaseResult } from './latency.js'
import { cpuDelta, readCpu, startServer, type ServerChild, type ServerKind } from './servers.js'
import { median, percentile } from './stats.js'

/** How writes are paced. */
export type Mode = 'closed-loop' | 'fixed-rate'

/** Fan-out settings. */
export interface FanoutOptions {
  rounds: number
  /** Writes per closed-loop round, unless the round's time budget ran out first. */
  closedUpdates: number
  /** Time budget of a closed-loop round (ms); it makes at least a quarter of `closedUpdates`. */
  closedBudgetMs: number
  /** Writes per fixed-rate round, and their rate per second. */
  rateUpdates: number
  rate: number
  warmup: number
  /** Write a V8 CPU profile of every server child into this folder. */
  cpuProfDir: string | null
  /** Extra environment of the Valence child (diagnostics, e.g. SQLITE_SYNCHRONOUS=NORMAL). */
  valenceEnv: Record<string, string>
}

/** One measured round of one server. */
export interface RoundResult {
  server: ServerKind
  mode: Mode
  round: number
  updates: number
  /** Writes that reached every other client (see {@link PhaseResult.delivered}). */
  delivered: number
  /** The server could not keep up with the fixed rate: figures are lower bounds. */
  saturated: boolean
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** Server CPU per received update from `/proc/<pid>/stat` (10 ms ticks at CLK_TCK 100). */
  cpuUsPerUpdate: number
  /** The kernel (stime) part of {@link cpuUsPerUpdate}. */
  sysUsPerUpdate: number
  /** The same from per-thread schedstat (ns resolution), as a cross-check. */
  schedUsPerUpdate: number
  /** Bench process CPU as a share of one core during the phase. */
  benchCpuPct: number
  wallMs: number
  maxScheduleLagMs: number
}

/** Medians over the rounds of one server in one mode. */
export interface Summary {
  n: number
  mode: Mode
  server: ServerKind
  rounds: number
  p50Ms: number
  p99Ms: number
  cpuUsPerUpdate: number
  sysUsPerUpdate: number
  schedUsPerUpdate: number
  benchCpuPct: number
  /** Some round could not keep up with the fixed rate. */
  saturated: boolean
}

/** Everything measured for one N. */
export interface FanoutResult {
  n: number
  rounds: RoundResult[]
  summaries: Summary[]
}

interface Side {
  kind: ServerKind
  server: ServerChild
  clients: BenchClient[]
  driver: RoomDriver
}

const SETTLE_MS = 100
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function openSide(kind: ServerKind, n: number, dataDir: string, opts: FanoutOptions): Promise<Side> {
  const nodeArgs = opts.cpuProfDir
    ? ['--cpu-prof', `--cpu-prof-dir=${path.join(opts.cpuProfDir, `${kind}-n${n}`)}`]
    : []
  const env = kind === 'valence' ? { ...BENCH_ADMIN_ENV, ...opts.valenceEnv } : {}
  const server = await startServer(kind, { dataDir, nodeArgs, env })
  try {
    let room = `bench-n${n}`
    let token = (): Promise<string | null> => Promise.resolve(null)
    if (kind === 'valence') {
      const session = await signIn(server.url)
      const specId = await session.createSpec(`bench n=${n}`)
      room = specId
      token = () => session.wsToken(specId)
    }
    const clients = await connectRoom(kind, server.url, room, n, token)
    // Same seed on both sides: both servers see the same sequence of edits.
    const driver = new RoomDriver(clients, 0x5eed + n)
    await driver.prepare()
    return { kind, server, clients, driver }
  } catch (err) {
    await server.stop()
    throw err
  }
}

async function closeSide(side: Side): Promise<void> {
  side.driver.dispose()
  for (const c of side.clients) c.destroy()
  await side.server.stop()
}

/**
 * Measures one round. A closed-loop round makes `writes` writes if given (so both servers of a
 * round handle the same number and their documents grow alike), else as many as its time
 * budget allows.
 */
async function measure(side: Side, mode: Mode, round: number, opts: FanoutOptions, writes?: number): Promise<RoundResult> {
  await sleep(SETTLE_MS)
  const before = readCpu(side.server.pid)
  const phase: PhaseResult =
    mode === 'closed-loop'
      ? writes !== undefined
        ? await side.driver.closedLoop(writes)
        : await side.driver.closedLoop(opts.closedUpdates, opts.closedBudgetMs, Math.ceil(opts.closedUpdates / 4))
      : await side.driver.fixedRate(opts.rateUpdates, opts.rate)
  // Let trailing work of the phase (acks, a compaction) land in this round's sample.
  await sleep(SETTLE_MS)
  const cpu = cpuDelta(before, readCpu(side.server.pid))
  // Writes given up on count as infinitely late, so the percentiles stay honest.
  const latencies = phase.latenciesMs.concat(Array<number>(phase.updates - phase.delivered).fill(Infinity))
  return {
    server: side.kind,
    mode,
    round,
    updates: phase.updates,
    delivered: phase.delivered,
    saturated: phase.delivered < phase.updates,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
    cpuUsPerUpdate: cpu.statUs / phase.updates,
    sysUsPerUpdate: cpu.sysUs / phase.updates,
    schedUsPerUpdate: cpu.schedUs / phase.updates,
    benchCpuPct: (100 * phase.benchCpuMs) / phase.wallMs,
    wallMs: phase.wallMs,
    maxScheduleLagMs: phase.maxScheduleLagMs
  }
}

function summarize(n: number, rounds: RoundResult[]): Summary[] {
  const out: Summary[] = []
  for (const mode of ['closed-loop', 'fixed-rate'] as const) {
    for (const server of ['valence', 'reference'] as const) {
      const rs = rounds.filter((r) => r.mode === mode && r.server === server)
      if (rs.length === 0) continue
      out.push({
        n,
        mode,
        server,
        rounds: rs.length,
        p50Ms: median(rs.map((r) => r.p50Ms)),
        p99Ms: median(rs.map((r) => r.p99Ms)),
        cpuUsPerUpdate: median(rs.map((r) => r.cpuUsPerUpdate)),
        sysUsPerUpdate: median(rs.map((r) => r.sysUsPerUpdate)),
        schedUsPerUpdate: median(rs.map((r) => r.schedUsPerUpdate)),
        benchCpuPct: median(rs.map((r) => r.benchCpuPct)),
        saturated: rs.some((r) => r.saturated)
      })
    }
  }
  return out
}

/** Runs every round for `n` clients per room. */
export async function benchFanout(n: number, opts: FanoutOptions, log: (line: string) => void): Promise<FanoutResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'valence-bench-fanout-'))
  const sides: Side[] = []
  try {
    sides.push(await openSide('valence', n, dataDir, opts))
    sides.push(await openSide('reference', n, dataDir, opts))
    for (const side of sides) await side.driver.closedLoop(opts.warmup)
    log(`  N=${n}: ${n} clients synced on each server, ${opts.warmup} warm-up writes done`)
    const rounds: RoundResult[] = []
    for (const mode of ['closed-loop', 'fixed-rate'] as const) {
      for (let round = 1; round <= opts.rounds; round++) {
        let writes: number | undefined
        for (const side of sides) {
          // A server that could not sustain the rate once is not driven into overload again.
          if (rounds.some((r) => r.server === side.kind && r.mode === mode && r.saturated)) continue
          const r = await measure(side, mode, round, opts, writes)
          writes ??= r.updates
          rounds.push(r)
          if (r.saturated) log(`  N=${n} ${mode} ${side.kind}: only ${r.delivered} of ${r.updates} writes reached everyone; server saturated at ${opts.rate}/s`)
          log(
            `  N=${n} ${mode} round ${round} ${side.kind.padEnd(9)}: ${r.updates} writes, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ` +
              `server ${r.cpuUsPerUpdate.toFixed(0)} us/update (sys ${r.sysUsPerUpdate.toFixed(0)}, schedstat ${r.schedUsPerUpdate.toFixed(0)}), bench CPU ${r.benchCpuPct.toFixed(0)}%`
          )
        }
      }
    }
    return { n, rounds, summaries: summarize(n, rounds) }
  } finally {
    for (const side of sides) await closeSide(side).catch(() => {})
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}
