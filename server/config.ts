/**
 * Server configuration: parsed once from the environment with zod. Nothing else in the server
 * reads `process.env`; everything receives a typed {@link Config}.
 */
import path from 'node:path'
import { z } from 'zod'

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `sqlite` (default, file under DATA_DIR) or `memory` (nothing survives a restart). */
  STORAGE: z.enum(['sqlite', 'memory']).default('sqlite'),
  /** Updates arriving within this many milliseconds share one storage transaction. */
  COMMIT_WINDOW_MS: z.coerce.number().min(0).max(1000).default(2),
  /** SQLite `synchronous` pragma: FULL survives power loss, NORMAL survives process crashes. */
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  /** Fold a room's update log into one snapshot after this many appended updates. */
  COMPACT_EVERY: z.coerce.number().int().min(1).default(500),
  /** Keep an empty room loaded this long after its last client leaves. */
  ROOM_IDLE_MS: z.coerce.number().int().min(0).default(30_000),
  /** Largest accepted WebSocket frame. */
  MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).default(8 * 1024 * 1024),
  /** Serve the built client from this folder (default: dist/client next to the server). */
  CLIENT_DIR: z.string().optional(),
  TRUST_PROXY: bool.default(false)
})

/** The validated configuration the whole server runs on. */
export interface Config {
  port: number
  host: string
  dataDir: string
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL']
  storage: 'sqlite' | 'memory'
  commitWindowMs: number
  sqliteSynchronous: 'FULL' | 'NORMAL'
  compactEvery: number
  roomIdleMs: number
  maxMessageBytes: number
  clientDir: string | null
  trustProxy: boolean
}

/** Thrown when the environment does not describe a valid configuration. */
export class ConfigError extends Error {
  readonly code = 'invalid_config'
}

/**
 * Parses an environment (normally `process.env`) into a {@link Config}.
 * @throws ConfigError listing every invalid variable.
 */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(env)
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`)
  }
  const e = result.data
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    storage: e.STORAGE,
    commitWindowMs: e.COMMIT_WINDOW_MS,
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
    compactEvery: e.COMPACT_EVERY,
    roomIdleMs: e.ROOM_IDLE_MS,
    maxMessageBytes: e.MAX_MESSAGE_BYTES,
    clientDir: e.CLIENT_DIR ? path.resolve(e.CLIENT_DIR) : null,
    trustProxy: e.TRUST_PROXY
  }
}

/** Defaults for tests and embedding: `parseConfig({})` plus overrides. */
export function configWith(overrides: Partial<Config> = {}): Config {
  return { ...parseConfig({}), ...overrides }
}
