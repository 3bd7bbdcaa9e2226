/**
 * How the contract runners open the stores they test: one Postgres schema per run (dropped at the
 * end) or one SQLite file per test, every store opened during a test closed after it, and
 * `reopen` closing them first and opening the same data again. One copy of that here instead of
 * one per store and database (threads, contributions, removals, answers).
 *
 * Postgres is at 127.0.0.1:5432 (user postgres, database `test`, trust auth; override with
 * REVIEW_TEST_DATABASE_URL). The runners always run: without a reachable database they fail.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, afterEach } from 'vitest'

/** Anything a contract opens and closes. */
interface Closable {
  close(): Promise<void>
}

/** What the contracts are given: a fresh store, the same data reopened, a second store on the same data. */
export interface StoreRunner<S, O> {
  create(options?: O): Promise<S>
  reopen(): Promise<S>
  another(): Promise<S>
}

/** Keeps what was opened during a test; closes it all after the test and on `reopen`. */
function tracked<S extends Closable, O>(openAt: (options?: O) => Promise<S>, fresh: () => void): StoreRunner<S, O> {
  const opened = new Set<S>()
  const open = async (options?: O): Promise<S> => {
    const s = await openAt(options)
    opened.add(s)
    return s
  }
  const closeAll = async (): Promise<void> => {
    for (const s of opened) await s.close()
    opened.clear()
  }
  afterEach(closeAll)
  return {
    create: (options) => {
      fresh()
      return open(options)
    },
    reopen: async () => {
      await closeAll()
      return open()
    },
    another: () => open()
  }
}

/** Stores of `component` in a Postgres schema of their own (every store of a run shares it). */
export function postgresStores<S extends Closable, O = never>(
  component: string,
  openStore: (connection: { connectionString: string; schema: string }, options?: O) => Promise<S>
): StoreRunner<S, O> {
  const connectionString = process.env.REVIEW_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const schema = `${component}_test_${process.pid}_${Date.now().toString(36)}`
  const admin = new pg.Pool({ connectionString, max: 1 })
  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await admin.end()
  })
  return tracked((options) => openStore({ connectionString, schema }, options), () => {})
}

/** Stores of `component` in SQLite files: a new file per `create`, the same one for `reopen`. */
export function sqliteStores<S extends Closable, O = never>(component: string, openStore: (file: string, options?: O) => S): StoreRunner<S, O> & { dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `valence-${component}-sqlite-`))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
  let n = 0
  let file = ''
  const runner = tracked(async (options?: O) => openStore(file, options), () => {
    file = path.join(dir, `${component}-${++n}.sqlite`)
  })
  return { ...runner, dir }
}
