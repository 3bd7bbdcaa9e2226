/**
 * Chooses the answers store (server/review/answers-store.ts) the way the service chooses the
 * contributions store: Postgres when `REVIEW_DATABASE_URL` is set (loaded only then), memory
 * with memory storage or a storage a test gave, else SQLite in the specs' database file.
 */
import path from 'node:path'
import type { Config } from '../config.js'
import type { Logger } from '../observability/logger.js'
import { DB_FILE } from '../storage/sqlite.js'
import type { AnswersStore } from './answers-store.js'
import { MemoryAnswersStore } from './answers-memory.js'
import { openSqliteAnswersStore } from './answers-sqlite.js'

/** Opens the answers store `config` names (see the file header). */
export async function openAnswersStore(config: Config, log: Logger, storageGiven = false): Promise<AnswersStore> {
  if (config.reviewDatabaseUrl) {
    const { openPostgresAnswersStore } = await import('./answers-postgres.js')
    return openPostgresAnswersStore({ connectionString: config.reviewDatabaseUrl, log })
  }
  if (storageGiven || config.storage === 'memory') return new MemoryAnswersStore()
  return openSqliteAnswersStore({ file: path.join(config.dataDir, DB_FILE), synchronous: config.sqliteSynchronous })
}
