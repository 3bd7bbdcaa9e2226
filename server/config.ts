/**
 * Server configuration: parsed once from the environment with zod. Nothing else in the server
 * reads `process.env`; everything receives a typed {@link Config}.
 */
import path from 'node:path'
import { z } from 'zod'

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

const MiB = 1024 * 1024

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `auto` (default): readable lines when stdout is a terminal, JSON otherwise (log collectors). */
  LOG_FORMAT: z.enum(['auto', 'pretty', 'json']).default('auto'),
  /** `sqlite` (default, file under DATA_DIR) or `memory` (nothing survives a restart). */
  STORAGE: z.enum(['sqlite', 'memory']).default('sqlite'),
  /** Updates arriving within this many milliseconds share one storage transaction. */
  COMMIT_WINDOW_MS: z.coerce.number().min(0).max(1000).default(2),
  /** SQLite `synchronous` pragma: FULL survives power loss, NORMAL survives process crashes. */
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  /** Fold a room's update log into one snapshot after this many appended updates. */
  COMPACT_EVERY: z.coerce.number().int().min(1).default(500),
  /** Record a spec's latest edit (spec list "edited … ago") at most this often, per spec. */
  EDIT_ACTIVITY_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  /** Keep an empty room loaded this long after its last client leaves. */
  ROOM_IDLE_MS: z.coerce.number().int().min(0).default(30_000),
  /** Largest accepted WebSocket frame (team and facilitators). */
  MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).default(8 * MiB),
  /** Largest accepted WebSocket frame from customers and viewers. */
  MAX_CUSTOMER_MESSAGE_BYTES: z.coerce.number().int().min(1024).default(1 * MiB),
  /** Largest stored spec (estimated Yjs state size); an update that would grow it beyond is refused. */
  MAX_SPEC_BYTES: z.coerce.number().int().min(1024).default(4 * MiB),
  /** Most structs (items, GC ranges) one update may carry. */
  MAX_UPDATE_STRUCTS: z.coerce.number().int().min(1).default(20_000),
  /** Largest presence (awareness) state of one clientID, as JSON bytes. */
  MAX_PRESENCE_STATE_BYTES: z.coerce.number().int().min(256).default(64 * 1024),
  /** Distinct presence clientIDs one connection may use. */
  MAX_PRESENCE_IDS_PER_CONNECTION: z.coerce.number().int().min(1).default(2),
  /** Sync messages (updates, step 1, step 2) per second per connection; bursts of twice this. */
  MAX_UPDATES_PER_SECOND: z.coerce.number().min(1).default(50),
  /** Presence messages (awareness, query) per second per connection; bursts of twice this. */
  MAX_PRESENCE_PER_SECOND: z.coerce.number().min(1).default(30),
  /** Bytes received per second per connection, and per participant over all their connections; bursts of one largest frame. */
  MAX_BYTES_PER_SECOND: z.coerce.number().int().min(1024).default(64 * 1024),
  /** Open WebSocket connections per client address. */
  MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(1).default(64),
  /** Open WebSocket connections per spec. */
  MAX_CONNECTIONS_PER_ROOM: z.coerce.number().int().min(1).default(200),
  /** Specs loaded in memory at once (idle ones are unloaded first to make room). */
  MAX_OPEN_ROOMS: z.coerce.number().int().min(1).default(1000),
  /** Unsent bytes a socket may hold before it is closed (4508) and must resync. */
  MAX_BUFFERED_BYTES: z.coerce.number().int().min(64 * 1024).default(8 * MiB),
  /** Serve the built client from this folder (default: dist/client next to the server). */
  CLIENT_DIR: z.string().optional(),
  TRUST_PROXY: bool.default(false),
  /** The address people use to reach the service (scheme://host[:port]); links and the WebSocket Origin check use it. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** First run: create this facilitator when the database has no account yet. */
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(8).max(256).optional(),
  ADMIN_NAME: z.string().trim().min(1).max(100).default('Facilitator'),
  /** Sessions end after this many days without use (each use extends them). */
  SESSION_TTL_DAYS: z.coerce.number().min(1).max(3650).default(30),
  /** Keep the decisions ledger in this Postgres database instead of beside the specs. */
  REVIEW_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** Send email digests of answers through this SMTP server (`smtp://user:pass@host:port`); unset: no mail. */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  /** Sender of email digests. */
  MAIL_FROM: z.string().trim().min(3).max(320).default('Valence <valence@localhost>'),
  /** How often the email digest job runs. */
  DIGEST_INTERVAL_MS: z.coerce.number().int().min(1000).default(60 * 60 * 1000),
  /** Chromium used to print PDF exports (Debian's package by default; the Docker image installs it). */
  CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  /** Exports rendered at once; further jobs wait in a queue. */
  EXPORT_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  /** Jobs waiting beyond the running ones; a start beyond this is refused (429). */
  EXPORT_QUEUE_LIMIT: z.coerce.number().int().min(0).max(1000).default(20),
  /** A finished export's file can be downloaded for this long, then it is deleted. */
  EXPORT_TTL_MS: z.coerce.number().int().min(1000).default(60 * 60 * 1000),
  /** The shared Chromium that prints PDFs closes after this long without a PDF job. */
  EXPORT_BROWSER_IDLE_MS: z.coerce.number().int().min(1000).default(60_000)
}).refine((e) => (e.ADMIN_EMAIL === undefined) === (e.ADMIN_PASSWORD === undefined), {
  message: 'set both ADMIN_EMAIL and ADMIN_PASSWORD, or neither',
  path: ['ADMIN_PASSWORD']
}).refine((e) => e.MAX_BUFFERED_BYTES >= e.MAX_SPEC_BYTES, {
  // A new client receives the whole spec in one frame; a smaller mark would close it at once.
  message: 'must be at least MAX_SPEC_BYTES',
  path: ['MAX_BUFFERED_BYTES']
})

/** The validated configuration the whole server runs on. */
export interface Config {
  port: number
  host: string
  dataDir: string
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL']
  /** How the log is written: `auto` picks `pretty` for a terminal, `json` otherwise. */
  logFormat: 'auto' | 'pretty' | 'json'
  storage: 'sqlite' | 'memory'
  commitWindowMs: number
  sqliteSynchronous: 'FULL' | 'NORMAL'
  compactEvery: number
  roomIdleMs: number
  /** Debounce of recording a spec's latest edit (ms). */
  editActivityMs: number
  maxMessageBytes: number
  /** Resource limits of the sync endpoint (README "Configuration"). */
  limits: SyncLimits
  clientDir: string | null
  trustProxy: boolean
  /** Origin people use (no trailing slash), or null to derive it from each request. */
  publicUrl: string | null
  /** First-run facilitator from ADMIN_EMAIL/ADMIN_PASSWORD (both set), else null. */
  admin: { email: string; password: string; displayName: string } | null
  sessionTtlMs: number
  /**
   * Postgres connection string of the decisions ledger, or null to keep it with the specs
   * (SQLite file, or memory with `storage: 'memory'`).
   */
  reviewDatabaseUrl: string | null
  /** SMTP server of email digests, or null to send no mail (server/notify/). */
  smtpUrl: string | null
  /** `From` of email digests. */
  mailFrom: string
  /** Period of the email digest job. */
  digestIntervalMs: number
  /** Exports (server/export/): the Chromium that prints PDFs, concurrency, queue and file lifetime. */
  export: ExportConfig
}

/** How exports run (README "Configuration"). */
export interface ExportConfig {
  chromiumPath: string
  concurrency: number
  queueLimit: number
  ttlMs: number
  /** The shared PDF browser closes after this long without a lease. */
  browserIdleMs: number
}

/** Per-connection, per-room and per-process limits of the sync endpoint. */
export interface SyncLimits {
  /** Largest frame from customers and viewers (team and facilitators: `maxMessageBytes`). */
  maxCustomerMessageBytes: number
  maxSpecBytes: number
  maxUpdateStructs: number
  maxPresenceStateBytes: number
  maxPresenceIdsPerConnection: number
  updatesPerSecond: number
  presencePerSecond: number
  bytesPerSecond: number
  maxConnectionsPerIp: number
  maxConnectionsPerRoom: number
  maxOpenRooms: number
  maxBufferedBytes: number
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
  // An empty variable (`PUBLIC_URL=` in a compose file) means "not set", not "set to nothing".
  const result = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')))
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
    logFormat: e.LOG_FORMAT,
    storage: e.STORAGE,
    commitWindowMs: e.COMMIT_WINDOW_MS,
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
    compactEvery: e.COMPACT_EVERY,
    roomIdleMs: e.ROOM_IDLE_MS,
    editActivityMs: e.EDIT_ACTIVITY_MS,
    maxMessageBytes: e.MAX_MESSAGE_BYTES,
    limits: {
      maxCustomerMessageBytes: e.MAX_CUSTOMER_MESSAGE_BYTES,
      maxSpecBytes: e.MAX_SPEC_BYTES,
      maxUpdateStructs: e.MAX_UPDATE_STRUCTS,
      maxPresenceStateBytes: e.MAX_PRESENCE_STATE_BYTES,
      maxPresenceIdsPerConnection: e.MAX_PRESENCE_IDS_PER_CONNECTION,
      updatesPerSecond: e.MAX_UPDATES_PER_SECOND,
      presencePerSecond: e.MAX_PRESENCE_PER_SECOND,
      bytesPerSecond: e.MAX_BYTES_PER_SECOND,
      maxConnectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
      maxConnectionsPerRoom: e.MAX_CONNECTIONS_PER_ROOM,
      maxOpenRooms: e.MAX_OPEN_ROOMS,
      maxBufferedBytes: e.MAX_BUFFERED_BYTES
    },
    clientDir: e.CLIENT_DIR ? path.resolve(e.CLIENT_DIR) : null,
    trustProxy: e.TRUST_PROXY,
    publicUrl: e.PUBLIC_URL ? new URL(e.PUBLIC_URL).origin : null,
    admin:
      e.ADMIN_EMAIL && e.ADMIN_PASSWORD
        ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD, displayName: e.ADMIN_NAME }
        : null,
    sessionTtlMs: e.SESSION_TTL_DAYS * 24 * 60 * 60 * 1000,
    reviewDatabaseUrl: e.REVIEW_DATABASE_URL ?? null,
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM,
    digestIntervalMs: e.DIGEST_INTERVAL_MS,
    export: {
      chromiumPath: e.CHROMIUM_PATH,
      concurrency: e.EXPORT_CONCURRENCY,
      queueLimit: e.EXPORT_QUEUE_LIMIT,
      ttlMs: e.EXPORT_TTL_MS,
      browserIdleMs: e.EXPORT_BROWSER_IDLE_MS
    }
  }
}

/** Overrides of {@link configWith}: any field, and any subset of the limits. */
export type ConfigOverrides = Partial<Omit<Config, 'limits'>> & { limits?: Partial<SyncLimits> }

/** Defaults for tests and embedding: `parseConfig({})` plus overrides (limits merged field by field). */
export function configWith(overrides: ConfigOverrides = {}): Config {
  const defaults = parseConfig({})
  return { ...defaults, ...overrides, limits: { ...defaults.limits, ...overrides.limits } }
}
