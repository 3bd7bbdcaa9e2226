/**
 * The threads contract on SQLite (a file per test, like the specs' valence.db), and its tables
 * beside the contributions' in one database file.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { ThreadLimits } from '../../server/review/thread-store.js'
import { openSqliteThreadStore, type SqliteThreadStore } from '../../server/review/threads-sqlite.js'
import { openSqliteContributionStore } from '../../server/review/contributions-sqlite.js'
import { newThread, threadsContract } from './threads.contract.js'
import { record } from './contributions.contract.js'
import { newSpecId } from './review.contract.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valence-threads-sqlite-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

let n = 0
let file = ''
const opened = new Set<SqliteThreadStore>()
const open = (f: string, limits?: ThreadLimits): SqliteThreadStore => {
  const s = openSqliteThreadStore({ file: f, synchronous: 'FULL', ...(limits ? { limits } : {}) })
  opened.add(s)
  return s
}
const closeAll = async (): Promise<void> => {
  for (const s of opened) await s.close()
  opened.clear()
}
afterEach(closeAll)

threadsContract('sqlite', {
  create: async (limits) => open((file = path.join(dir, `threads-${++n}.sqlite`)), limits),
  reopen: async () => {
    await closeAll()
    return open(file)
  }
})

describe('threads on SQLite', () => {
  it('share the database file with the contributions', async () => {
    const f = path.join(dir, 'shared.sqlite')
    const contributions = openSqliteContributionStore({ file: f, synchronous: 'FULL' })
    const threads = open(f)
    const spec = newSpecId()
    await contributions.save([record(spec, 'c5-0')])
    await threads.create(newThread(spec, { contributionId: 'c5-0' }))
    expect((await threads.list(spec)).map((t) => t.contributionId)).toEqual((await contributions.list(spec)).map((r) => r.id))
    await contributions.close()
  })
})
