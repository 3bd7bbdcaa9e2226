/**
 * The review contract on SQLite (a file per test, like the specs' valence.db), plus what only
 * a file database shows: two processes appending to one spec at once, and a database that
 * already holds the specs and identity tables.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { openSqliteReviewStore, REVIEW_SQLITE_MIGRATIONS, type SqliteReviewStore } from '../../server/review/sqlite.js'
import { verifyChain } from '../../server/review/ledger.js'
import { openSqliteIdentityStore } from '../../server/identity/sqlite-schema.js'
import { newSpecId, reviewContract } from './review.contract.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'valence-review-sqlite-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

let n = 0
let file = ''
const opened = new Set<SqliteReviewStore>()
const open = (f: string): SqliteReviewStore => {
  const s = openSqliteReviewStore({ file: f, synchronous: 'FULL' })
  opened.add(s)
  return s
}
const closeAll = async (): Promise<void> => {
  for (const s of opened) await s.close()
  opened.clear()
}
afterEach(closeAll)

/** Runs one statement on its own connection, as someone editing the file by hand would. */
const direct = (sql: string, ...params: unknown[]): void => {
  const db = new Database(file)
  try {
    db.prepare(sql).run(...params)
  } finally {
    db.close()
  }
}

const COLUMNS = new Set(['spec_id', 'seq', 'subject_id', 'state', 'note', 'decided_by', 'role', 'decided_at', 'supersedes', 'prev_hash', 'hash'])

reviewContract('sqlite', {
  create: async () => open((file = path.join(dir, `review-${++n}.sqlite`))),
  another: async () => open(file),
  reopen: async () => {
    await closeAll()
    return open(file)
  },
  tamper: {
    async update(specId, seq, column, value) {
      if (!COLUMNS.has(column)) throw new RangeError(column)
      direct(`UPDATE review_decisions SET ${column} = ? WHERE spec_id = ? AND seq = ?`, value, specId, seq)
    },
    async remove(specId, seq) {
      direct('DELETE FROM review_decisions WHERE spec_id = ? AND seq = ?', specId, seq)
    }
  }
})

/** A child process that appends `count` decisions to `specId` once told to go. */
interface Writer {
  ready: Promise<void>
  go(): void
  done: Promise<void>
}

function startWriter(dbFile: string, specId: string, count: number, tag: string): Writer {
  const script = path.join(import.meta.dirname, 'review-sqlite-writer.ts')
  const child = spawn(process.execPath, ['--import', 'tsx', script, dbFile, specId, String(count), tag], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve())
    child.once('exit', () => reject(new Error(`writer ${tag} exited before it was ready: ${stderr}`)))
  })
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${tag} exited ${code}: ${stderr}`))))
  })
  return { ready, done, go: () => child.stdin.end('go\n') }
}

describe('review store on SQLite', () => {
  it('[R7] two processes appending to one spec at once make one contiguous, valid chain', async () => {
    file = path.join(dir, `two-processes-${++n}.sqlite`)
    const s = open(file)
    const spec = newSpecId()
    await s.append({ specId: spec, subjectId: 'main:0', state: 'accepted', note: null, decidedBy: 'acct-main', role: 'team' })
    // Both processes open the store, then start together, so their appends really overlap.
    const writers = [startWriter(file, spec, 40, 'a'), startWriter(file, spec, 40, 'b')]
    await Promise.all(writers.map((w) => w.ready))
    for (const w of writers) w.go()
    await Promise.all(writers.map((w) => w.done))
    const history = await s.history(spec)
    expect(history).toHaveLength(81)
    const tags = history.slice(1).map((e) => e.subjectId.split(':')[0])
    const switches = tags.filter((t, i) => i > 0 && t !== tags[i - 1]).length
    expect(switches, `writers did not overlap: ${tags.join('')}`).toBeGreaterThan(1)
    expect(verifyChain(spec, history)).toMatchObject({ ok: true, entries: 81 })
  })

  it('shares the specs database file: its own tables and version, the others untouched', async () => {
    file = path.join(dir, `shared-${++n}.sqlite`)
    // What valence.db holds besides the ledger: the identity tables (with their version row)
    // and the document store's tables (a specs table stands in for them).
    const identity = openSqliteIdentityStore({ file, synchronous: 'FULL' })
    const panel = await identity.createPanel({ name: 'Panel', description: '' })
    direct('CREATE TABLE specs (id TEXT PRIMARY KEY, title TEXT NOT NULL)')
    direct("INSERT INTO specs VALUES ('spec-shared-01', 'Spec')")
    const review = open(file)
    await review.append({ specId: 'spec-shared-01', subjectId: '1:0', state: 'planned', note: null, decidedBy: 'acct-x', role: 'facilitator' })
    expect((await identity.getPanel(panel.id))?.name).toBe('Panel')
    await identity.close()
    await closeAll()
    const db = new Database(file, { readonly: true })
    try {
      expect(db.prepare('SELECT component, version FROM schema_versions ORDER BY component').all()).toEqual([
        { component: 'identity', version: expect.any(Number) },
        { component: 'review', version: REVIEW_SQLITE_MIGRATIONS.length }
      ])
      expect(db.prepare('SELECT title FROM specs').all()).toEqual([{ title: 'Spec' }])
    } finally {
      db.close()
    }
    // Opening again migrates nothing and keeps the entry.
    expect(await open(file).history('spec-shared-01')).toHaveLength(1)
  })

  it('refuses a database whose review tables are newer than this server', async () => {
    file = path.join(dir, `newer-${++n}.sqlite`)
    await open(file).close()
    direct("UPDATE schema_versions SET version = 99 WHERE component = 'review'")
    expect(() => openSqliteReviewStore({ file, synchronous: 'FULL' })).toThrow(/version 99/)
  })
})
