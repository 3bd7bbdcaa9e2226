/** The removals contract on SQLite (a file per test, like the specs' valence.db). */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach } from 'vitest'
import { openSqliteRemovalStore, type SqliteRemovalStore } from '../../server/review/removals-sqlite.js'
import { removalsContract } from './removals.contract.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valence-removals-sqlite-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

let n = 0
let file = ''
const opened = new Set<SqliteRemovalStore>()
const open = (f: string): SqliteRemovalStore => {
  const s = openSqliteRemovalStore({ file: f, synchronous: 'FULL' })
  opened.add(s)
  return s
}
const closeAll = async (): Promise<void> => {
  for (const s of opened) await s.close()
  opened.clear()
}
afterEach(closeAll)

removalsContract('sqlite', {
  create: async () => open((file = path.join(dir, `removals-${++n}.sqlite`))),
  reopen: async () => {
    await closeAll()
    return open(file)
  },
  another: async () => open(file)
})
