/**
 * Starts the real service on port 0 with automatic teardown.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach } from 'vitest'
import { configWith, type Config, type ConfigOverrides } from '../../server/config.js'
import { startService, type Service, type ServiceOverrides } from '../../server/service.js'
import { createLogger } from '../../server/observability/logger.js'
import { facilitatorOf } from './auth.js'

const running = new Set<Service>()
const tempDirs: string[] = []

afterEach(async () => {
  await Promise.all([...running].map((s) => s.stop()))
  running.clear()
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})

/** A fresh temporary folder, removed after the test. */
export function tempDir(prefix = 'valence-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  tempDirs.push(dir)
  return dir
}

/** Starts a service (memory storage unless `config.storage` says otherwise), stopped after the test. */
export async function startTestService(
  config: ConfigOverrides = {},
  overrides: ServiceOverrides = {}
): Promise<Service> {
  const service = await startService(
    configWith({
      port: 0,
      host: '127.0.0.1',
      storage: 'memory',
      dataDir: config.dataDir ?? tempDir(),
      logLevel: (process.env.TEST_LOG_LEVEL as Config['logLevel']) ?? 'silent',
      roomIdleMs: 200,
      commitWindowMs: 1,
      ...config
    }),
    { log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), ...overrides }
  )
  running.add(service)
  return service
}

/** Creates a spec over HTTP (as the service's test facilitator, see helpers/auth.ts) and returns its id. */
export async function createSpec(service: Service, title = 'Test spec'): Promise<string> {
  const facilitator = await facilitatorOf(service)
  const res = await facilitator.fetch('/api/specs', { method: 'POST', body: { title } })
  if (res.status !== 201) throw new Error(`create spec failed: ${res.status} ${await res.text()}`)
  const body = (await res.json()) as { spec: { id: string } }
  return body.spec.id
}
