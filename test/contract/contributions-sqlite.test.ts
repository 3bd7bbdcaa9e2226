/**
 * The contributions contract on SQLite (a file per test, like the specs' valence.db), and its
 * tables beside the decisions ledger's in one database file.
 */
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { openSqliteContributionStore } from '../../server/review/contributions-sqlite.js'
import { openSqliteReviewStore } from '../../server/review/sqlite.js'
import { contributionsContract, record } from './contributions.contract.js'
import { decision, newSpecId } from './review.contract.js'
import { sqliteStores } from './store-runners.js'

const stores = sqliteStores('contributions', (file) => openSqliteContributionStore({ file, synchronous: 'FULL' }))
contributionsContract('sqlite', stores)

describe('contributions on SQLite', () => {
  it('share the database file with the decisions ledger', async () => {
    const f = path.join(stores.dir, 'shared.sqlite')
    const review = openSqliteReviewStore({ file: f, synchronous: 'FULL' })
    const contributions = openSqliteContributionStore({ file: f, synchronous: 'FULL' })
    const spec = newSpecId()
    await contributions.save([record(spec, 'c5-0')])
    await review.append(decision(spec, 'c5-0', 'accepted'))
    expect((await contributions.list(spec)).map((r) => r.id)).toEqual((await review.current(spec)).map((e) => e.subjectId))
    await review.close()
    await contributions.close()
  })
})
