/**
 * The answers contract on Postgres (127.0.0.1:5432, user postgres, database `test`, trust auth;
 * override with REVIEW_TEST_DATABASE_URL), like contributions-postgres.test.ts. It always runs:
 * without a reachable database it fails. Each run works in a schema of its own, dropped at the end.
 */
import { afterAll, afterEach } from 'vitest'
import pg from 'pg'
import { openPostgresAnswersStore, type PostgresAnswersStore } from '../../server/review/answers-postgres.js'
import { answersContract } from './answers.contract.js'

const URL = process.env.REVIEW_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const schema = `answers_test_${process.pid}_${Date.now().toString(36)}`

const admin = new pg.Pool({ connectionString: URL, max: 1 })
afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await admin.end()
})

const opened = new Set<PostgresAnswersStore>()
const open = async (): Promise<PostgresAnswersStore> => {
  const s = await openPostgresAnswersStore({ connectionString: URL, schema })
  opened.add(s)
  return s
}
const closeAll = async (): Promise<void> => {
  for (const s of opened) await s.close()
  opened.clear()
}
afterEach(closeAll)

answersContract('postgres', {
  create: () => open(),
  reopen: async () => {
    await closeAll()
    return open()
  }
})
