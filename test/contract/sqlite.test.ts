import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { openSqliteStorage } from '../../server/storage/sqlite.js'
import { AttributionEngine } from '../../server/attribution/index.js'
import { IDENTITY_MIGRATIONS } from '../../server/identity/sqlite-schema.js'
import { storageContract } from './storage.contract.js'
import { identityContract } from './identity.contract.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valence-sqlite-'))
let n = 0
let current = ''
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const open = (file: string) => openSqliteStorage({ file, commitWindowMs: 2, synchronous: 'FULL', foldFacts: AttributionEngine.fold })

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

  it('adopts a database whose identity tables the document store created (the old layout)', async () => {
    // Before the identity store owned its tables, document-store migration 2 created them and
    // user_version alone said so; there was no schema_versions table.
    const file = path.join(dir, 'old-layout.sqlite')
    const old = new Database(file)
    old.exec(`CREATE TABLE specs (id TEXT PRIMARY KEY, title TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT);
      CREATE TABLE doc_updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL, data BLOB NOT NULL, facts BLOB);
      CREATE INDEX doc_updates_doc ON doc_updates (doc, seq);
      CREATE TABLE doc_snapshots (doc TEXT PRIMARY KEY, data BLOB NOT NULL, facts BLOB);`)
    old.exec(fs.readFileSync(path.join(import.meta.dirname, 'fixtures/old-identity-schema.sql'), 'utf8'))
    old.exec(`INSERT INTO participants VALUES ('acct-old-0001', 'account', 'Old Fac', 'old@x.test', '2024-01-01T00:00:00.000Z');
      INSERT INTO accounts VALUES ('acct-old-0001', 'old@x.test', 'facilitator', 'scrypt$1$1$1$c2FsdA==$aGFzaA==', NULL);
      INSERT INTO panels VALUES ('panel-old-0001', 'Old panel', '', '2024-01-01T00:00:00.000Z');
      INSERT INTO panel_specs VALUES ('panel-old-0001', 'spec-old-0001');
      INSERT INTO server_secrets VALUES ('ws-token-key', 'old-key');`)
    old.pragma('user_version = 3')
    old.close()

    const s = openTracked(file)
    expect((await s.identity.getAccountByEmail('old@x.test'))?.id).toBe('acct-old-0001')
    expect(await s.identity.specIdsOfPanel('panel-old-0001')).toEqual(['spec-old-0001'])
    expect(await s.identity.secret('ws-token-key', () => 'new-key')).toBe('old-key')
    await s.identity.transaction(async (tx) => tx.createPanel({ name: 'New panel', description: '' }))
    expect(await s.identity.listPanels()).toHaveLength(2)
    await s.close()
    openIdentity.clear()

    // Same identity tables as a database the new code creates, and its version recorded.
    const fresh = path.join(dir, 'new-layout.sqlite')
    await openSqliteStorage({ file: fresh, commitWindowMs: 2, synchronous: 'FULL', foldFacts: AttributionEngine.fold }).close()
    const schema = (f: string) => {
      const db = new Database(f, { readonly: true })
      try {
        const sql = (db.prepare('SELECT name, sql FROM sqlite_master ORDER BY name').all() as { name: string; sql: string }[]).filter((r) => identityObjects.has(r.name))
        const version = db.prepare("SELECT version FROM schema_versions WHERE component = 'identity'").get() as { version: number }
        return { tables: sql.map((r) => [r.name, r.sql.replace(/\s+/g, ' ')]), identityVersion: version.version, userVersion: db.pragma('user_version', { simple: true }) as number }
      } finally {
        db.close()
      }
    }
    const created = [...IDENTITY_MIGRATIONS.join('\n').matchAll(/CREATE (?:TABLE|INDEX) IF NOT EXISTS (\w+)/g)].map((m) => m[1]!)
    const identityObjects = new Set(['schema_versions', ...created])
    const adopted = schema(file)
    expect(adopted.tables).toHaveLength(identityObjects.size)
    expect(adopted.identityVersion).toBe(IDENTITY_MIGRATIONS.length)
    expect(adopted).toEqual(schema(fresh))
  })
})
