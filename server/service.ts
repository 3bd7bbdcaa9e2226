/**
 * Composition root: config -> logger -> storage -> rooms -> app -> HTTP server with the sync
 * endpoint. Tests start the real service through {@link startService} on port 0.
 */
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AddressInfo } from 'node:net'
import type { Config } from './config.js'
import { createLogger, wantsPretty, type Logger } from './observability/logger.js'
import type { Storage } from './storage/doc-store.js'
import { createMemoryStorage } from './storage/memory.js'
import { DB_FILE, openSqliteStorage } from './storage/sqlite.js'
import { RoomRegistry } from './sync/rooms.js'
import { attachSync, type SyncEndpoint } from './sync/upgrade.js'
import type { SyncAccess } from './sync/access.js'
import { createApp } from './http/app.js'
import { createAuth, type Auth } from './auth/auth-service.js'
import { createSyncAccess } from './auth/sync-access.js'
import type { IdentityStore } from './identity/identity-store.js'
import { MemoryIdentityStore } from './identity/memory.js'
import type { ReviewStore } from './review/review-store.js'
import { MemoryReviewStore } from './review/memory.js'
import { openSqliteReviewStore } from './review/sqlite.js'
import type { ContributionStore } from './review/contribution-store.js'
import { MemoryContributionStore } from './review/contributions-memory.js'
import { openSqliteContributionStore } from './review/contributions-sqlite.js'
import type { RemovalStore } from './review/removal-store.js'
import { MemoryRemovalStore } from './review/removals-memory.js'
import { openSqliteRemovalStore } from './review/removals-sqlite.js'
import { LocalReviewEvents, type ReviewEvents } from './review/review-events.js'
import type { ThreadStore } from './review/thread-store.js'
import { openThreadStore } from './review/open-thread-store.js'
import { EditActivity } from './sync/edit-activity.js'
import { AttributionEngine } from './attribution/index.js'
import type { AnswersStore } from './review/answers-store.js'
import { openAnswersStore } from './review/open-answers-store.js'
import { AnswersService } from './review/answers-service.js'
import { digestJobFor, type DigestJob } from './notify/digest.js'
import { UNSUBSCRIBE_KEY_NAME, UnsubscribeTokens } from './notify/unsubscribe-tokens.js'
import { newSecret } from './identity/secrets.js'
import { openExportRuntime, type ExportRuntime } from './export/export-runtime.js'
import { gatherExportSource } from './export/export-source.js'

/** A running service. */
export interface Service {
  readonly config: Config
  readonly log: Logger
  readonly storage: Storage
  /** The decisions ledger (server/review). */
  readonly review: ReviewStore
  /** Contributions (server/review/contribution-store.ts), beside the specs in their database. */
  readonly contributions: ContributionStore
  /** Removals of customer words (server/review/removal-store.ts), beside the contributions. */
  readonly removals: RemovalStore
  /** Review changes, delivered to each spec's live connections (server/review/review-events.ts). */
  readonly events: ReviewEvents
  /** Comment threads (server/review/thread-store.ts), beside the contributions. */
  readonly threads: ThreadStore
  /** Answers to each reader, review settings and digest marks (server/review/answers-service.ts). */
  readonly answers: AnswersService
  /** The email digest job, or null without `SMTP_URL` (tests call its `runOnce`). */
  readonly digest: DigestJob | null
  /** Identity: sessions, access decisions, access-change events (tests sign in through it). */
  readonly auth: Auth
  /** Export jobs and their folder (server/export/export-runtime.ts). */
  readonly exports: ExportRuntime
  readonly rooms: RoomRegistry
  readonly sync: SyncEndpoint
  readonly server: http.Server
  /** `http://host:port` the service listens on. */
  readonly url: string
  readonly port: number
  /** Graceful stop: refuse new work, close sockets with 1001, flush storage. Idempotent. */
  stop(): Promise<void>
}

/** Optional replacements for tests. */
export interface ServiceOverrides {
  /** A storage without `identity` gets a fresh in-memory identity store. */
  storage?: Omit<Storage, 'identity'> & { identity?: IdentityStore }
  log?: Logger
  /**
   * The decisions ledger. Default: Postgres if `reviewDatabaseUrl` is set, else memory when
   * `storage` is given, else the one {@link openReviewStore} opens.
   */
  review?: ReviewStore
  /** Contributions. Default: the one {@link openContributionStore} opens. */
  contributions?: ContributionStore
  /** Threads. Default: the one server/review/open-thread-store.ts opens. */
  threads?: ThreadStore
  /** Removals. Default: the one {@link openRemovalStore} opens. */
  removals?: RemovalStore
  /** Review settings and marks. Default: the one server/review/open-answers-store.ts opens. */
  answers?: AnswersStore
  /** Replaces the sync layer's authentication (sync-level tests with fixed principals). */
  syncAccess?: SyncAccess
  /** Module exporting `renderExport` for export jobs and previews (tests inject a fake one). */
  exportRenderer?: URL
}

/**
 * Opens the contributions store beside the decisions ledger: Postgres if `reviewDatabaseUrl` is
 * set, else memory with memory storage (or a storage given by a test), else SQLite in the
 * specs' database file.
 */
export async function openContributionStore(config: Config, log: Logger, storageGiven = false): Promise<ContributionStore> {
  if (config.reviewDatabaseUrl) {
    // Imported only when configured: the default service never loads `pg`.
    const { openPostgresContributionStore } = await import('./review/contributions-postgres.js')
    return openPostgresContributionStore({ connectionString: config.reviewDatabaseUrl, log })
  }
  if (storageGiven || config.storage === 'memory') return new MemoryContributionStore()
  // NORMAL whatever SQLITE_SYNCHRONOUS says: contributions are derived from the document and
  // its facts (both written FULL), and a room saves them after every pass, about once a second
  // while someone types. FULL made each save block the event loop for ~6 ms (an fsync) and cost
  // ~700 us of CPU, against ~0.15 ms and ~80 us (bench/review-sync-path.ts). WAL keeps NORMAL
  // commits through process crashes; a power loss can roll back the last passes, and the next
  // pass assigns those characters again from the document (contributions.ts rule 4).
  return openSqliteContributionStore({ file: path.join(config.dataDir, DB_FILE), synchronous: 'NORMAL' })
}

/** Opens the removals store where {@link openContributionStore} opens the contributions. */
export async function openRemovalStore(config: Config, log: Logger, storageGiven = false): Promise<RemovalStore> {
  if (config.reviewDatabaseUrl) {
    // Imported only when configured: the default service never loads `pg`.
    const { openPostgresRemovalStore } = await import('./review/removals-postgres.js')
    return openPostgresRemovalStore({ connectionString: config.reviewDatabaseUrl, log })
  }
  if (storageGiven || config.storage === 'memory') return new MemoryRemovalStore()
  return openSqliteRemovalStore({ file: path.join(config.dataDir, DB_FILE), synchronous: config.sqliteSynchronous })
}

/** Opens the storage backend `config` names. */
export function openStorage(config: Config): Storage {
  // Storage keeps attribution facts as opaque bytes; compaction folds them with the engine's fold.
  const foldFacts = AttributionEngine.fold
  if (config.storage === 'memory') return createMemoryStorage({ foldFacts })
  return openSqliteStorage({
    file: path.join(config.dataDir, DB_FILE),
    commitWindowMs: config.commitWindowMs,
    synchronous: config.sqliteSynchronous,
    foldFacts
  })
}

/**
 * Opens the decisions ledger `config` names: Postgres if `reviewDatabaseUrl` is set, else
 * beside the specs (their SQLite file, on a connection of its own; or memory).
 */
export async function openReviewStore(config: Config, log: Logger): Promise<ReviewStore> {
  if (config.reviewDatabaseUrl) {
    // Loaded only when configured: the default service never imports pg.
    const { openPostgresReviewStore } = await import('./review/postgres.js')
    return openPostgresReviewStore({ connectionString: config.reviewDatabaseUrl, log })
  }
  if (config.storage === 'memory') return new MemoryReviewStore()
  return openSqliteReviewStore({ file: path.join(config.dataDir, DB_FILE), synchronous: config.sqliteSynchronous })
}

/** The built client next to the compiled server (dist/client), or the configured folder. */
function defaultClientDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url))
  // Compiled: dist/server/service.js -> dist/client. From source: server/service.ts -> dist/client.
  return path.basename(path.dirname(here)) === 'dist'
    ? path.resolve(here, '../client')
    : path.resolve(here, '../dist/client')
}

/**
 * Starts the service and resolves once it listens.
 * @example
 *   const service = await startService(configWith({ port: 0, storage: 'memory' }))
 *   // ... service.url
 *   await service.stop()
 */
export async function startService(config: Config, overrides: ServiceOverrides = {}): Promise<Service> {
  const log = overrides.log ?? createLogger(config.logLevel, undefined, wantsPretty(config.logFormat, process.stdout))
  const given = overrides.storage
  const storage: Storage = given ? { ...given, identity: given.identity ?? new MemoryIdentityStore() } : openStorage(config)
  let review: ReviewStore
  try {
    review = overrides.review ?? (given && !config.reviewDatabaseUrl ? new MemoryReviewStore() : await openReviewStore(config, log))
  } catch (err) {
    await storage.close()
    throw err
  }
  let contributions: ContributionStore
  try {
    contributions = overrides.contributions ?? (await openContributionStore(config, log, given !== undefined))
  } catch (err) {
    await review.close()
    await storage.close()
    throw err
  }
  let answersStore: AnswersStore
  try {
    answersStore = overrides.answers ?? (await openAnswersStore(config, log, given !== undefined))
  } catch (err) {
    await contributions.close()
    await review.close()
    await storage.close()
    throw err
  }
  let removals: RemovalStore
  try {
    removals = overrides.removals ?? (await openRemovalStore(config, log, given !== undefined))
  } catch (err) {
    await answersStore.close()
    await contributions.close()
    await review.close()
    await storage.close()
    throw err
  }
  let threads: ThreadStore
  try {
    threads = overrides.threads ?? (await openThreadStore(config, log, given !== undefined))
  } catch (err) {
    await removals.close()
    await answersStore.close()
    await contributions.close()
    await review.close()
    await storage.close()
    throw err
  }
  const auth = await createAuth({
    store: storage.identity,
    specs: storage.specs,
    log,
    sessionTtlMs: config.sessionTtlMs,
    publicUrl: config.publicUrl,
    trustProxy: config.trustProxy
  })
  const events = new LocalReviewEvents()
  const answers = new AnswersService({
    aliases: auth.aliases,
    contributions,
    review,
    store: answersStore,
    removals: (specId, authorId) => removals.list(specId, authorId),
    threads: (specId) => threads.list(specId),
    names: async (ids) => {
      const found = await Promise.all(ids.map((id) => storage.identity.getParticipant(id)))
      return new Map(found.flatMap((p) => (p ? [[p.id, p.displayName] as [string, string]] : [])))
    }
  })
  const unsubscribe = new UnsubscribeTokens(await storage.identity.secret(UNSUBSCRIBE_KEY_NAME, () => newSecret()))
  const activity = new EditActivity((id, at, by) => storage.specs.touch(id, at, by), log, config.editActivityMs)
  const rooms = new RoomRegistry({
    events,
    onEdit: (specId, participantId) => activity.note(specId, participantId),
    // One title: the document's title block and the metadata (server/sync/spec-title.ts).
    titles: {
      get: async (id) => (await storage.specs.get(id))?.title ?? null,
      rename: async (id, title) => {
        await storage.specs.rename(id, title)
      }
    },
    docs: storage.docs,
    log,
    compactEvery: config.compactEvery,
    idleMs: config.roomIdleMs,
    maxOpenRooms: config.limits.maxOpenRooms,
    maxSpecBytes: config.limits.maxSpecBytes,
    maxUpdateStructs: config.limits.maxUpdateStructs,
    maxPresenceIdsPerConnection: config.limits.maxPresenceIdsPerConnection,
    lookupParticipant: async (id) => {
      const p = await auth.access.principalOf(id)
      return p ? { displayName: p.displayName, role: p.role } : null
    },
    // Recorded merges fold merged-away participants into their survivors (server/identity/aliases.ts).
    resolveParticipant: (id) => auth.aliases.resolve(id),
    contributions: {
      store: contributions,
      events,
      resolve: (id) => auth.aliases.resolve(id),
      lookup: async (specId, id) => {
        const p = await auth.access.principalOf(id)
        if (!p) return null
        const panelIds: string[] = []
        for (const m of await storage.identity.membershipsOf(id)) {
          if ((await storage.identity.specIdsOfPanel(m.panelId)).includes(specId)) panelIds.push(m.panelId)
        }
        return { role: (await auth.access.roleOnSpec(p, specId)) ?? p.role, panelIds }
      }
    },
    removals: {
      store: removals,
      events,
      lookup: async (specId, id) => {
        const p = await auth.access.principalOf(id)
        return p ? { role: (await auth.access.roleOnSpec(p, specId)) ?? p.role } : null
      }
    }
  })
  // A merge refolds every live room's attribution at once (server/http/merges.ts says when).
  auth.aliases.onMerge(() => rooms.refold())
  const exports = openExportRuntime(config, log, overrides.exportRenderer)
  const exportSourceDeps = { specs: storage.specs, rooms, contributions, review, removals, identity: storage.identity, access: auth.access }
  const app = createApp({
    exports: {
      jobs: exports.jobs,
      source: (specId, requestedBy) => gatherExportSource(exportSourceDeps, specId, { requestedBy }),
      preview: (source, options) => exports.preview(source, options)
    },
    storage,
    review,
    contributions,
    removals,
    rooms,
    threads,
    events,
    answers,
    unsubscribe,
    auth,
    log,
    clientDir: config.clientDir ?? defaultClientDir(),
    trustProxy: config.trustProxy
  })
  const server = http.createServer(app)
  const sync = attachSync(server, {
    rooms,
    specs: storage.specs,
    log,
    maxMessageBytes: config.maxMessageBytes,
    limits: config.limits,
    trustProxy: config.trustProxy,
    access: overrides.syncAccess ?? createSyncAccess(auth)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`
  // First-run setup before announcing readiness: whoever acts on "listening" can sign in.
  await auth.firstRun.start(config.admin, config.publicUrl ?? url, log)
  log.info({ url, dataDir: config.dataDir, storage: config.storage, review: config.reviewDatabaseUrl ? 'postgres' : config.storage }, 'valence listening')
  // Only with SMTP_URL: without it nothing is ever sent.
  const digest = digestJobFor(config, url, { identity: storage.identity, access: auth.access, specs: storage.specs, answers, tokens: unsubscribe, log })

  let stopping: Promise<void> | null = null
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      sync.close()
      // Workers first: a job's source is already gathered, and nothing it does needs a store.
      await exports.close()
      // Before the stores close: a digest round in progress still reads them.
      await digest?.stop()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      // Order matters: sockets first (their pending commits are awaited by shutdown), then the
      // store is flushed and closed, and only then do we wait for idle HTTP connections.
      await rooms.shutdown()
      await activity.flush()
      await storage.close()
      await review.close()
      await contributions.close()
      await threads.close()
      await removals.close()
      await answersStore.close()
      server.closeAllConnections()
      await closed
      log.info('valence stopped')
    })()
    return stopping
  }
  return { config, log, storage, review, contributions, removals, events, threads, answers, digest, auth, exports, rooms, sync, server, url, port: address.port, stop }
}
