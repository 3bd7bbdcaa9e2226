/**
 * The production start command (`node dist/server/main.js`, the Dockerfile's CMD) serves the
 * built client and the API, and stops cleanly on SIGTERM. `npm test` builds dist/ first.
 */
import { spawn } from 'node:child_process'
import readline from 'node:readline'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../helpers/server.js'
import { CHILD_ADMIN_ENV, signInAt } from '../helpers/auth.js'

describe('production start', () => {
  it('node dist/server/main.js serves pages, API and probes; SIGTERM exits 0', async () => {
    const proc = spawn(process.execPath, ['dist/server/main.js'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: tempDir(), ...CHILD_ADMIN_ENV },
      stdio: ['ignore', 'pipe', 'inherit']
    })
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)))
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('did not start')), 20_000)
      readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
        const entry = JSON.parse(line) as { msg?: string; url?: string }
        if (entry.msg === 'valence listening' && entry.url) {
          clearTimeout(timer)
          resolve(entry.url)
        }
      })
    })
    try {
      expect((await fetch(`${url}/healthz`)).status).toBe(200)
      expect((await fetch(`${url}/readyz`)).status).toBe(200)
      const home = await fetch(url)
      expect(home.status).toBe(200)
      expect(await home.text()).toContain('<html')
      expect((await fetch(`${url}/api/specs`)).status).toBe(401)
      const id = await (await signInAt(url)).createSpec('Smoke')
      const editor = await fetch(`${url}/specs/${id}`)
      expect(editor.status).toBe(200)
      expect(await editor.text()).toContain('<html')
    } finally {
      proc.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  })
})
