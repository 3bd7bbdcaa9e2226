/**
 * The threads contract on SQLite (a file per test, like the specs' valence.db), and its tables
 * beside the contributions' in one database file.
 */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ThreadLimits } from '../../server/review/thread-store.js'
import { openSqliteThreadStore } from '../../server/review/threads-sqlite.js'
import { openSqliteContributionStore } from '../../server/review/contributions-sqlite.js'
import { newThread, threadsContract } from './threads.contract.js'
import { record } from './contributions.contract.js'
import { newSpecId } from './review.contract.js'
import { sqliteStores } from './store-runners.js'

const stores = sqliteStores('threads', (file, limits?: ThreadLimits) => openSqliteThreadStore({ file, synchronous: 'FULL', ...(limits ? { limits } : {}) }))
threadsContract('sqlite', stores)

describe('threads on SQLite', () => {
  it('share the database file with the contributions', async () => {
    const f = path.join(stores.dir, 'shared.sqlite')
    const contributions = openSqliteContributionStore({ file: f, synchronous: 'FULL' })
    const threads = openSqliteThreadStore({ file: f, synchronous: 'FULL' })
    const spec = newSpecId()
    await contributions.save([record(spec, 'c5-0')])
    await threads.create(newThread(spec, { contributionId: 'c5-0' }))
    expect((await threads.list(spec)).map((t) => t.contributionId)).toEqual((await contributions.list(spec)).map((r) => r.id))
    await contributions.close()
    await threads.close()
  })
})
