import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { openSqliteStorage } from '../../server/storage/sqlite.js'
import { storageContract } from './storage.contract.js'
import { identityContract } from './identity.contract.js'

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

const openIdentity = new Set<ReturnType<typeof open>>()
let identityFile = ''
const openTracked = (file: string) => {
  const s = open(file)
  openIdentity.add(s)
  return s
}
afterEach(async () => {
  for (const s of openIdentity) await s.close()
  openIdentity.clear()
})

identityContract('sqlite', {
  create: async () => openTracked((identityFile = path.join(dir, `identity-${++n}.sqlite`))).identity,
  close: async () => {
    for (const s of openIdentity) await s.close()
    openIdentity.clear()
  },
  reopen: async () => openTracked(identityFile).identity
})

describe('sqlite migrations', () => {
  it('upgrades a version-1 database (specs only) in place, keeping its specs', async () => {
    const file = path.join(dir, 'v1.sqlite')
    const v1 = new Database(file)
    v1.exec(`CREATE TABLE specs (id TEXT PRIMARY KEY, title TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT);
      CREATE TABLE doc_updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL, data BLOB NOT NULL);
      CREATE TABLE doc_snapshots (doc TEXT PRIMARY KEY, data BLOB NOT NULL);
      INSERT INTO specs VALUES ('spec-v1-0001', 'Old spec', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', NULL);`)
    v1.pragma('user_version = 1')
    v1.close()
    const s = openTracked(file)
    expect((await s.specs.get('spec-v1-0001'))?.title).toBe('Old spec')
    expect(await s.identity.countAccounts()).toBe(0)
    await s.identity.createPanel({ name: 'P', description: '' })
    expect(await s.identity.listPanels()).toHaveLength(1)
  })
})
