/**
 * Chooses the thread store (server/review/thread-store.ts) the way the service chooses the
 * contributions store: Postgres when `REVIEW_DATABASE_URL` is set (loaded only then, so the
 * default service never imports `pg`), memory with memory storage or a storage a test gave,
 * else SQLite in the specs' database file, on a connection of its own.
 */
import path from 'node:path'
import type { Config } from '../config.js'
import type { Logger } from '../observability/logger.js'
import { DB_FILE } from '../storage/sqlite.js'
import type { ThreadStore } from './thread-store.js'
import { MemoryThreadStore } from './threads-memory.js'
import { openSqliteThreadStore } from './threads-sqlite.js'

/** Opens the thread store `config` names (see the file header). */
export async function openThreadStore(config: Config, log: Logger, storageGiven = false): Promise<ThreadStore> {
  if (config.reviewDatabaseUrl) {
    const { openPostgresThreadStore } = await import('./threads-postgres.js')
    return openPostgresThreadStore({ connectionString: config.reviewDatabaseUrl, log })
  }
  if (storageGiven || config.storage === 'memory') return new MemoryThreadStore()
  return openSqliteThreadStore({ file: path.join(config.dataDir, DB_FILE), synchronous: config.sqliteSynchronous })
}
