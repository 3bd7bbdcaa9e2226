/**
 * The servers under test as child processes, so each one's CPU time can be read alone from
 * `/proc/<pid>/stat`: Valence (`node --import tsx server/main.ts`, SQLite, durable) and the
 * reference y-websocket server (`@y/websocket-server`, in memory). Every child is killed when
 * the bench process exits, however it exits.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import { performance } from 'node:perf_hooks'

/** Which server a child runs. */
export type ServerKind = 'valence' | 'reference'

/** A running server child. */
export interface ServerChild {
  kind: ServerKind
  proc: ChildProcess
  pid: number
  /** `http://127.0.0.1:<port>` */
  url: string
  /** `performance.now()` when the process was spawned. */
  spawnedAt: number
  /** `performance.now()` when it first answered HTTP. */
  readyAt: number
  /** stderr/stdout lines, for error reports. */
  logs: string[]
  /** SIGTERM, wait for exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>
}

/** Options for {@link startServer}. */
export interface StartOptions {
  /** Valence only: the DATA_DIR. */
  dataDir?: string
  /** Extra environment variables. */
  env?: Record<string, string>
  /** Extra node flags (e.g. `--cpu-prof`). */
  nodeArgs?: string[]
  /** Give up if the server does not answer HTTP within this time. */
  timeoutMs?: number
  /** Poll interval of the readiness probe. */
  pollMs?: number
  /** Valence only: the repository whose `server/main.ts` runs (default: this one), e.g. an older checkout. */
  cwd?: string
}

const children = new Set<ChildProcess>()
let cleanupInstalled = false

function installCleanup(): void {
  if (cleanupInstalled) return
  cleanupInstalled = true
  const killAll = (): void => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  }
  process.on('exit', killAll)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      killAll()
      process.exit(130)
    })
  }
}

/** A TCP port that was free a moment ago (the reference server cannot report a port-0 bind). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
  })
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls `url` until it answers any HTTP status, or rejects after `timeoutMs`. */
async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number, pollMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited early (${child.exitCode ?? child.signalCode})`)
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) })
      await res.arrayBuffer()
      return
    } catch {
      if (performance.now() > deadline) throw new Error(`server at ${url} did not answer in ${timeoutMs} ms`)
      await sleep(pollMs)
    }
  }
}

/**
 * Spawns a server on a free port and resolves once it answers HTTP (`/healthz` for Valence,
 * `/` for the reference).
 */
export async function startServer(kind: ServerKind, opts: StartOptions = {}): Promise<ServerChild> {
  installCleanup()
  const port = await freePort()
  const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), HOST: '127.0.0.1' }
  let args: string[]
  if (kind === 'valence') {
    if (!opts.dataDir) throw new TypeError('startServer: valence needs a dataDir')
    Object.assign(env, { DATA_DIR: opts.dataDir, LOG_LEVEL: 'warn' })
    args = [...(opts.nodeArgs ?? []), '--import', 'tsx', 'server/main.ts']
  } else {
    // Without YPERSISTENCE the reference keeps documents in memory only.
    delete env.YPERSISTENCE
    args = [...(opts.nodeArgs ?? []), 'node_modules/@y/websocket-server/src/server.js']
  }
  Object.assign(env, opts.env)
  const spawnedAt = performance.now()
  const proc = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...(opts.cwd ? { cwd: opts.cwd } : {}) })
  children.add(proc)
  const logs: string[] = []
  proc.stdout!.on('data', (d: Buffer) => logs.push(d.toString()))
  proc.stderr!.on('data', (d: Buffer) => logs.push(d.toString()))
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`
  try {
    await waitForHttp(kind === 'valence' ? `${url}/healthz` : url, proc, opts.timeoutMs ?? 30_000, opts.pollMs ?? 20)
  } catch (err) {
    proc.kill('SIGKILL')
    throw new Error(`${kind}: ${(err as Error).message}\n${logs.join('')}`)
  }
  const readyAt = performance.now()
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    }
    children.delete(proc)
  }
  return { kind, proc, pid: proc.pid!, url, spawnedAt, readyAt, logs, stop }
}

let clockTicks: number | null = null

/** `getconf CLK_TCK` (clock ticks per second of `/proc/<pid>/stat`), 100 if unknown. */
export function clockTicksPerSecond(): number {
  if (clockTicks === null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      clockTicks = 100
    }
  }
  return clockTicks
}

/** CPU time a process has used so far, two ways. */
export interface CpuSample {
  /** utime + stime from `/proc/<pid>/stat`, in microseconds (resolution 1/CLK_TCK s). */
  statUs: number
  /** The stime part of {@link statUs} (kernel: syscalls such as socket writes and fsync). */
  sysUs: number
  /**
   * Sum over the process's threads of `/proc/<pid>/task/<tid>/schedstat` run time, in
   * microseconds (nanosecond resolution); `NaN` where schedstat is unavailable. Misses threads
   * that exited, so it only serves as a high-resolution cross-check.
   */
  schedUs: number
}

/** Reads the CPU time `pid` has used so far. */
export function readCpu(pid: number): CpuSample {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Field 2 (comm) may hold spaces and parentheses: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  let schedNs = 0
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      try {
        schedNs += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0])
      } catch {
        // the thread exited between readdir and read
      }
    }
  } catch {
    schedNs = Number.NaN
  }
  const us = 1e6 / clockTicksPerSecond()
  return { statUs: (utime + stime) * us, sysUs: stime * us, schedUs: schedNs / 1e3 }
}

/** CPU used between two samples. */
export function cpuDelta(before: CpuSample, after: CpuSample): CpuSample {
  return {
    statUs: after.statUs - before.statUs,
    sysUs: after.sysUs - before.sysUs,
    schedUs: after.schedUs - before.schedUs
  }
}
