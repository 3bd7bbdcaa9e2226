/** The answers contract on SQLite (a file per test, like the specs' valence.db). */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach } from 'vitest'
import { openSqliteAnswersStore, type SqliteAnswersStore } from '../../server/review/answers-sqlite.js'
import { answersContract } from './answers.contract.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valence-answers-sqlite-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

let n = 0
let file = ''
const opened = new Set<SqliteAnswersStore>()
const open = (f: string): SqliteAnswersStore => {
  const s = openSqliteAnswersStore({ file: f, synchronous: 'FULL' })
  opened.add(s)
  return s
}
const closeAll = async (): Promise<void> => {
  for (const s of opened) await s.close()
  opened.clear()
}
afterEach(closeAll)

answersContract('sqlite', {
  create: async () => open((file = path.join(dir, `answers-${++n}.sqlite`))),
  reopen: async () => {
    await closeAll()
    return open(file)
  }
})
