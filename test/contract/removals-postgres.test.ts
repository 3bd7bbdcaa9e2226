/**
 * The removals contract on Postgres (127.0.0.1:5432, user postgres, database `test`, trust auth;
 * override with REVIEW_TEST_DATABASE_URL), like contributions-postgres.test.ts. It always runs:
 * without a reachable database it fails. Each run works in a schema of its own, dropped at the end.
 */
import { afterAll, afterEach } from 'vitest'
import pg from 'pg'
import { openPostgresRemovalStore, type PostgresRemovalStore } from '../../server/review/removals-postgres.js'
import { removalsContract } from './removals.contract.js'

const URL = process.env.REVIEW_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const schema = `removals_test_${process.pid}_${Date.now().toString(36)}`

const admin = new pg.Pool({ connectionString: URL, max: 1 })
afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await admin.end()
})

const opened = new Set<PostgresRemovalStore>()
const open = async (): Promise<PostgresRemovalStore> => {
  const s = await openPostgresRemovalStore({ connectionString: URL, schema })
  opened.add(s)
  return s
}
const closeAll = async (): Promise<void> => {
  for (const s of opened) await s.close()
  opened.clear()
}
afterEach(closeAll)

removalsContract('postgres', {
  create: () => open(),
  reopen: async () => {
    await closeAll()
    return open()
  },
  another: () => open()
})
