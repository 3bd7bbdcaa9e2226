/**
 * The real server as a child process (`node --import tsx server/main.ts`), for restart and
 * crash tests.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import readline from 'node:readline'
import { afterEach } from 'vitest'

/** A server child process. */
export interface ChildServer {
  proc: ChildProcess
  url: string
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>
  logs: string[]
}

const children = new Set<ChildProcess>()
afterEach(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  children.clear()
})

/** Starts the server on port 0 with `env` and resolves once it logged its URL. */
export function startChildServer(env: Record<string, string>): Promise<ChildServer> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  children.add(proc)
  const logs: string[] = []
  const exited = new Promise<number | string>((resolve) =>
    proc.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'))
  )
  proc.stderr!.on('data', (d: Buffer) => logs.push(d.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${logs.join('')}`)), 20_000)
    readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
      logs.push(line)
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string }
        if (entry.msg === 'valence listening' && entry.url) {
          clearTimeout(timer)
          resolve({ proc, url: entry.url, exited, logs })
        }
      } catch {
        // not a log line
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}:\n${logs.join('\n')}`))
    })
  })
}
