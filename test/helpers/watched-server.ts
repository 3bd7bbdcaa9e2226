/**
 * The real server as a watched child process (`node --import tsx server/main.ts`), for fault
 * tests: it can be restarted on the same port (so providers reconnect by themselves, as they
 * would to a restarted production server), every log line is counted by level, error-level
 * lines and stderr are kept, and its resident memory can be read.
 *
 * Unlike child-server.ts it keeps no info or warn lines, so a run that makes the server log
 * 100,000 refusals does not hold them all in the test's memory.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import readline from 'node:readline'
import { afterEach } from 'vitest'

/** A running (or ended) server child. */
export interface WatchedServer {
  proc: ChildProcess
  url: string
  port: number
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>
  /** Log lines by pino level (30 info, 40 warn, 50 error, 60 fatal). */
  levels: Map<number, number>
  /** Log lines of level 50 and above, as logged. */
  errors: string[]
  /** Everything written to stderr (a crash writes its stack here). */
  stderr: string[]
  /** Log lines whose `msg` contains one of `keep` (see {@link startWatchedServer}). */
  kept: string[]
  /** Resident set size of the process in bytes, read from /proc. */
  rssBytes(): number
}

const children = new Set<ChildProcess>()
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  children.clear()
})

/** A TCP port that was free a moment ago (for a server that must restart on the same port). */
export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Options of {@link startWatchedServer}. */
export interface WatchOptions {
  /** Listen on this port (default: a free one). */
  port?: number
  /** Also keep info/warn lines whose message contains one of these strings. */
  keep?: string[]
}

/** Starts the server with `env` (over a test default of port 0 on 127.0.0.1) and resolves once it listens. */
export function startWatchedServer(env: Record<string, string>, opts: WatchOptions = {}): Promise<WatchedServer> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env, PORT: String(opts.port ?? 0) },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  children.add(proc)
  const levels = new Map<number, number>()
  const errors: string[] = []
  const stderr: string[] = []
  const kept: string[] = []
  const exited = new Promise<number | string>((resolve) => proc.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')))
  proc.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()))
  const rssBytes = (): number => {
    const status = fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8')
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status)
    if (!kb) throw new Error('no VmRSS in /proc status')
    return Number(kb[1]) * 1024
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr.join('')}`)), 30_000)
    readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
      let entry: { level?: number; msg?: string; url?: string }
      try {
        entry = JSON.parse(line) as typeof entry
      } catch {
        stderr.push(`(stdout, not a log line) ${line}\n`)
        return
      }
      const level = entry.level ?? 0
      levels.set(level, (levels.get(level) ?? 0) + 1)
      if (level >= 50) errors.push(line)
      else if (opts.keep?.some((k) => entry.msg?.includes(k))) kept.push(line)
      if (entry.msg === 'valence listening' && entry.url) {
        clearTimeout(timer)
        const url = entry.url
        resolve({ proc, url, port: Number(new URL(url).port), exited, levels, errors, stderr, kept, rssBytes })
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}:\n${stderr.join('')}`))
    })
  })
}
