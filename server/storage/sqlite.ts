/**
 * SQLite storage (the default): one database file under DATA_DIR, WAL mode, group commit.
 */
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import type { DocStore, FoldFacts, StoredDoc, SpecRecord, SpecStore, Storage } from './doc-store.js'
import { GroupCommitter } from './group-commit.js'
import { foldUpdates } from './snapshot.js'
import { newSpecId } from './ids.js'
import { openSqliteIdentityStore } from '../identity/sqlite-schema.js'

type DB = Database.Database

/** Name of the database file inside DATA_DIR. */
export const DB_FILE = 'valence.db'

/** Options for {@link openSqliteStorage}. */
export interface SqliteOptions {
  /** Database file; `:memory:` for a throwaway database. */
  file: string
  /** Appends arriving within this window share one transaction. */
  commitWindowMs: number
  synchronous: 'FULL' | 'NORMAL'
  /** Folds attribution facts on `compact` ([S6]); the attribution layer provides it. */
  foldFacts: FoldFacts
}

const MIGRATIONS: string[] = [
  `CREATE TABLE specs (
     id TEXT PRIMARY KEY,
     title TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     deleted_at TEXT
   );
   CREATE TABLE doc_updates (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     doc TEXT NOT NULL,
     data BLOB NOT NULL
   );
   CREATE INDEX doc_updates_doc ON doc_updates (doc, seq);
   CREATE TABLE doc_snapshots (
     doc TEXT PRIMARY KEY,
     data BLOB NOT NULL
   );`,
  // 2: the identity tables, now created by the identity store itself
  // (server/identity/sqlite-schema.ts). Kept as a no-op so the numbering stays.
  `SELECT 1`
,
  // Attribution facts travel in the same row (same transaction) as their update.
  `ALTER TABLE doc_updates ADD COLUMN facts BLOB;
   ALTER TABLE doc_snapshots ADD COLUMN facts BLOB;`,
  // 4: who last edited a spec's document ([M5]).
  `ALTER TABLE specs ADD COLUMN last_edited_by TEXT;`
]

function migrate(db: DB): void {
  const version = db.pragma('user_version', { simple: true }) as number
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!)
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
}

interface Row {
  doc: string
  data: Uint8Array
  facts: Uint8Array | null
}

/** {@link DocStore} over better-sqlite3 with group commit. */
export class SqliteDocStore implements DocStore {
  private readonly committer: GroupCommitter<Row>
  private readonly insert
  private readonly selectLog
  private readonly selectSnapshot
  private readonly deleteUpTo
  private readonly upsertSnapshot
  private readonly deleteAll
  private readonly foldFacts: FoldFacts

  constructor(
    private readonly db: DB,
    options: Pick<SqliteOptions, 'commitWindowMs' | 'foldFacts'>
  ) {
    const { commitWindowMs } = options
    this.foldFacts = options.foldFacts
    this.insert = db.prepare('INSERT INTO doc_updates (doc, data, facts) VALUES (?, ?, ?)')
    this.selectLog = db.prepare('SELECT seq, data, facts FROM doc_updates WHERE doc = ? ORDER BY seq')
    this.selectSnapshot = db.prepare('SELECT data, facts FROM doc_snapshots WHERE doc = ?')
    this.deleteUpTo = db.prepare('DELETE FROM doc_updates WHERE doc = ? AND seq <= ?')
    this.deleteAll = db.prepare('DELETE FROM doc_updates WHERE doc = ?')
    this.upsertSnapshot = db.prepare(
      'INSERT INTO doc_snapshots (doc, data, facts) VALUES (?, ?, ?) ON CONFLICT (doc) DO UPDATE SET data = excluded.data, facts = excluded.facts'
    )
    const insertMany = db.transaction((rows: Row[]) => {
      for (const row of rows) this.insert.run(row.doc, row.data, row.facts)
    })
    this.committer = new GroupCommitter<Row>((rows) => insertMany(rows), commitWindowMs)
  }

  async load(name: string): Promise<StoredDoc> {
    const { updates, facts } = this.db.transaction(() => this.readAll(name))()
    return { updates, facts }
  }

  append(name: string, update: Uint8Array, facts: Uint8Array | null = null): Promise<void> {
    return this.committer.submit({ doc: name, data: update, facts })
  }

  async compact(name: string): Promise<void> {
    const { updates, facts, maxSeq } = this.db.transaction(() => this.readAll(name))()
    if (updates.length < 2) return
    // Folding is CPU work done outside the write transaction; rows appended meanwhile have a
    // higher seq and are kept, so nothing committed is lost ([S3]).
    const snapshot = foldUpdates(updates)
    const factsSnapshot = facts.length > 0 ? this.foldFacts(facts) : null
    this.db.transaction(() => {
      this.upsertSnapshot.run(name, snapshot, factsSnapshot)
      this.deleteUpTo.run(name, maxSeq)
    })()
  }

  async replace(name: string, snapshot: Uint8Array, facts: Uint8Array | null): Promise<void> {
    // Appends already accepted commit first, so the delete below sees (and drops) them all.
    await this.committer.flush()
    this.db.transaction(() => {
      this.upsertSnapshot.run(name, snapshot, facts)
      this.deleteAll.run(name)
    })()
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get()
  }

  /** Commits queued appends ([S5]). */
  flush(): Promise<void> {
    return this.committer.flush()
  }

  async close(): Promise<void> {
    await this.flush()
  }

  private readAll(name: string): { updates: Uint8Array[]; facts: Uint8Array[]; maxSeq: number } {
    const updates: Uint8Array[] = []
    const facts: Uint8Array[] = []
    const snap = this.selectSnapshot.get(name) as { data: Buffer; facts: Buffer | null } | undefined
    if (snap) {
      updates.push(new Uint8Array(snap.data))
      if (snap.facts) facts.push(new Uint8Array(snap.facts))
    }
    let maxSeq = 0
    type LogRow = { seq: number; data: Buffer; facts: Buffer | null }
    for (const row of this.selectLog.iterate(name) as Iterable<LogRow>) {
      updates.push(new Uint8Array(row.data))
      if (row.facts) facts.push(new Uint8Array(row.facts))
      maxSeq = row.seq
    }
    return { updates, facts, maxSeq }
  }
}

interface SpecRow {
  id: string
  title: string
  created_at: string
  updated_at: string
  last_edited_by: string | null
}

const toRecord = (r: SpecRow): SpecRecord => ({
  id: r.id,
  title: r.title,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastEditedBy: r.last_edited_by
})

/** {@link SpecStore} over better-sqlite3. */
export class SqliteSpecStore implements SpecStore {
  constructor(private readonly db: DB) {}

  async list(): Promise<SpecRecord[]> {
    const rows = this.db
      .prepare('SELECT * FROM specs WHERE deleted_at IS NULL ORDER BY updated_at DESC, id')
      .all() as SpecRow[]
    return rows.map(toRecord)
  }

  async create(title: string): Promise<SpecRecord> {
    const now = new Date().toISOString()
    const id = newSpecId()
    this.db
      .prepare('INSERT INTO specs (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)')
      .run(id, title, now, now)
    return { id, title, createdAt: now, updatedAt: now, lastEditedBy: null }
  }

  async get(id: string): Promise<SpecRecord | null> {
    const row = this.db.prepare('SELECT * FROM specs WHERE id = ? AND deleted_at IS NULL').get(id) as
      | SpecRow
      | undefined
    return row ? toRecord(row) : null
  }

  async rename(id: string, title: string): Promise<SpecRecord | null> {
    const now = new Date().toISOString()
    const info = this.db
      .prepare('UPDATE specs SET title = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL')
      .run(title, now, id)
    return info.changes === 0 ? null : this.get(id)
  }

  async softDelete(id: string): Promise<boolean> {
    const info = this.db
      .prepare('UPDATE specs SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL')
      .run(new Date().toISOString(), id)
    return info.changes > 0
  }

  async touch(id: string, at: string, by: string): Promise<void> {
    this.db
      .prepare('UPDATE specs SET last_edited_by = ?, updated_at = MAX(updated_at, ?) WHERE id = ? AND deleted_at IS NULL')
      .run(by, at, id)
  }
}

/** Opens (creating and migrating if needed) the SQLite database and its stores. */
export function openSqliteStorage(opts: SqliteOptions): Storage & { docs: SqliteDocStore } {
  if (opts.file !== ':memory:') fs.mkdirSync(path.dirname(opts.file), { recursive: true })
  const db = new Database(opts.file)
  db.pragma('journal_mode = WAL')
  db.pragma(`synchronous = ${opts.synchronous}`)
  db.pragma('busy_timeout = 5000')
  migrate(db)
  const docs = new SqliteDocStore(db, opts)
  const specs = new SqliteSpecStore(db)
  // Its own connection and its own migrations (server/identity/sqlite-schema.ts).
  const identity = openSqliteIdentityStore({ file: opts.file, synchronous: opts.synchronous })
  return {
    docs,
    specs,
    identity,
    async close() {
      await docs.close()
      db.close()
      await identity.close()
    }
  }
}
