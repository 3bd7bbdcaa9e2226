/**
 * The contributions contract on SQLite (a file per test, like the specs' valence.db), and its
 * tables beside the decisions ledger's in one database file.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { openSqliteContributionStore, type SqliteContributionStore } from '../../server/review/contributions-sqlite.js'
import { openSqliteReviewStore } from '../../server/review/sqlite.js'
import { contributionsContract, record } from './contributions.contract.js'
import { decision, newSpecId } from './review.contract.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valence-contributions-sqlite-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

let n = 0
let file = ''
const opened = new Set<SqliteContributionStore>()
const open = (f: string): SqliteContributionStore => {
  const s = openSqliteContributionStore({ file: f, synchronous: 'FULL' })
  opened.add(s)
  return s
}
const closeAll = async (): Promise<void> => {
  for (const s of opened) await s.close()
  opened.clear()
}
afterEach(closeAll)

contributionsContract('sqlite', {
  create: async () => open((file = path.join(dir, `contributions-${++n}.sqlite`))),
  reopen: async () => {
    await closeAll()
    return open(file)
  }
})

describe('contributions on SQLite', () => {
  it('share the database file with the decisions ledger', async () => {
    const f = path.join(dir, 'shared.sqlite')
    const review = openSqliteReviewStore({ file: f, synchronous: 'FULL' })
    const contributions = open(f)
    const spec = newSpecId()
    await contributions.save([record(spec, 'c5-0')])
    await review.append(decision(spec, 'c5-0', 'accepted'))
    expect((await contributions.list(spec)).map((r) => r.id)).toEqual((await review.current(spec)).map((e) => e.subjectId))
    await review.close()
  })
})
