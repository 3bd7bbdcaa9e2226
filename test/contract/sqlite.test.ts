import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll } from 'vitest'
import { openSqliteStorage } from '../../server/storage/sqlite.js'
import { storageContract } from './storage.contract.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valence-sqlite-'))
let n = 0
let current = ''
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const open = (file: string) => openSqliteStorage({ file, commitWindowMs: 2, synchronous: 'FULL' })

storageContract('sqlite', {
  create: async () => {
    current = path.join(dir, `db-${++n}.sqlite`)
    return open(current)
  },
  reopen: async () => open(current)
})
