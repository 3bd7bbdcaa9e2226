/**
 * The attack bench (issue 7): what one abusive client does to *other* rooms. For each attack a
 * fresh Valence child (SQLite, durable, default limits) serves a victim room, where two clients
 * write at a fixed rate and the fan-out latency of every write is recorded, and an attack room,
 * where attackers.ts runs the attack for the same window, from a worker process at the lowest
 * CPU priority (the attacker's own work must not count as server latency). Reports the victim's
 * p50/p99/max next to a baseline without attack, and the server's RSS before, at peak and 5 s
 * after the attackers left. Target: the victim's p99 under 100 ms under every attack.
 *
 * Run alone with `npx tsx bench/attack.ts` or as part of `npm run bench` (BENCH_ATTACK=0 skips
 * it). Settings: BENCH_ATTACK_SECONDS (window, default 8), BENCH_ATTACK_RATE (victim writes per
 * second, default 40), BENCH_ATTACK_ONLY (comma-separated attack names), BENCH_ATTACK_SERVER_ROOT
 * (run `server/main.ts` of another checkout, e.g. the code before the limits, for a comparison).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { connectRoom } from './clients.js'
import { RoomDriver } from './latency.js'
import { startServer, type ServerChild } from './servers.js'
import { BENCH_ADMIN_ENV, signIn } from './session.js'
import { fmt, percentile, table } from './stats.js'
import { ATTACKS, type Attack, type AttackOrder, type AttackOutcome } from './attackers.js'

import { parseOptions, type AttackOptions } from './options.js'

/** One row of the report. */
export interface AttackResult {
  attack: string
  description: string
  writes: number
  delivered: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  rssBeforeMiB: number
  rssPeakMiB: number
  /** RSS 5 s after the attackers left. */
  rssAfterMiB: number
  outcome: AttackOutcome | null
  /** The server's warning log lines during the run, counted by message (what it refused and why). */
  serverWarnings: Record<string, number>
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'attack-worker.ts')

/**
 * Starts `order` in a worker process at the lowest CPU priority: a real attacker's CPU is on
 * another machine, and on a small one an attacker at equal priority would take the server's core.
 * Resolves once the worker signed in and started; `stop` ends the attack and returns its outcome.
 */
async function startAttack(order: AttackOrder): Promise<{ stop(): Promise<AttackOutcome> }> {
  const child = fork(WORKER, [JSON.stringify(order)], { execArgv: ['--import', 'tsx'] })
  const kill = (): void => {
    child.kill('SIGKILL')
  }
  process.on('exit', kill)
  try {
    os.setPriority(child.pid!, 19)
  } catch {
    // not permitted here: the attacker runs at normal priority
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.on('error', (err) => console.error(`attack worker ${order.attack}:`, err.message))
  let outcome: AttackOutcome | null = null
  child.on('message', (m: unknown) => {
    if (typeof m === 'object' && m !== null && 'outcome' in m) outcome = (m as { outcome: AttackOutcome }).outcome
  })
  // Started, or failed before starting (its outcome then says why).
  await new Promise<void>((resolve) => {
    child.on('message', (m) => m === 'started' && resolve())
    child.once('exit', () => resolve())
  })
  return {
    async stop() {
      if (child.connected) child.send('stop')
      await exited
      process.off('exit', kill)
      return outcome ?? { framesSent: 0, bytesSent: 0, closes: {}, error: `attack worker ${order.attack} exited without an outcome` }
    }
  }
}

/** Counts the server's JSON log lines at warn level or above by message. */
function warnings(logs: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const line of logs.join('').split('\n')) {
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string }
      if ((entry.level ?? 0) >= 40 && entry.msg) counts[entry.msg] = (counts[entry.msg] ?? 0) + 1
    } catch {
      // not a log line
    }
  }
  return counts
}

/** Resident set size of `pid` in MiB, from /proc. */
function rssMiB(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024
  } catch {
    // the server exited
    return Number.NaN
  }
}

/** Runs one attack (or none: the baseline) against a fresh server. */
async function runOne(attack: Attack | null, opts: AttackOptions, log: (line: string) => void): Promise<AttackResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'valence-bench-attack-'))
  let server: ServerChild | null = null
  try {
    const nodeArgs = opts.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(opts.cpuProfDir, `attack-${attack?.name ?? 'baseline'}`)}`] : []
    server = await startServer('valence', {
      dataDir,
      nodeArgs,
      env: { ...BENCH_ADMIN_ENV, ...opts.valenceEnv },
      ...(opts.serverRoot ? { cwd: opts.serverRoot } : {})
    })
    const session = await signIn(server.url)
    const victimSpec = await session.createSpec('victim')
    const attackSpec = await session.createSpec('attacked')
    // The victims are another participant than the attackers (a customer token of the victim
    // spec's panel): receive budgets are per participant, and the victims must not share theirs.
    const victims = await connectRoom('valence', server.url, victimSpec, 2, () => session.customerWsToken(victimSpec))
    const driver = new RoomDriver(victims, 0xa77ac)
    try {
      await driver.prepare()
      await driver.closedLoop(50)
      const pid = server.pid
      const rssBefore = rssMiB(pid)
      let rssPeak = rssBefore
      const sampler = setInterval(() => {
        const rss = rssMiB(pid)
        if (rss > rssPeak) rssPeak = rss
      }, 100)
      const running = attack ? await startAttack({ attack: attack.name, url: server.url, specId: attackSpec }) : null
      // The attack gets a head start, so the victim's writes meet it in full swing.
      await sleep(attack ? 500 : 0)
      const phase = await driver.fixedRate(Math.round((opts.rate * opts.windowMs) / 1000), opts.rate)
      const outcome = running ? await running.stop() : null
      await sleep(5000)
      const rssAfter = rssMiB(pid)
      clearInterval(sampler)
      const latencies = phase.latenciesMs.concat(Array<number>(phase.updates - phase.delivered).fill(Infinity))
      const result: AttackResult = {
        attack: attack?.name ?? 'none (baseline)',
        description: attack?.description ?? 'no attack',
        writes: phase.updates,
        delivered: phase.delivered,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        maxMs: percentile(latencies, 100),
        rssBeforeMiB: rssBefore,
        rssPeakMiB: rssPeak,
        rssAfterMiB: rssAfter,
        outcome,
        serverWarnings: warnings(server.logs)
      }
      log(
        `  ${result.attack}: victim p50 ${fmt(result.p50Ms)} ms, p99 ${fmt(result.p99Ms)} ms, max ${fmt(result.maxMs)} ms ` +
          `(${result.delivered}/${result.writes} delivered); RSS ${fmt(rssBefore, 0)} -> peak ${fmt(rssPeak, 0)} -> after ${fmt(rssAfter, 0)} MiB` +
          (outcome ? `; attacker sent ${outcome.framesSent} frames, closes ${JSON.stringify(outcome.closes)}` : '') +
          (outcome?.error ? `; attack failed: ${outcome.error}` : '') +
          `; server warnings ${JSON.stringify(result.serverWarnings)}`
      )
      return result
    } finally {
      driver.dispose()
      for (const c of victims) c.destroy()
    }
  } finally {
    await server?.stop()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

/** Runs the baseline and every selected attack, each on a fresh server. */
export async function benchAttacks(opts: AttackOptions, log: (line: string) => void): Promise<AttackResult[]> {
  const attacks = ATTACKS.filter((a) => opts.only.length === 0 || opts.only.includes(a.name))
  const results: AttackResult[] = []
  for (const attack of [null, ...attacks]) results.push(await runOne(attack, opts, log))
  return results
}

/** The report table; `targetMs` marks rows whose victim p99 missed the target. */
export function attackTable(results: readonly AttackResult[], targetMs: number): string {
  return table(
    ['attack', 'victim p50 ms', 'p99 ms', 'max ms', 'delivered', 'RSS before/peak/after MiB', 'attacker closes', 'p99 target'],
    results.map((r) => [
      r.attack,
      fmt(r.p50Ms),
      fmt(r.p99Ms),
      fmt(r.maxMs),
      `${r.delivered}/${r.writes}`,
      `${fmt(r.rssBeforeMiB, 0)}/${fmt(r.rssPeakMiB, 0)}/${fmt(r.rssAfterMiB, 0)}`,
      r.outcome
        ? [Object.entries(r.outcome.closes).map(([c, n]) => `${c}x${n}`).join(' '), r.outcome.error ? 'attack failed' : ''].filter(Boolean).join(', ') || '-'
        : '',
      r.p99Ms < targetMs ? 'met' : 'MISSED'
    ])
  )
}

// Run alone: `npx tsx bench/attack.ts`.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.chdir(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'))
  const root = process.cwd()
  const opts = parseOptions({ ...process.env, BENCH_ATTACK: '1' }, root).attack!
  const log = (line: string): void => console.log(line)
  log(`attack bench: ${opts.windowMs / 1000} s per attack, victim ${opts.rate} writes/s${opts.serverRoot ? `, server from ${opts.serverRoot}` : ''}`)
  benchAttacks(opts, log).then(
    (results) => {
      log('\n=== Other rooms under attack: victim fan-out latency (2 clients, fixed rate) and server RSS ===')
      log(attackTable(results, opts.targetP99Ms))
      process.exit(0)
    },
    (err: unknown) => {
      console.error('attack bench failed:', err)
      process.exit(1)
    }
  )
}
