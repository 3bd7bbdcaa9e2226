/**
 * The process survives a promise rejection nobody handled: it logs it with the service logger
 * and keeps serving (issue 7: Node's default is to exit, which took every room down).
 */
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { startChildServer } from '../helpers/child-server.js'
import { tempDir } from '../helpers/server.js'
import { eventually } from '../helpers/eventually.js'

describe('process guard', () => {
  it('logs an unhandled rejection and keeps serving', { timeout: 40_000 }, async () => {
    // A preload module stands in for any code path that drops a rejection: on SIGUSR2 it
    // rejects a promise nobody handles, inside the real server process.
    const dir = tempDir()
    const preload = path.join(dir, 'stray-rejection.mjs')
    fs.writeFileSync(preload, "process.on('SIGUSR2', () => { Promise.reject(new Error('stray rejection for the test')) })\n")
    const server = await startChildServer({
      DATA_DIR: dir,
      STORAGE: 'memory',
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(preload).href}`.trim()
    })
    server.proc.kill('SIGUSR2')
    await eventually(() => {
      const line = server.logs.find((l) => l.includes('unhandled promise rejection'))
      expect(line).toBeDefined()
      const entry = JSON.parse(line!) as { level: number; err?: { message?: string } }
      expect(entry.level).toBe(50)
      expect(entry.err?.message).toBe('stray rejection for the test')
    })
    expect(server.proc.exitCode).toBeNull()
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    server.proc.kill('SIGTERM')
    expect(await server.exited).toBe(0)
  })
})
