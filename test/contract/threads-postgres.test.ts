/**
 * The threads contract on Postgres (127.0.0.1:5432, user postgres, database `test`, trust auth;
 * override with REVIEW_TEST_DATABASE_URL), like contributions-postgres.test.ts. It always runs:
 * without a reachable database it fails. Each run works in a schema of its own, dropped at the end.
 */
import { afterAll, afterEach } from 'vitest'
import pg from 'pg'
import type { ThreadLimits } from '../../server/review/thread-store.js'
import { openPostgresThreadStore, type PostgresThreadStore } from '../../server/review/threads-postgres.js'
import { threadsContract } from './threads.contract.js'

const URL = process.env.REVIEW_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const schema = `threads_test_${process.pid}_${Date.now().toString(36)}`

const admin = new pg.Pool({ connectionString: URL, max: 1 })
afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await admin.end()
})

const opened = new Set<PostgresThreadStore>()
const open = async (limits?: ThreadLimits): Promise<PostgresThreadStore> => {
  const s = await openPostgresThreadStore({ connectionString: URL, schema, ...(limits ? { limits } : {}) })
  opened.add(s)
  return s
}
const closeAll = async (): Promise<void> => {
  for (const s of opened) await s.close()
  opened.clear()
}
afterEach(closeAll)

threadsContract('postgres', {
  create: (limits) => open(limits),
  reopen: async () => {
    await closeAll()
    return open()
  }
})
